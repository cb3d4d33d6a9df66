"""Split, merge and page edits of a company's documents.

Every use case checks the caller, the documents' state and the pages before it writes anything.
A document small enough (at most SYNC_PAGE_LIMIT pages) is done in the request; a larger one becomes
a job: a job item in the table and an object under jobs/ in the documents bucket, whose S3 event
brings it (SQS) to the jobs worker (`run_job`). Either way the answer is the same list of documents.

The documents a split or merge makes go through the documents pipeline at once
(`pipeline.ingest_now`: recognition again, labels and remarks carried over); a source is retired
with a write conditional on its version. While an operation runs, its source documents are locked (a
lock item per document, with an expiry), so a second split of the same document is a Conflict
rather than a second set of parts.
"""

import hashlib
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal

from comptoir_core import keys
from comptoir_core.blobs import BlobStore
from comptoir_core.documents import pipeline, store
from comptoir_core.documents import service as documents
from comptoir_core.documents.intake import IncomingMetadata
from comptoir_core.documents.models import Document, DocumentStatus
from comptoir_core.errors import Conflict, DomainError, Invalid, NotFound
from comptoir_core.ids import is_valid_id, new_id
from comptoir_core.observability import logger
from comptoir_core.repository import Repository
from comptoir_core.settings import Settings
from comptoir_core.split_merge.models import (
    SYNC_PAGE_LIMIT,
    DocumentsRead,
    Job,
    JobAccepted,
    JobError,
    JobKind,
    JobRead,
    JobStatus,
    MergeRequest,
    PageEditRequest,
    PartRead,
    SplitRequest,
    SplitSuggestionRead,
    Then,
    check_pages,
    resolve_edit,
    resolve_split,
)
from comptoir_core.tenancy import Caller, authorize
from comptoir_pdf import pages as pdf_pages
from comptoir_pdf import split_suggestion

# Who may split, merge and edit pages: whoever may change a document.
EDITORS = documents.EDITORS
# How long a lock holds if its holder dies: a request, and a job (its wait in the queue included).
LOCK_SECONDS = 15 * 60
JOB_LOCK_SECONDS = 6 * 3600
JOB_PREFIX = "jobs/"


# --- use cases -----------------------------------------------------------------------------------


def split_document(
    *,
    repo: Repository,
    blobs: BlobStore,
    settings: Settings,
    caller: Caller,
    company_id: str,
    document_id: str,
    request: SplitRequest,
) -> DocumentsRead | JobAccepted:
    authorize(repo=repo, caller=caller, company_id=company_id, roles=EDITORS)
    document = _workable(repo, company_id, document_id)
    groups = resolve_split(request, document.pages)
    if document.pages > SYNC_PAGE_LIMIT:
        return _queue(
            repo, blobs, caller, company_id, JobKind.split, request.model_dump(mode="json"), [document]
        )
    operation = new_id("op")
    with _locked(repo, company_id, [document.id], owner=operation, seconds=LOCK_SECONDS):
        return _split(
            repo, blobs, settings, document, groups, request.then, by=caller.email, operation=operation
        )


def merge_documents(
    *,
    repo: Repository,
    blobs: BlobStore,
    settings: Settings,
    caller: Caller,
    company_id: str,
    request: MergeRequest,
) -> DocumentsRead | JobAccepted:
    authorize(repo=repo, caller=caller, company_id=company_id, roles=EDITORS)
    sources = _merge_sources(repo, company_id, request)
    if sum(d.pages for d in sources) > SYNC_PAGE_LIMIT:
        return _queue(
            repo, blobs, caller, company_id, JobKind.merge, request.model_dump(mode="json"), sources
        )
    operation = new_id("op")
    with _locked(repo, company_id, [d.id for d in sources], owner=operation, seconds=LOCK_SECONDS):
        return _merge(repo, blobs, settings, sources, request, by=caller.email, operation=operation)


def edit_pages(
    *,
    repo: Repository,
    blobs: BlobStore,
    caller: Caller,
    company_id: str,
    document_id: str,
    request: PageEditRequest,
) -> DocumentsRead | JobAccepted:
    authorize(repo=repo, caller=caller, company_id=company_id, roles=EDITORS)
    document = _workable(repo, company_id, document_id)
    resolve_edit(request, document.pages)
    if document.pages > SYNC_PAGE_LIMIT:
        return _queue(
            repo, blobs, caller, company_id, JobKind.pages, request.model_dump(mode="json"), [document]
        )
    with _locked(repo, company_id, [document.id], owner=new_id("op"), seconds=LOCK_SECONDS):
        return _edit(repo, blobs, document, request, by=caller.email)


def suggest_split(
    *, repo: Repository, blobs: BlobStore, caller: Caller, company_id: str, document_id: str
) -> SplitSuggestionRead:
    authorize(repo=repo, caller=caller, company_id=company_id)
    document = documents.get_document(repo=repo, company_id=company_id, document_id=document_id)
    if not document.working_key:
        raise Conflict(f"this document is {document.status.value} and has no pages to look at yet")
    suggestion = split_suggestion.suggest_split(documents.read_working_pdf(blobs=blobs, document=document))
    return SplitSuggestionRead(
        pages=suggestion.pages,
        first_pages=[
            {"page": f.page, "confidence": f.confidence, "reasons": f.reasons} for f in suggestion.first_pages
        ],
        blank_pages=suggestion.blank_pages,
        groups=suggestion.groups,
    )


def read_job(*, repo: Repository, caller: Caller, company_id: str, job_id: str) -> JobRead:
    authorize(repo=repo, caller=caller, company_id=company_id)
    return JobRead.of(_get_job(repo, company_id, job_id))


# --- the jobs worker -----------------------------------------------------------------------------


def parse_job_key(key: str) -> tuple[str, str]:
    """jobs/<company>/<job> → (company id, job id); anything else is refused, never guessed."""
    parts = key.split("/")
    if len(parts) != 3 or f"{parts[0]}/" != JOB_PREFIX:
        raise Invalid(f"not a job key: {key!r}")
    _, company_id, job_id = parts
    if not is_valid_id(company_id, "co") or not is_valid_id(job_id, "job"):
        raise Invalid(f"not a job key: {key!r}")
    return company_id, job_id


def run_job(*, repo: Repository, blobs: BlobStore, settings: Settings, company_id: str, job_id: str) -> Job:
    """Do a queued job once. A domain error (a document changed meanwhile, …) ends it as failed; anything
    else propagates, so SQS retries it (and, in the end, parks it in the dead-letter queue)."""
    job = _get_job(repo, company_id, job_id)
    if job.status in (JobStatus.done, JobStatus.failed):
        return job
    try:
        job = _save_job(repo, job, status=JobStatus.running, attempts=job.attempts + 1)
        try:
            result = _run(repo, blobs, settings, job)
        except DomainError as error:
            logger.info("job failed", extra={"job_id": job.id, "code": error.code, "problem": error.message})
            job = _save_job(
                repo, job, status=JobStatus.failed, error=JobError(code=error.code, message=error.message)
            )
        else:
            job = _save_job(repo, job, status=JobStatus.done, documents=result.documents)
    finally:
        # Always released: a redelivery takes it again (same owner), and the parts it made are found
        # again by their ids, never made twice.
        _unlock(repo, company_id, job.sources, owner=job.id)
    return job


def _run(repo: Repository, blobs: BlobStore, settings: Settings, job: Job) -> DocumentsRead:
    # The documents may have changed while the job waited: every check is made again.
    with _locked(repo, job.company_id, job.sources, owner=job.id, seconds=JOB_LOCK_SECONDS, release=False):
        done = _already_done(repo, job)
        if done is not None:
            return done
        if job.kind == JobKind.split:
            request = SplitRequest.model_validate(job.request)
            document = _workable(repo, job.company_id, job.sources[0])
            groups = resolve_split(request, document.pages)
            return _split(
                repo, blobs, settings, document, groups, request.then, by=job.created_by, operation=job.id
            )
        if job.kind == JobKind.merge:
            request = MergeRequest.model_validate(job.request)
            sources = _merge_sources(repo, job.company_id, request)
            return _merge(repo, blobs, settings, sources, request, by=job.created_by, operation=job.id)
        request = PageEditRequest.model_validate(job.request)
        document = _workable(repo, job.company_id, job.sources[0])
        resolve_edit(request, document.pages)
        return _edit(repo, blobs, document, request, by=job.created_by)


def _already_done(repo: Repository, job: Job) -> DocumentsRead | None:
    """A run that died after retiring its source (before the job said done): the parts are made."""
    if job.kind == JobKind.pages:
        return None
    first = documents.get_document(repo=repo, company_id=job.company_id, document_id=job.sources[0])
    ours = [part for part in first.parts if part.startswith(f"doc_{_stamp(job.id)}")]
    if first.status not in (DocumentStatus.split, DocumentStatus.merged) or not ours:
        return None
    made = [documents.get_document(repo=repo, company_id=job.company_id, document_id=i) for i in ours]
    return DocumentsRead(documents=[PartRead(id=d.id, pages=d.pages) for d in made])


def part_id(operation: str, number: int) -> str:
    """The id of the `number`th document an operation makes: the same on every run of the operation,
    so a re-run finds what an earlier run made. Time-ordered like any id (the operation's time)."""
    digest = hashlib.sha256(f"{operation}#{number}".encode()).digest()
    value = int.from_bytes(digest[:10], "big")
    tail = "".join(_ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(16)))
    return f"doc_{_stamp(operation)}{tail}"


_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def _stamp(operation: str) -> str:
    """The time part (10 characters) of an id."""
    return operation.split("_", 1)[1][:10]


# --- the work ------------------------------------------------------------------------------------


def _split(
    repo: Repository,
    blobs: BlobStore,
    settings: Settings,
    document: Document,
    groups: list[list[int]],
    then: Then,
    *,
    by: str,
    operation: str,
) -> DocumentsRead:
    pdf = documents.read_working_pdf(blobs=blobs, document=document)
    made: list[Document] = []
    names = _part_names(document.name, groups)
    with _undone_on_failure(repo, made, by=by, operation=operation):
        for number, part in enumerate(pdf_pages.iter_split(pdf, groups)):
            meta = _metadata(document, names[number], [document.id], then, operation="split")
            made.append(
                _ingest(
                    repo,
                    blobs,
                    settings,
                    document,
                    part,
                    meta,
                    inherit=[document],
                    document_id=part_id(operation, number),
                )
            )
        _retire_source(repo, document, [d.id for d in made], status=DocumentStatus.split, by=by)
    return DocumentsRead(
        documents=[PartRead(id=d.id, pages=len(g)) for d, g in zip(made, groups, strict=True)]
    )


def _retire_source(
    repo: Repository, document: Document, parts: list[str], *, status: DocumentStatus, by: str
) -> None:
    """Read again each time: a part that is the source's first invoice flags the source as its duplicate
    meanwhile, and a part's pipeline may do it at this very moment (a write in between is retried)."""
    for attempt in range(3):
        current = documents.get_document(repo=repo, company_id=document.company_id, document_id=document.id)
        try:
            documents.retire(repo=repo, document=current, status=status, parts=parts, by=by)
            return
        except Conflict:
            if attempt == 2:
                raise


def _merge(
    repo: Repository,
    blobs: BlobStore,
    settings: Settings,
    sources: list[Document],
    request: MergeRequest,
    *,
    by: str,
    operation: str,
) -> DocumentsRead:
    index = {d.id: i for i, d in enumerate(sources)}
    bodies = [documents.read_working_pdf(blobs=blobs, document=d) for d in sources]
    merged = _pdf_call(
        pdf_pages.merge, bodies, [pdf_pages.PageRef(index[r.document], r.page) for r in request.pages]
    )
    first = sources[index[request.pages[0].document]]
    others = len(sources) - 1
    name = _with_suffix(
        first.name, f" (merged with {others} other{'s' * (others > 1)})" if others else " (merged)"
    )
    meta = _metadata(first, name, [d.id for d in sources], request.then, operation="merge")
    made: list[Document] = []
    with _undone_on_failure(repo, made, by=by, operation=operation):
        made.append(
            _ingest(
                repo, blobs, settings, first, merged, meta, inherit=sources, document_id=part_id(operation, 0)
            )
        )
        used: dict[str, set[int]] = {}
        for ref in request.pages:
            used.setdefault(ref.document, set()).add(ref.page)
        for source in sources:
            if used[source.id] == set(range(1, source.pages + 1)):
                # The merged document may flag it as a duplicate meanwhile: read again, retried.
                _retire_source(repo, source, [made[0].id], status=DocumentStatus.merged, by=by)
    return DocumentsRead(documents=[PartRead(id=made[0].id, pages=len(request.pages))])


def _edit(
    repo: Repository, blobs: BlobStore, document: Document, request: PageEditRequest, *, by: str
) -> DocumentsRead:
    pdf = documents.read_working_pdf(blobs=blobs, document=document)
    edited = _pdf_call(pdf_pages.edit, pdf, rotate=request.rotate, order=request.order, delete=request.delete)
    changed = pipeline.replace_working_pdf(
        repo=repo, blobs=blobs, document=document, pdf=edited, event_name="pages_edited", by=by
    )
    return DocumentsRead(documents=[PartRead(id=changed.id, pages=changed.pages)])


def _ingest(
    repo: Repository,
    blobs: BlobStore,
    settings: Settings,
    like: Document,
    body: bytes,
    meta: IncomingMetadata,
    *,
    inherit: list[Document],
    document_id: str,
) -> Document:
    return pipeline.ingest_now(
        repo=repo,
        blobs=blobs,
        settings=settings,
        company_id=like.company_id,
        mailbox=like.mailbox,
        body=body,
        meta=meta,
        inherit=inherit,
        document_id=document_id,
    )


@contextmanager
def _undone_on_failure(repo: Repository, made: list[Document], *, by: str, operation: str) -> Iterator[None]:
    """If the operation fails after making documents, they go to the bin (soft) and the error goes on:
    the source stays as it was. A job's run stopped by anything but a domain error (an outage: SQS
    redelivers it) keeps its parts instead: the next run finds them by their ids and finishes."""
    try:
        yield
    except Exception as error:
        if is_valid_id(operation, "job") and not isinstance(error, DomainError):
            raise
        for document in made:
            try:
                current = store.get_document(
                    repo=repo, company_id=document.company_id, document_id=document.id
                )
                documents.discard(
                    repo=repo, document=current, by=by, reason="the split or merge it came from failed"
                )
            except Exception:  # the error that matters is the one being raised
                logger.exception("could not put a part of a failed split or merge in the bin")
        raise


# --- checks --------------------------------------------------------------------------------------


def _workable(repo: Repository, company_id: str, document_id: str) -> Document:
    """A document of the company (else NotFound) that sits in its mailbox with its pages (else Conflict)."""
    document = documents.get_document(repo=repo, company_id=company_id, document_id=document_id)
    status = document.status
    if status == DocumentStatus.inbox and document.working_key and document.pages:
        return document
    reasons = {
        DocumentStatus.received: "is still being read",
        DocumentStatus.needs_password: "needs a password first",
        DocumentStatus.failed: "could not be read",
        DocumentStatus.in_processing: "is in processing at the accountant's",
        DocumentStatus.processed: "is processed",
        DocumentStatus.split: "is already split",
        DocumentStatus.merged: "is already merged",
        DocumentStatus.deleted: "is deleted",
    }
    raise Conflict(f"document {document.id} {reasons.get(status, 'has no pages')}; it cannot be changed")


def _merge_sources(repo: Repository, company_id: str, request: MergeRequest) -> list[Document]:
    sources = [_workable(repo, company_id, document_id) for document_id in request.document_ids]
    pages = {d.id: d.pages for d in sources}
    for ref in request.pages:
        try:
            check_pages([ref.page], pages[ref.document])
        except Invalid as error:
            raise Invalid(f"{ref.document}: {error.message}") from error
    return sources


def _pdf_call(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except pdf_pages.PageError as error:
        raise Invalid(str(error)) from error


# --- jobs and locks ------------------------------------------------------------------------------


def _queue(
    repo: Repository,
    blobs: BlobStore,
    caller: Caller,
    company_id: str,
    kind: JobKind,
    request: dict,
    sources: list[Document],
) -> JobAccepted:
    at = datetime.now(UTC)
    job = Job(
        id=new_id("job"),
        company_id=company_id,
        kind=kind,
        request=request,
        sources=[d.id for d in sources],
        created_by=caller.email,
        created_at=at,
        updated_at=at,
    )
    # Locked from now: the document cannot be split twice while the job waits.
    _lock(repo, company_id, job.sources, owner=job.id, seconds=JOB_LOCK_SECONDS)
    try:
        job = _write_job(repo, job)
        blobs.put(
            keys.job_object_key(company_id, job.id),
            json.dumps({"company_id": company_id, "job_id": job.id}).encode(),
            content_type="application/json",
        )
    except Exception:
        _unlock(repo, company_id, job.sources, owner=job.id)
        raise
    logger.info("job queued", extra={"job_id": job.id, "kind": kind.value})
    return JobAccepted(job=JobRead.of(job))


def _get_job(repo: Repository, company_id: str, job_id: str) -> Job:
    if not is_valid_id(job_id, "job"):
        raise NotFound("job not found")
    item = repo.get(keys.company_pk(company_id), keys.job_sk(job_id))
    if item is None:
        raise NotFound("job not found")
    return Job.model_validate({k: v for k, v in item.items() if k not in ("pk", "sk")})


def _write_job(repo: Repository, job: Job) -> Job:
    data = json.loads(job.model_dump_json(exclude={"version"}), parse_float=Decimal)
    item = {"pk": keys.company_pk(job.company_id), "sk": keys.job_sk(job.id), **data}
    written = repo.replace_versioned(item, expected_version=job.version)
    return job.model_copy(update={"version": int(written["version"])})


def _save_job(repo: Repository, job: Job, **changes) -> Job:
    return _write_job(repo, job.model_copy(update={**changes, "updated_at": datetime.now(UTC)}))


def _lock(repo: Repository, company_id: str, document_ids: list[str], *, owner: str, seconds: int) -> None:
    """Take a lock on each document, all or none. A lock held by `owner` itself, or expired, is taken over."""
    taken: list[str] = []
    try:
        for document_id in document_ids:
            _lock_one(repo, company_id, document_id, owner=owner, seconds=seconds)
            taken.append(document_id)
    except Conflict:
        _unlock(repo, company_id, taken, owner=owner)
        raise


def _lock_one(repo: Repository, company_id: str, document_id: str, *, owner: str, seconds: int) -> None:
    pk, sk = keys.company_pk(company_id), keys.lock_sk(document_id)
    item = {"pk": pk, "sk": sk, "owner": owner, "expiration": int(time.time()) + seconds}
    busy = Conflict(f"document {document_id} is being split, merged or edited already; try again shortly")
    try:
        repo.replace_versioned(item, expected_version=0)
        return
    except Conflict:
        held = repo.get(pk, sk)
    if held is None:
        raise busy
    if held.get("owner") != owner and int(held.get("expiration", 0)) > time.time():
        raise busy
    try:
        repo.replace_versioned(item, expected_version=int(held["version"]))
    except Conflict:
        raise busy from None


def _unlock(repo: Repository, company_id: str, document_ids: list[str], *, owner: str) -> None:
    """Release the locks `owner` holds (one that expired and was taken over is the new holder's)."""
    pk = keys.company_pk(company_id)
    for document_id in document_ids:
        held = repo.get(pk, keys.lock_sk(document_id))
        if held is not None and held.get("owner") == owner:
            repo.delete(pk, keys.lock_sk(document_id))


@contextmanager
def _locked(
    repo: Repository,
    company_id: str,
    document_ids: list[str],
    *,
    owner: str,
    seconds: int,
    release: bool = True,
) -> Iterator[None]:
    _lock(repo, company_id, document_ids, owner=owner, seconds=seconds)
    try:
        yield
    finally:
        if release:
            _unlock(repo, company_id, document_ids, owner=owner)


# --- names ---------------------------------------------------------------------------------------


def _metadata(
    like: Document, name: str, derived_from: list[str], then: Then, *, operation: str
) -> IncomingMetadata:
    """A part keeps the channel its original came by (its source) and says which operation made it."""
    return IncomingMetadata(
        source=like.source,
        name=name,
        sender=like.sender,
        derived_from=derived_from,
        derived_by=operation,
        then="send" if then == Then.send else None,
    )


# A part's page label longer than this gives way to "part i of n".
MAX_PAGE_LABEL = 40


def _part_names(name: str, groups: list[list[int]]) -> list[str]:
    """One name a part, all different: "scan (pages 1-4).pdf", or "scan (part 2 of 9).pdf" when the
    pages do not fit a short label."""
    names = []
    for number, group in enumerate(groups, start=1):
        label = _page_label(group)
        if len(label) > MAX_PAGE_LABEL:
            label = f"part {number} of {len(groups)}"
        names.append(_with_suffix(name, f" ({label})"))
    if len(set(names)) < len(names):  # a long name cut the labels off: number them
        names = [_with_suffix(name, f" (part {n} of {len(groups)})") for n in range(1, len(groups) + 1)]
    return names


def _page_label(group: list[int]) -> str:
    runs = []
    for page in group:
        if runs and page == runs[-1][1] + 1:
            runs[-1][1] = page
        else:
            runs.append([page, page])
    label = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in runs)
    return f"page{'s' * (len(group) > 1)} {label}"


def _with_suffix(name: str, suffix: str) -> str:
    """ "scan.pdf" + " (pages 1-4)" → "scan (pages 1-4).pdf"; the result fits the 255 characters of a name."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not 1 <= len(extension) <= 5:
        stem = name
    return f"{stem[: 255 - len(suffix) - 4]}{suffix}.pdf"
