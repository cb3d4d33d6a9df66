"""ingest_email through chalice.test.Client against moto: the SQS worker fed by the S3 event of a raw
message under inbound/, the message list and raw download for admins and the accountant, and the
mailbox address routes of accounts."""

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from chalice.test import Client

from comptoir_core import wiring
from comptoir_core.mail import addresses
from comptoir_core.settings import get_settings
from comptoir_infra.local.apps import load_app_module
from comptoir_infra.spec import INBOUND_QUEUE, SPEC
from tests.functions.conftest import ACCOUNTANT, ADMIN, USER, Api, accounts_api, body  # noqa: F401
from tests.mail.builders import attach, message, ses_stored
from tests.samples import text_pdf

EVENTS = Path(__file__).parents[1] / "events"


def _event_for(key: str, size: int) -> str:
    """The S3 event SES's write produces (the documented shape), for the key SES chose."""
    template = json.loads((EVENTS / "s3_object_created_incoming.json").read_text())
    record = template["Records"][0]
    record["s3"]["object"].update(key=key, size=size)
    record["s3"]["configurationId"] = "inbound"
    return json.dumps(template)


@pytest.fixture
def ingest_email(id_token):
    with Client(load_app_module(SPEC.app("ingest_email")).app) as client:
        yield client, Api(client, id_token)


@pytest.fixture
def purchase(demo_companies) -> tuple[str, str]:
    company = demo_companies["Demo SRL"]
    made = addresses.ensure_addresses(
        repo=wiring.repository(), company_id=company, domain=get_settings().inbound_domain
    )
    return company, made[0].address


def _store(resources, key: str, raw: bytes) -> str:
    boto3.client("s3").put_object(Bucket=resources.bucket_names["documents"], Key=key, Body=raw)
    return _event_for(key, len(raw))


def _invoke(client: Client, *bodies: str) -> dict:
    event = client.events.generate_sqs_event(queue_name=INBOUND_QUEUE, message_bodies=list(bodies))
    return client.lambda_.invoke("on_inbound_message", event).payload


def _incoming(resources, company: str) -> list[str]:
    listed = boto3.client("s3").list_objects_v2(
        Bucket=resources.bucket_names["documents"], Prefix=f"incoming/{company}/"
    )
    return [item["Key"] for item in listed.get("Contents", [])]


def _mail(address: str, raw_subject: str = "Invoice 42", files: int = 2, **ses) -> bytes:
    made = message(to=address, subject=raw_subject)
    for n in range(files):
        attach(made, text_pdf(f"Invoice {n}"), f"invoice-{n}.pdf", "application/pdf")
    return ses_stored(made, recipient=address, **ses)


def test_a_stored_message_becomes_incoming_documents_of_its_mailbox(ingest_email, purchase, resources):
    client, _ = ingest_email
    company, address = purchase

    result = _invoke(client, _store(resources, "inbound/one", _mail(address)))

    assert result == {"batchItemFailures": []}
    keys = _incoming(resources, company)
    assert len(keys) == 2 and all(k.startswith(f"incoming/{company}/purchase/doc_") for k in keys)


def test_a_redelivered_event_imports_nothing_again(ingest_email, purchase, resources):
    client, _ = ingest_email
    company, address = purchase
    event = _store(resources, "inbound/twice", _mail(address))

    _invoke(client, event)
    _invoke(client, event)

    assert len(_incoming(resources, company)) == 2


def test_a_bad_record_fails_alone_and_the_rest_of_the_batch_lands(ingest_email, purchase, resources):
    client, _ = ingest_email
    company, address = purchase
    good = _store(resources, "inbound/good", _mail(address, files=1))
    missing = _event_for("inbound/never-stored", 10)

    result = _invoke(client, good, missing)

    assert len(result["batchItemFailures"]) == 1
    assert len(_incoming(resources, company)) == 1


def test_the_s3_test_event_is_accepted_and_imports_nothing(ingest_email, purchase, resources):
    client, _ = ingest_email

    assert _invoke(client, (EVENTS / "s3_test_event.json").read_text()) == {"batchItemFailures": []}
    assert _incoming(resources, purchase[0]) == []


def _received(client, resources, address, key="inbound/listed", **ses) -> None:
    _invoke(client, _store(resources, key, _mail(address, **ses)))


def test_admins_and_the_accountant_see_each_message_with_its_outcome(ingest_email, purchase, resources):
    client, api = ingest_email
    company, address = purchase
    _received(client, resources, address)
    _received(client, resources, address, key="inbound/virus", raw_subject="Other", virus="FAIL")

    for reader in (ADMIN, ACCOUNTANT):
        response = api.call("GET", f"/companies/{company}/messages", as_user=reader)
        assert response.status_code == 200
        listed = body(response)
        assert sorted((m["subject"], m["outcome"], m["imported"]) for m in listed) == [
            ("Invoice 42", "imported", 2),
            ("Other", "refused_virus", 0),
        ]


def test_a_user_may_not_read_the_messages(ingest_email, purchase):
    _, api = ingest_email

    response = api.call("GET", f"/companies/{purchase[0]}/messages", as_user=USER)

    assert response.status_code == 403


def test_a_month_that_is_not_a_month_is_a_400(ingest_email, purchase):
    _, api = ingest_email

    response = api.call("GET", f"/companies/{purchase[0]}/messages?month=2026-13", as_user=ADMIN)

    assert response.status_code == 400


def test_an_earlier_month_lists_its_own_messages(ingest_email, purchase, resources):
    client, api = ingest_email
    _received(client, resources, purchase[1])

    response = api.call("GET", f"/companies/{purchase[0]}/messages?month=2001-01", as_user=ADMIN)

    assert body(response) == []


def test_a_message_shows_what_was_imported_and_what_was_skipped_and_why(ingest_email, purchase, resources):
    client, api = ingest_email
    company, address = purchase
    made = attach(message(to=address), text_pdf(), "kept.pdf", "application/pdf")
    attach(made, b"MZ" + b"\x00" * 300, "tool.exe")
    _invoke(client, _store(resources, "inbound/detail", ses_stored(made, recipient=address)))
    (summary,) = body(api.call("GET", f"/companies/{company}/messages", as_user=ADMIN))

    detail = body(api.call("GET", f"/companies/{company}/messages/{summary['id']}", as_user=ACCOUNTANT))

    assert [(p["name"], p["mailbox"]) for p in detail["imported"]] == [("kept.pdf", "purchase")]
    assert detail["skipped"] == [
        {"name": "tool.exe", "reason": "a program (executables are never imported)", "size": 302}
    ]
    assert detail["verdicts"] == {
        "spam": "PASS",
        "virus": "PASS",
        "spf": "pass",
        "dkim": "pass",
        "dmarc": "pass",
        "sender_not_authenticated": False,
    }
    assert "raw_key" not in detail


def test_the_raw_message_is_downloaded_through_a_short_lived_link(ingest_email, purchase, resources):
    client, api = ingest_email
    company, address = purchase
    raw = _mail(address, virus="FAIL")
    _invoke(client, _store(resources, "inbound/raw", raw))
    (summary,) = body(api.call("GET", f"/companies/{company}/messages", as_user=ADMIN))

    response = api.call("GET", f"/companies/{company}/messages/{summary['id']}/raw", as_user=ACCOUNTANT)

    link = body(response)
    url = urlsplit(link["url"])
    assert url.path.endswith("/inbound/raw")
    query = parse_qs(url.query)
    assert query["response-content-type"] == ["message/rfc822"]
    assert "X-Amz-Signature" in query or "Signature" in query
    assert (link["expires_in"], link["size"]) == (300, len(raw))


@pytest.mark.parametrize(
    "mid", ["ml_00000000000000000000000000", "inbound%2Fraw", "doc_01jd0000000000000000000000"]
)
def test_an_unknown_message_is_404(ingest_email, purchase, mid):
    _, api = ingest_email

    assert api.call("GET", f"/companies/{purchase[0]}/messages/{mid}", as_user=ADMIN).status_code == 404


# --- the addresses routes of accounts ------------------------------------------------------------


def test_every_member_sees_the_three_mailbox_addresses(accounts_api, demo_companies):  # noqa: F811
    company = demo_companies["Demo SRL"]

    response = accounts_api.call("GET", f"/companies/{company}/addresses", as_user=USER)

    assert response.status_code == 200
    listed = body(response)
    assert [a["mailbox"] for a in listed] == ["purchase", "sales", "misc"]
    assert all(a["address"].startswith(f"demo-srl.{a['mailbox']}.") for a in listed)


def test_an_admin_regenerates_an_address_and_the_old_one_stops_working(accounts_api, demo_companies):  # noqa: F811
    company = demo_companies["Demo SRL"]
    path = f"/companies/{company}/addresses"
    old = body(accounts_api.call("GET", path, as_user=ADMIN))[1]

    response = accounts_api.call("POST", f"{path}/sales/regenerate", as_user=ADMIN)

    assert response.status_code == 200
    new = body(response)
    assert new["mailbox"] == "sales" and new["address"] != old["address"]
    assert body(accounts_api.call("GET", path, as_user=USER))[1]["address"] == new["address"]
    domain = get_settings().inbound_domain
    assert addresses.resolve_address(repo=wiring.repository(), address=old["address"], domain=domain) is None


@pytest.mark.parametrize("who", [USER, ACCOUNTANT])
def test_only_an_admin_may_regenerate_an_address(accounts_api, demo_companies, who):  # noqa: F811
    company = demo_companies["Demo SRL"]

    response = accounts_api.call("POST", f"/companies/{company}/addresses/purchase/regenerate", as_user=who)

    assert response.status_code == 403


def test_regenerating_an_unknown_mailbox_is_404(accounts_api, demo_companies):  # noqa: F811
    company = demo_companies["Demo SRL"]

    response = accounts_api.call("POST", f"/companies/{company}/addresses/inbox/regenerate", as_user=ADMIN)

    assert response.status_code == 404


# ---- SES's own notification, through SNS ----------------------------------------------------------


def _sns_envelope(notification: str) -> str:
    """What SQS holds for a message SNS delivered (not raw): SNS's envelope around SES's JSON."""
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": "5b9a8f39-0000-4000-8000-000000000001",
            "TopicArn": "arn:aws:sns:eu-west-1:123456789012:comptoir-mail-received",
            "Subject": "Amazon SES Email Receipt Notification",
            "Message": notification,
            "Timestamp": "2026-12-04T10:00:00.000Z",
        }
    )


def test_a_bcc_to_two_mailboxes_reaches_both_with_the_verdicts_of_ses_notification(
    ingest_email, purchase, resources
):
    from datetime import UTC, datetime

    from comptoir_core.mail.notification import ses_notification

    client, _ = ingest_email
    company, _ = purchase
    boxes = {
        a.mailbox.value: a.address
        for a in addresses.ensure_addresses(
            repo=wiring.repository(), company_id=company, domain=get_settings().inbound_domain
        )
    }
    # Bcc: the header names neither mailbox, and SES's Received header in the object names one only.
    made = attach(message(to="someone@supplier.be"), text_pdf("Invoice 88"), "invoice.pdf", "application/pdf")
    key = "inbound/bcc-two-mailboxes"
    boto3.client("s3").put_object(
        Bucket=resources.bucket_names["documents"],
        Key=key,
        Body=ses_stored(made, recipient=boxes["purchase"]),
    )
    notification = ses_notification(
        message_id="bcc-two-mailboxes",
        source="invoices@supplier.be",
        recipients=[boxes["purchase"], boxes["sales"]],
        bucket=resources.bucket_names["documents"],
        key=key,
        topic_arn="arn:aws:sns:eu-west-1:123456789012:comptoir-mail-received",
        received_at=datetime.now(UTC),
        spam="PASS",
        virus="PASS",
        spf="FAIL",
        dkim="FAIL",
        dmarc="FAIL",
    )

    result = _invoke(client, _sns_envelope(notification))

    assert result == {"batchItemFailures": []}
    stored = _incoming(resources, company)
    assert sorted(k.split("/")[2] for k in stored) == ["purchase", "sales"]
    heads = [
        boto3.client("s3").head_object(Bucket=resources.bucket_names["documents"], Key=k) for k in stored
    ]
    from comptoir_core.documents.intake import read_incoming_metadata

    flags = {read_incoming_metadata(h["Metadata"]).mail.sender_not_authenticated for h in heads}
    assert flags == {True}
