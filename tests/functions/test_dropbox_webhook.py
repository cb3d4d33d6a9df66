"""dropbox_webhook: the routes through chalice.test.Client, the worker through its SQS handler, the SDK
against the fake Dropbox (tests/fakes/dropbox_api.py), AWS in moto."""

import hashlib
import hmac
import json
from urllib.parse import urlencode

import boto3
import pytest
from chalice.test import Client

from comptoir_core.documents.models import Source
from comptoir_core.settings import get_settings
from comptoir_infra.local.apps import load_app_module
from comptoir_infra.spec import SPEC
from tests.dropbox.conftest import REDIRECT_URL, consent
from tests.fakes.dropbox_api import FakeDropbox
from tests.functions.conftest import ACCOUNTANT, ADMIN, api_for, body
from tests.samples import text_pdf

dropbox_api = api_for("dropbox_webhook")


@pytest.fixture
def fake_dropbox():
    with FakeDropbox() as fake:
        yield fake


@pytest.fixture
def dropbox_settings(resources, fake_dropbox, monkeypatch):
    """The apps' settings pointing the SDK at the fake; the app key and secret are the fake's."""
    for name, value in {**fake_dropbox.settings_env(), "COMPTOIR_DROPBOX_REDIRECT_URL": REDIRECT_URL}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
def webhook(dropbox_settings):
    """The webhook's own app, for Dropbox's calls: no user, no token."""
    with Client(load_app_module(SPEC.app("dropbox_notifications")).app) as client:
        yield client


@pytest.fixture
def dropbox_account(fake_dropbox) -> str:
    fake_dropbox.signed_in = fake_dropbox.add_account("anna@demo.example", "Anna Peeters")
    return fake_dropbox.signed_in


documents_api_ = api_for("documents")
PURCHASE = "/0417497106/Achats"


@pytest.fixture
def company(demo_companies):
    return demo_companies["Demo SRL"]


def signed(payload: bytes, secret: str) -> dict[str, str]:
    return {"X-Dropbox-Signature": hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()}


def notify(client, payload: bytes, headers: dict[str, str]):
    return client.http.post("/webhook", headers={"Content-Type": "application/json", **headers}, body=payload)


def queued(resources) -> list[dict]:
    sqs = boto3.client("sqs")
    messages = sqs.receive_message(
        QueueUrl=resources.queue_urls["dropbox-accounts"], MaxNumberOfMessages=10
    ).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def notification(*accounts: str) -> bytes:
    return json.dumps({"list_folder": {"accounts": list(accounts)}, "delta": {"users": [12345]}}).encode()


def link_through_the_api(dropbox_api, fake_dropbox, company, as_user=ADMIN, *, same_browser=True):
    started = dropbox_api.call("POST", f"/companies/{company}/link", as_user=as_user)
    assert started.status_code == 201, started.body
    query = consent(fake_dropbox, body(started)["authorize_url"])
    # The browser sends back the cookie the start set (name=value, before its attributes).
    cookie = {"Cookie": started.headers["Set-Cookie"].split(";")[0]} if same_browser else {}
    return dropbox_api._client.http.get(f"/oauth/callback?{urlencode(query)}", headers=cookie)


def test_a_consent_brought_back_by_another_browser_session_links_nothing(
    dropbox_api, dropbox_settings, fake_dropbox, dropbox_account, company
):
    answer = link_through_the_api(dropbox_api, fake_dropbox, company, same_browser=False)

    assert answer.status_code == 400
    assert "another browser session" in body(answer)["error"]["message"]
    assert (
        body(dropbox_api.call("GET", f"/companies/{company}/link", as_user=ADMIN))["status"] == "not_linked"
    )


def test_the_cookie_that_binds_the_link_is_http_only_and_not_in_the_answer(
    dropbox_api, dropbox_settings, fake_dropbox, dropbox_account, company
):
    started = dropbox_api.call("POST", f"/companies/{company}/link", as_user=ADMIN)

    cookie = started.headers["Set-Cookie"]
    assert cookie.startswith("comptoir_dropbox_link=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert set(body(started)) == {"authorize_url", "expires_at"}


# ---- the webhook ----------------------------------------------------------------------------------


def test_the_challenge_is_echoed_as_plain_text_that_is_not_sniffed(webhook, dropbox_settings):
    response = webhook.http.get("/webhook?challenge=Zm9vYmFy-42")

    assert response.status_code == 200
    assert response.body == b"Zm9vYmFy-42"
    assert response.headers["Content-Type"] == "text/plain"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_challenge_request_without_a_challenge_is_400(webhook, dropbox_settings):
    assert webhook.http.get("/webhook").status_code == 400


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Dropbox-Signature": "0" * 64}, {"X-Dropbox-Signature": "not hex at all"}],
    ids=["missing", "wrong", "garbage"],
)
def test_a_notification_without_the_right_signature_is_403_and_queues_nothing(
    webhook, dropbox_settings, resources, headers
):
    response = notify(webhook, notification("dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc"), headers)

    assert response.status_code == 403
    assert queued(resources) == []


def test_a_signature_over_other_bytes_is_403(webhook, dropbox_settings, resources):
    payload = notification("dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc")
    other = notification("dbid:someone-else")

    response = notify(webhook, payload, signed(other, dropbox_settings.dropbox_app_secret.get_secret_value()))

    assert response.status_code == 403


def test_a_signed_notification_is_200_with_each_account_handed_on_once(webhook, dropbox_settings, resources):
    payload = notification("dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc", "dbid:BBB", "dbid:BBB")

    response = notify(
        webhook, payload, signed(payload, dropbox_settings.dropbox_app_secret.get_secret_value())
    )

    assert response.status_code == 200
    assert body(response) == {"queued": 2}
    assert queued(resources) == [{"accounts": ["dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc", "dbid:BBB"]}]


def test_a_signed_notification_naming_twenty_thousand_accounts_is_200_in_a_few_messages(
    webhook, dropbox_settings, resources
):
    accounts = [f"dbid:account{n:05d}" for n in range(20_000)]
    payload = notification(*accounts)

    response = notify(
        webhook, payload, signed(payload, dropbox_settings.dropbox_app_secret.get_secret_value())
    )
    sqs = boto3.client("sqs")
    depth = sqs.get_queue_attributes(
        QueueUrl=resources.queue_urls["dropbox-accounts"], AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]["ApproximateNumberOfMessages"]

    assert (response.status_code, body(response)) == (200, {"queued": 20_000})
    assert int(depth) == 20


def test_a_malformed_account_id_in_a_signed_notification_is_ignored_not_refused(
    webhook, dropbox_settings, resources
):
    payload = json.dumps({"list_folder": {"accounts": ["../../etc", "dbid:CCC"]}}).encode()

    response = notify(
        webhook, payload, signed(payload, dropbox_settings.dropbox_app_secret.get_secret_value())
    )

    assert (response.status_code, body(response)) == (200, {"queued": 1})
    assert queued(resources) == [{"accounts": ["dbid:CCC"]}]


def test_a_signed_body_that_is_not_json_is_400(webhook, dropbox_settings, resources):
    payload = b"list_folder=everything"

    response = notify(
        webhook, payload, signed(payload, dropbox_settings.dropbox_app_secret.get_secret_value())
    )

    assert response.status_code == 400
    assert queued(resources) == []


def test_the_worker_queues_again_only_the_notified_accounts_linked_to_a_company(
    dropbox_api, dropbox_settings, fake_dropbox, dropbox_account, company, resources
):
    link_through_the_api(dropbox_api, fake_dropbox, company)
    client = Client(load_app_module(SPEC.app("dropbox_webhook")).app)
    message = json.dumps({"accounts": [dropbox_account, "dbid:unknown1", "dbid:unknown2"]})
    event = client.events.generate_sqs_event(queue_name="dropbox-accounts", message_bodies=[message])

    answer = client.lambda_.invoke("on_dropbox_account", event).payload

    assert answer == {"batchItemFailures": []}
    assert queued(resources) == [{"account_id": dropbox_account}]


# ---- linking through the routes ------------------------------------------------------------------


def test_linking_through_the_routes_shows_connected_on_the_profile(
    dropbox_api, dropbox_settings, fake_dropbox, dropbox_account, company
):
    assert (
        body(dropbox_api.call("GET", f"/companies/{company}/link", as_user=ADMIN))["status"] == "not_linked"
    )

    done = link_through_the_api(dropbox_api, fake_dropbox, company)

    assert done.status_code == 200, done.body
    assert done.headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"anna@demo.example" in done.body and PURCHASE.encode() in done.body
    read = body(dropbox_api.call("GET", f"/companies/{company}/link", as_user=ACCOUNTANT))
    assert read["status"] == "connected"
    assert read["account_email"] == "anna@demo.example"
    assert read["folders"]["purchase"] == PURCHASE


def test_the_callback_with_a_bad_state_is_400_and_links_nothing(dropbox_api, dropbox_settings, company):
    response = dropbox_api._client.http.get(
        "/oauth/callback?" + urlencode({"state": "abc|co_x.st_y.00", "code": "x"})
    )

    assert response.status_code == 400
    assert (
        body(dropbox_api.call("GET", f"/companies/{company}/link", as_user=ADMIN))["status"] == "not_linked"
    )


def test_the_callback_without_a_state_is_400(dropbox_api, dropbox_settings):
    assert dropbox_api._client.http.get("/oauth/callback?code=x").status_code == 400


def test_an_accountant_may_not_link(dropbox_api, dropbox_settings, company):
    response = dropbox_api.call("POST", f"/companies/{company}/link", as_user=ACCOUNTANT)

    assert response.status_code == 403


def test_unlinking_through_the_route(dropbox_api, dropbox_settings, fake_dropbox, dropbox_account, company):
    link_through_the_api(dropbox_api, fake_dropbox, company)

    response = dropbox_api.call("DELETE", f"/companies/{company}/link", as_user=ADMIN)

    assert response.status_code == 200
    assert body(response)["status"] == "not_linked"
    assert fake_dropbox.count("auth/token/revoke") == 1


# ---- from Dropbox to the mailbox --------------------------------------------------------------------


def test_a_pdf_dropped_in_purchase_reaches_the_purchase_mailbox_from_dropbox_and_leaves_dropbox(
    dropbox_api, documents_api_, dropbox_settings, fake_dropbox, dropbox_account, company, pump, webhook
):
    link_through_the_api(dropbox_api, fake_dropbox, company)
    fake_dropbox.put_file(dropbox_account, f"{PURCHASE}/Facture 17.pdf", text_pdf("Facture 17"))
    payload = notification(dropbox_account)
    secret = dropbox_settings.dropbox_app_secret.get_secret_value()

    assert notify(webhook, payload, signed(payload, secret)).status_code == 200
    # The notification's message, then the account's own one: both handled.
    assert pump("dropbox-accounts") == [{"batchItemFailures": []}, {"batchItemFailures": []}]

    assert not fake_dropbox.exists(dropbox_account, f"{PURCHASE}/Facture 17.pdf")
    assert all(answer == {"batchItemFailures": []} for answer in pump())
    listed = body(documents_api_.call("GET", f"/companies/{company}/mailboxes/purchase", as_user=ADMIN))
    (document,) = listed["documents"]
    assert document["source"] == Source.dropbox.value
    assert document["name"] == "Facture 17.pdf"
    assert document["sender"] == "anna@demo.example"
    assert document["status"] == "inbox" and document["pages"] == 1


def test_a_worker_run_that_could_not_store_reports_the_record_as_failed(
    dropbox_api, dropbox_settings, fake_dropbox, dropbox_account, company, pump, monkeypatch, webhook
):
    link_through_the_api(dropbox_api, fake_dropbox, company)
    fake_dropbox.put_file(dropbox_account, f"{PURCHASE}/invoice.pdf", text_pdf("Invoice"))
    from comptoir_core.blobs import BlobStore

    def refuse(self, *args, **kwargs):
        raise OSError("S3 is down")

    monkeypatch.setattr(BlobStore, "put", refuse)
    # Two accounts in one batch: the linked one cannot store its file, the other has nothing to do.
    payload = notification(dropbox_account, "dbid:not-linked-to-anything")
    notify(webhook, payload, signed(payload, dropbox_settings.dropbox_app_secret.get_secret_value()))

    notified, answer = pump("dropbox-accounts")

    assert notified == {"batchItemFailures": []}  # the unlinked account is not queued again
    assert len(answer["batchItemFailures"]) == 1
    assert fake_dropbox.exists(dropbox_account, f"{PURCHASE}/invoice.pdf")


def test_in_aws_the_app_secret_is_read_from_secrets_manager_not_the_environment(
    webhook, dropbox_settings, resources, monkeypatch
):
    from comptoir_core.dropbox import wiring as dropbox_wiring

    secret = dropbox_settings.dropbox_app_secret.get_secret_value()
    arn = boto3.client("secretsmanager").create_secret(Name="comptoir-dropbox", SecretString=secret)["ARN"]
    monkeypatch.setenv("COMPTOIR_DROPBOX_APP_SECRET", "")
    monkeypatch.setenv("COMPTOIR_DROPBOX_APP_SECRET_ARN", arn)
    get_settings.cache_clear()
    dropbox_wiring._secret.cache_clear()
    payload = notification("dbid:AAA")

    response = notify(webhook, payload, signed(payload, secret))

    assert (response.status_code, body(response)) == (200, {"queued": 1})
