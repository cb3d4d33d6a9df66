"""Documents use cases available so far: the mailboxes, and recording what a channel dropped in S3."""

from datetime import UTC, datetime

from comptoir_core import keys
from comptoir_core.documents.models import (
    DocumentStatus,
    DocumentSummary,
    IncomingObject,
    Mailbox,
    MailboxRead,
    Source,
)
from comptoir_core.errors import Conflict, Invalid, NotFound
from comptoir_core.ids import is_valid_id
from comptoir_core.repository import Repository
from comptoir_core.tenancy import Caller, authorize


def list_mailboxes(*, repo: Repository, caller: Caller, company_id: str) -> list[MailboxRead]:
    authorize(repo=repo, caller=caller, company_id=company_id)
    counts = dict.fromkeys(Mailbox, 0)
    for item in repo.query(keys.company_pk(company_id), sk_prefix=keys.DOCUMENT_SK_PREFIX):
        counts[Mailbox(item["mailbox"])] += 1
    return [MailboxRead(id=box, count=count) for box, count in counts.items()]


def parse_incoming_key(key: str, *, size: int, metadata: dict[str, str]) -> IncomingObject:
    """Read an incoming/<company>/<mailbox>/<document> key; anything else is refused, never guessed."""
    parts = key.split("/")
    if len(parts) != 4 or parts[0] != "incoming":
        raise Invalid(f"not an incoming document key: {key!r}")
    _, company_id, mailbox, document_id = parts
    if not is_valid_id(company_id, "co") or not is_valid_id(document_id, "doc"):
        raise Invalid(f"not an incoming document key: {key!r}")
    if mailbox not in Mailbox.__members__:
        raise Invalid(f"unknown mailbox in {key!r}")
    source = metadata.get("source", Source.upload.value)
    if source not in Source.__members__:
        raise Invalid(f"unknown source {source!r} for {key!r}")
    return IncomingObject(
        key=key,
        company_id=company_id,
        mailbox=Mailbox(mailbox),
        document_id=document_id,
        size=size,
        source=Source(source),
        sender=metadata.get("sender") or None,
    )


def record_incoming(*, repo: Repository, incoming: IncomingObject) -> DocumentSummary:
    """Record a received file once: a redelivered event finds the item and changes nothing."""
    document = DocumentSummary(
        id=incoming.document_id,
        company_id=incoming.company_id,
        mailbox=incoming.mailbox,
        status=DocumentStatus.received,
        source=incoming.source,
        sender=incoming.sender,
        size=incoming.size,
        received_at=datetime.now(UTC),
    )
    item = {
        "pk": keys.company_pk(incoming.company_id),
        "sk": keys.document_sk(incoming.document_id),
        "original_key": incoming.key,
        **document.model_dump(mode="json"),
    }
    try:
        repo.create(item)
    except Conflict:
        stored = repo.get(item["pk"], item["sk"])
        return DocumentSummary.model_validate(stored)
    return document


def list_mailbox(*, repo: Repository, caller: Caller, company_id: str, mailbox: str) -> list[DocumentSummary]:
    authorize(repo=repo, caller=caller, company_id=company_id)
    if mailbox not in Mailbox.__members__:
        raise NotFound(f"no mailbox {mailbox!r}; the mailboxes are purchase, sales and misc")
    items = repo.query(keys.company_pk(company_id), sk_prefix=keys.DOCUMENT_SK_PREFIX)
    documents = [DocumentSummary.model_validate(i) for i in items if i["mailbox"] == mailbox]
    # Ids are time-ordered: newest first is the reverse id order.
    return sorted(documents, key=lambda d: d.id, reverse=True)
