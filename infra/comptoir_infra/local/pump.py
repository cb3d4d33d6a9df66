"""Deliver each queue's messages to its Chalice handler, as Lambda's SQS event source mapping does.

A record the handler reports as failed (batchItemFailures) or a handler that raises leaves its
messages on the queue: they come back after the visibility timeout and end in the dead-letter queue.
"""

import logging
import threading
import time
from types import ModuleType

import boto3

from comptoir_infra.spec import SPEC

log = logging.getLogger("comptoir.pump")
POLLERS_PER_QUEUE = 3


class QueuePump:
    def __init__(
        self, *, modules: dict[str, ModuleType], queue_urls: dict[str, str], endpoint: str, region: str
    ):
        self._sqs = boto3.client("sqs", endpoint_url=endpoint, region_name=region)
        self._region = region
        self._stop = threading.Event()
        self._threads = []
        consumers = [(queue.id, queue.consumer_app, queue.batch_size) for queue in SPEC.queues]
        # A dead-letter queue with a consumer (it marks what never finished) is pumped the same way.
        consumers += [(q.dlq_id, q.consumer_app, 10) for q in SPEC.queues if q.dead_letter_handler]
        for queue_id, app_name, batch_size in consumers:
            handler = _handler(modules[app_name], queue_id)
            # Lambda runs several batches of one queue at once; a few pollers per queue do the same here.
            # They take turns to receive (moto's receive is not atomic across threads) and handle at once.
            receiving = threading.Lock()
            for n in range(POLLERS_PER_QUEUE):
                thread = threading.Thread(
                    target=self._run,
                    args=(queue_urls[queue_id], batch_size, handler, receiving),
                    name=f"pump-{queue_id}-{n}",
                    daemon=True,
                )
                self._threads.append(thread)

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        deadline = time.monotonic() + 1.5
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))

    def _run(self, queue_url: str, batch_size: int, handler, receiving) -> None:
        queue_arn = self._sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        while not self._stop.is_set():
            try:
                self.deliver_once(
                    queue_url, queue_arn, batch_size, handler, wait_seconds=1, receiving=receiving
                )
            except Exception:
                log.exception("queue pump for %s failed; retrying", queue_url)
                self._stop.wait(1)

    def deliver_once(
        self,
        queue_url: str,
        queue_arn: str,
        batch_size: int,
        handler,
        *,
        wait_seconds: int,
        receiving,
    ) -> int:
        with receiving:
            received = self._sqs.receive_message(
                QueueUrl=queue_url,
                MaxNumberOfMessages=batch_size,
                WaitTimeSeconds=wait_seconds,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
        if not received:
            return 0
        event = {"Records": [_lambda_record(m, queue_arn, self._region) for m in received]}
        try:
            result = handler(event, _Context(getattr(handler, "__name__", "sqs-handler"))) or {}
        except Exception:
            log.exception("the handler for %s raised; the batch stays on the queue", queue_url)
            return 0
        failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        done = [m for m in received if m["MessageId"] not in failed]
        if done:
            self._sqs.delete_message_batch(
                QueueUrl=queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
            )
        return len(done)


def _handler(module: ModuleType, queue_id: str):
    for source in module.app.event_sources:
        if getattr(source, "queue", None) == queue_id:
            return getattr(module, source.handler_string.split(".")[-1])
    raise LookupError(f"{module.__name__} has no on_sqs_message handler for queue {queue_id!r}")


def _lambda_record(message: dict, queue_arn: str, region: str) -> dict:
    """The documented shape of one record in Lambda's SQS event."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


class _Context:
    """The parts of the Lambda context Powertools and Chalice read."""

    def __init__(self, function_name: str):
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:local:123456789012:function:{function_name}"
        self.memory_limit_in_mb = 512
        self.aws_request_id = f"local-{time.time_ns()}"
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000
