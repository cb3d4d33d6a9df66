"""The SMTP listener: what SES inbound does, locally.

Mail for a known mailbox address of the inbound domain is accepted; any other recipient gets 550 at
RCPT (SES itself accepts every address of the domain: there `ingest_email` drops the unknown ones).
SES's notification of it (comptoir_core.mail.notification: all the envelope recipients, the verdicts,
where it is stored) is published to the inbound topic, which feeds the `mail-inbound` queue, as SES's
receipt rule does in AWS. The raw message is stored where SES's receipt rule stores it, under `inbound/<SES message id>` in the
documents bucket, with the header block SES prepends: `Return-Path`, its `Received` header naming the
envelope recipient (`by inbound-smtp.<region>.amazonaws.com with SMTP id <id> for <recipient>`), the
spam and virus verdicts, `Received-SPF` and `Authentication-Results`. So the same function reads the
same bytes locally and in AWS, and finds the recipient the same way.

The verdicts: a message carrying the EICAR test file gets `X-SES-Virus-Verdict: FAIL` and one with the
GTUBE test string `X-SES-Spam-Verdict: FAIL`, as a real scanner does. SPF, DKIM and DMARC are not
checked here (no DNS): they are recorded as `none`.
"""

import asyncio
import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from email.utils import format_datetime, parseaddr

import boto3
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from comptoir_core.mail.notification import SUBJECT, ses_notification

MAX_MESSAGE_BYTES = 40 * 1024 * 1024  # SES inbound's limit when storing to S3
INBOUND_PREFIX = "inbound/"
# The industry's test signatures: every virus scanner flags EICAR, every spam filter GTUBE.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
GTUBE = b"XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
_SES_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


class InboundMailHandler:
    def __init__(
        self,
        *,
        bucket: str,
        inbound_domain: str,
        endpoint: str,
        region: str,
        is_known: Callable[[str], bool],
        topic_arn: str,
    ):
        self.bucket = bucket
        self.inbound_domain = inbound_domain.lower()
        self.region = region
        self.topic_arn = topic_arn
        self._is_known = is_known
        self._s3 = boto3.client("s3", endpoint_url=endpoint, region_name=region)
        self._sns = boto3.client("sns", endpoint_url=endpoint, region_name=region)

    async def handle_RCPT(self, server, session, envelope: Envelope, address: str, rcpt_options):
        domain = address.rpartition("@")[2].lower()
        if domain != self.inbound_domain or not await asyncio.to_thread(self._is_known, address):
            return "550 5.1.1 Mailbox does not exist"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope: Envelope):
        # Bare LF line endings (some scripts and old mailers send them) are made CRLF, as Postfix does.
        raw = normalise_line_endings(envelope.original_content or b"")
        ses_id = "".join(secrets.choice(_SES_ID_ALPHABET) for _ in range(40))
        received_at = datetime.now(UTC)
        spam, virus = await asyncio.to_thread(scan, raw)
        header = ses_header_block(
            mail_from=envelope.mail_from or "",
            recipient=envelope.rcpt_tos[0],
            helo=session.host_name or "unknown",
            peer_ip=(session.peer or ("127.0.0.1",))[0],
            ses_id=ses_id,
            region=self.region,
            header_from=_header_from(raw),
            spam=spam,
            virus=virus,
            now=received_at,
        )
        key = INBOUND_PREFIX + ses_id
        await asyncio.to_thread(
            self._s3.put_object, Bucket=self.bucket, Key=key, Body=header + raw, ContentType="message/rfc822"
        )
        notification = ses_notification(
            message_id=ses_id,
            source=envelope.mail_from or "",
            recipients=[address.lower() for address in envelope.rcpt_tos],
            bucket=self.bucket,
            key=key,
            topic_arn=self.topic_arn,
            received_at=received_at,
            spam=spam,
            virus=virus,
        )
        await asyncio.to_thread(
            self._sns.publish, TopicArn=self.topic_arn, Subject=SUBJECT, Message=notification
        )
        return "250 Message accepted for delivery"


def ses_header_block(
    *,
    mail_from: str,
    recipient: str,
    helo: str,
    peer_ip: str,
    ses_id: str,
    region: str,
    header_from: str,
    spam: str,
    virus: str,
    now: datetime,
) -> bytes:
    """The headers SES prepends to a message it stores, in its order and form.

    Its Received header names one envelope recipient (the first, when a transaction has several).
    """
    date = format_datetime(now.astimezone(UTC)) + " (UTC)"
    lines = [
        f"Return-Path: <{mail_from}>",
        f"Received: from {helo} ({helo} [{peer_ip}])",
        f" by inbound-smtp.{region}.amazonaws.com with SMTP id {ses_id}",
        f" for {recipient};",
        f" {date}",
        f"X-SES-Spam-Verdict: {spam}",
        f"X-SES-Virus-Verdict: {virus}",
        f"Received-SPF: none (spfCheck: the local stack does not check SPF) client-ip={peer_ip};"
        f" envelope-from={mail_from}; helo={helo};",
        "Authentication-Results: amazonses.com;",
        f" spf=none (spfCheck: the local stack does not check SPF) smtp.mailfrom={mail_from};",
        " dkim=none;",
        f" dmarc=none header.from={header_from.rpartition('@')[2]};",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8", "replace")


def normalise_line_endings(raw: bytes) -> bytes:
    """A message written with bare LF line endings gets CRLF ones (what Postfix does by default). One
    whose header uses CRLF is left byte for byte: a lone LF in it belongs to its content."""
    head = raw.split(b"\n\n", 1)[0] if b"\r\n\r\n" not in raw[:65536] else b""
    if not head or b"\r\n" in head:
        return raw
    return re.sub(rb"(?<!\r)\n", b"\r\n", raw)


def scan(raw: bytes) -> tuple[str, str]:
    """(spam, virus) verdicts, from the test signatures in the message or its decoded parts."""
    contents = [raw]
    try:
        message = BytesParser(policy=policy.compat32).parsebytes(raw)
        for part in message.walk():
            if not part.is_multipart():
                decoded = part.get_payload(decode=True)
                if isinstance(decoded, bytes):
                    contents.append(decoded)
    except Exception:  # noqa: S110 — a message the parser cannot read is scanned as raw bytes
        pass
    virus = "FAIL" if any(EICAR in content for content in contents) else "PASS"
    spam = "FAIL" if any(GTUBE in content for content in contents) else "PASS"
    return spam, virus


def _header_from(raw: bytes) -> str:
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    for line in head.splitlines():
        if line.lower().startswith(b"from:"):
            return parseaddr(line[5:].decode("utf-8", "replace"))[1]
    return ""


def start_smtp(*, host: str, port: int, handler: InboundMailHandler) -> Controller:
    controller = Controller(handler, hostname=host, port=port, data_size_limit=MAX_MESSAGE_BYTES)
    controller.start()
    return controller
