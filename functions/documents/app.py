"""documents: mailboxes, documents, the In processing box, archive and history, and the pipeline worker."""

import json

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from chalice import Chalice, Response

from comptoir_core import idempotency, wiring
from comptoir_core.api import authorizer, caller_in_company, caller_of, dump, parse_body, parse_query, view
from comptoir_core.blobs import content_disposition
from comptoir_core.documents import corrections, pipeline, service
from comptoir_core.documents.views import (
    ArchiveQuery,
    FieldCorrections,
    FileContent,
    LabelChange,
    ListQuery,
    MoveRequest,
    PermanentRequest,
    ProcessRequest,
    RemarkRequest,
    SendRequest,
    UploadAccepted,
    UploadedFile,
    UploadFormRequest,
    UploadOptions,
)
from comptoir_core.errors import Invalid
from comptoir_core.events import S3ObjectCreated, s3_objects_in
from comptoir_core.observability import observe
from comptoir_core.payments import service as payments
from comptoir_core.settings import get_settings
from comptoir_core.uploads import parts_of

app = Chalice(app_name="comptoir-documents")
app.register_middleware(observe, "http")
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
@view
def mailboxes(cid):
    caller = caller_in_company(app.current_request, cid)
    return dump(service.list_mailboxes(**_deps(), caller=caller, company_id=cid))


@app.route("/companies/{cid}/mailboxes/{box}", methods=["GET"], authorizer=authorizer)
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
@view
def document(cid, did):
    caller = caller_in_company(app.current_request, cid)
    document = service.read_document(**_deps(), caller=caller, company_id=cid, document_id=did)
    return dump(payments.with_payments(**_deps(), document=document))


@app.route(DOCUMENT, methods=["DELETE"], authorizer=authorizer)
@view
def delete_document(cid, did):
    caller = caller_in_company(app.current_request, cid)
    return dump(service.delete(**_deps(), caller=caller, company_id=cid, document_id=did))


@app.route(DOCUMENT + "/file", methods=["GET"], authorizer=authorizer)
@view
def document_file(cid, did):
    caller = caller_in_company(app.current_request, cid)
    original = (app.current_request.query_params or {}).get("original") in ("1", "true")
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
@view
def document_page(cid, did, n):
    caller = caller_in_company(app.current_request, cid)
    size = (app.current_request.query_params or {}).get("size", "preview")
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
    return dump(document)


@app.route(DOCUMENT + "/labels", methods=["POST"], authorizer=authorizer)
@view
def labels(cid, did):
    caller = caller_in_company(app.current_request, cid)
    request = parse_body(app.current_request, LabelChange)
    return dump(
        service.change_labels(
            **_deps(), caller=caller, company_id=cid, document_id=did, add=request.add, remove=request.remove
        )
    )


@app.route(DOCUMENT + "/remarks", methods=["POST"], authorizer=authorizer)
@view
def remarks(cid, did):
    caller = caller_in_company(app.current_request, cid)
    request = parse_body(app.current_request, RemarkRequest)
    return dump(
        service.add_remark(**_deps(), caller=caller, company_id=cid, document_id=did, text=request.text), 201
    )


@app.route(DOCUMENT + "/move", methods=["POST"], authorizer=authorizer)
@view
def move(cid, did):
    caller = caller_in_company(app.current_request, cid)
    request = parse_body(app.current_request, MoveRequest)
    return dump(
        service.move(**_deps(), caller=caller, company_id=cid, document_id=did, mailbox=request.mailbox)
    )


@app.route(DOCUMENT + "/restore", methods=["POST"], authorizer=authorizer)
@view
def restore(cid, did):
    caller = caller_in_company(app.current_request, cid)
    return dump(service.restore(**_deps(), caller=caller, company_id=cid, document_id=did))


@app.route(DOCUMENT + "/retry", methods=["POST"], authorizer=authorizer)
@view
def retry(cid, did):
    caller = caller_in_company(app.current_request, cid)
    return dump(
        pipeline.retry(
            **_deps(),
            blobs=wiring.blob_store(),
            settings=get_settings(),
            caller=caller,
            company_id=cid,
            document_id=did,
        )
    )


@app.route(DOCUMENT + "/send", methods=["POST"], authorizer=authorizer)
@view
def send_one(cid, did):
    caller = caller_in_company(app.current_request, cid)
    return dump(service.send(**_deps(), caller=caller, company_id=cid, document_ids=[did])[0])


@app.route("/companies/{cid}/send", methods=["POST"], authorizer=authorizer)
@view
def send_many(cid):
    caller = caller_in_company(app.current_request, cid)
    request = parse_body(app.current_request, SendRequest)
    return dump(service.send(**_deps(), caller=caller, company_id=cid, document_ids=request.ids))


@app.route(DOCUMENT + "/process", methods=["POST"], authorizer=authorizer)
@view
def process(cid, did):
    caller = caller_in_company(app.current_request, cid)
    request = parse_body(app.current_request, ProcessRequest)
    return dump(
        service.process(**_deps(), caller=caller, company_id=cid, document_id=did, booking=request.booking)
    )


@app.route(DOCUMENT + "/permanent", methods=["POST"], authorizer=authorizer)
@view
def permanent(cid, did):
    caller = caller_in_company(app.current_request, cid)
    request = parse_body(app.current_request, PermanentRequest)
    return dump(
        service.set_permanent(
            **_deps(), caller=caller, company_id=cid, document_id=did, permanent=request.permanent
        )
    )


# ---- archive, history, the firm ------------------------------------------------------------------


@app.route("/companies/{cid}/archive", methods=["GET"], authorizer=authorizer)
@view
def archive(cid):
    caller = caller_in_company(app.current_request, cid)
    query = parse_query(app.current_request, ArchiveQuery)
    return dump(service.archive(**_deps(), caller=caller, company_id=cid, query=query))


@app.route("/companies/{cid}/history", methods=["GET"], authorizer=authorizer)
@view
def history(cid):
    caller = caller_in_company(app.current_request, cid)
    query = parse_query(app.current_request, ListQuery)
    return dump(service.history(**_deps(), caller=caller, company_id=cid, query=query))


@app.route("/firm/processing", methods=["GET"], authorizer=authorizer)
@view
def firm_processing():
    return dump(service.firm_processing(**_deps(), caller=caller_of(app.current_request)))


# ---- the pipeline worker -------------------------------------------------------------------------


def _run_pipeline(item: S3ObjectCreated) -> None:
    pipeline.run(
        repo=wiring.repository(),
        blobs=wiring.blob_store(),
        settings=get_settings(),
        key=item.key,
        size=item.size,
    )


@app.on_sqs_message(queue=INCOMING_QUEUE, batch_size=5)
def on_incoming_object(event):
    """S3 object created under incoming/ → SQS → here. Failed records go back to the queue, then its DLQ."""
    run_once = idempotency.once_per("on_incoming_object", _run_pipeline, event.context)

    def handle(record) -> None:
        for created in s3_objects_in(record.body):
            run_once(item=created)

    return process_partial_response(
        event=event.to_dict(), record_handler=handle, processor=BatchProcessor(event_type=EventType.SQS)
    )
