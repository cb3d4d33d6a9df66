"""End-to-end over HTTP on the local stack: invitations through the outbox, a conversation with an
attachment between a new user and the accountant, VAT documents OK, and a module turned off."""

import re
import urllib.error
import urllib.request

from tests.e2e.conftest import wait_for
from tests.forms import multipart
from tests.samples import text_pdf

ACCOUNTANT = "accountant@demo.comptoir.local"
ADMIN = "admin@demo.comptoir.local"
OTHER_ADMIN = "admin@other.comptoir.local"
PASSWORD = "Chosen-Password-42"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _outbox(stack) -> list[dict]:
    response = stack.request("GET", "/_outbox?format=json")
    assert response.status == 200
    return response.json()


def _mail_to(stack, email: str) -> dict:
    return wait_for(lambda: next((m for m in _outbox(stack) if m["to"] == [email]), None))


def _accept_invitation_from_the_outbox(stack, email: str) -> dict:
    mail = _mail_to(stack, email)
    link = re.search(r'href="([^"]+/invitations/[A-Za-z0-9_-]+)"', mail["body"]).group(1)
    assert link.startswith(stack.url + "/invitations/")
    token = link.rsplit("/", 1)[1]
    accepted = stack.request("POST", f"/accounts/invitations/{token}", body={"password": PASSWORD})
    assert accepted.status == 200, accepted.body
    again = stack.request("POST", f"/accounts/invitations/{token}", body={"password": PASSWORD})
    assert again.status == 410
    return stack.login(email, PASSWORD)


def test_invited_people_talk_with_the_accountant_and_say_vat_documents_are_ok(stack):
    accountant = stack.login(ACCOUNTANT)["id_token"]
    admin = stack.login(ADMIN)["id_token"]
    companies = {
        c["name"]: c["id"] for c in stack.request("GET", "/accounts/companies", token=accountant).json()
    }
    cid, other = companies["Demo SRL"], companies["Other BV"]

    # The accountant invites Nina; Demo SRL's admin asks access for Bob and the accountant approves.
    invited = stack.request(
        "POST",
        f"/accounts/companies/{cid}/invitations",
        token=accountant,
        body={"email": "nina@e2e.example", "name": "Nina", "role": "user", "language": "fr"},
    )
    assert invited.status == 201, invited.body
    asked = stack.request(
        "POST",
        f"/accounts/companies/{cid}/access-requests",
        token=admin,
        body={"email": "bob@e2e.example", "name": "Bob", "role": "user", "language": "en"},
    )
    assert asked.status == 201
    approve = f"/accounts/companies/{cid}/access-requests/{asked.json()['id']}/approve"
    assert stack.request("POST", approve, token=accountant).status == 200
    nina = _accept_invitation_from_the_outbox(stack, "nina@e2e.example")["id_token"]
    bob = _accept_invitation_from_the_outbox(stack, "bob@e2e.example")["id_token"]
    assert stack.request("GET", f"/accounts/companies/{cid}", token=bob).status == 200
    page = stack.request("GET", "/_outbox")
    assert page.status == 200 and b"Votre acc\xc3\xa8s \xc3\xa0 Comptoir pour Demo SRL" in page.body

    # Nina writes with an attachment: the accountant's counter goes up and an e-mail lands in the outbox.
    counter = f"/communication/companies/{cid}/counter"
    before = stack.request("GET", counter, token=accountant).json()["waiting"]
    pdf = text_pdf("Extrait de compte")
    content_type, payload = multipart(
        ("extrait.pdf", pdf), subject="Extrait manquant", message="Le voici 📎", audience="all"
    )
    started = stack.request(
        "POST",
        f"/communication/companies/{cid}/conversations",
        token=nina,
        raw=payload,
        content_type=content_type,
    )
    assert started.status == 201, started.body
    conversation = started.json()
    path = f"/communication/companies/{cid}/conversations/{conversation['id']}"
    assert stack.request("GET", counter, token=accountant).json()["waiting"] == before + 1
    told = wait_for(
        lambda: next(
            (m for m in _outbox(stack) if m["to"] == [ACCOUNTANT] and "Extrait manquant" in m["subject"]),
            None,
        )
    )
    assert "Le voici 📎" in told["body"]

    # The accountant opens it, downloads the attachment through its short-lived link, and answers.
    opened = stack.request("GET", path, token=accountant).json()
    attachment = opened["messages"][0]["attachments"][0]
    request = urllib.request.Request(f"{stack.url}{path}/attachments/{attachment['id']}", method="GET")
    request.add_header("Authorization", f"Bearer {accountant}")
    try:
        urllib.request.build_opener(_NoRedirect).open(request, timeout=10)
        raise AssertionError("expected a redirect")
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 303
        location = redirect.headers["Location"]
    with urllib.request.urlopen(location, timeout=10) as download:
        assert download.read() == pdf
    assert stack.request("GET", counter, token=accountant).json()["waiting"] == before
    nina_before = stack.request("GET", counter, token=nina).json()["waiting"]
    answered = stack.request("POST", f"{path}/messages", token=accountant, body={"text": "Merci, bien reçu."})
    assert answered.status == 201
    assert stack.request("GET", counter, token=nina).json()["waiting"] == nina_before + 1

    # Nina reads the answer and closes the conversation.
    assert stack.request("GET", path, token=nina).json()["messages"][-1]["text"] == "Merci, bien reçu."
    assert stack.request("POST", f"{path}/close", token=nina).json()["state"] == "closed"
    closed = stack.request(
        "GET", f"/communication/companies/{cid}/conversations?state=closed", token=nina
    ).json()
    assert conversation["id"] in [c["id"] for c in closed["items"]]

    # VAT documents OK for a quarter, seen by the accountant, in the firm view too.
    assert (
        stack.request("POST", f"/communication/companies/{cid}/vat-periods/2026-Q3", token=nina).status == 201
    )
    periods = stack.request("GET", f"/communication/companies/{cid}/vat-periods", token=accountant).json()
    assert periods[0]["period"] == "2026-Q3" and periods[0]["by_name"] == "Nina"
    home = {c["name"]: c for c in stack.request("GET", "/accounts/firm/companies", token=accountant).json()}
    assert home["Demo SRL"]["last_vat_ok"] == "2026-Q3"

    # A module turned off answers 404 (Other BV, so nothing else on this stack is disturbed), and on again.
    other_admin = stack.login(OTHER_ADMIN)["id_token"]
    other_counter = f"/communication/companies/{other}/counter"
    modules = f"/accounts/companies/{other}/modules"
    assert stack.request("PUT", modules, token=accountant, body={"communication": False}).status == 200
    try:
        assert stack.request("GET", other_counter, token=other_admin).status == 404
    finally:
        stack.request("PUT", modules, token=accountant, body={"communication": True})
    assert stack.request("GET", other_counter, token=other_admin).status == 200
