"""The SMTP listener: what SES inbound does, locally.

Mail for the inbound domain is accepted; everything else gets 550 at RCPT. The raw message, with
the verdict headers SES adds, is stored where SES's receipt rule would put it (`inbound/` in the
documents bucket), so the same function processes it locally and in AWS.
"""

import hashlib

import boto3
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

MAX_MESSAGE_BYTES = 40 * 1024 * 1024  # SES inbound's limit when storing to S3


class InboundMailHandler:
    def __init__(self, *, bucket: str, inbound_domain: str, endpoint: str, region: str):
        self.bucket = bucket
        self.inbound_domain = inbound_domain.lower()
        self._s3 = boto3.client("s3", endpoint_url=endpoint, region_name=region)

    async def handle_RCPT(self, server, session, envelope: Envelope, address: str, rcpt_options):
        domain = address.rpartition("@")[2].lower()
        if domain != self.inbound_domain:
            return "550 5.1.1 Mailbox does not exist"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope: Envelope):
        raw = envelope.original_content or b""
        verdicts = (
            f"X-SES-Spam-Verdict: PASS\r\nX-SES-Virus-Verdict: PASS\r\n"
            f"X-SES-Receipt-Recipients: {', '.join(envelope.rcpt_tos)}\r\n"
            f"Return-Path: <{envelope.mail_from}>\r\n"
        ).encode()
        stored = verdicts + raw
        key = "inbound/" + hashlib.sha256(stored).hexdigest()
        self._s3.put_object(Bucket=self.bucket, Key=key, Body=stored, ContentType="message/rfc822")
        return "250 Message accepted for delivery"


def start_smtp(*, host: str, port: int, handler: InboundMailHandler) -> Controller:
    controller = Controller(handler, hostname=host, port=port, data_size_limit=MAX_MESSAGE_BYTES)
    controller.start()
    return controller
