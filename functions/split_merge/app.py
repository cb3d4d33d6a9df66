"""split_merge: split a document, merge pages of several, rotate/reorder/delete pages, suggest splits,
and the worker that does these for large documents. Thin: parse, call, return."""

from chalice import Chalice

from comptoir_core import wiring, workers
from comptoir_core.api import authorizer, caller_in_company, dump, parse_body, view
from comptoir_core.events import S3ObjectCreated
from comptoir_core.observability import logger, metrics, observe
from comptoir_core.openapi_docs import documented, publish_openapi
from comptoir_core.settings import get_settings
from comptoir_core.split_merge import service
from comptoir_core.split_merge.models import (
    DocumentsRead,
    JobAccepted,
    JobRead,
    MergeRequest,
    PageEditRequest,
    SplitRequest,
    SplitSuggestionRead,
)
from comptoir_core.tenancy import authorize

app = Chalice(app_name="comptoir-split-merge")
app.register_middleware(observe, "http")
publish_openapi(app, title="Comptoir split and merge")

JOBS_QUEUE = "split-merge-jobs"


def _answer(result):
    """The documents at once (200), or the job that will make them (202)."""
    if isinstance(result, JobAccepted):
        metrics.add_metric(name="SplitMergeJobQueued", unit="Count", value=1)
        return dump(result, status=202)
    return dump(result)


def _authorized(cid: str):
    """Membership and role before the body: a stranger learns nothing, not even that the body was wrong."""
    caller = caller_in_company(app.current_request, cid)
    authorize(repo=wiring.repository(), caller=caller, company_id=cid, roles=service.EDITORS)
    return caller


@app.route("/companies/{cid}/documents/{did}/split", methods=["POST"], authorizer=authorizer)
@documented(body=SplitRequest, answer=DocumentsRead, other_answers={202: JobAccepted}, errors=(403, 409, 413))
@view
def split(cid, did):
    caller = _authorized(cid)
    request = parse_body(app.current_request, SplitRequest)
    logger.append_keys(document_id=did)
    return _answer(
        service.split_document(
            repo=wiring.repository(),
            blobs=wiring.blob_store(),
            settings=get_settings(),
            caller=caller,
            company_id=cid,
            document_id=did,
            request=request,
        )
    )


@app.route("/companies/{cid}/merge", methods=["POST"], authorizer=authorizer)
@documented(body=MergeRequest, answer=DocumentsRead, other_answers={202: JobAccepted}, errors=(403, 409, 413))
@view
def merge(cid):
    caller = _authorized(cid)
    request = parse_body(app.current_request, MergeRequest)
    return _answer(
        service.merge_documents(
            repo=wiring.repository(),
            blobs=wiring.blob_store(),
            settings=get_settings(),
            caller=caller,
            company_id=cid,
            request=request,
        )
    )


@app.route("/companies/{cid}/documents/{did}/pages", methods=["POST"], authorizer=authorizer)
@documented(
    body=PageEditRequest, answer=DocumentsRead, other_answers={202: JobAccepted}, errors=(403, 409, 413)
)
@view
def edit_pages(cid, did):
    caller = _authorized(cid)
    request = parse_body(app.current_request, PageEditRequest)
    logger.append_keys(document_id=did)
    return _answer(
        service.edit_pages(
            repo=wiring.repository(),
            blobs=wiring.blob_store(),
            caller=caller,
            company_id=cid,
            document_id=did,
            request=request,
        )
    )


@app.route("/companies/{cid}/documents/{did}/split-suggestion", methods=["GET"], authorizer=authorizer)
@documented(answer=SplitSuggestionRead, errors=(409,))
@view
def split_suggestion(cid, did):
    caller = caller_in_company(app.current_request, cid)
    return dump(
        service.suggest_split(
            repo=wiring.repository(),
            blobs=wiring.blob_store(),
            caller=caller,
            company_id=cid,
            document_id=did,
        )
    )


@app.route("/companies/{cid}/jobs/{jid}", methods=["GET"], authorizer=authorizer)
@documented(answer=JobRead)
@view
def job(cid, jid):
    caller = caller_in_company(app.current_request, cid)
    return dump(service.read_job(repo=wiring.repository(), caller=caller, company_id=cid, job_id=jid))


def _run_job(item: S3ObjectCreated) -> None:
    company_id, job_id = service.parse_job_key(item.key)
    logger.append_keys(company_id=company_id, job_id=job_id)
    service.run_job(
        repo=wiring.repository(),
        blobs=wiring.blob_store(),
        settings=get_settings(),
        company_id=company_id,
        job_id=job_id,
    )
    metrics.add_metric(name="SplitMergeJobsRun", unit="Count", value=1)


@app.on_sqs_message(queue=JOBS_QUEUE, batch_size=1)
def on_split_merge_job(event):
    """A job object under jobs/ → S3 event → SQS → here. A failed record goes back to the queue, then its DLQ."""
    return workers.sqs_batch(event, workers.s3_object_worker("on_split_merge_job", _run_job, event))
