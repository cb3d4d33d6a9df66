"""Inbound messages become documents, once, with a record of what was imported and skipped and why.

One record per company and message, keyed by the message's fingerprint (its Message-ID and content
as the sender sent it): a message delivered again, in the same S3 object or a new one, finds its
record and imports nothing twice. The record is written before the first document and after each
one, so a run that dies half-way is resumed where it stopped by the next delivery of the event.
"""

import contextlib
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from comptoir_core import keys
from comptoir_core.blobs import BlobStore
from comptoir_core.documents.intake import IncomingMetadata, store_incoming
from comptoir_core.documents.models import Mailbox, MailInfo, Source
from comptoir_core.errors import Conflict, Invalid, NotFound
from comptoir_core.ids import is_valid_id
from comptoir_core.mail.addresses import resolve_address
from comptoir_core.mail.models import (
    ImportedPart,
    MailEvent,
    MessageOutcome,
    MessageRead,
    MessageSummary,
    MessageVerdicts,
    RawMessageLink,
    SkippedPart,
)
from comptoir_core.mail.notification import SesReceipt
from comptoir_core.mail.parse import LIMITS, Limits, ParsedMessage, Part, parse_message
from comptoir_core.mail.store import InboundMessages, MessageTooLarge
from comptoir_core.observability import logger
from comptoir_core.repository import Repository
from comptoir_core.tenancy import Caller, Role, authorize

MESSAGE_READERS = frozenset({Role.admin, Role.accountant})
# A record left "receiving" for longer than this was left by a run that died: the next one resumes it.
# Longer than the worker's timeout, so two live runs never import the same message side by side.
LEASE = timedelta(minutes=5)
RAW_LINK_SECONDS = 300
_MAX_EVENTS = 200
_MAX_SKIPPED = 200
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


class MessageBusy(Exception):
    """Another run is importing the same message right now: try again later (SQS redelivers)."""


@dataclass
class Delivery:
    company_id: str
    record_id: str
    outcome: MessageOutcome
    documents: list[str] = field(default_factory=list)
    duplicate: bool = False


def ingest_inbound_message(
    *,
    repo: Repository,
    blobs: BlobStore,
    inbound: InboundMessages,
    key: str,
    domain: str,
    limits: Limits = LIMITS,
    receipt: SesReceipt | None = None,
) -> list[Delivery]:
    """Read the raw message SES stored at `key` and import it into every mailbox it was sent to.
    With SES's notification (`receipt`), its recipients (all of them) and verdicts are the truth; the
    stored message's own headers are read only without one."""
    try:
        raw = inbound.read(key, max_bytes=limits.max_message_bytes)
    except MessageTooLarge:
        logger.warning("inbound message too large to import; kept as it is", extra={"key": key})
        return []
    parsed = parse_message(raw, limits)
    if receipt is not None:
        parsed.verdicts = receipt.verdicts()
    targets = _targets(repo, parsed, domain, receipt.recipients if receipt else None)
    if not targets:
        # SES accepts any address of the domain; one that is nobody's (or regenerated) ends here.
        logger.info("inbound message for no known mailbox; kept as it is", extra={"key": key})
        return []
    return [
        _deliver(repo, blobs, key, parsed, company_id, mailboxes, recipients)
        for company_id, (mailboxes, recipients) in targets.items()
    ]


def list_messages(
    *, repo: Repository, caller: Caller, company_id: str, month: str | None = None
) -> list[MessageSummary]:
    """The messages received in a month (this month by default), newest first."""
    authorize(repo=repo, caller=caller, company_id=company_id, roles=MESSAGE_READERS)
    month = month or datetime.now(UTC).strftime("%Y-%m")
    if not _MONTH.match(month):
        raise Invalid("month must be YYYY-MM")
    items = repo.query(keys.messages_of_month_pk(company_id, month), index=keys.GSI1)
    records = [MessageRead.model_validate(item) for item in items]
    return [r.summary() for r in sorted(records, key=lambda r: r.received_at, reverse=True)]


def get_message(*, repo: Repository, caller: Caller, company_id: str, record_id: str) -> MessageRead:
    authorize(repo=repo, caller=caller, company_id=company_id, roles=MESSAGE_READERS)
    return MessageRead.model_validate(_record_item(repo, company_id, record_id))


def raw_message_link(
    *, repo: Repository, inbound: InboundMessages, caller: Caller, company_id: str, record_id: str
) -> RawMessageLink:
    """A short-lived link to the message exactly as it was received (up to 40 MB: never through the API)."""
    authorize(repo=repo, caller=caller, company_id=company_id, roles=MESSAGE_READERS)
    item = _record_item(repo, company_id, record_id)
    return RawMessageLink(
        url=inbound.download_url(item["raw_key"], expires_in=RAW_LINK_SECONDS),
        expires_in=RAW_LINK_SECONDS,
        size=int(item["size"]),
    )


def record_id_of(fingerprint: str) -> str:
    """The record's id, the same for every delivery of the message: `ml_` + 26 base32 characters."""
    value = int.from_bytes(hashlib.sha256(fingerprint.encode()).digest()[:17], "big") >> 6
    chars = []
    for _ in range(26):
        chars.append(_ID_ALPHABET[value & 31])
        value >>= 5
    return "ml_" + "".join(reversed(chars))


# --- delivering one message to one company -------------------------------------------------------


def _targets(
    repo: Repository, parsed: ParsedMessage, domain: str, envelope: list[str] | None = None
) -> dict[str, tuple[list[Mailbox], list[str]]]:
    """Company → (mailboxes, addresses): SES's envelope recipients when its notification names them,
    else the one its Received header names first, then the To and Cc addresses."""
    targets: dict[str, tuple[list[Mailbox], list[str]]] = {}
    if envelope is not None:
        candidates = list(dict.fromkeys(envelope))
    else:
        candidates = [parsed.envelope_recipient] if parsed.envelope_recipient else []
        candidates += [a for a in parsed.header_recipients if a not in candidates]
    for address in candidates:
        if not address.endswith("@" + domain.lower()):
            continue
        resolved = resolve_address(repo=repo, address=address, domain=domain)
        if resolved is None:
            continue
        mailboxes, recipients = targets.setdefault(resolved.company_id, ([], []))
        if resolved.mailbox not in mailboxes:
            mailboxes.append(resolved.mailbox)
            recipients.append(resolved.address)
    return targets


def _deliver(
    repo: Repository,
    blobs: BlobStore,
    raw_key: str,
    parsed: ParsedMessage,
    company_id: str,
    mailboxes: list[Mailbox],
    recipients: list[str],
) -> Delivery:
    record_id = record_id_of(parsed.fingerprint)
    now = datetime.now(UTC)
    item = repo.get(keys.company_pk(company_id), keys.message_sk(record_id))
    if item is None:
        record = _new_record(parsed, company_id, record_id, mailboxes, recipients, now)
        try:
            item = repo.replace_versioned(_item_of(record, raw_key, now), expected_version=0)
        except Conflict:  # the same message, delivered at the same moment by another object
            raise MessageBusy(f"message {record_id} is being imported by another run") from None
    else:
        claimed = _claim(repo, item, mailboxes, recipients, now)
        if claimed is None:
            return Delivery(company_id, record_id, MessageOutcome(item["outcome"]), duplicate=True)
        item = claimed
    record = MessageRead.model_validate(item)
    logger.append_keys(company_id=company_id)
    made = _import_parts(repo, blobs, record, item, parsed)
    return Delivery(company_id, record_id, record.outcome, documents=made)


def _claim(repo: Repository, item: dict, mailboxes: list[Mailbox], recipients: list[str], now: datetime):
    """Take over an existing record: None when it has nothing new to import (a duplicate)."""
    record = MessageRead.model_validate(item)
    updated_at = datetime.fromisoformat(item.get("updated_at") or item["received_at"])
    if record.outcome == MessageOutcome.receiving and now - updated_at < LEASE:
        raise MessageBusy(f"message {record.id} is being imported by another run")
    new_boxes = [box for box in mailboxes if box not in record.mailboxes]
    if not new_boxes and record.outcome != MessageOutcome.receiving:
        record.history.append(
            MailEvent(at=now, event="received_again", detail="the same message again: nothing imported twice")
        )
        with contextlib.suppress(Conflict):  # someone else noted it at the same moment: nothing is lost
            repo.replace_versioned(_item_of(record, item["raw_key"], now), expected_version=record.version)
        return None
    record.mailboxes += new_boxes
    record.recipients += [r for r in recipients if r not in record.recipients]
    record.outcome = MessageOutcome.receiving
    if new_boxes:
        record.history.append(
            MailEvent(at=now, event="received", detail="also for " + ", ".join(b.value for b in new_boxes))
        )
    try:
        return repo.replace_versioned(_item_of(record, item["raw_key"], now), expected_version=record.version)
    except Conflict:
        raise MessageBusy(f"message {record.id} is being imported by another run") from None


def _import_parts(
    repo: Repository, blobs: BlobStore, record: MessageRead, item: dict, parsed: ParsedMessage
) -> list[str]:
    raw_key = item["raw_key"]
    version = int(item["version"])
    to_import = _parts_to_import(parsed)
    done = {(part.mailbox, part.index) for part in record.imported}
    made: list[str] = []
    for mailbox in record.mailboxes:
        for index, part in enumerate(to_import):
            if (mailbox, index) in done:
                continue
            document_id = store_incoming(
                blobs=blobs,
                company_id=record.company_id,
                mailbox=mailbox,
                body=part.body,
                meta=_metadata(parsed, part),
            )
            made.append(document_id)
            record.imported.append(
                ImportedPart(
                    mailbox=mailbox,
                    index=index,
                    document_id=document_id,
                    name=part.name,
                    kind=part.kind.value,
                    size=len(part.body),
                    origin=part.origin,
                )
            )
            # Progress first: a run that dies after this point does not store the part again.
            version = int(
                repo.replace_versioned(
                    _item_of(record, raw_key, datetime.now(UTC)), expected_version=version
                )["version"]
            )
    if parsed.bank_files:
        record.history.extend(_bank_statements(repo, blobs, record, parsed))
    record.outcome = _outcome(parsed, record)
    record.history.append(_closing_event(record, parsed, made))
    repo.replace_versioned(_item_of(record, raw_key, datetime.now(UTC)), expected_version=version)
    return made


def _bank_statements(repo: Repository, blobs: BlobStore, record: MessageRead, parsed: ParsedMessage):
    """CODA files mailed to the Miscellaneous address become the company's bank statements (the same
    file twice imports once); to another mailbox they are left, with the reason."""
    from comptoir_core.bank.service import import_statements

    events = []
    for name, data in parsed.bank_files:
        now = datetime.now(UTC)
        if Mailbox.misc not in record.mailboxes:
            detail = f"{name}: a CODA bank file; send it to the Miscellaneous address"
            events.append(MailEvent(at=now, event="skipped", detail=detail))
            continue
        try:
            imported = import_statements(repo=repo, blobs=blobs, company_id=record.company_id, data=data)
        except Invalid as error:
            events.append(MailEvent(at=now, event="skipped", detail=f"{name}: {error.message}"))
            continue
        detail = f"{name}: {len(imported.statements)} bank statement(s) read"
        events.append(MailEvent(at=now, event="bank_statements", detail=detail))
    return events


def _parts_to_import(parsed: ParsedMessage) -> list[Part]:
    if parsed.virus_found:
        return []
    if parsed.parts:
        return parsed.parts
    if parsed.attachments_refused or parsed.bank_files:
        return []  # what was refused, or a bank file, is not replaced by the text that came with it
    return [parsed.body] if parsed.body else []


def _outcome(parsed: ParsedMessage, record: MessageRead) -> MessageOutcome:
    if parsed.virus_found:
        return MessageOutcome.refused_virus
    if parsed.attachments_refused:
        return MessageOutcome.refused_attachments
    return MessageOutcome.imported if record.imported else MessageOutcome.nothing_imported


def _closing_event(record: MessageRead, parsed: ParsedMessage, made: list[str]) -> MailEvent:
    now = datetime.now(UTC)
    if record.outcome == MessageOutcome.refused_virus:
        return MailEvent(
            at=now,
            event="virus",
            detail="SES found a virus: nothing imported; the raw message is kept for the admins and the accountant",
        )
    if record.outcome == MessageOutcome.refused_attachments:
        reasons = "; ".join(f"{s.name}: {s.reason}" for s in parsed.skipped if s.refused)
        return MailEvent(
            at=now,
            event="attachments_refused",
            detail=f"every attachment was refused ({reasons[:500]}): nothing imported, not even the message body",
        )
    if record.outcome == MessageOutcome.nothing_imported:
        return MailEvent(
            at=now, event="nothing_imported", detail="no attachment to import and no text in the body"
        )
    what = "the message body" if not parsed.parts else f"{len(parsed.parts)} attachment(s)"
    boxes = ", ".join(box.value for box in record.mailboxes)
    return MailEvent(at=now, event="imported", detail=f"{len(made)} document(s) from {what} into {boxes}")


def _new_record(
    parsed: ParsedMessage,
    company_id: str,
    record_id: str,
    mailboxes: list[Mailbox],
    recipients: list[str],
    now: datetime,
) -> MessageRead:
    verdicts = MessageVerdicts(**vars(parsed.verdicts))
    history = [
        MailEvent(
            at=now,
            event="received",
            detail=f"from {parsed.sender or 'an unknown sender'} for {', '.join(b.value for b in mailboxes)}",
        )
    ]
    if (verdicts.spam or "").upper() == "FAIL":
        history.append(
            MailEvent(at=now, event="spam", detail="SES says spam: its documents are marked as such")
        )
    if parsed.defects:
        history.append(
            MailEvent(at=now, event="malformed", detail="MIME defects: " + ", ".join(parsed.defects))
        )
    if not parsed.virus_found:
        history += [
            MailEvent(at=now, event="skipped", detail=f"{skipped.name}: {skipped.reason}")
            for skipped in parsed.skipped[:_MAX_SKIPPED]
        ]
    return MessageRead(
        id=record_id,
        company_id=company_id,
        received_at=now,
        sender=parsed.sender,
        subject=parsed.subject,
        message_id=parsed.message_id,
        recipients=recipients,
        mailboxes=mailboxes,
        size=parsed.size,
        verdicts=verdicts,
        labels=parsed.labels,
        remark=parsed.remark,
        outcome=MessageOutcome.receiving,
        skipped=[
            SkippedPart(name=s.name, reason=s.reason, size=s.size) for s in parsed.skipped[:_MAX_SKIPPED]
        ],
        defects=parsed.defects,
        history=history,
    )


def _item_of(record: MessageRead, raw_key: str, now: datetime) -> dict:
    data = record.model_dump(mode="json", exclude={"version"})
    data["history"] = data["history"][-_MAX_EVENTS:]
    return {
        "pk": keys.company_pk(record.company_id),
        "sk": keys.message_sk(record.id),
        **keys.messages_of_month_gsi1(
            record.company_id, record.received_at.strftime("%Y-%m"), record.received_at.isoformat(), record.id
        ),
        **data,
        "raw_key": raw_key,
        "updated_at": now.isoformat(),
    }


def _metadata(parsed: ParsedMessage, part: Part) -> IncomingMetadata:
    verdicts = parsed.verdicts
    return IncomingMetadata(
        source=Source.mail,
        name=part.name,
        sender=parsed.sender,
        labels=parsed.labels,
        remark=parsed.remark,
        mail=MailInfo(
            subject=parsed.subject,
            message_id=parsed.message_id,
            spf=verdicts.spf,
            dkim=verdicts.dkim,
            dmarc=verdicts.dmarc,
            spam=verdicts.spam,
            virus=verdicts.virus,
        ),
        problem=None,
    )


def _record_item(repo: Repository, company_id: str, record_id: str) -> dict:
    if not is_valid_id(record_id, "ml"):
        raise NotFound("message not found")
    item = repo.get(keys.company_pk(company_id), keys.message_sk(record_id))
    if item is None:
        raise NotFound("message not found")
    return item
