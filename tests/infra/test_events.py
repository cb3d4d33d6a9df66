"""Each spec queue feeds the handler the spec names, and that handler exists in its app."""

import pytest

from comptoir_infra.local.apps import load_app_module
from comptoir_infra.spec import SPEC

from .lookup import handler_function, queue_id

CONSUMED = [queue for queue in SPEC.queues if queue.consumer_app]


def sqs_events(template_json, queue) -> list[dict]:
    function = handler_function(template_json, SPEC.app(queue.consumer_app), queue.consumer_handler)
    return [
        event["Properties"] for event in function["Properties"]["Events"].values() if event["Type"] == "SQS"
    ]


def sqs_handlers(queue) -> dict[str, object]:
    """The app's `on_sqs_message` registrations, by handler function name."""
    app = load_app_module(SPEC.app(queue.consumer_app)).app
    return {source.name: source for source in app.event_sources if hasattr(source, "queue")}


def test_every_spec_queue_has_a_consumer():
    assert all(queue.consumer_app and queue.consumer_handler for queue in SPEC.queues)


@pytest.mark.parametrize("queue", CONSUMED, ids=lambda queue: queue.id)
def test_a_queue_feeds_its_consumer_handler_from_the_stack_queue(template_json, queue):
    queues = [event["Queue"] for event in sqs_events(template_json, queue)]
    assert queues == [{"Fn::GetAtt": [queue_id(template_json, queue), "Arn"]}]


@pytest.mark.parametrize("queue", CONSUMED, ids=lambda queue: queue.id)
def test_a_consumer_reports_the_records_that_failed_in_a_batch(template_json, queue):
    (event,) = sqs_events(template_json, queue)
    assert event["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


@pytest.mark.parametrize("queue", CONSUMED, ids=lambda queue: queue.id)
def test_a_consumer_takes_batches_of_the_spec_size(template_json, queue):
    (event,) = sqs_events(template_json, queue)
    assert event["BatchSize"] == queue.batch_size


@pytest.mark.parametrize("queue", CONSUMED, ids=lambda queue: queue.id)
def test_a_spec_consumer_is_an_sqs_handler_of_that_queue_in_its_app(queue):
    handlers = sqs_handlers(queue)
    assert queue.consumer_handler in handlers, (
        f"{queue.consumer_app} has no @on_sqs_message {queue.consumer_handler}"
    )
    assert handlers[queue.consumer_handler].queue == queue.id


@pytest.mark.parametrize("queue", CONSUMED, ids=lambda queue: queue.id)
def test_a_spec_consumer_asks_for_the_batch_size_of_the_spec(queue):
    # The stack sets the spec's size in AWS; the decorator's is what `chalice local` and readers see.
    assert sqs_handlers(queue)[queue.consumer_handler].batch_size == queue.batch_size


@pytest.mark.parametrize("queue", CONSUMED, ids=lambda queue: queue.id)
def test_a_message_stays_hidden_six_times_as_long_as_its_consumer_may_run(template_json, queue):
    """AWS's advice for SQS event sources: otherwise a slow run sees its message delivered again."""
    function = handler_function(template_json, SPEC.app(queue.consumer_app), queue.consumer_handler)
    assert queue.visibility_timeout_s >= 6 * function["Properties"]["Timeout"]
