"""Documents use cases: what users and accountants do with the documents of a company.

Every function checks the caller's membership and role first; every state change is a
versioned write, so two clicks never both win.
"""

from datetime import UTC, datetime
from decimal import Decimal
from itertools import islice

from comptoir_core import keys
from comptoir_core.approvals import service as approvals
from comptoir_core.approvals.views import approval_filter_matches, approval_status_for
from comptoir_core.blobs import BlobStore
from comptoir_core.documents import store
from comptoir_core.documents.fields import check_corrections
from comptoir_core.documents.intake import IncomingMetadata, encode_metadata
from comptoir_core.documents.models import (
    CONTENT_TYPES,
    MAILBOX_STATUSES,
    RETIRED_STATUSES,
    Booking,
    Document,
    DocumentStatus,
    FieldSource,
    FieldValue,
    HistoryEvent,
    Mailbox,
    MailboxRead,
    Remark,
)
from comptoir_core.documents.store import get_document, read_working_pdf  # noqa: F401 (the context's API)
from comptoir_core.documents.views import (
    PROCESSING_BOX,
    ArchiveQuery,
    ArchiveTab,
    DocumentListItem,
    DocumentPage,
    FileContent,
    ListQuery,
    UploadForm,
    UploadFormRequest,
)
from comptoir_core.errors import Conflict, Forbidden, Invalid, NotFound
from comptoir_core.ids import new_id
from comptoir_core.repository import Repository
from comptoir_core.tenancy import Caller, Role, authorize

EDITORS = frozenset({Role.admin, Role.user, Role.accountant})
CLIENTS = frozenset({Role.admin, Role.user})
ACCOUNTANTS = frozenset({Role.accountant})
ADMINS = frozenset({Role.admin})
# Larger files are answered with a short-lived S3 URL (Lambda answers at most 6 MB).
INLINE_FILE_BYTES = 5 * 1024 * 1024


def now() -> datetime:
    return datetime.now(UTC)


def event(name: str, *, by: str | None = None, detail: str | None = None) -> HistoryEvent:
    return HistoryEvent(at=now(), event=name, by=by, detail=detail)


# ---- reading ---------------------------------------------------------------------------------


def list_mailboxes(*, repo: Repository, caller: Caller, company_id: str) -> list[MailboxRead]:
    authorize(repo=repo, caller=caller, company_id=company_id)
    counts = dict.fromkeys([*(box.value for box in Mailbox), PROCESSING_BOX], 0)
    for document in store.company_documents(repo=repo, company_id=company_id):
        box = _box_of(document)
        if box:
            counts[box] += 1
    return [MailboxRead(id=box, count=count) for box, count in counts.items()]


def _box_of(document: Document) -> str | None:
    if document.status in MAILBOX_STATUSES:
        return document.mailbox.value
    if document.status == DocumentStatus.in_processing:
        return PROCESSING_BOX
    return None


def list_box(
    *, repo: Repository, caller: Caller, company_id: str, box: str, query: ListQuery
) -> DocumentPage:
    """A mailbox (or the In processing box), newest first, filtered, a page at a time."""
    viewer = _viewer(repo, caller, company_id)
    if box not in (*Mailbox.__members__, PROCESSING_BOX):
        raise NotFound(f"no mailbox {box!r}; the mailboxes are purchase, sales and misc, and processing")
    in_box = (d for d in _after_cursor(repo, company_id, query.cursor) if _box_of(d) == box)
    return _page(filter(_approval_filter(query, viewer), filter(query.matches, in_box)), query.limit, viewer)


def history(*, repo: Repository, caller: Caller, company_id: str, query: ListQuery) -> DocumentPage:
    """Every document ever added, by import date (newest first), whatever became of it."""
    viewer = _viewer(repo, caller, company_id)
    documents = filter(query.matches, _after_cursor(repo, company_id, query.cursor))
    return _page(filter(_approval_filter(query, viewer), documents), query.limit, viewer)


def _viewer(repo: Repository, caller: Caller, company_id: str) -> tuple[str, Role]:
    """Who reads a list: the approval status a document shows depends on it."""
    return caller.user_id, authorize(repo=repo, caller=caller, company_id=company_id).role


def _approval_filter(query: ListQuery, viewer: tuple[str, Role]):
    def matches(document: Document) -> bool:
        status = approval_status_for(
            document.approval_status, document.approval, viewer=viewer[0], role=viewer[1]
        )
        return approval_filter_matches(query.approval, status)

    return matches


def _after_cursor(repo: Repository, company_id: str, cursor: str | None):
    if cursor is not None and not cursor.startswith("doc_"):
        raise Invalid("the cursor is not one this list gave")
    return store.company_documents(repo=repo, company_id=company_id, before=cursor)


def _page(documents, limit: int, viewer: tuple[str, Role] | None = None) -> DocumentPage:
    chosen = list(islice(documents, limit + 1))
    more = len(chosen) > limit
    chosen = chosen[:limit]
    return DocumentPage(
        documents=[DocumentListItem.of(d, viewer) for d in chosen],
        next_cursor=chosen[-1].id if more else None,
    )


def firm_processing(*, repo: Repository, caller: Caller) -> DocumentPage:
    """The In processing box of every company the caller is the accountant of, oldest sent first."""
    waiting = []
    for membership in repo.query(keys.user_pk(caller.user_id), index=keys.GSI1):
        if membership.get("role") != Role.accountant.value:
            continue
        company_id = membership["pk"]
        waiting += [
            d
            for d in store.company_documents(repo=repo, company_id=company_id)
            if d.status == DocumentStatus.in_processing
        ]
    waiting.sort(key=lambda d: d.id)
    viewer = (caller.user_id, Role.accountant)
    return DocumentPage(documents=[DocumentListItem.of(d, viewer) for d in waiting])


def read_document(*, repo: Repository, caller: Caller, company_id: str, document_id: str) -> Document:
    """The document as its reader sees it: `approval_status` is the caller's (approvals.views)."""
    role = authorize(repo=repo, caller=caller, company_id=company_id).role
    document = get_document(repo=repo, company_id=company_id, document_id=document_id)
    seen = approval_status_for(document.approval_status, document.approval, viewer=caller.user_id, role=role)
    return document.model_copy(update={"approval_status": seen})


def open_file(
    *, repo: Repository, blobs: BlobStore, caller: Caller, company_id: str, document_id: str, original: bool
) -> FileContent:
    document = read_document(repo=repo, caller=caller, company_id=company_id, document_id=document_id)
    if original:
        key, content_type, filename = document.original_key, _original_type(document), document.name
    else:
        if not document.working_key:
            raise NotFound("this document has no PDF yet; ?original=1 gives the file as received")
        key, content_type, filename = document.working_key, "application/pdf", _pdf_name(document.name)
    if blobs.size(key) > INLINE_FILE_BYTES:
        url = blobs.download_url(key, filename=filename, content_type=content_type)
        return FileContent(content_type=content_type, filename=filename, url=url)
    return FileContent(content_type=content_type, filename=filename, body=blobs.get(key))


def _original_type(document: Document) -> str:
    # An HTML original is handed out as octet-stream: a browser must never render it in our origin.
    if document.content_type in (None, "html"):
        return "application/octet-stream"
    return CONTENT_TYPES.get(document.content_type, "application/octet-stream")


def _pdf_name(name: str) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem or 'document'}.pdf"


def open_page(
    *,
    repo: Repository,
    blobs: BlobStore,
    caller: Caller,
    company_id: str,
    document_id: str,
    page: str,
    size: str,
) -> FileContent:
    document = read_document(repo=repo, caller=caller, company_id=company_id, document_id=document_id)
    if size not in ("thumb", "preview"):
        raise Invalid("size is thumb or preview")
    if not page.isdigit() or not 1 <= int(page) <= document.pages:
        raise NotFound(f"no page {page}; this document has {document.pages}")
    key = store.page_image_key(company_id, document_id, document.working_version, int(page), size)
    body, content_type = blobs.get_with_type(key)
    return FileContent(content_type=content_type, filename=f"page-{page}-{size}", body=body)


# ---- changing --------------------------------------------------------------------------------


def _editable(
    repo: Repository, caller: Caller, company_id: str, document_id: str, roles=EDITORS, deleting: bool = False
) -> tuple[Document, Caller]:
    authorize(repo=repo, caller=caller, company_id=company_id, roles=roles)
    document = get_document(repo=repo, company_id=company_id, document_id=document_id)
    if document.status == DocumentStatus.deleted:
        raise Conflict("this document is deleted; an admin can restore it")
    if document.approval_status == "rejected" and not deleting:
        raise Conflict("this invoice was rejected: it can only be opened or deleted")
    return document, caller


def correct_fields(
    *, repo: Repository, caller: Caller, company_id: str, document_id: str, corrections: dict
) -> Document:
    document, _ = _editable(repo, caller, company_id, document_id)
    if document.status == DocumentStatus.processed or document.status in RETIRED_STATUSES:
        raise Conflict(f"this document is {document.status.value}; its fields can no longer change")
    checked = check_corrections(corrections)
    fields = dict(document.fields)
    for name, value in checked.items():
        before = fields.get(name)
        recognised = (
            before.recognised if before and before.source == FieldSource.user else (before and before.value)
        )
        fields[name] = FieldValue(
            value=value,
            confidence=1.0,
            source=FieldSource.user,
            page=before.page if before else None,
            box=before.box if before else None,
            recognised=recognised,
            corrected_by=caller.email,
            corrected_at=now(),
        )
    changed = document.model_copy(
        update={
            "fields": fields,
            "history": [
                *document.history,
                event("fields_corrected", by=caller.email, detail=", ".join(checked)),
            ],
        }
    )
    return store.save(repo=repo, document=changed)


def change_labels(
    *, repo: Repository, caller: Caller, company_id: str, document_id: str, add: list[str], remove: list[str]
) -> Document:
    document, _ = _editable(repo, caller, company_id, document_id)
    labels = [label for label in document.labels if label not in remove]
    labels += [label for label in dict.fromkeys(add) if label not in labels]
    if len(labels) > 50:
        raise Invalid("a document has at most 50 labels")
    return store.save(repo=repo, document=document.model_copy(update={"labels": labels}))


def add_remark(*, repo: Repository, caller: Caller, company_id: str, document_id: str, text: str) -> Remark:
    document, _ = _editable(repo, caller, company_id, document_id)
    if len(document.remarks) >= 200:
        raise Conflict("this document has 200 remarks; continue the conversation elsewhere")
    remark = Remark(id=new_id("rm"), text=text, author=caller.email, at=now())
    store.save(repo=repo, document=document.model_copy(update={"remarks": [*document.remarks, remark]}))
    return remark


def move(
    *, repo: Repository, caller: Caller, company_id: str, document_id: str, mailbox: Mailbox
) -> Document:
    document, _ = _editable(repo, caller, company_id, document_id)
    if document.status not in MAILBOX_STATUSES:
        raise Conflict(f"this document is {document.status.value}; only a document in a mailbox can move")
    if document.mailbox == mailbox:
        return document
    changed = document.model_copy(
        update={
            "mailbox": mailbox,
            "history": [
                *document.history,
                event("moved", by=caller.email, detail=f"{document.mailbox.value} → {mailbox.value}"),
            ],
        }
    )
    return store.save(repo=repo, document=changed)


def delete(*, repo: Repository, caller: Caller, company_id: str, document_id: str) -> Document:
    """Soft: the document leaves every box but is kept, files and all, and an admin can restore it."""
    document, _ = _editable(repo, caller, company_id, document_id, roles=CLIENTS, deleting=True)
    if document.status == DocumentStatus.processed or document.status in RETIRED_STATUSES:
        raise Conflict(f"this document is {document.status.value}; it can no longer be deleted")
    changed = document.model_copy(
        update={
            "status": DocumentStatus.deleted,
            "deleted_from": document.status,
            "history": [*document.history, event("deleted", by=caller.email)],
        }
    )
    return store.save(repo=repo, document=changed)


def restore(*, repo: Repository, caller: Caller, company_id: str, document_id: str) -> Document:
    authorize(repo=repo, caller=caller, company_id=company_id, roles=ADMINS)
    document = get_document(repo=repo, company_id=company_id, document_id=document_id)
    if document.status != DocumentStatus.deleted:
        raise Conflict("only a deleted document can be restored")
    changed = document.model_copy(
        update={
            "status": document.deleted_from or DocumentStatus.inbox,
            "deleted_from": None,
            "history": [*document.history, event("restored", by=caller.email)],
        }
    )
    return store.save(repo=repo, document=changed)


def send(*, repo: Repository, caller: Caller, company_id: str, document_ids: list[str]) -> list[Document]:
    """Send documents to the accountant: all of them, or none if one cannot go (409 naming it)."""
    authorize(repo=repo, caller=caller, company_id=company_id, roles=EDITORS)
    unique_ids = list(dict.fromkeys(document_ids))
    documents = [get_document(repo=repo, company_id=company_id, document_id=i) for i in unique_ids]
    refused = [d for d in documents if d.status != DocumentStatus.inbox]
    if refused:
        detail = [{"id": d.id, "status": d.status.value} for d in refused]
        raise Conflict("only documents ready in a mailbox can be sent", details=detail)
    unapproved = [(d, approvals.missing_for_send(repo=repo, document=d)) for d in documents]
    if any(why for _, why in unapproved):
        detail = [{"id": d.id, "missing": why} for d, why in unapproved if why]
        raise Conflict(
            "while invoice approval is on, a purchase invoice is sent only once approved", details=detail
        )
    sent = [mark_sent(d, by=caller.email) for d in documents]
    return store.save_all(repo=repo, documents=sent)


def mark_sent(document: Document, *, by: str | None, detail: str | None = None) -> Document:
    return document.model_copy(
        update={
            "status": DocumentStatus.in_processing,
            "history": [*document.history, event("sent", by=by, detail=detail)],
        }
    )


def process(
    *, repo: Repository, caller: Caller, company_id: str, document_id: str, booking: Booking
) -> Document:
    """The accountant books a document: it leaves In processing and enters the archive."""
    authorize(repo=repo, caller=caller, company_id=company_id, roles=ACCOUNTANTS)
    document = get_document(repo=repo, company_id=company_id, document_id=document_id)
    if document.status != DocumentStatus.in_processing:
        raise Conflict(
            f"this document is {document.status.value}; only a document in processing can be processed"
        )
    at = now()
    changed = document.model_copy(
        update={
            "status": DocumentStatus.processed,
            "booking": booking,
            "processed_at": at,
            "processed_by": caller.email,
            "history": [
                *document.history,
                event(
                    "processed",
                    by=caller.email,
                    detail=f"journal {booking.journal}, account {booking.account}",
                ),
            ],
        }
    )
    return store.save(repo=repo, document=changed)


def set_permanent(
    *, repo: Repository, caller: Caller, company_id: str, document_id: str, permanent: bool
) -> Document:
    """The accountant files a miscellaneous document in the permanent dossier (statutes, contracts, …)."""
    authorize(repo=repo, caller=caller, company_id=company_id, roles=ACCOUNTANTS)
    document = get_document(repo=repo, company_id=company_id, document_id=document_id)
    if document.mailbox != Mailbox.misc:
        raise Conflict("only a document of the Miscellaneous mailbox goes into the permanent dossier")
    if document.status == DocumentStatus.deleted:
        raise Conflict("this document is deleted")
    changed = document.model_copy(
        update={
            "permanent": permanent,
            "history": [
                *document.history,
                event("permanent" if permanent else "not_permanent", by=caller.email),
            ],
        }
    )
    return store.save(repo=repo, document=changed)


def discard(*, repo: Repository, document: Document, by: str, reason: str) -> Document:
    """Put a document the system made in the bin (soft), e.g. a part of a split that failed halfway."""
    changed = document.model_copy(
        update={
            "status": DocumentStatus.deleted,
            "deleted_from": document.status,
            "history": [*document.history, event("deleted", by=by, detail=reason)],
        }
    )
    return store.save(repo=repo, document=changed)


def retire(
    *, repo: Repository, document: Document, status: DocumentStatus, parts: list[str], by: str
) -> Document:
    """A split or merged source leaves the boxes; its original stays, and it names its parts."""
    if status not in RETIRED_STATUSES:
        raise ValueError(f"retire with split or merged, not {status}")
    changed = document.model_copy(
        update={
            "status": status,
            "parts": [*document.parts, *parts],
            "history": [*document.history, event(status.value, by=by, detail=", ".join(parts))],
        }
    )
    return store.save(repo=repo, document=changed)


# ---- archive ---------------------------------------------------------------------------------


def archive(*, repo: Repository, caller: Caller, company_id: str, query: ArchiveQuery) -> DocumentPage:
    """Processed documents of a mailbox (or the permanent dossier), newest invoice date first."""
    viewer = _viewer(repo, caller, company_id)
    chosen = [
        d
        for d in store.company_documents(repo=repo, company_id=company_id)
        if _in_tab(d, query.tab) and _archive_match(d, query)
    ]
    chosen.sort(key=lambda d: (_invoice_date(d), d.id), reverse=True)
    start = int(query.cursor or 0)
    page = chosen[start : start + query.limit]
    more = start + query.limit < len(chosen)
    return DocumentPage(
        documents=[DocumentListItem.of(d, viewer) for d in page],
        next_cursor=str(start + query.limit) if more else None,
    )


def _in_tab(document: Document, tab: ArchiveTab) -> bool:
    if tab == ArchiveTab.permanent:
        return document.permanent and document.status != DocumentStatus.deleted
    return document.status == DocumentStatus.processed and document.mailbox.value == tab.value


def _invoice_date(document: Document) -> str:
    return document.field_value("invoice_date") or document.received_at.date().isoformat()


def _archive_match(document: Document, query: ArchiveQuery) -> bool:
    counterparty = str(document.field_value("supplier_name") or "")
    number = str(document.field_value("invoice_number") or "")
    invoice_date = _invoice_date(document)
    total = document.field_value("total_incl_vat")
    amount = Decimal(total) if total is not None else None
    text = " ".join([document.name, counterparty, number, *(r.text for r in document.remarks)]).casefold()
    return (
        (not query.counterparty or query.counterparty.casefold() in counterparty.casefold())
        and (not query.number or query.number.casefold() in number.casefold())
        and (query.date_from is None or invoice_date >= query.date_from.isoformat())
        and (query.date_to is None or invoice_date <= query.date_to.isoformat())
        and (query.amount_min is None or (amount is not None and amount >= query.amount_min))
        and (query.amount_max is None or (amount is not None and amount <= query.amount_max))
        and (query.label is None or query.label in document.labels)
        and (not query.q or query.q.casefold() in text)
    )


# ---- large uploads ---------------------------------------------------------------------------


def create_upload_form(
    *,
    repo: Repository,
    blobs: BlobStore,
    caller: Caller,
    company_id: str,
    request: UploadFormRequest,
    max_bytes: int,
) -> UploadForm:
    """A presigned S3 POST for one large file: only this document's key under the company's incoming
    prefix, only up to the size cap. The object event then feeds the pipeline like any other channel."""
    authorize(repo=repo, caller=caller, company_id=company_id, roles=EDITORS)
    if request.source.value not in ("upload", "mobile", "scan", "api"):
        raise Forbidden("an upload form is for the upload, mobile, scan and api channels")
    document_id = new_id("doc")
    key = keys.incoming_object_key(company_id, request.mailbox.value, document_id)
    metadata = encode_metadata(
        IncomingMetadata(source=request.source, name=request.name, sender=caller.email)
    )
    form = blobs.upload_form(key, max_bytes=max_bytes, metadata=metadata)
    return UploadForm(document=document_id, url=form["url"], fields=form["fields"], max_bytes=max_bytes)
