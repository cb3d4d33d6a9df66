"""Reading and writing document items and their derived files. The documents context's only storage code.

S3 layout, made of ids only (user-provided names never become a key):
  incoming/<company>/<mailbox>/<document>              the original, as received, forever
  documents/<company>/<document>/working/v<n>.pdf       the working PDF of version n
  documents/<company>/<document>/pages/v<n>/<page>-<size>  its page images
  documents/<company>/<document>/words/v<n>.json         the words recognition read on it
"""

import json
from typing import NamedTuple

from comptoir_core import keys
from comptoir_core.blobs import BlobStore
from comptoir_core.documents.models import MAILBOX_STATUSES, Document, DocumentStatus, Mailbox
from comptoir_core.documents.views import DocumentListItem
from comptoir_core.errors import NotFound
from comptoir_core.ids import is_valid_id
from comptoir_core.repository import Add, Item, Put, Repository


def working_pdf_key(company_id: str, document_id: str, version: int) -> str:
    return f"documents/{company_id}/{document_id}/working/v{version}.pdf"


def page_image_key(company_id: str, document_id: str, version: int, page: int, size: str) -> str:
    return f"documents/{company_id}/{document_id}/pages/v{version}/{page}-{size}"


def words_key(company_id: str, document_id: str, version: int) -> str:
    """The words recognition read on working version n, with their positions (JSON)."""
    return f"documents/{company_id}/{document_id}/words/v{version}.json"


# How many of the latest remarks and history events the document item itself holds.
ON_ITEM = 20
# The boxes a document can be counted in: its mailbox while it waits there, or In processing.
PROCESSING_BOX = "processing"
BOXES = (*(box.value for box in Mailbox), PROCESSING_BOX)


class Stored(NamedTuple):
    """What the stored item of a document held when it was read."""

    box: str | None
    history: int  # events in Document.history that are stored already
    remarks: int


def box_of(document: Document) -> str | None:
    """The box a document is listed and counted in, if any."""
    if document.status in MAILBOX_STATUSES:
        return document.mailbox.value
    if document.status == DocumentStatus.in_processing:
        return PROCESSING_BOX
    return None


def invoice_date(document: Document) -> str:
    """What the archive sorts by: the invoice date, else the day it was received."""
    value = document.field_value("invoice_date")
    return str(value) if value else document.received_at.date().isoformat()


def index_keys(document: Document) -> Item:
    """The keys of the lists the document is in (comptoir_core.keys names them)."""
    found: Item = {}
    box = box_of(document)
    if box:
        found |= {"gsi2pk": keys.box_pk(document.company_id, box), "gsi2sk": document.id}
    if box == PROCESSING_BOX and document.firm_id:
        found |= {"gsi1pk": keys.firm_processing_pk(document.firm_id), "gsi1sk": document.id}
    dated = keys.dated_sk(invoice_date(document), document.id)
    if document.status == DocumentStatus.processed:
        found |= {"gsi3pk": keys.archive_pk(document.company_id, document.mailbox.value), "gsi3sk": dated}
    if document.permanent and document.status != DocumentStatus.deleted:
        found |= {"gsi4pk": keys.permanent_pk(document.company_id), "gsi4sk": dated}
    return found


def to_item(document: Document) -> Item:
    """The table item of a document: its keys and the keys of the lists it is in, its status, the
    document as one JSON text (`data`: the latest remarks and events only) and what a list shows of
    it (`summary`, the only attribute a list reads besides the keys)."""
    stored = document._stored or Stored(None, 0, 0)
    bounded = document.model_copy(
        update={
            "history": document.history[-ON_ITEM:],
            "remarks": document.remarks[-ON_ITEM:],
            "history_total": document.history_total + len(document.history) - stored.history,
            "remarks_total": document.remarks_total + len(document.remarks) - stored.remarks,
        }
    )
    return {
        "pk": keys.company_pk(document.company_id),
        "sk": keys.document_sk(document.id),
        **index_keys(document),
        "status": document.status.value,
        "data": bounded.model_dump_json(exclude={"version"}),
        "summary": DocumentListItem.of(bounded).model_dump_json(),
    }


# What a list reads of an item: its keys and its summary.
LIST_ATTRIBUTES = ("pk", "sk", "summary", *(name for pair in keys.INDEX_KEYS.values() for name in pair))


def from_item(item: Item) -> Document:
    if "data" in item:
        document = Document.model_validate_json(item["data"])
        document.version = int(item.get("version", 0))
    else:  # written as attributes, before documents were one JSON text
        document = Document.model_validate(
            {k: v for k, v in item.items() if k not in ("pk", "sk") and not k.startswith("gsi")}
        )
        if "history_total" not in item:
            document = document.model_copy(
                update={"history_total": len(document.history), "remarks_total": len(document.remarks)}
            )
    document._stored = Stored(box_of(document), len(document.history), len(document.remarks))
    return document


def list_item_of(repo: Repository, item: Item) -> DocumentListItem:
    """What a list shows of an item it read (LIST_ATTRIBUTES). An item written before items carried
    their summary is read whole."""
    if "summary" in item:
        return DocumentListItem.model_validate_json(item["summary"])
    return DocumentListItem.of(from_item(repo.get(item["pk"], item["sk"])))


def get_document(*, repo: Repository, company_id: str, document_id: str) -> Document:
    """A document of a company, whatever its status; no caller check (callers authorize first)."""
    if not is_valid_id(document_id, "doc"):
        raise NotFound("document not found")
    item = repo.get(keys.company_pk(company_id), keys.document_sk(document_id))
    if item is None:
        raise NotFound("document not found")
    return from_item(item)


def save(*, repo: Repository, document: Document) -> Document:
    """Write a changed document only if nobody changed it since it was read (else Conflict)."""
    return save_all(repo=repo, documents=[document])[0]


def save_all(*, repo: Repository, documents: list[Document]) -> list[Document]:
    """Write changed documents in one transaction, all of them or none (Conflict): each only if nobody
    changed it since it was read. Every status or mailbox change goes through here, so the box counters
    move in the same transaction; new remarks and history events get their own items."""
    puts: list[Put] = []
    children: list[Item] = []
    deltas: dict[str, dict[str, int]] = {}
    written: list[Document] = []
    for document in documents:
        item = to_item(document)
        puts.append(Put({**item, "version": document.version + 1}, expected_version=document.version))
        stored = document._stored or Stored(None, 0, 0)
        children += new_children(document, stored)
        new_box = box_of(document)
        if new_box != stored.box:
            counts = deltas.setdefault(document.company_id, {})
            if stored.box:
                counts[stored.box] = counts.get(stored.box, 0) - 1
            if new_box:
                counts[new_box] = counts.get(new_box, 0) + 1
        written.append(from_item({**item, "version": document.version + 1}))
    adds = [Add(keys.company_pk(c), keys.BOX_COUNTS_SK, d) for c, d in deltas.items()]
    in_transaction = len(puts) + len(adds) + len(children) <= MAX_TRANSACTION
    repo.transact(puts + ([Put(c) for c in children] if in_transaction else []), adds)
    if not in_transaction:
        # A large send: the document items hold the latest events already; the rest follow at once.
        repo.batch_put(children)
    return written


MAX_TRANSACTION = 100


def new_children(document: Document, stored: Stored) -> list[Item]:
    """The items of the remarks and history events added since the document was read."""
    pk = keys.company_pk(document.company_id)
    new_events = document.history[stored.history :]
    new_remarks = document.remarks[stored.remarks :]
    first = document.history_total
    items = [
        {
            "pk": pk,
            "sk": keys.document_event_sk(document.id, first + number),
            **json.loads(event.model_dump_json()),
        }
        for number, event in enumerate(new_events, start=1)
    ]
    items += [
        {
            "pk": pk,
            "sk": keys.document_remark_sk(document.id, remark.id),
            **json.loads(remark.model_dump_json()),
        }
        for remark in new_remarks
    ]
    return items


def company_documents(*, repo: Repository, company_id: str):
    """Every document of a company, newest first. Reads the whole partition: for tests and tools,
    never a request (the lists read one index range each)."""
    for item in repo.query(keys.company_pk(company_id), sk_prefix=keys.DOCUMENT_SK_PREFIX, descending=True):
        yield from_item(item)


def box_counts(*, repo: Repository, company_id: str) -> dict[str, int]:
    item = repo.get(keys.company_pk(company_id), keys.BOX_COUNTS_SK) or {}
    return {box: max(int(item.get(box, 0)), 0) for box in BOXES}


def events_page(*, repo: Repository, company_id: str, document_id: str, limit: int, start_key: Item | None):
    """A document's history events, newest first."""
    return repo.page(
        keys.company_pk(company_id),
        sk_prefix=keys.document_events_prefix(document_id),
        limit=limit,
        start_key=start_key,
    )


def remarks_page(*, repo: Repository, company_id: str, document_id: str, limit: int, start_key: Item | None):
    """A document's remarks, newest first (remark ids are time-ordered)."""
    return repo.page(
        keys.company_pk(company_id),
        sk_prefix=keys.document_remarks_prefix(document_id),
        limit=limit,
        start_key=start_key,
    )


def read_working_pdf(*, blobs: BlobStore, document: Document) -> bytes:
    if not document.working_key:
        raise NotFound("this document has no PDF yet")
    return blobs.get(document.working_key)


def read_original(*, blobs: BlobStore, document: Document) -> bytes:
    """The original exactly as it was received and processed (its recorded S3 version)."""
    return blobs.get(document.original_key, version_id=document.original_version)
