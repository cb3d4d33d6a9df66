"""The processing pipeline: from a file a channel stored under incoming/ to a document in its mailbox.

Runs in the documents worker (S3 event → SQS) and synchronously for uploads' retries, split and merge
results. It needs the PDF layer, so only apps that carry both layers import it.

Every run is idempotent: the document item is created once (conditional write) and a document that
already got past the pipeline is left alone, so a redelivered event changes nothing.
"""

import hashlib
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import timedelta

from comptoir_core import aws, keys
from comptoir_core.accounts.service import read_company_settings
from comptoir_core.approvals import service as approvals
from comptoir_core.blobs import BlobStore
from comptoir_core.documents import failures, store
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
    Source,
)
from comptoir_core.documents.service import EDITORS, event, mark_sent, now
from comptoir_core.documents.views import UploadedFile, UploadOptions
from comptoir_core.errors import Conflict, Invalid, NotFound, TooLarge, UnsupportedType
from comptoir_core.events import retry_notification
from comptoir_core.ids import new_id
from comptoir_core.mail.sniff import NOT_THE_CLAIMED_PDF, claims_pdf
from comptoir_core.observability import logger, metrics
from comptoir_core.recognition.profiles import company_identity, load_profiles
from comptoir_core.recognition.textract import ocr_engine
from comptoir_core.repository import Repository
from comptoir_core.settings import Settings
from comptoir_core.tenancy import Caller, authorize
from comptoir_pdf import locate, recognition, render
from comptoir_pdf.detect import Kind, detect
from comptoir_pdf.errors import DocumentError, NeedsPassword
from comptoir_pdf.recognition.inputs import prepare

ACCEPTED_KINDS = frozenset({Kind.PDF, Kind.JPEG, Kind.PNG, Kind.TIFF, Kind.HTML, Kind.UBL, Kind.CII})
ACCEPTED_TYPES = "PDF, JPEG, PNG, TIFF, HTML, and UBL or CII e-invoice XML"
# Statuses the pipeline (re)starts from; any other means it already ran.
_RUNNABLE = frozenset({DocumentStatus.received, DocumentStatus.failed})
# How long one run may hold a document before another may take over (a crashed run's lease lapses):
# longer than the documents worker may run (spec.py: its queue's consumer_timeout_s).
LEASE = timedelta(minutes=16)
# A document names at most this many possible duplicates of itself.
MAX_DUPLICATES_SHOWN = 20
# How long a run waits for another run of the same document before it gives the event back.
WAIT_FOR_OTHER_RUN_S = 40
# Page images go to S3 this many at a time; at most so many drawn images wait for their upload.
UPLOAD_THREADS = 8
UPLOADS_IN_FLIGHT = 32


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
    if kind != Kind.PDF and claims_pdf(name):
        raise UnsupportedType(f"{name!r} is {NOT_THE_CLAIMED_PDF}; nothing was stored")
    if kind not in ACCEPTED_KINDS:
        raise UnsupportedType(f"{name!r} is not a supported file; accepted are {ACCEPTED_TYPES}")
    return kind


def run(
    *,
    repo: Repository,
    blobs: BlobStore,
    settings: Settings,
    key: str,
    size: int,
    version_id: str | None = None,
) -> Document:
    """The pipeline for one incoming object, start to end (the worker's entry point). The document
    records the S3 version it was made from; a later write to the same key (a presigned form used
    twice) never replaces it."""
    incoming = parse_incoming_key(key, size=size)
    logger.append_keys(company_id=incoming.company_id, document_id=incoming.document_id)
    head = blobs.head(key, version_id=version_id)
    version_id = version_id or head.get("VersionId")
    try:
        meta = read_incoming_metadata(head["Metadata"])
    except Invalid as error:
        # The upload answered 202 with this id: the document exists, failed with the reason.
        meta = IncomingMetadata(
            source="upload", problem=f"the file's description could not be read ({error})"
        )
    document = _claim(repo, incoming, meta, version_id)
    if document.original_version and version_id and document.original_version != version_id:
        logger.warning("a second object under a document's key is ignored", extra={"version_id": version_id})
        return document
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
    settings: Settings,
    caller: Caller,
    company_id: str,
    document_id: str,
    requeue: Callable[[str], None],
) -> Document:
    """Put a failed document (or one whose run died: its lease lapsed) back on the worker's queue;
    the run itself happens there, never inside the request."""
    authorize(repo=repo, caller=caller, company_id=company_id, roles=EDITORS)
    document = store.get_document(repo=repo, company_id=company_id, document_id=document_id)
    if not is_retryable(document):
        raise Conflict(f"this document is {document.status.value}; only a failed document can be retried")
    queued = store.save(
        repo=repo,
        document=document.model_copy(
            update={
                "status": DocumentStatus.received,
                "lease_until": None,
                "history": [*document.history, event("retried", by=caller.email)],
            }
        ),
    )
    requeue(
        retry_notification(
            bucket=settings.documents_bucket,
            key=document.original_key,
            size=document.size,
            version_id=document.original_version,
            # Unique per retry, so the idempotency record of an earlier delivery does not swallow it.
            retry=f"{document.id}#{now().isoformat()}",
        )
    )
    return queued


def is_retryable(document: Document) -> bool:
    """Failed, or received but stranded: no run holds it and the last one had time to finish."""
    if document.status == DocumentStatus.failed:
        return True
    at = now()
    return (
        document.status == DocumentStatus.received
        and (document.lease_until is None or document.lease_until <= at)
        and document.received_at + LEASE <= at
    )


def give_up(*, repo: Repository, key: str, size: int) -> Document:
    """The dead-letter consumer: the worker failed on this object every time (a timeout, out of
    memory, an outage that outlasted the retries). A document not past the pipeline is marked failed
    with the reason, so it never stays `received`; one that got further is left as it is."""
    incoming = parse_incoming_key(key, size=size)
    logger.append_keys(company_id=incoming.company_id, document_id=incoming.document_id)
    try:
        document = store.get_document(
            repo=repo, company_id=incoming.company_id, document_id=incoming.document_id
        )
    except NotFound:
        document = _claim(repo, incoming, IncomingMetadata(source="upload"))
    if document.status not in _RUNNABLE:
        return document
    reason = (
        "the processing did not finish after repeated tries (it ran out of time or memory, or a service "
        "was unavailable); retry it"
    )
    return _stop(repo, document, DocumentStatus.failed, reason)


def count_run(document: Document, *, seconds: float) -> None:
    """The documents worker's metrics: processed, failed, pages, seconds."""
    if document.status == DocumentStatus.failed:
        metrics.add_metric(name="DocumentsFailed", unit="Count", value=1)
    else:
        metrics.add_metric(name="DocumentsProcessed", unit="Count", value=1)
        metrics.add_metric(name="DocumentPages", unit="Count", value=document.pages or 0)
    metrics.add_metric(name="DocumentSeconds", unit="Seconds", value=round(seconds, 3))


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
    document_id: str | None = None,
) -> Document:
    """Store bytes as a new document and run the pipeline at once (split and merge results); the
    worker that later sees the same object finds it done. Labels and remarks of `inherit` carry over.
    With a chosen `document_id` it resumes: a document already made is finished, not made twice."""
    existing = _existing(repo, company_id, document_id)
    if existing is None:
        document_id = store_incoming(
            blobs=blobs, company_id=company_id, mailbox=mailbox, body=body, meta=meta, document_id=document_id
        )
        key = keys.incoming_object_key(company_id, mailbox.value, document_id)
        document = run(repo=repo, blobs=blobs, settings=settings, key=key, size=len(body))
    elif existing.status in _RUNNABLE:
        document = run(repo=repo, blobs=blobs, settings=settings, key=existing.original_key, size=len(body))
    else:
        document = existing
    if not inherit or any(e.event == "inherited" for e in document.history):
        return document
    labels = list(dict.fromkeys([*document.labels, *(label for d in inherit for label in d.labels)]))[:50]
    remarks = [*document.remarks, *(r for d in inherit for r in d.remarks)]
    inherited = event("inherited", detail="labels and remarks of " + ", ".join(d.id for d in inherit))
    return store.save(
        repo=repo,
        document=document.model_copy(
            update={"labels": labels, "remarks": remarks, "history": [*document.history, inherited]}
        ),
    )


def _existing(repo: Repository, company_id: str, document_id: str | None) -> Document | None:
    if document_id is None:
        return None
    try:
        return store.get_document(repo=repo, company_id=company_id, document_id=document_id)
    except NotFound:
        return None


def replace_working_pdf(
    *, repo: Repository, blobs: BlobStore, document: Document, pdf: bytes, event_name: str, by: str
) -> Document:
    """A new working version (page edits): the previous versions and the original stay in S3. The
    fields are read again (pages moved), and what a user corrected stays as corrected."""
    version = document.working_version + 1
    pages = _store_working(blobs, document, pdf, version)
    xml = (
        store.read_original(blobs=blobs, document=document)
        if document.content_type in (Kind.UBL, Kind.CII)
        else None
    )
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


def _claim(
    repo: Repository, incoming: IncomingObject, meta: IncomingMetadata, version_id: str | None = None
) -> Document:
    """Create the document item once; a second delivery finds it and gets it back unchanged."""
    received_at = now()
    company = repo.get(keys.company_pk(incoming.company_id), keys.COMPANY_PROFILE)
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
        original_version=version_id,
        firm_id=company.get("firm_id") if company else None,
        labels=meta.labels,
        remarks=remarks,
        mail=meta.mail,
        mobile=meta.mobile,
        derived_from=meta.derived_from,
        derived_by=meta.derived_by,
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
        if aws.is_transient(error):
            # Throttling or a service limit: the run gives the document back (still received, no lease)
            # and the event is retried by SQS; the dead-letter consumer marks it failed if it never works.
            logger.warning("a transient AWS error stopped the run; the event is retried", exc_info=True)
            store.save(
                repo=repo,
                document=store.get_document(
                    repo=repo, company_id=document.company_id, document_id=document.id
                ).model_copy(update={"lease_until": None}),
            )
            raise
        # A bug or a broken file we did not foresee: say so on the document (retry works), and let the
        # event be retried too.
        logger.exception("the pipeline stopped")
        _stop(repo, document, DocumentStatus.failed, "an internal error stopped the processing; retry it")
        raise error


def _process_or_raise(
    repo: Repository, blobs: BlobStore, settings: Settings, document: Document, meta: IncomingMetadata
) -> Document:
    if meta.problem:
        return _stop(repo, document, DocumentStatus.failed, meta.problem)
    data = store.read_original(blobs=blobs, document=document)
    if len(data) > settings.max_document_bytes:
        limit = settings.max_document_bytes // 1048576
        return _stop(repo, document, DocumentStatus.failed, f"the file is larger than the {limit} MB limit")
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        prepared = prepare(data, max_pages=settings.max_pages)
    except NeedsPassword as error:
        return _stop(repo, document, DocumentStatus.needs_password, error.message, sha256=sha256)
    except DocumentError as error:
        return _stop(repo, document, DocumentStatus.failed, error.message, sha256=sha256)
    # The same conversion `comptoir extract` runs (an e-invoice is rendered, its XML the truth).
    normalised, pdf, xml = prepared.normalised, prepared.pdf, prepared.xml
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
    """The working PDF and its page images: drawn one by one (MuPDF wants one thread) and uploaded
    UPLOAD_THREADS at a time, with at most UPLOADS_IN_FLIGHT images held in memory."""
    blobs.put(
        store.working_pdf_key(document.company_id, document.id, version), pdf, content_type="application/pdf"
    )
    pages = 0
    with ThreadPoolExecutor(max_workers=UPLOAD_THREADS, thread_name_prefix="page-upload") as uploads:
        pending: set[Future] = set()
        for page, size, image in render.render_pages(pdf):
            if len(pending) >= UPLOADS_IN_FLIGHT:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for upload_done in done:
                    upload_done.result()  # an upload that failed stops the run
            key = store.page_image_key(document.company_id, document.id, version, page, size)
            pending.add(uploads.submit(blobs.put, key, image, content_type=render.IMAGE_CONTENT_TYPE[size]))
            pages = max(pages, page)
        for upload_done in pending:
            upload_done.result()
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
            # Context, signals only: the file name, and for an e-mail its subject and sender.
            filename=document.name,
            subject=document.mail.subject if document.mail else None,
            sender=document.sender if document.source is Source.mail else None,
        )
    except Exception as error:
        if aws.is_transient(error):
            raise  # Textract throttled or over its limits: the whole run is retried, not "no fields"
        logger.exception("recognition failed")
        return {}, ["The invoice fields could not be read; fill them in by hand."]
    blobs.put(
        store.words_key(document.company_id, document.id, version),
        recognition.pages_to_json(found.pages),
        content_type="application/json",
    )
    areas = locate.field_areas(
        {name: locate.Placed(f.value, f.page, f.box) for name, f in found.fields.items()}, found.pages
    )
    fields = {
        name: FieldValue(
            value=field.value,
            confidence=field.confidence,
            source=field.source,
            page=areas[name].page if name in areas else field.page,
            box=field.box,
            area=areas[name].box if name in areas else None,
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
    saved = store.save(repo=repo, document=stopped)
    if saved.status == DocumentStatus.failed:
        failures.tell_failed(repo=repo, document=saved)  # once per attempt, best effort
    return saved
