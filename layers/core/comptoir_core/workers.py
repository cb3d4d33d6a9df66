"""One scaffold for every SQS worker (documents, ingest_email, dropbox_webhook, split_merge).

A Chalice `on_sqs_message` handler calls `sqs_batch(event, handle)`: each record goes to `handle`, a
record that raises is reported as a partial batch failure (it comes back after the visibility timeout,
then lands in the dead-letter queue), and the Lambda context reaches Powertools as it would through
`@logger.inject_lambda_context`, `@tracer.capture_lambda_handler` and `@metrics.log_metrics`: Chalice
calls its handlers with its own event object, so the decorators wrap an inner function here.
"""

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from comptoir_core import idempotency
from comptoir_core.events import s3_objects_in
from comptoir_core.observability import logger, metrics, tracer

RecordHandler = Callable[[SQSRecord], None]


def sqs_batch(event, handle: RecordHandler) -> dict[str, Any]:
    """Run `handle` on every record of a Chalice SQS event; the answer lists the records that failed."""

    @metrics.log_metrics
    @tracer.capture_lambda_handler(capture_response=False)
    @logger.inject_lambda_context(clear_state=True)
    def handler(raw: dict, context) -> dict[str, Any]:
        return process_partial_response(
            event=raw,
            record_handler=tracer.capture_method(handle, capture_response=False),
            # A batch whose every record failed answers so too (not an exception): one shape always.
            processor=BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False),
            context=context,
        )

    return handler(event.to_dict(), event.context)


def s3_object_worker(name: str, run: Callable[..., None], event) -> RecordHandler:
    """A record handler for S3 object-created notifications carried by SQS: `run(item=…)` once per
    object (Powertools idempotency keyed on the object, records in the table under `name`)."""
    run_once = idempotency.once_per(name, run, event.context)

    def handle(record: SQSRecord) -> None:
        for created in s3_objects_in(record.body):
            logger.append_keys(object_key=created.key)
            run_once(item=created)

    return handle
