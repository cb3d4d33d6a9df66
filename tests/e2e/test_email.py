"""E-mail intake on the running local stack: real SMTP to the listener, documents read back over HTTP."""

import smtplib
import threading
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pymupdf
import pytest

from tests.e2e.conftest import wait_for
from tests.mail.builders import attach, message, photo
from tests.samples import text_pdf

ADMIN = "admin@demo.comptoir.local"
ACCOUNTANT = "accountant@demo.comptoir.local"


@pytest.fixture(scope="module")
def demo(stack):
    """The demo admin's token, Demo SRL's id and its mailbox addresses."""
    token = stack.login(ADMIN)["id_token"]
    company = stack.request("GET", "/accounts/companies", token=token).json()[0]["id"]
    listed = stack.request("GET", f"/accounts/companies/{company}/addresses", token=token).json()
    return {"token": token, "company": company, **{a["mailbox"]: a["address"] for a in listed}}


def _send(stack, made: EmailMessage, *, to: str) -> None:
    with smtplib.SMTP("127.0.0.1", stack.smtp_port, timeout=10) as smtp:
        smtp.send_message(made, from_addr="bounce@supplier.be", to_addrs=[to])


def _documents(stack, demo, mailbox: str = "purchase", label: str | None = None) -> list[dict]:
    """The mailbox's documents (with this label: one page of the list holds every one of a test's)."""
    query = f"?label={label}&limit=200" if label else "?limit=200"
    answer = stack.request(
        "GET", f"/documents/companies/{demo['company']}/mailboxes/{mailbox}{query}", token=demo["token"]
    )
    return answer.json()["documents"]


def _ready(stack, demo, subject_label: str, count: int, mailbox: str = "purchase"):
    """The documents labelled with `subject_label`, once there are `count` of them, all past the pipeline."""

    def check():
        mine = _documents(stack, demo, mailbox, subject_label)
        return mine if len(mine) == count and all(d["status"] != "received" for d in mine) else None

    return wait_for(check)


def test_two_pdfs_and_a_jpeg_sent_to_the_purchase_address_become_three_documents(stack, demo):
    made = message(
        to=demo["purchase"], subject="Invoices #three", sender="Supplier SRL <invoices@supplier.be>"
    )
    attach(made, text_pdf("Invoice 1"), "invoice-1.pdf", "application/pdf")
    attach(made, text_pdf("Invoice 2"), "invoice-2.pdf", "application/pdf")
    attach(made, photo(), "receipt.jpg", "image/jpeg")

    _send(stack, made, to=demo["purchase"])

    documents = _ready(stack, demo, "three", 3)
    assert documents, "three documents in Purchase"
    assert sorted(d["name"] for d in documents) == ["invoice-1.pdf", "invoice-2.pdf", "receipt.jpg"]
    assert {(d["source"], d["sender"], d["status"]) for d in documents} == {
        ("mail", "invoices@supplier.be", "inbox")
    }


class _CountingServer:
    """A local web server that counts every request: the HTML e-mail's remote resources point here."""

    def __init__(self):
        self.hits: list[str] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_an_html_only_message_becomes_a_one_page_pdf_and_its_remote_image_is_never_fetched(stack, demo):
    server = _CountingServer()
    try:
        html = (
            "<html><head>"
            f'<link rel="stylesheet" href="{server.url}/style.css">'
            f'<style>@import url("{server.url}/import.css"); body {{ background: url({server.url}/bg.png) }}</style>'
            f'<script src="{server.url}/script.js"></script>'
            "</head><body>"
            "<h1>Invoice 2026-0815</h1><p>Total due: 1.234,56 EUR</p>"
            f'<img src="{server.url}/pixel.png" width="1" height="1">'
            f'<iframe src="{server.url}/frame.html"></iframe>'
            "</body></html>"
        )
        made = message(to=demo["purchase"], subject="Web invoice #htmlonly", text=None, html=html)

        _send(stack, made, to=demo["purchase"])

        (document,) = _ready(stack, demo, "htmlonly", 1) or [None]
        assert document is not None, "one document made of the body"
        detail = stack.request(
            "GET", f"/documents/companies/{demo['company']}/documents/{document['id']}", token=demo["token"]
        ).json()
        assert (detail["status"], detail["pages"]) == ("inbox", 1)
        pdf = stack.request(
            "GET",
            f"/documents/companies/{demo['company']}/documents/{document['id']}/file",
            token=demo["token"],
        )
        assert pdf.status == 200
        text = pymupdf.open(stream=pdf.body).load_page(0).get_text()
        assert "Invoice 2026-0815" in text and "1.234,56 EUR" in text
        assert server.hits == []
    finally:
        server.close()


def test_the_same_message_delivered_twice_adds_nothing(stack, demo):
    made = message(to=demo["purchase"], subject="Once #twice", message_id="<twice-0001@supplier.be>")
    attach(made, text_pdf("Only once"), "once.pdf", "application/pdf")

    _send(stack, made, to=demo["purchase"])
    assert _ready(stack, demo, "twice", 1)
    _send(stack, made, to=demo["purchase"])

    def noted_again():
        listed = stack.request(
            "GET", f"/ingest-email/companies/{demo['company']}/messages", token=demo["token"]
        ).json()
        (summary,) = [m for m in listed if m["subject"] == "Once #twice"]
        record = stack.request(
            "GET", f"/ingest-email/companies/{demo['company']}/messages/{summary['id']}", token=demo["token"]
        ).json()
        return record if "received_again" in [e["event"] for e in record["history"]] else None

    record = wait_for(noted_again)
    assert record and len(record["imported"]) == 1
    assert len(_documents(stack, demo, label="twice")) == 1


@pytest.mark.parametrize(
    "recipient",
    ["demo-srl.purchase.0000000000@in.comptoir.local", "nobody@in.comptoir.local", "x@example.be"],
)
def test_an_unknown_recipient_is_refused_with_550_at_rcpt(stack, recipient):
    with smtplib.SMTP("127.0.0.1", stack.smtp_port, timeout=10) as smtp:
        smtp.ehlo()
        smtp.mail("someone@example.be")
        code, _ = smtp.rcpt(recipient)

    assert code == 550


def test_a_regenerated_address_is_refused_and_the_new_one_accepted(stack, demo):
    old = demo["misc"]
    path = f"/accounts/companies/{demo['company']}/addresses/misc/regenerate"
    new = stack.request("POST", path, token=demo["token"]).json()["address"]

    with smtplib.SMTP("127.0.0.1", stack.smtp_port, timeout=10) as smtp:
        smtp.ehlo()
        smtp.mail("someone@example.be")
        refused, _ = smtp.rcpt(old)
        accepted, _ = smtp.rcpt(new)

    assert (refused, accepted) == (550, 250)


def test_the_accountant_downloads_a_virus_message_that_imported_nothing(stack, demo):
    from comptoir_infra.local.smtp import EICAR

    made = message(to=demo["sales"], subject="Dangerous #virus")
    attach(made, EICAR, "invoice.com")
    attach(made, text_pdf("Looks fine"), "invoice.pdf", "application/pdf")
    accountant = stack.login(ACCOUNTANT)["id_token"]

    _send(stack, made, to=demo["sales"])

    def refused():
        listed = stack.request(
            "GET", f"/ingest-email/companies/{demo['company']}/messages", token=accountant
        ).json()
        return [m for m in listed if m["subject"] == "Dangerous #virus" and m["outcome"] != "receiving"]

    (summary,) = wait_for(refused)
    assert (summary["outcome"], summary["virus"], summary["imported"]) == ("refused_virus", "FAIL", 0)
    assert _documents(stack, demo, "sales", "virus") == []
    link = stack.request(
        "GET", f"/ingest-email/companies/{demo['company']}/messages/{summary['id']}/raw", token=accountant
    ).json()
    import urllib.request

    with urllib.request.urlopen(link["url"], timeout=10) as response:  # noqa: S310 (the stack's own S3)
        raw = response.read()
    assert b"X-SES-Virus-Verdict: FAIL" in raw and b"Subject: Dangerous #virus" in raw


def test_with_the_whitelist_on_only_a_whitelisted_senders_mail_goes_to_in_processing(stack, demo):
    path = f"/accounts/companies/{demo['company']}/settings"
    current = stack.request("GET", path, token=demo["token"]).json()
    settings = {
        **current["settings"],
        "mailboxes": {"sales": {"auto_forward": True, "whitelist_only": True, "whitelist": ["@trusted.be"]}},
    }
    written = stack.request(
        "PUT", path, token=demo["token"], body={"settings": settings, "version": current["version"]}
    )
    assert written.status == 200, written.body
    try:
        for sender, label in (
            ("Trusted <billing@trusted.be>", "trusted"),
            ("Someone <x@unknown.be>", "unknown"),
        ):
            made = message(
                to=demo["sales"], sender=sender, subject=f"Invoice #{label}", message_id=f"<{label}@x>"
            )
            attach(made, text_pdf(label), f"{label}.pdf", "application/pdf")
            _send(stack, made, to=demo["sales"])

        def statuses():
            found = {}
            for box in ("sales", "processing"):
                for label in ("trusted", "unknown"):
                    for document in _documents(stack, demo, box, label):
                        if document["status"] != "received":
                            found[label] = document["status"]
            return found if len(found) == 2 else None

        assert wait_for(statuses) == {"trusted": "in_processing", "unknown": "inbox"}
    finally:
        latest = stack.request("GET", path, token=demo["token"]).json()
        stack.request(
            "PUT",
            path,
            token=demo["token"],
            body={"settings": current["settings"], "version": latest["version"]},
        )
