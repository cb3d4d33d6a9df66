"""ingest_email: inbound messages SES stored under inbound/ become documents; admins and the
accountant see what each message gave, and can download it as it was received."""

from chalice import Chalice

from comptoir_core import idempotency, wiring, workers
from comptoir_core.api import authorizer, caller_in_company, dump, parse_query, view
from comptoir_core.events import S3ObjectCreated, s3_objects_in
from comptoir_core.mail import ingest
from comptoir_core.mail.models import MessageListQuery, MessageRead, MessageSummary, RawMessageLink
from comptoir_core.mail.notification import SesReceipt, receipts_in
from comptoir_core.mail.store import INBOUND_PREFIX, InboundMessages
from comptoir_core.observability import logger, metrics, observe
from comptoir_core.openapi_docs import documented, publish_openapi
from comptoir_core.settings import get_settings

app = Chalice(app_name="comptoir-ingest-email")
app.register_middleware(observe, "http")
publish_openapi(app, title="Comptoir e-mail intake")

INBOUND_QUEUE = "mail-inbound"


def _inbound() -> InboundMessages:
    return InboundMessages(get_settings().documents_bucket)


@app.route("/companies/{cid}/messages", methods=["GET"], authorizer=authorizer)
@documented(query=MessageListQuery, answer=list[MessageSummary], errors=(403,))
@view
def messages(cid):
    caller = caller_in_company(app.current_request, cid)
    query = parse_query(app.current_request, MessageListQuery)
    return dump(
        ingest.list_messages(repo=wiring.repository(), caller=caller, company_id=cid, month=query.month)
    )


@app.route("/companies/{cid}/messages/{mid}", methods=["GET"], authorizer=authorizer)
@documented(answer=MessageRead, errors=(403,))
@view
def message(cid, mid):
    caller = caller_in_company(app.current_request, cid)
    return dump(ingest.get_message(repo=wiring.repository(), caller=caller, company_id=cid, record_id=mid))


@app.route("/companies/{cid}/messages/{mid}/raw", methods=["GET"], authorizer=authorizer)
@documented(answer=RawMessageLink, errors=(403,))
@view
def raw_message(cid, mid):
    caller = caller_in_company(app.current_request, cid)
    return dump(
        ingest.raw_message_link(
            repo=wiring.repository(), inbound=_inbound(), caller=caller, company_id=cid, record_id=mid
        )
    )


def _ingest(item: SesReceipt | S3ObjectCreated) -> None:
    if not item.key.startswith(INBOUND_PREFIX):
        logger.warning("object outside inbound/ ignored", extra={"key": item.key})
        return
    deliveries = ingest.ingest_inbound_message(
        repo=wiring.repository(),
        blobs=wiring.blob_store(),
        inbound=_inbound(),
        key=item.key,
        domain=get_settings().inbound_domain,
        receipt=item if isinstance(item, SesReceipt) else None,
    )
    metrics.add_metric(name="MailMessages", unit="Count", value=1)
    metrics.add_metric(name="MailDocuments", unit="Count", value=sum(len(d.documents) for d in deliveries))


@app.on_sqs_message(queue=INBOUND_QUEUE, batch_size=1)
def on_inbound_message(event):
    """SES stored a message under inbound/ and published its notification → SNS → SQS → here (an S3
    event for an object under inbound/ is still taken). A failed one goes back to the queue, then its DLQ."""
    ingest_once = idempotency.once_per("on_inbound_message", _ingest, event.context)

    def handle(record) -> None:
        for item in receipts_in(record.body) or s3_objects_in(record.body):
            logger.append_keys(inbound_key=item.key)
            ingest_once(item=item)

    return workers.sqs_batch(event, handle)
