"""Documents use cases: what users and accountants do with the documents of a company.

Every function checks the caller's membership and role first; every state change is a
versioned write, so two clicks never both win.
"""

import base64
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from comptoir_core import keys
from comptoir_core.approvals import service as approvals
from comptoir_core.approvals.views import approval_status_for
from comptoir_core.blobs import BlobStore
from comptoir_core.documents import store
from comptoir_core.documents.fields import check_corrections, correction_warnings
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
    EventPage,
    FileContent,
    FirmQuery,
    ListQuery,
    PageQuery,
    RemarkPage,
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
MAX_LABELS = 50
# Remarks live in their own items: the cap is a conversation's sanity, not the item's size.
MAX_REMARKS = 1000
# Larger files are answered with a short-lived S3 URL: Lambda answers at most 6 MB, and a binary answer
# travels base64-encoded (4 MB become 5.4 MB).
INLINE_FILE_BYTES = 4 * 1024 * 1024


def now() -> datetime:
    return datetime.now(UTC)


def event(name: str, *, by: str | None = None, detail: str | None = None) -> HistoryEvent:
    return HistoryEvent(at=now(), event=name, by=by, detail=detail)


# ---- reading ---------------------------------------------------------------------------------


def list_mailboxes(*, repo: Repository, caller: Caller, company_id: str) -> list[MailboxRead]:
    """The boxes and how many documents each holds: one counter item, kept with every status change."""
    authorize(repo=repo, caller=caller, company_id=company_id)
    counts = store.box_counts(repo=repo, company_id=company_id)
    return [MailboxRead(id=box, count=count) for box, count in counts.items()]


# A filtered list reads at most this many index items per request, whatever the company's size.
SCAN_PAGE = 300


def list_box(
    *, repo: Repository, caller: Caller, company_id: str, box: str, query: ListQuery
) -> DocumentPage:
    """A mailbox (or the In processing box), newest first, filtered, a page at a time."""
    viewer = _viewer(repo, caller, company_id)
    if box not in (*Mailbox.__members__, PROCESSING_BOX):
        raise NotFound(f"no mailbox {box!r}; the mailboxes are purchase, sales and misc, and processing")
    return _list(
        repo,
        pk=keys.box_pk(company_id, box),
        index=keys.GSI2,
        company_id=company_id,
        sk_between=_received_between(query),
        cursor=query.cursor,
        limit=query.limit,
        match=query.matches if query.filtered() else None,
        viewer=viewer,
    )


def _viewer(repo: Repository, caller: Caller, company_id: str) -> tuple[str, Role]:
    """Who reads a list: the approval status a document shows depends on it."""
    return caller.user_id, authorize(repo=repo, caller=caller, company_id=company_id).role


def history(*, repo: Repository, caller: Caller, company_id: str, query: ListQuery) -> DocumentPage:
    """Every document ever added, by import date (newest first), whatever became of it. The dates are
    served by the key (document ids are time-ordered); other filters scan one bounded page a call."""
    viewer = _viewer(repo, caller, company_id)
    between = _received_between(query)
    if between:
        between = (keys.document_sk(between[0]), keys.document_sk(between[1]))
    return _list(
        repo,
        pk=keys.company_pk(company_id),
        index=None,
        company_id=company_id,
        sk_prefix=keys.DOCUMENT_SK_PREFIX,
        sk_between=between,
        cursor=query.cursor,
        limit=query.limit,
        match=query.matches if query.filtered() else None,
        viewer=viewer,
    )


def _received_between(query: ListQuery) -> tuple[str, str] | None:
    """The document ids received from date_from to date_to (ids are time-ordered): a key range."""
    if not (query.date_from or query.date_to):
        return None
    low = id_at(query.date_from or date(2000, 1, 1), "doc")
    high = id_at((query.date_to or date(9999, 12, 30)) + timedelta(days=1), "doc", before=True)
    return low, high


def id_at(day: date, prefix: str, *, before: bool = False) -> str:
    """The smallest id made at the start of `day` (UTC), or with `before` the greatest made before it."""
    ms = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)
    value = (ms << 80) - (1 if before else 0)
    chars = []
    for _ in range(26):
        chars.append(_ID_ALPHABET[value & 31])
        value >>= 5
    return f"{prefix}_{''.join(reversed(chars))}"


_ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def firm_processing(*, repo: Repository, caller: Caller, query: FirmQuery) -> DocumentPage:
    """The In processing box across the companies of a firm the caller is the accountant of, newest
    first, each document naming its company: one index range of the firm, a page at a time."""
    companies: dict[str, dict[str, str]] = {}
    memberships = repo.query(
        keys.user_pk(caller.user_id), index=keys.GSI1, attributes=("pk", "role", "firm_id", "company_name")
    )
    for membership in memberships:
        if membership.get("role") == Role.accountant.value:
            firm_id = membership.get("firm_id") or _firm_of(repo, membership["pk"])
            companies.setdefault(firm_id, {})[membership["pk"]] = membership.get("company_name", "")
    if not companies:
        return DocumentPage(documents=[])
    firm_id = query.firm or min(companies)
    if firm_id not in companies:
        raise NotFound("firm not found")
    names = companies[firm_id]
    found = _list(
        repo,
        pk=keys.firm_processing_pk(firm_id),
        index=keys.GSI1,
        company_id=None,
        cursor=query.cursor,
        limit=query.limit,
        # A company of the firm the caller is not the accountant of is left out; that is rare, so
        # the page read is limit + 1 items, and `partial` says when some were left out.
        match=lambda d: d.company_id in names,
        scan=query.limit + 1,
        viewer=(caller.user_id, Role.accountant),
    )
    for item in found.documents:
        item.company_name = names.get(item.company_id)
    return found


def _firm_of(repo: Repository, company_id: str) -> str:
    # A membership written before memberships named their firm.
    return repo.get(keys.company_pk(company_id), keys.COMPANY_PROFILE)["firm_id"]


def _list(
    repo: Repository,
    *,
    pk: str,
    index: str | None,
    company_id: str | None,
    cursor: str | None,
    limit: int,
    match=None,
    sk_prefix: str | None = None,
    sk_between: tuple[str, str] | None = None,
    scan: int | None = None,
    viewer: tuple[str, Role] | None = None,
) -> DocumentPage:
    """One bounded read of one index range from the cursor on. Unfiltered it reads limit + 1 items;
    with a filter no key serves, one page of SCAN_PAGE items, and says when it stopped short."""
    start = _decode_cursor(cursor, pk=pk, index=index, company_id=company_id)
    page = repo.page(
        pk,
        index=index,
        sk_prefix=sk_prefix,
        sk_between=sk_between,
        limit=(scan or SCAN_PAGE) if match else limit + 1,
        start_key=start,
        attributes=store.LIST_ATTRIBUTES,
    )
    chosen: list[tuple[DocumentListItem, dict]] = []
    next_key = page.last_key
    for item in page.items:
        listed = store.list_item_of(repo, item).seen_by(viewer)
        if match and not match(listed):
            continue
        if len(chosen) == limit:
            next_key = _key_of(chosen[-1][1], index)
            break
        chosen.append((listed, item))
    return DocumentPage(
        documents=[listed for listed, _ in chosen],
        next_cursor=_encode_cursor(next_key) if next_key else None,
        scanned=page.scanned,
        partial=bool(match and next_key and len(chosen) < limit),
    )


def _key_of(item: dict, index: str | None) -> dict:
    names = ["pk", "sk", *(keys.INDEX_KEYS[index] if index else ())]
    return {name: item[name] for name in names}


def _encode_cursor(key: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None, *, pk: str, index: str | None, company_id: str | None) -> dict | None:
    """The key a list stopped at, checked: this list's index and range (and company), strings only."""
    if not cursor:
        return None
    refused = Invalid("the cursor is not one this list gave")
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        raise refused from None
    names = {"pk", "sk", *(keys.INDEX_KEYS[index] if index else ())}
    if not isinstance(key, dict) or set(key) != names or not all(isinstance(v, str) for v in key.values()):
        raise refused
    pk_name = keys.INDEX_KEYS[index][0] if index else "pk"
    if key[pk_name] != pk or (company_id is not None and key["pk"] != keys.company_pk(company_id)):
        raise refused
    return key


def document_events(
    *, repo: Repository, caller: Caller, company_id: str, document_id: str, query: PageQuery
) -> EventPage:
    """Every history event of a document, newest first, a page at a time."""
    read_document(repo=repo, caller=caller, company_id=company_id, document_id=document_id)
    start = _decode_cursor(query.cursor, pk=keys.company_pk(company_id), index=None, company_id=company_id)
    if start and not start["sk"].startswith(keys.document_events_prefix(document_id)):
        raise Invalid("the cursor is not one this list gave")
    page = store.events_page(
        repo=repo, company_id=company_id, document_id=document_id, limit=query.limit, start_key=start
    )
    events = [HistoryEvent.model_validate(item) for item in page.items]
    return EventPage(events=events, next_cursor=_encode_cursor(page.last_key) if page.last_key else None)


def document_remarks(
    *, repo: Repository, caller: Caller, company_id: str, document_id: str, query: PageQuery
) -> RemarkPage:
    """Every remark on a document, newest first, a page at a time."""
    read_document(repo=repo, caller=caller, company_id=company_id, document_id=document_id)
    start = _decode_cursor(query.cursor, pk=keys.company_pk(company_id), index=None, company_id=company_id)
    if start and not start["sk"].startswith(keys.document_remarks_prefix(document_id)):
        raise Invalid("the cursor is not one this list gave")
    page = store.remarks_page(
        repo=repo, company_id=company_id, document_id=document_id, limit=query.limit, start_key=start
    )
    remarks = [Remark.model_validate(item) for item in page.items]
    return RemarkPage(remarks=remarks, next_cursor=_encode_cursor(page.last_key) if page.last_key else None)


def open_document(*, repo: Repository, caller: Caller, company_id: str, document_id: str) -> Document:
    """The document as its reader sees it; a member of the company (not its accountant) opening a
    processed document for the first time marks it seen (the archive's eye)."""
    document = read_document(repo=repo, caller=caller, company_id=company_id, document_id=document_id)
    role = authorize(repo=repo, caller=caller, company_id=company_id).role
    if role == Role.accountant or document.seen_at or document.status != DocumentStatus.processed:
        return document
    stored = get_document(repo=repo, company_id=company_id, document_id=document_id)
    try:
        store.save(repo=repo, document=stored.model_copy(update={"seen_at": now()}))
    except Conflict:
        return document  # changed meanwhile: the next opening marks it
    return read_document(repo=repo, caller=caller, company_id=company_id, document_id=document_id)


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
    version = None
    if original:
        key, content_type, filename = document.original_key, _original_type(document), document.name
        version = document.original_version  # exactly what was received, whatever came after
    else:
        if not document.working_key:
            raise NotFound("this document has no PDF yet; ?original=1 gives the file as received")
        key, content_type, filename = document.working_key, "application/pdf", _pdf_name(document.name)
    if blobs.size(key, version_id=version) > INLINE_FILE_BYTES:
        url = blobs.download_url(key, filename=filename, content_type=content_type, version_id=version)
        return FileContent(content_type=content_type, filename=filename, url=url)
    return FileContent(content_type=content_type, filename=filename, body=blobs.get(key, version_id=version))


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


IN_PROCESSING = "this document is in processing at your accountant's; ask your accountant to change it"


def _editable(
    repo: Repository,
    caller: Caller,
    company_id: str,
    document_id: str,
    roles=EDITORS,
    *,
    accountant_only_in_processing: bool = False,
    deleting: bool = False,
) -> tuple[Document, Caller]:
    """The document, if the caller may change it. Once sent, a document is the accountant's: the
    client can no longer delete, edit or move it (split and merge refuse it too)."""
    membership = authorize(repo=repo, caller=caller, company_id=company_id, roles=roles)
    document = get_document(repo=repo, company_id=company_id, document_id=document_id)
    if document.status == DocumentStatus.deleted:
        raise Conflict("this document is deleted; an admin can restore it")
    if (
        accountant_only_in_processing
        and document.status == DocumentStatus.in_processing
        and membership.role != Role.accountant
    ):
        raise Conflict(IN_PROCESSING)
    if document.approval_status == "rejected" and not deleting:
        raise Conflict("this invoice was rejected: it can only be opened or deleted")
    return document, caller


def correct_fields(
    *, repo: Repository, caller: Caller, company_id: str, document_id: str, corrections: dict
) -> Document:
    document, _ = _editable(repo, caller, company_id, document_id, accountant_only_in_processing=True)
    if document.status == DocumentStatus.processed or document.status in RETIRED_STATUSES:
        raise Conflict(f"this document is {document.status.value}; its fields can no longer change")
    checked = check_corrections(corrections)
    warnings = [w for w in correction_warnings(checked) if w not in document.warnings]
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
            area=before.area if before else None,
            recognised=recognised,
            corrected_by=caller.email,
            corrected_at=now(),
        )
    changed = document.model_copy(
        update={
            "fields": fields,
            "warnings": [*document.warnings, *warnings],
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
    if len(labels) > MAX_LABELS:
        raise Invalid(f"a document has at most {MAX_LABELS} labels")
    added = [label for label in labels if label not in document.labels]
    removed = [label for label in document.labels if label not in labels]
    if not added and not removed:
        return document
    detail = "; ".join(part for part in (_listed("added", added), _listed("removed", removed)) if part)
    changed = document.model_copy(
        update={
            "labels": labels,
            "history": [*document.history, event("labels", by=caller.email, detail=detail)],
        }
    )
    return store.save(repo=repo, document=changed)


def _listed(what: str, labels: list[str]) -> str:
    return f"{what} " + ", ".join(labels) if labels else ""


def add_remark(*, repo: Repository, caller: Caller, company_id: str, document_id: str, text: str) -> Remark:
    document, _ = _editable(repo, caller, company_id, document_id)
    if document.remarks_total >= MAX_REMARKS:
        raise Conflict(f"this document has {MAX_REMARKS} remarks; continue the conversation elsewhere")
    remark = Remark(id=new_id("rm"), text=text, author=caller.email, at=now())
    changed = document.model_copy(
        update={
            "remarks": [*document.remarks, remark],
            "history": [*document.history, event("remark", by=caller.email, detail=_excerpt(text))],
        }
    )
    store.save(repo=repo, document=changed)
    return remark


def _excerpt(text: str, length: int = 80) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def move(
    *, repo: Repository, caller: Caller, company_id: str, document_id: str, mailbox: Mailbox
) -> Document:
    document, _ = _editable(repo, caller, company_id, document_id, accountant_only_in_processing=True)
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
    if document.status == DocumentStatus.in_processing:
        raise Conflict(IN_PROCESSING)
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
    warnings = booking_warnings(document, booking)
    at = now()
    changed = document.model_copy(
        update={
            "status": DocumentStatus.processed,
            "booking": booking,
            "warnings": [*document.warnings, *(w for w in warnings if w not in document.warnings)],
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


BOOKED_AMOUNTS = (
    ("amount_excl_vat", "total_excl_vat", "the amount excl. VAT"),
    ("vat_amount", "vat_amount", "the VAT"),
    ("amount_incl_vat", "total_incl_vat", "the amount incl. VAT"),
)


def booking_warnings(document: Document, booking: Booking) -> list[str]:
    """A booking's amounts add up (excl. + VAT = incl., else Invalid); where they differ from what was
    recognised on the invoice, a warning says so (the accountant may know better: a credit, a split)."""
    booked = {name: _booked_amount(booking, name) for name, _, _ in BOOKED_AMOUNTS}
    excl, vat, incl = booked["amount_excl_vat"], booked["vat_amount"], booked["amount_incl_vat"]
    if excl is not None and vat is not None and incl is not None and excl + vat != incl:
        raise Invalid(
            f"the booking does not add up: {excl} excl. VAT + {vat} VAT = {excl + vat}, not {incl}",
            details=[{"field": "booking.amount_incl_vat", "problem": f"must be {excl + vat}"}],
        )
    warnings = []
    for name, field, words in BOOKED_AMOUNTS:
        recognised = document.field_value(field)
        if booked[name] is None or recognised is None:
            continue
        try:
            on_invoice = Decimal(str(recognised))
        except ArithmeticError:
            continue
        if on_invoice != booked[name]:
            warnings.append(f"booked {words} {booked[name]} differs from the invoice's {on_invoice}")
    return warnings


def _booked_amount(booking: Booking, name: str) -> Decimal | None:
    value = getattr(booking, name)
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).replace(",", "."))
    except ArithmeticError:
        amount = None
    if amount is None or not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise Invalid(
            f"the booking's {name} is not an amount",
            details=[
                {"field": f"booking.{name}", "problem": "must be a decimal amount with at most 2 decimals"}
            ],
        )
    return amount.quantize(Decimal("0.01"))


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
    """Processed documents of a mailbox (or the permanent dossier), newest invoice date first: one
    index range, its dates served by the key; other filters scan one bounded page a call."""
    viewer = _viewer(repo, caller, company_id)
    if query.tab == ArchiveTab.permanent:
        pk, index = keys.permanent_pk(company_id), keys.GSI4
    else:
        pk, index = keys.archive_pk(company_id, query.tab.value), keys.GSI3
    between = None
    if query.date_from or query.date_to:
        low = (query.date_from or date(1900, 1, 1)).isoformat()
        high = (query.date_to or date(9999, 12, 31)).isoformat() + "#\uffff"
        between = (low, high)
    return _list(
        repo,
        pk=pk,
        index=index,
        company_id=company_id,
        sk_between=between,
        cursor=query.cursor,
        limit=query.limit,
        match=(lambda d: _archive_match(d, query)) if query.filtered() else None,
        viewer=viewer,
    )


def _invoice_date(document: Document) -> str:
    return store.invoice_date(document)


def _archive_match(document: DocumentListItem, query: ArchiveQuery) -> bool:
    """The archive's filters on what a list item shows (its key fields)."""
    fields = document.key_fields
    counterparty = str(fields.get("supplier_name") or "")
    number = str(fields.get("invoice_number") or "")
    invoice_date = str(fields.get("invoice_date") or document.received_at.date().isoformat())
    total = fields.get("total_incl_vat")
    try:
        amount = Decimal(str(total)) if total is not None else None
    except ArithmeticError:
        amount = None
    text = " ".join([document.name, counterparty, number]).casefold()
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
