"""The "document failed to import" e-mail: to whom it concerns, once per failed attempt.

Real S3 notifications and queues (moto) delivered to the documents worker, as in test_documents_worker.py;
the e-mails are read from moto's SES.
"""

from datetime import UTC, datetime, timedelta  # noqa: I001

import pytest

from comptoir_core import wiring
from comptoir_core.documents import failures, pipeline
from comptoir_core.documents.models import Document, DocumentStatus
from comptoir_core.ids import new_id
from comptoir_infra.local.outbox import sent_messages
from comptoir_infra.spec import SPEC
from tests.conftest import REGION
from tests.functions.conftest import ACCOUNTANT, ADMIN, USER

from tests.functions import test_documents_worker as faults
from tests.samples import text_pdf


# The worker's fixtures, registered here as _upload and _worker.
_upload, _worker = faults.upload, faults.worker
QUEUE = faults.QUEUE


@pytest.fixture
def company(demo_companies):
    return demo_companies["Demo SRL"]


def failed_mails() -> list[dict]:
    return [m for m in sent_messages(REGION) if "broken.pdf" in m["body"] or "long.pdf" in m["body"]]


@pytest.fixture
def broken_rendering(monkeypatch):
    from comptoir_pdf import render

    real = render.render_pages

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(render, "render_pages", broken)
    return lambda: monkeypatch.setattr(render, "render_pages", real)


def test_a_failed_upload_is_told_to_its_uploader_once_however_often_the_event_comes_back(
    company,
    _upload,
    _worker,
    broken_rendering,
):
    document_id = _upload("broken.pdf", text_pdf("A"))

    first = _worker()  # fails; the event goes back to the queue
    again = _worker()  # the redelivery fails the same way

    assert first[0]["batchItemFailures"] and again[0]["batchItemFailures"]
    assert faults._document(company, document_id).status == DocumentStatus.failed
    mails = failed_mails()
    assert [m["to"] for m in mails] == [[ADMIN]]
    assert "an internal error stopped the processing" in mails[0]["body"]
    assert f"/doc/{document_id}" in mails[0]["body"]


def test_a_retry_by_hand_that_fails_again_is_a_new_failure_told_again(
    documents_api,
    company,
    _upload,
    _worker,
    broken_rendering,
):
    document_id = _upload("broken.pdf", text_pdf("A"))
    _worker()

    retried = documents_api.call("POST", f"/companies/{company}/documents/{document_id}/retry", as_user=ADMIN)
    _worker()

    assert retried.status_code == 202
    assert [m["to"] for m in failed_mails()] == [[ADMIN], [ADMIN]]


def test_a_document_the_dead_letter_consumer_marks_failed_is_told_once(
    company,
    _upload,
    _worker,
    monkeypatch,
    resources,
):
    document_id = _upload("long.pdf", text_pdf("one", "two", "three"))
    faults._kill_rendering_after(monkeypatch, 1)
    queue = next(q for q in SPEC.queues if q.id == QUEUE)
    for _ in range(queue.max_receive_count):
        _worker()
        faults._invocation_deadline_passed(resources)
        faults._later(monkeypatch, pipeline.LEASE + timedelta(seconds=1))
    _worker()

    _worker(queue.dlq_id, queue.dead_letter_handler)
    document = faults._document(company, document_id)
    # The same dead letter handled twice (a redelivery of the consumer's own batch).
    failures.tell_failed(repo=wiring.repository(), document=document)

    assert document.status == DocumentStatus.failed
    assert [m["to"] for m in failed_mails()] == [[ADMIN]]


def test_a_failed_document_from_outside_is_told_to_the_companys_users_not_the_accountant(company):
    document = Document(
        id=new_id("doc"),
        company_id=company,
        mailbox="purchase",
        status=DocumentStatus.failed,
        source="mail",
        name="broken.pdf",
        sender="billing@supplier.example",
        received_at=datetime.now(UTC),
        size=10,
        original_key=f"incoming/{company}/purchase/x",
        problem="the file is damaged",
    )

    told = failures.tell_failed(repo=wiring.repository(), document=document)
    told_again = failures.tell_failed(repo=wiring.repository(), document=document)

    assert (told, told_again) == (True, False)
    recipients = sorted(address for m in failed_mails() for address in m["to"])
    assert ACCOUNTANT not in recipients
    assert recipients == sorted([ADMIN, USER])
