"""The processing pipeline: from a file a channel stored under incoming/ to a document in its mailbox.

Runs in the documents worker (S3 event → SQS) and synchronously for uploads' retries, split and merge
results. It needs the PDF layer, so only apps that carry both layers import it.

Every run is idempotent: the document item is created once (conditional write) and a document that
already got past the pipeline is left alone, so a redelivered event changes nothing.
"""

import hashlib
import time
from datetime import timedelta

from comptoir_core import keys
from comptoir_core.accounts.service import read_company_settings
from comptoir_core.approvals import service as approvals
from comptoir_core.blobs import BlobStore
from comptoir_core.documents import store
from comptoir_core.documents.intake import (
    IncomingMetadata,
    parse_incoming_key,
    read_incoming_metadata,
    store_incoming,
)
from comptoir_core.documents.models import (
    EXTERNAL_SOURCES,
    Document,
    DocumentStatus,
    FieldSource,
    FieldValue,
    HistoryEvent,
    IncomingObject,
    Mailbox,
    Remark,
)
from comptoir_core.documents.service import EDITORS, event, mark_sent, now
from comptoir_core.documents.views import UploadedFile, UploadOptions
from comptoir_core.errors import Conflict, Invalid, NotFound, TooLarge, UnsupportedType
from comptoir_core.ids import new_id
from comptoir_core.observability import logger
from comptoir_core.recognition.profiles import company_identity, load_profiles
from comptoir_core.recognition.textract import ocr_engine
from comptoir_core.repository import Repository
from comptoir_core.settings import Settings
from comptoir_core.tenancy import Caller, authorize
from comptoir_pdf import einvoice, recognition, render
from comptoir_pdf.detect import Kind, detect
from comptoir_pdf.errors import DocumentError, NeedsPassword
from comptoir_pdf.normalise import normalise

ACCEPTED_KINDS = frozenset({Kind.PDF, Kind.JPEG, Kind.PNG, Kind.TIFF, Kind.HTML, Kind.UBL, Kind.CII})
ACCEPTED_TYPES = "PDF, JPEG, PNG, TIFF, HTML, and UBL or CII e-invoice XML"
# Statuses the pipeline (re)starts from; any other means it already ran.
_RUNNABLE = frozenset({DocumentStatus.received, DocumentStatus.failed})
# How long one run may hold a document before another may take over (a crashed run's lease lapses).
LEASE = timedelta(minutes=5)
# A document names at most this many possible duplicates of itself.
MAX_DUPLICATES_SHOWN = 20
# How long a run waits for another run of the same document before it gives the event back.
WAIT_FOR_OTHER_RUN_S = 40


class Busy(Exception):
    """Another run is processing this document now: the event is retried later (SQS), by then done."""


def upload(
    *,
    repo: Repository,
    blobs: BlobStore,
    settings: Settings,
    caller: Caller,
    company_id: str,
    mailbox: str,
    files: list[UploadedFile],
    options: UploadOptions,
) -> list[str]:
    """Store uploaded files as new documents; every file is checked before any is stored."""
    authorize(repo=repo, caller=caller, company_id=company_id, roles=EDITORS)
    if mailbox not in Mailbox.__members__:
        raise NotFound(f"no mailbox {mailbox!r}; the mailboxes are purchase, sales and misc")
    if not files:
        raise Invalid("no file in the upload")
    for file in files:
        check_acceptable(file.body, name=file.name, max_bytes=settings.max_document_bytes)
    mobile = {"kind": options.kind, "fields": options.fields} if (options.kind or options.fields) else None
    return [
        store_incoming(
            blobs=blobs,
            company_id=company_id,
            mailbox=Mailbox(mailbox),
            body=file.body,
            meta=IncomingMetadata(source=options.source, name=file.name, sender=caller.email, mobile=mobile),
        )
        for file in files
    ]


def check_acceptable(body: bytes, *, name: str, max_bytes: int) -> Kind:
    if not body:
        raise Invalid(f"{name!r} is empty")
    if len(body) > max_bytes:
        raise TooLarge(f"{name!r} is {len(body) / 1048576:.1f} MB; the limit is {max_bytes // 1048576} MB")
    kind = detect(body)
    if kind not in ACCEPTED_KINDS:
        raise UnsupportedType(f"{name!r} is not a supported file; accepted are {ACCEPTED_TYPES}")
    return kind


def run(*, repo: Repository, blobs: BlobStore, settings: Settings, key: str, size: int) -> Document:
    """The pipeline for one incoming object, start to end (the worker's entry point)."""
    incoming = parse_incoming_key(key, size=size)
    logger.append_keys(company_id=incoming.company_id, document_id=incoming.document_id)
    meta = read_incoming_metadata(blobs.metadata(key))
    document = _claim(repo, incoming, meta)
    deadline = time.monotonic() + WAIT_FOR_OTHER_RUN_S
    while document.status in _RUNNABLE:
        try:
            leased = _leased(repo, document)
        except Busy:
            # Another run has it (a duplicate delivery, or a split's own run): wait for its outcome
            # rather than send the event back for a whole visibility timeout.
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
            document = store.get_document(repo=repo, company_id=document.company_id, document_id=document.id)
            continue
        return _process(repo, blobs, settings, leased, meta)
    return document


def retry(
    *,
    repo: Repository,
    blobs: BlobStore,
    settings: Settings,
    caller: Caller,
    company_id: str,
    document_id: str,
) -> Document:
    """Run the pipeline again on a failed document, from its original."""
    authorize(repo=repo, caller=caller, company_id=company_id, roles=EDITORS)
    document = store.get_document(repo=repo, company_id=company_id, document_id=document_id)
    if document.status != DocumentStatus.failed:
        raise Conflict(f"this document is {document.status.value}; only a failed document can be retried")
    meta = read_incoming_metadata(blobs.metadata(document.original_key))
    try:
        leased = _leased(repo, document, event("retried", by=caller.email))
    except Busy:
        raise Conflict("this document is being processed right now") from None
    return _process(repo, blobs, settings, leased, meta)


def ingest_now(
    *,
    repo: Repository,
    blobs: BlobStore,
    settings: Settings,
    company_id: str,
    mailbox: Mailbox,
    body: bytes,
    meta: IncomingMetadata,
    inherit: list[Document] = (),
) -> Document:
    """Store bytes as a new document and run the pipeline at once (split and merge results); the
    worker that later sees the same object finds it done. Labels and remarks of `inherit` carry over."""
    document_id = store_incoming(blobs=blobs, company_id=company_id, mailbox=mailbox, body=body, meta=meta)
    key = keys.incoming_object_key(company_id, mailbox.value, document_id)
    document = run(repo=repo, blobs=blobs, settings=settings, key=key, size=len(body))
    if not inherit:
        return document
    labels = list(dict.fromkeys([*document.labels, *(label for d in inherit for label in d.labels)]))
    remarks = [*document.remarks, *(r for d in inherit for r in d.remarks)]
    return store.save(repo=repo, document=document.model_copy(update={"labels": labels, "remarks": remarks}))


def replace_working_pdf(
    *, repo: Repository, blobs: BlobStore, document: Document, pdf: bytes, event_name: str, by: str
) -> Document:
    """A new working version (page edits): the previous versions and the original stay in S3. The
    fields are read again (pages moved), and what a user corrected stays as corrected."""
    version = document.working_version + 1
    pages = _store_working(blobs, document, pdf, version)
    xml = blobs.get(document.original_key) if document.content_type in (Kind.UBL, Kind.CII) else None
    fields, _ = _recognise(repo, blobs, document, version, pdf, xml)
    corrected = {name: field for name, field in document.fields.items() if field.source == FieldSource.user}
    changed = document.model_copy(
        update={
            "working_key": store.working_pdf_key(document.company_id, document.id, version),
            "working_version": version,
            "pages": pages,
            "fields": {**fields, **corrected},
            "history": [
                *document.history,
                event(event_name, by=by, detail=f"version {version}, {pages} pages"),
            ],
        }
    )
    return store.save(repo=repo, document=changed)


# ---- the steps -------------------------------------------------------------------------------


def _leased(repo: Repository, document: Document, *events: HistoryEvent) -> Document:
    """Take the document for this run (a conditional write): a second run at the same time gets Busy
    instead of doing the same work twice."""
    at = now()
    if document.lease_until and document.lease_until > at:
        raise Busy(document.id)
    try:
        return store.save(
            repo=repo,
            document=document.model_copy(
                update={"lease_until": at + LEASE, "history": [*document.history, *events]}
            ),
        )
    except Conflict:
        raise Busy(document.id) from None


def _claim(repo: Repository, incoming: IncomingObject, meta: IncomingMetadata) -> Document:
    """Create the document item once; a second delivery finds it and gets it back unchanged."""
    received_at = now()
    remarks = []
    if meta.remark:
        remarks.append(
            Remark(id=new_id("rm"), text=meta.remark, author=meta.sender or meta.source.value, at=received_at)
        )
    document = Document(
        id=incoming.document_id,
        company_id=incoming.company_id,
        mailbox=incoming.mailbox,
        status=DocumentStatus.received,
        source=meta.source,
        name=meta.name,
        sender=meta.sender,
        received_at=received_at,
        size=incoming.size,
        original_key=incoming.key,
        labels=meta.labels,
        remarks=remarks,
        mail=meta.mail,
        mobile=meta.mobile,
        derived_from=meta.derived_from,
        history=[event("received", by=meta.sender, detail=f"via {meta.source.value}")],
    )
    try:
        return store.save(repo=repo, document=document)
    except Conflict:
        return store.get_document(repo=repo, company_id=incoming.company_id, document_id=incoming.document_id)


def _process(
    repo: Repository, blobs: BlobStore, settings: Settings, document: Document, meta: IncomingMetadata
) -> Document:
    try:
        return _process_or_raise(repo, blobs, settings, document, meta)
    except Exception as error:
        # An outage or a bug: say so on the document (retry works), and let the event be retried too.
        logger.exception("the pipeline stopped")
        _stop(repo, document, DocumentStatus.failed, "an internal error stopped the processing; retry it")
        raise error


def _process_or_raise(
    repo: Repository, blobs: BlobStore, settings: Settings, document: Document, meta: IncomingMetadata
) -> Document:
    if meta.problem:
        return _stop(repo, document, DocumentStatus.failed, meta.problem)
    data = blobs.get(document.original_key)
    if len(data) > settings.max_document_bytes:
        limit = settings.max_document_bytes // 1048576
        return _stop(repo, document, DocumentStatus.failed, f"the file is larger than the {limit} MB limit")
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        normalised = normalise(data, max_pages=settings.max_pages)
    except NeedsPassword as error:
        return _stop(repo, document, DocumentStatus.needs_password, error.message, sha256=sha256)
    except DocumentError as error:
        return _stop(repo, document, DocumentStatus.failed, error.message, sha256=sha256)
    pdf, xml = normalised.pdf, normalised.embedded_xml
    if normalised.kind in (Kind.UBL, Kind.CII):
        # An e-invoice: its XML is the truth; a rendering of it is the document people look at.
        pdf, xml = einvoice.render_pdf(data), data
    version = document.working_version + 1
    pages = _store_working(blobs, document, pdf, version)
    duplicates = _remember_content(repo, document, sha256)
    fields, recognition_warnings = _recognise(repo, blobs, document, version, pdf, xml)
    same_invoice = _remember_invoice(repo, document, fields)
    status = DocumentStatus.inbox
    ready = document.model_copy(
        update={
            "status": status,
            "problem": None,
            "lease_until": None,
            "sha256": sha256,
            "content_type": normalised.kind.value,
            "pages": pages,
            "working_key": store.working_pdf_key(document.company_id, document.id, version),
            "working_version": version,
            "warnings": [*normalised.warnings, *recognition_warnings],
            "duplicate_of": list(dict.fromkeys([*duplicates, *same_invoice])),
            "fields": fields,
            "history": [
                *document.history,
                event("ready", detail=f"{pages} page(s)" + "".join(f"; {w}" for w in normalised.warnings)),
                *([event("possible_duplicate", detail=", ".join(duplicates))] if duplicates else []),
                *([event("same_invoice", detail=", ".join(same_invoice))] if same_invoice else []),
            ],
        }
    )
    forward = _forwarding(repo, ready, meta)
    if forward:
        ready = mark_sent(ready, by=None, detail=forward)
    saved = store.save(repo=repo, document=ready)
    # A purchase invoice entering Purchase while invoice approval is on starts its chain (split parts too).
    return approvals.start_invoice_chain(repo=repo, settings=settings, document=saved)


def _store_working(blobs: BlobStore, document: Document, pdf: bytes, version: int) -> int:
    blobs.put(
        store.working_pdf_key(document.company_id, document.id, version), pdf, content_type="application/pdf"
    )
    pages = 0
    for page, size, image in render.render_pages(pdf):
        blobs.put(
            store.page_image_key(document.company_id, document.id, version, page, size),
            image,
            content_type=render.IMAGE_CONTENT_TYPE[size],
        )
        pages = max(pages, page)
    return pages


def _remember_content(repo: Repository, document: Document, sha256: str) -> list[str]:
    """Same bytes already received in this company: a possible duplicate, flagged, never dropped."""
    return _remember(repo, document, keys.content_hash_prefix(sha256))[:MAX_DUPLICATES_SHOWN]


def _remember(repo: Repository, document: Document, prefix: str) -> list[str]:
    """Note the document under `prefix` (one item a document) and give the others noted there before."""
    pk = keys.company_pk(document.company_id)
    earlier = [
        item["document_id"] for item in repo.query(pk, sk_prefix=prefix) if item["document_id"] != document.id
    ]
    repo.put({"pk": pk, "sk": prefix + document.id, "document_id": document.id})
    return earlier


def _recognise(
    repo: Repository, blobs: BlobStore, document: Document, version: int, pdf: bytes, xml: bytes | None
) -> tuple[dict[str, FieldValue], list[str]]:
    """The invoice fields, never a reason to fail: a document without fields is still a document.
    The words read are kept beside the working PDF, so a correction can teach without reading again."""
    try:
        found = recognition.recognise(
            pdf,
            company=company_identity(repo=repo, company_id=document.company_id),
            xml=xml,
            ocr=ocr_engine(),
            profiles=load_profiles(repo=repo, company_id=document.company_id),
        )
    except Exception:
        logger.exception("recognition failed")
        return {}, ["The invoice fields could not be read; fill them in by hand."]
    blobs.put(
        store.words_key(document.company_id, document.id, version),
        recognition.pages_to_json(found.pages),
        content_type="application/json",
    )
    fields = {
        name: FieldValue(
            value=field.value,
            confidence=field.confidence,
            source=field.source,
            page=field.page,
            box=field.box,
        )
        for name, field in found.fields.items()
    }
    return fields, list(found.warnings)


def _remember_invoice(repo: Repository, document: Document, fields: dict[str, FieldValue]) -> list[str]:
    """The same invoice already received by any channel (same supplier VAT, number and total), even
    with other bytes: flagged on both documents, never dropped."""
    key = recognition.duplicate_key(fields)
    if key is None:
        return []
    earlier = _remember(repo, document, keys.invoice_key_prefix(key))
    if earlier:
        # The first of them is the original: it learns of every copy (one write a copy, not one per pair).
        _flag_duplicate(repo, document.company_id, earlier[0], document.id)
    return earlier[:MAX_DUPLICATES_SHOWN]


def _flag_duplicate(repo: Repository, company_id: str, document_id: str, duplicate_id: str) -> None:
    for _ in range(3):  # another write may land in between: read again and retry
        other = store.get_document(repo=repo, company_id=company_id, document_id=document_id)
        if duplicate_id in other.duplicate_of or len(other.duplicate_of) >= MAX_DUPLICATES_SHOWN:
            return
        flagged = other.model_copy(
            update={
                "duplicate_of": [*other.duplicate_of, duplicate_id],
                "history": [*other.history, event("same_invoice", detail=duplicate_id)],
            }
        )
        try:
            store.save(repo=repo, document=flagged)
            return
        except Conflict:
            continue


def _forwarding(repo: Repository, document: Document, meta: IncomingMetadata) -> str | None:
    """Why this document goes to In processing at once, if it does."""
    if document.mailbox == Mailbox.purchase and approvals.invoice_approval_on(
        repo=repo, company_id=document.company_id
    ):
        return None  # a purchase invoice waits for its approval, whatever the settings
    if meta.then == "send":
        return "sent on creation"
    if document.source not in EXTERNAL_SOURCES:
        return None
    mail = document.mail
    if mail and mail.spam == "FAIL":
        return None  # what SES calls spam waits for a person, whatever the settings
    settings = read_company_settings(repo=repo, company_id=document.company_id).mailbox(document.mailbox)
    if settings.whitelist_only and mail and "fail" in (mail.spf, mail.dkim, mail.dmarc):
        return None  # a From address that failed authentication may be forged: the whitelist can't vouch
    if settings.forwards(document.sender):
        return "auto-forward" + (" (whitelisted sender)" if settings.whitelist_only else "")
    return None


def _stop(
    repo: Repository, document: Document, status: DocumentStatus, problem: str, *, sha256: str | None = None
) -> Document:
    logger.info("document stopped", extra={"status": status.value, "problem": problem})
    stopped = document.model_copy(
        update={
            "status": status,
            "problem": problem,
            "lease_until": None,
            "sha256": sha256 or document.sha256,
            "history": [*document.history, event(status.value, detail=problem)],
        }
    )
    return store.save(repo=repo, document=stopped)
