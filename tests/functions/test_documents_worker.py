"""The documents worker under faults: a run that dies, AWS throttling, a retry, the dead letters.

Real S3 notifications (moto) delivered to the worker through chalice.test.Client, as Lambda would.
A killed worker is a BaseException thrown mid-run: no `except Exception` and no `finally` of ours sees
it, as none runs when Lambda stops a process at its timeout or its memory limit.
"""

import json
from datetime import timedelta

import boto3
import pytest
from botocore.exceptions import ClientError
from chalice.test import Client

from comptoir_core import wiring
from comptoir_core.documents import pipeline, store
from comptoir_core.documents.intake import METADATA_KEY
from comptoir_core.ids import new_id
from comptoir_infra.local.apps import load_app_module
from comptoir_infra.local.provision import connect_notifications
from comptoir_infra.spec import SPEC
from tests.forms import multipart
from tests.functions.conftest import ADMIN, USER, body
from tests.samples import text_pdf

QUEUE = "documents-incoming"


class WorkerKilled(BaseException):
    """What Lambda does to a run at its timeout or memory limit: nothing of the run's own code runs."""


@pytest.fixture
def company(demo_companies):
    return demo_companies["Demo SRL"]


@pytest.fixture
def worker(resources):
    """Receive from a queue and hand the batch to the app's handler; `kept=True` leaves the messages on
    the queue (a crashed invocation), else they are deleted unless reported as failed."""
    connect_notifications(resources)
    sqs = boto3.client("sqs")
    client = Client(load_app_module(SPEC.app("documents")).app)

    def deliver(queue_id: str = QUEUE, handler: str = "on_incoming_object") -> list[dict]:
        url = resources.queue_urls[queue_id]
        answers = []
        while received := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            event = client.events.generate_sqs_event(
                queue_name=queue_id, message_bodies=[m["Body"] for m in received]
            )
            try:
                answer = client.lambda_.invoke(handler, event).payload
            except WorkerKilled:
                # The invocation died: its messages come back after the visibility timeout (here: now).
                for m in received:
                    sqs.change_message_visibility(
                        QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0
                    )
                answers.append("killed")
                return answers
            answers.append(answer)
            failed = {f["itemIdentifier"] for f in answer.get("batchItemFailures", [])}
            ids = [json.loads(json.dumps(r))["messageId"] for r in event["Records"]]
            for message, message_id in zip(received, ids, strict=True):
                if message_id in failed:
                    sqs.change_message_visibility(
                        QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                    )
                else:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            if failed:
                return answers
        return answers

    return deliver


@pytest.fixture
def upload(documents_api, company):
    def upload_one(name: str, data: bytes) -> str:
        content_type, payload = multipart((name, data))
        response = documents_api.call(
            "POST",
            f"/companies/{company}/mailboxes/purchase/documents",
            as_user=ADMIN,
            raw=payload,
            content_type=content_type,
        )
        assert response.status_code == 202, response.body
        return body(response)["documents"][0]

    return upload_one


def _document(company: str, document_id: str):
    return store.get_document(repo=wiring.repository(), company_id=company, document_id=document_id)


def _invocation_deadline_passed(resources) -> None:
    """The killed invocation's deadline is behind us (the redelivery comes a visibility timeout later):
    its in-progress idempotency record has lapsed, as Powertools reads it from the Lambda context."""
    dynamodb = boto3.client("dynamodb")
    table = resources.table_name
    for item in dynamodb.scan(TableName=table)["Items"]:
        if item["pk"]["S"].startswith("IDEMPOTENCY#") and "in_progress_expiration" in item:
            dynamodb.update_item(
                TableName=table,
                Key={"pk": item["pk"], "sk": item["sk"]},
                UpdateExpression="SET in_progress_expiration = :past",
                ExpressionAttributeValues={":past": {"N": "1"}},
            )


def _later(monkeypatch, delta: timedelta) -> None:
    """The clock of the pipeline moved on (a lease lapses) without waiting for it."""
    real = pipeline.now
    monkeypatch.setattr(pipeline, "now", lambda: real() + delta)


def _kill_rendering_after(monkeypatch, pages: int):
    """The run dies after rendering `pages` pages; call the answer to let runs live again."""
    from comptoir_pdf import render

    real = render.render_pages

    def dying(pdf):
        for n, rendered in enumerate(real(pdf)):
            if n >= pages:
                raise WorkerKilled()
            yield rendered

    monkeypatch.setattr(render, "render_pages", dying)
    return lambda: monkeypatch.setattr(render, "render_pages", real)


def test_a_worker_killed_mid_run_completes_the_document_on_redelivery(
    company, upload, worker, monkeypatch, resources
):
    document_id = upload("long.pdf", text_pdf(*(f"page {n}" for n in range(1, 7))))
    revive = _kill_rendering_after(monkeypatch, 2)

    first = worker()
    stranded = _document(company, document_id)
    revive()
    _invocation_deadline_passed(resources)
    _later(monkeypatch, pipeline.LEASE + timedelta(seconds=1))
    second = worker()

    assert first == ["killed"]
    assert (stranded.status.value, stranded.lease_until is not None) == ("received", True)
    assert second == [{"batchItemFailures": []}]
    assert (_document(company, document_id).status.value, _document(company, document_id).pages) == (
        "inbox",
        6,
    )


def test_a_worker_killed_every_time_ends_failed_through_the_dead_letter_queue(
    company, upload, worker, monkeypatch, resources
):
    document_id = upload("long.pdf", text_pdf("one", "two", "three"))
    _kill_rendering_after(monkeypatch, 1)
    queue = next(q for q in SPEC.queues if q.id == QUEUE)

    for _ in range(queue.max_receive_count):
        worker()
        _invocation_deadline_passed(resources)
        _later(monkeypatch, pipeline.LEASE + timedelta(seconds=1))
    # SQS moves the message to the dead-letter queue on the receive after the last try.
    assert worker() == []
    dead = worker(queue.dlq_id, queue.dead_letter_handler)
    document = _document(company, document_id)

    assert dead == [{"batchItemFailures": []}]
    assert document.status.value == "failed"
    assert "did not finish after repeated tries" in document.problem


def test_textract_throttling_is_retried_not_taken_for_a_document_without_fields(
    company, upload, worker, monkeypatch
):
    from comptoir_pdf import recognition

    real = recognition.recognise

    def throttled(*args, **kwargs):
        raise ClientError(
            {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}},
            "AnalyzeExpense",
        )

    monkeypatch.setattr(recognition, "recognise", throttled)
    document_id = upload("invoice.pdf", text_pdf("Invoice 7"))

    answers = worker()
    waiting = _document(company, document_id)
    monkeypatch.setattr(recognition, "recognise", real)
    again = worker()
    done = _document(company, document_id)

    assert answers[0]["batchItemFailures"]  # the record goes back to the queue
    assert (waiting.status.value, waiting.lease_until, waiting.warnings) == ("received", None, [])
    assert again == [{"batchItemFailures": []}]
    assert done.status.value == "inbox"
    assert "could not be read" not in " ".join(done.warnings)


def test_a_retry_puts_the_document_back_on_the_queue_and_the_worker_finishes_it(
    documents_api, company, upload, worker, monkeypatch
):
    from comptoir_pdf import render

    real = render.render_pages

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(render, "render_pages", broken)
    document_id = upload("a.pdf", text_pdf("A"))
    answers = worker()
    failed = _document(company, document_id)
    monkeypatch.setattr(render, "render_pages", real)

    retried = documents_api.call("POST", f"/companies/{company}/documents/{document_id}/retry", as_user=USER)
    before_the_worker = _document(company, document_id)
    worker()
    done = _document(company, document_id)

    assert answers[0]["batchItemFailures"]  # the failing event goes back to the queue too
    assert (failed.status.value, failed.problem) == (
        "failed",
        "an internal error stopped the processing; retry it",
    )
    assert (retried.status_code, body(retried)["status"]) == (202, "received")
    assert before_the_worker.status.value == "received"  # nothing ran inside the request
    assert (done.status.value, done.pages) == ("inbox", 1)
    assert [e.event for e in done.history].count("retried") == 1


def test_a_document_stranded_by_a_dead_run_becomes_retryable_once_its_lease_lapsed(
    documents_api, company, upload, worker, monkeypatch, resources
):
    document_id = upload("a.pdf", text_pdf("A"))
    revive = _kill_rendering_after(monkeypatch, 0)
    worker()
    revive()
    _invocation_deadline_passed(resources)
    too_early = documents_api.call(
        "POST", f"/companies/{company}/documents/{document_id}/retry", as_user=USER
    )
    _later(monkeypatch, pipeline.LEASE + timedelta(seconds=1))

    retried = documents_api.call("POST", f"/companies/{company}/documents/{document_id}/retry", as_user=USER)

    assert too_early.status_code == 409
    assert retried.status_code == 202


def test_an_upload_whose_description_is_unreadable_still_becomes_a_failed_document(
    company, resources, worker
):
    key = f"incoming/{company}/purchase/{new_id('doc')}"
    boto3.client("s3").put_object(
        Bucket=resources.bucket_names["documents"],
        Key=key,
        Body=text_pdf("A"),
        Metadata={METADATA_KEY: "not-base64-json!"},
    )

    answers = worker()
    document = _document(company, key.rsplit("/", 1)[1])

    assert answers == [{"batchItemFailures": []}]
    assert document.status.value == "failed"
    assert "description could not be read" in document.problem


def test_an_uploaded_pdf_whose_bytes_are_an_html_page_is_refused_and_nothing_is_stored(
    documents_api, company, resources
):
    page = b"<!DOCTYPE html><html><body><h1>Invoice</h1></body></html>"
    content_type, payload = multipart(("invoice.pdf", page))

    response = documents_api.call(
        "POST",
        f"/companies/{company}/mailboxes/purchase/documents",
        as_user=ADMIN,
        raw=payload,
        content_type=content_type,
    )
    stored = boto3.client("s3").list_objects_v2(
        Bucket=resources.bucket_names["documents"], Prefix=f"incoming/{company}/"
    )

    assert response.status_code == 415
    assert "not the PDF it claims to be" in body(response)["error"]["message"]
    assert stored.get("KeyCount", 0) == 0
