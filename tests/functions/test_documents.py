"""documents (foundation part): mailboxes, and the worker that records what channels drop in S3."""

from pathlib import Path

import pytest
from chalice.test import Client

from comptoir_core import keys, wiring
from comptoir_core.ids import new_id
from comptoir_infra.local.apps import load_app_module
from comptoir_infra.spec import INCOMING_QUEUE, SPEC
from tests.functions.conftest import ADMIN, USER, body

EVENTS = Path(__file__).parents[1] / "events"


def _incoming_event(company_id: str, document_id: str, mailbox: str = "purchase") -> str:
    template = (EVENTS / "s3_object_created_incoming.json").read_text()
    return (
        template.replace("{company_id}", company_id)
        .replace("{document_id}", document_id)
        .replace("/purchase/", f"/{mailbox}/")
    )


def _drop(company_id: str, mailbox: str, *, source="upload", sender="") -> str:
    document_id = new_id("doc")
    wiring.blob_store().put(
        keys.incoming_object_key(company_id, mailbox, document_id),
        b"%PDF-1.7 test",
        content_type="application/pdf",
        metadata={"source": source, "sender": sender},
    )
    return document_id


@pytest.fixture
def worker(demo_companies):
    module = load_app_module(SPEC.app("documents"))
    with Client(module.app) as client:

        def deliver(*bodies: str) -> dict:
            event = client.events.generate_sqs_event(queue_name=INCOMING_QUEUE, message_bodies=list(bodies))
            return client.lambda_.invoke("on_incoming_object", event).payload

        yield deliver


def test_a_company_has_the_three_mailboxes(documents_api, demo_companies):
    response = documents_api.call("GET", f"/companies/{demo_companies['Demo SRL']}/mailboxes", as_user=USER)

    assert response.status_code == 200
    assert body(response) == [
        {"id": "purchase", "count": 0},
        {"id": "sales", "count": 0},
        {"id": "misc", "count": 0},
    ]


def test_an_unknown_mailbox_is_404_naming_the_mailboxes(documents_api, demo_companies):
    response = documents_api.call(
        "GET", f"/companies/{demo_companies['Demo SRL']}/mailboxes/inbox", as_user=USER
    )

    assert response.status_code == 404
    assert "purchase, sales and misc" in body(response)["error"]["message"]


def test_a_dropped_file_is_recorded_in_its_mailbox_with_source_and_sender(
    worker, documents_api, demo_companies
):
    company = demo_companies["Demo SRL"]
    document_id = _drop(company, "sales", source="mail", sender="client@example.be")

    result = worker(_incoming_event(company, document_id, "sales"))

    assert result == {"batchItemFailures": []}
    listed = body(documents_api.call("GET", f"/companies/{company}/mailboxes/sales", as_user=ADMIN))
    assert [(d["id"], d["source"], d["sender"], d["status"]) for d in listed] == [
        (document_id, "mail", "client@example.be", "received")
    ]


def test_a_redelivered_event_records_the_document_once(worker, documents_api, demo_companies):
    company = demo_companies["Demo SRL"]
    document_id = _drop(company, "purchase")

    worker(_incoming_event(company, document_id))
    worker(_incoming_event(company, document_id))

    listed = body(documents_api.call("GET", f"/companies/{company}/mailboxes/purchase", as_user=ADMIN))
    assert [d["id"] for d in listed] == [document_id]


def test_a_redelivered_event_does_no_work_the_second_time(worker, demo_companies, monkeypatch):
    company = demo_companies["Demo SRL"]
    document_id = _drop(company, "purchase")
    store = wiring.blob_store()
    reads = []
    original = store.metadata
    monkeypatch.setattr(store, "metadata", lambda key: reads.append(key) or original(key))

    worker(_incoming_event(company, document_id))
    worker(_incoming_event(company, document_id))

    assert len(reads) == 1


def test_a_bad_record_fails_alone_and_the_rest_of_the_batch_lands(worker, documents_api, demo_companies):
    company = demo_companies["Demo SRL"]
    good = _drop(company, "misc")
    bad_key = _incoming_event(company, "../../etc/passwd", "misc")

    result = worker(_incoming_event(company, good, "misc"), bad_key)

    assert len(result["batchItemFailures"]) == 1
    listed = body(documents_api.call("GET", f"/companies/{company}/mailboxes/misc", as_user=ADMIN))
    assert [d["id"] for d in listed] == [good]


def test_the_s3_test_event_is_accepted_and_records_nothing(worker, documents_api, demo_companies):
    result = worker((EVENTS / "s3_test_event.json").read_text())

    assert result == {"batchItemFailures": []}
    counts = body(
        documents_api.call("GET", f"/companies/{demo_companies['Demo SRL']}/mailboxes", as_user=ADMIN)
    )
    assert sum(box["count"] for box in counts) == 0
