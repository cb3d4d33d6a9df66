"""documents: mailboxes, documents, the In processing box, archive and history, and the pipeline worker."""

import json
import time

from chalice import Chalice, Response

from comptoir_core import wiring, workers
from comptoir_core.api import authorizer, caller_in_company, caller_of, dump, parse_body, parse_query, view
from comptoir_core.blobs import content_disposition
from comptoir_core.documents import corrections, pipeline, service
from comptoir_core.documents.models import Document, MailboxRead, Remark
from comptoir_core.documents.views import (
    ArchiveQuery,
    DocumentPage,
    EventPage,
    FieldCorrections,
    FileContent,
    FileQuery,
    FirmQuery,
    LabelChange,
    ListQuery,
    MoveRequest,
    PageImageQuery,
    PageQuery,
    PermanentRequest,
    ProcessRequest,
    RemarkPage,
    RemarkRequest,
    SendRequest,
    UploadAccepted,
    UploadedFile,
    UploadForm,
    UploadFormRequest,
    UploadOptions,
    document_read,
)
from comptoir_core.errors import Invalid
from comptoir_core.events import S3ObjectCreated, s3_objects_in
from comptoir_core.observability import metrics, observe
from comptoir_core.openapi_docs import documented, publish_openapi
from comptoir_core.payments import service as payments
from comptoir_core.settings import get_settings
from comptoir_core.uploads import parts_of

app = Chalice(app_name="comptoir-documents")
app.register_middleware(observe, "http")
publish_openapi(app, title="Comptoir documents")
# Bodies API Gateway must pass through as bytes: uploads in, files and page images out.
app.api.binary_types.extend(
    [
        "application/pdf",
        "multipart/form-data",
        "image/tiff",
        "image/webp",
        "text/html",
        "application/xml",
        "text/xml",
    ]
)

INCOMING_QUEUE = "documents-incoming"
INCOMING_DLQ = "documents-incoming-dlq"
# One document a run: a 500-page, 50 MB one takes most of the worker's time and memory (spec.py).
INCOMING_BATCH_SIZE = 1
# What an upload may be sent as; the type that counts is the one read from the bytes.
UPLOAD_CONTENT_TYPES = [
    "multipart/form-data",
    "application/octet-stream",
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/tiff",
    "text/html",
    "application/xml",
    "text/xml",
    "application/json",  # answered with a clear 400 rather than API Gateway's bare 415
]
DOCUMENT = "/companies/{cid}/documents/{did}"


def _deps() -> dict:
    return {"repo": wiring.repository()}


def _document(document, status: int = 200) -> Response:
    """A document's JSON: no storage keys, S3 versions or leases (see views.document_read)."""
    return Response(
        body=document_read(document), status_code=status, headers={"Content-Type": "application/json"}
    )


def _file(content: FileContent) -> Response:
    if content.url:
        return Response(body="", status_code=303, headers={"Location": content.url})
    return Response(
        body=content.body,
        status_code=200,
        headers={
            "Content-Type": content.content_type,
            "Content-Disposition": content_disposition(content.filename, "inline"),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=300",
        },
    )


# ---- mailboxes -----------------------------------------------------------------------------------


@app.route("/companies/{cid}/mailboxes", methods=["GET"], authorizer=authorizer)
@documented(answer=list[MailboxRead])
@view
def mailboxes(cid):
    caller = caller_in_company(app.current_request, cid)
    return dump(service.list_mailboxes(**_deps(), caller=caller, company_id=cid))


@app.route("/companies/{cid}/mailboxes/{box}", methods=["GET"], authorizer=authorizer)
@documented(query=ListQuery, answer=DocumentPage)
@view
def mailbox(cid, box):
    caller = caller_in_company(app.current_request, cid)
    query = parse_query(app.current_request, ListQuery)
    return dump(service.list_box(**_deps(), caller=caller, company_id=cid, box=box, query=query))


@app.route(
    "/companies/{cid}/mailboxes/{box}/documents",
    methods=["POST"],
    authorizer=authorizer,
    content_types=UPLOAD_CONTENT_TYPES,
)
@documented(
    body=UploadedFile,
    body_media_types=UPLOAD_CONTENT_TYPES,
    answer=UploadAccepted,
    status=202,
    errors=(403, 413, 415),
)
@view
def upload(cid, box):
    request = app.current_request
    caller = caller_in_company(request, cid)
    parts = parts_of(
        request.headers.get("content-type", ""), request.raw_body or b"", request.query_params or {}
    )
    options = UploadOptions.model_validate(_upload_options(parts.fields))
    ids = pipeline.upload(
        **_deps(),
        blobs=wiring.blob_store(),
        settings=get_settings(),
        caller=caller,
        company_id=cid,
        mailbox=box,
        files=[UploadedFile(name=name, body=body) for name, body in parts.files],
        options=options,
    )
    return dump(UploadAccepted(documents=ids), status=202)


def _upload_options(fields: dict[str, str]) -> dict:
    options: dict = {k: fields[k] for k in ("source", "kind") if fields.get(k)}
    if fields.get("fields"):
        try:
            options["fields"] = json.loads(fields["fields"])
        except ValueError as error:
            raise Invalid("the fields part is not valid JSON") from error
    return options


@app.route("/companies/{cid}/uploads", methods=["POST"], authorizer=authorizer)
@documented(body=UploadFormRequest, answer=UploadForm, status=201, errors=(403,))
@view
def upload_form(cid):
    caller = caller_in_company(app.current_request, cid)
    request = parse_body(app.current_request, UploadFormRequest)
    form = service.create_upload_form(
        **_deps(),
        blobs=wiring.blob_store(),
        caller=caller,
        company_id=cid,
        request=request,
        max_bytes=get_settings().max_document_bytes,
    )
    return dump(form, status=201)


# ---- one document --------------------------------------------------------------------------------


@app.route(DOCUMENT, methods=["GET"], authorizer=authorizer)
@documented(answer=Document)
@view
def document(cid, did):
    caller = caller_in_company(app.current_request, cid)
    document = service.open_document(**_deps(), caller=caller, company_id=cid, document_id=did)
    return _document(payments.with_payments(**_deps(), document=document))


@app.route(DOCUMENT, methods=["DELETE"], authorizer=authorizer)
@documented(answer=Document, errors=(403, 409))
@view
def delete_document(cid, did):
    caller = caller_in_company(app.current_request, cid)
    return _document(service.delete(**_deps(), caller=caller, company_id=cid, document_id=did))


@app.route(DOCUMENT + "/file", methods=["GET"], authorizer=authorizer)
@documented(query=FileQuery, answer="application/pdf", other_answers={303: None})
@view
def document_file(cid, did):
    caller = caller_in_company(app.current_request, cid)
    original = parse_query(app.current_request, FileQuery).original
    content = service.open_file(
        **_deps(),
        blobs=wiring.blob_store(),
        caller=caller,
        company_id=cid,
        document_id=did,
        original=original,
    )
    return _file(content)


@app.route(DOCUMENT + "/pages/{n}", methods=["GET"], authorizer=authorizer)
@documented(query=PageImageQuery, answer="image/*", other_answers={303: None})
@view
def document_page(cid, did, n):
    caller = caller_in_company(app.current_request, cid)
    size = parse_query(app.current_request, PageImageQuery).size
    content = service.open_page(
        **_deps(),
        blobs=wiring.blob_store(),
        caller=caller,
        company_id=cid,
        document_id=did,
        page=n,
        size=size,
    )
    return _file(content)


@app.route(DOCUMENT + "/fields", methods=["PATCH"], authorizer=authorizer)
@documented(body=FieldCorrections, answer=Document, errors=(403, 409))
@view
def correct_fields(cid, did):
    caller = caller_in_company(app.current_request, cid)
    request = parse_body(app.current_request, FieldCorrections)
    document = corrections.correct_fields(
        **_deps(),
        blobs=wiring.blob_store(),
        caller=caller,
        company_id=cid,
        document_id=did,
        corrections=request.fields,
    )
    return _document(document)


@app.route(DOCUMENT + "/labels", methods=["POST"], authorizer=authorizer)
@documented(body=LabelChange, answer=Document, errors=(403, 409))
@view
def labels(cid, did):
    caller = caller_in_company(app.current_request, cid)
    request = parse_body(app.current_request, LabelChange)
    return _document(
        service.change_labels(
            **_deps(), caller=caller, company_id=cid, document_id=did, add=request.add, remove=request.remove
        )
    )


@app.route(DOCUMENT + "/remarks", methods=["POST"], authorizer=authorizer)
@documented(body=RemarkRequest, answer=Remark, status=201, errors=(403, 409))
@view
def remarks(cid, did):
    caller = caller_in_company(app.current_request, cid)
    request = parse_body(app.current_request, RemarkRequest)
    return dump(
        service.add_remark(**_deps(), caller=caller, company_id=cid, document_id=did, text=request.text), 201
    )


@app.route(DOCUMENT + "/remarks", methods=["GET"], authorizer=authorizer)
@documented(query=PageQuery, answer=RemarkPage)
@view
def remark_list(cid, did):
    caller = caller_in_company(app.current_request, cid)
    query = parse_query(app.current_request, PageQuery)
    return dump(
        service.document_remarks(**_deps(), caller=caller, company_id=cid, document_id=did, query=query)
    )


@app.route(DOCUMENT + "/history", methods=["GET"], authorizer=authorizer)
@documented(query=PageQuery, answer=EventPage)
@view
def document_history(cid, did):
    caller = caller_in_company(app.current_request, cid)
    query = parse_query(app.current_request, PageQuery)
    return dump(
        service.document_events(**_deps(), caller=caller, company_id=cid, document_id=did, query=query)
    )


@app.route(DOCUMENT + "/move", methods=["POST"], authorizer=authorizer)
@documented(body=MoveRequest, answer=Document, errors=(403, 409))
@view
def move(cid, did):
    caller = caller_in_company(app.current_request, cid)
    request = parse_body(app.current_request, MoveRequest)
    return _document(
        service.move(**_deps(), caller=caller, company_id=cid, document_id=did, mailbox=request.mailbox)
    )


@app.route(DOCUMENT + "/restore", methods=["POST"], authorizer=authorizer)
@documented(answer=Document, errors=(403, 409))
@view
def restore(cid, did):
    caller = caller_in_company(app.current_request, cid)
    return _document(service.restore(**_deps(), caller=caller, company_id=cid, document_id=did))


@app.route(DOCUMENT + "/retry", methods=["POST"], authorizer=authorizer)
@documented(answer=Document, errors=(403, 409))
@view
def retry(cid, did):
    caller = caller_in_company(app.current_request, cid)
    return _document(
        pipeline.retry(
            **_deps(),
            settings=get_settings(),
            caller=caller,
            company_id=cid,
            document_id=did,
            requeue=wiring.documents_queue(),
        ),
        status=202,
    )


@app.route(DOCUMENT + "/send", methods=["POST"], authorizer=authorizer)
@documented(answer=Document, errors=(403, 409))
@view
def send_one(cid, did):
    caller = caller_in_company(app.current_request, cid)
    return _document(service.send(**_deps(), caller=caller, company_id=cid, document_ids=[did])[0])


@app.route("/companies/{cid}/send", methods=["POST"], authorizer=authorizer)
@documented(body=SendRequest, answer=list[Document], errors=(403, 409))
@view
def send_many(cid):
    caller = caller_in_company(app.current_request, cid)
    request = parse_body(app.current_request, SendRequest)
    sent = service.send(**_deps(), caller=caller, company_id=cid, document_ids=request.ids)
    return Response(
        body=[document_read(d) for d in sent], status_code=200, headers={"Content-Type": "application/json"}
    )


@app.route(DOCUMENT + "/process", methods=["POST"], authorizer=authorizer)
@documented(body=ProcessRequest, answer=Document, errors=(400, 403, 409))
@view
def process(cid, did):
    caller = caller_in_company(app.current_request, cid)
    request = parse_body(app.current_request, ProcessRequest)
    return _document(
        service.process(**_deps(), caller=caller, company_id=cid, document_id=did, booking=request.booking)
    )


@app.route(DOCUMENT + "/permanent", methods=["POST"], authorizer=authorizer)
@documented(body=PermanentRequest, answer=Document, errors=(403, 409))
@view
def permanent(cid, did):
    caller = caller_in_company(app.current_request, cid)
    request = parse_body(app.current_request, PermanentRequest)
    return _document(
        service.set_permanent(
            **_deps(), caller=caller, company_id=cid, document_id=did, permanent=request.permanent
        )
    )


# ---- archive, history, the firm ------------------------------------------------------------------


@app.route("/companies/{cid}/archive", methods=["GET"], authorizer=authorizer)
@documented(query=ArchiveQuery, answer=DocumentPage)
@view
def archive(cid):
    caller = caller_in_company(app.current_request, cid)
    query = parse_query(app.current_request, ArchiveQuery)
    return dump(service.archive(**_deps(), caller=caller, company_id=cid, query=query))


@app.route("/companies/{cid}/history", methods=["GET"], authorizer=authorizer)
@documented(query=ListQuery, answer=DocumentPage)
@view
def history(cid):
    caller = caller_in_company(app.current_request, cid)
    query = parse_query(app.current_request, ListQuery)
    return dump(service.history(**_deps(), caller=caller, company_id=cid, query=query))


@app.route("/firm/processing", methods=["GET"], authorizer=authorizer)
@documented(query=FirmQuery, answer=DocumentPage, errors=(403,))
@view
def firm_processing():
    caller = caller_of(app.current_request)
    query = parse_query(app.current_request, FirmQuery)
    return dump(service.firm_processing(**_deps(), caller=caller, query=query))


# ---- the pipeline worker -------------------------------------------------------------------------


def _run_pipeline(item: S3ObjectCreated) -> None:
    started = time.monotonic()
    document = pipeline.run(
        repo=wiring.repository(),
        blobs=wiring.blob_store(),
        settings=get_settings(),
        key=item.key,
        size=item.size,
        version_id=item.version_id,
    )
    pipeline.count_run(document, seconds=time.monotonic() - started)


@app.on_sqs_message(queue=INCOMING_QUEUE, batch_size=INCOMING_BATCH_SIZE)
def on_incoming_object(event):
    """S3 object created under incoming/ → SQS → here. Failed records go back to the queue, then its DLQ."""
    return workers.sqs_batch(event, workers.s3_object_worker("on_incoming_object", _run_pipeline, event))


@app.on_sqs_message(queue=INCOMING_DLQ, batch_size=10)
def on_incoming_dead_letter(event):
    """What the worker failed on every time (timeout, out of memory): the document is marked failed."""

    def handle(record) -> None:
        for created in s3_objects_in(record.body):
            pipeline.give_up(repo=wiring.repository(), key=created.key, size=created.size)
            metrics.add_metric(name="DocumentsDeadLettered", unit="Count", value=1)

    return workers.sqs_batch(event, handle)
