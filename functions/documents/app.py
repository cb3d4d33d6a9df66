"""documents: mailboxes and the documents in them, and the worker that records incoming files."""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from chalice import Chalice

from comptoir_core import idempotency, wiring
from comptoir_core.api import authorizer, caller_in_company, dump, view
from comptoir_core.documents import service
from comptoir_core.events import S3ObjectCreated, s3_objects_in
from comptoir_core.observability import logger, observe

app = Chalice(app_name="comptoir-documents")
app.register_middleware(observe, "http")

INCOMING_QUEUE = "documents-incoming"


@app.route("/companies/{cid}/mailboxes", methods=["GET"], authorizer=authorizer)
@view
def mailboxes(cid):
    caller = caller_in_company(app.current_request, cid)
    return dump(service.list_mailboxes(repo=wiring.repository(), caller=caller, company_id=cid))


@app.route("/companies/{cid}/mailboxes/{box}", methods=["GET"], authorizer=authorizer)
@view
def mailbox(cid, box):
    caller = caller_in_company(app.current_request, cid)
    return dump(service.list_mailbox(repo=wiring.repository(), caller=caller, company_id=cid, mailbox=box))


def _record_incoming(item: S3ObjectCreated) -> None:
    metadata = wiring.blob_store().metadata(item.key)
    incoming = service.parse_incoming_key(item.key, size=item.size, metadata=metadata)
    logger.append_keys(company_id=incoming.company_id, document_id=incoming.document_id)
    service.record_incoming(repo=wiring.repository(), incoming=incoming)


@app.on_sqs_message(queue=INCOMING_QUEUE, batch_size=5)
def on_incoming_object(event):
    """S3 object created under incoming/ → SQS → here. Failed records go back to the queue, then its DLQ."""
    record_once = idempotency.once_per("on_incoming_object", _record_incoming, event.context)

    def handle(record) -> None:
        for created in s3_objects_in(record.body):
            record_once(item=created)

    return process_partial_response(
        event=event.to_dict(), record_handler=handle, processor=BatchProcessor(event_type=EventType.SQS)
    )
