"""Dropbox on the running local stack: link over HTTP through the fake Dropbox's consent page, drop a PDF
in the company's purchase folder, and `comptoir up`'s long-poll brings it into the Purchase mailbox.

The fake Dropbox (tests/fakes/dropbox_api.py) runs in the test process over HTTPS; the stack's settings
point the SDK at it and trust its certificate."""

import hashlib
import hmac
import json
from urllib.parse import urlsplit

import pytest
import requests

from tests.e2e.conftest import start_stack, wait_for
from tests.fakes.dropbox_api import FakeDropbox
from tests.samples import text_pdf

ADMIN = "admin@demo.comptoir.local"
PURCHASE = "/0417497106/Achats"


@pytest.fixture(scope="module")
def fake_dropbox():
    with FakeDropbox() as fake:
        yield fake


@pytest.fixture(scope="module")
def dropbox_stack(tmp_path_factory, fake_dropbox):
    running = start_stack(tmp_path_factory.mktemp("dropbox") / "data", env=fake_dropbox.settings_env())
    yield running
    if running.process.poll() is None:
        running.stop()


def test_a_pdf_dropped_in_the_linked_purchase_folder_arrives_in_purchase(dropbox_stack, fake_dropbox):
    stack = dropbox_stack
    token = stack.login(ADMIN)["id_token"]
    company = next(
        c["id"]
        for c in stack.request("GET", "/accounts/companies", token=token).json()
        if c["name"] == "Demo SRL"
    )
    fake_dropbox.signed_in = account = fake_dropbox.add_account("anna@demo.example", "Anna Peeters")

    started = stack.request("POST", f"/dropbox-webhook/companies/{company}/link", token=token)
    assert started.status == 201, started.body
    # The user's browser: Dropbox's consent page, then back to the stack's callback.
    consent = requests.get(
        started.json()["authorize_url"], allow_redirects=False, verify=fake_dropbox.ca_bundle, timeout=10
    )
    callback = urlsplit(consent.headers["Location"])
    assert f"{callback.scheme}://{callback.netloc}" == stack.url
    # The same browser: it brings back the cookie the start set.
    cookie = {"Cookie": started.headers["Set-Cookie"].split(";")[0]}
    done = stack.request("GET", f"{callback.path}?{callback.query}", headers=cookie)
    assert done.status == 200, done.body
    link = stack.request("GET", f"/dropbox-webhook/companies/{company}/link", token=token).json()
    assert link["status"] == "connected" and link["folders"]["purchase"] == PURCHASE

    fake_dropbox.put_file(account, f"{PURCHASE}/Facture 2026-117.pdf", text_pdf("Facture 2026-117"))

    def arrived():
        listed = stack.request(
            "GET", f"/documents/companies/{company}/mailboxes/purchase", token=token
        ).json()
        return [
            d for d in listed["documents"] if d["name"] == "Facture 2026-117.pdf" and d["status"] == "inbox"
        ]

    (document,) = wait_for(arrived)
    assert document["source"] == "dropbox" and document["sender"] == "anna@demo.example"
    assert not fake_dropbox.exists(account, f"{PURCHASE}/Facture 2026-117.pdf")


def test_the_webhook_answers_the_challenge_and_refuses_unsigned_notifications(dropbox_stack, fake_dropbox):
    stack = dropbox_stack

    challenge = stack.request("GET", "/dropbox-notifications/webhook?challenge=abc123")
    payload = json.dumps({"list_folder": {"accounts": []}}).encode()
    unsigned = requests.post(f"{stack.url}/dropbox-notifications/webhook", data=payload, timeout=10)
    signature = hmac.new(fake_dropbox.app_secret.encode(), payload, hashlib.sha256).hexdigest()
    signed = requests.post(
        f"{stack.url}/dropbox-notifications/webhook",
        data=payload,
        headers={"Content-Type": "application/json", "X-Dropbox-Signature": signature},
        timeout=10,
    )

    assert challenge.status == 200 and challenge.body == b"abc123"
    assert challenge.headers["Content-Type"] == "text/plain"
    assert challenge.headers["X-Content-Type-Options"] == "nosniff"
    assert unsigned.status_code == 403
    assert signed.status_code == 200
