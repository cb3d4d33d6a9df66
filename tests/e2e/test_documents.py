"""The inbox over HTTP on the running local stack: upload, pipeline, page images, send, process, archive."""

import urllib.error
import urllib.request

import pymupdf

from tests.e2e.conftest import wait_for
from tests.forms import multipart
from tests.samples import invoice_pdf, jpeg_photo, text_pdf

ADMIN = "admin@demo.comptoir.local"
ACCOUNTANT = "accountant@demo.comptoir.local"


def test_upload_list_send_and_process_over_http(stack):
    token = stack.login(ADMIN)["id_token"]
    accountant = stack.login(ACCOUNTANT)["id_token"]
    company = stack.request("GET", "/accounts/companies", token=token).json()[0]["id"]
    content_type, payload = multipart(("invoice.pdf", text_pdf("Invoice 42")), ("photo.jpg", jpeg_photo()))

    uploaded = stack.request(
        "POST",
        f"/documents/companies/{company}/mailboxes/purchase/documents",
        token=token,
        raw=payload,
        content_type=content_type,
    )
    assert uploaded.status == 202, uploaded.body
    ids = uploaded.json()["documents"]

    def ready():
        listed = stack.request(
            "GET", f"/documents/companies/{company}/mailboxes/purchase", token=token
        ).json()
        mine = [d for d in listed["documents"] if d["id"] in ids]
        return mine if len(mine) == 2 and all(d["status"] == "inbox" for d in mine) else None

    documents = wait_for(ready)
    assert documents, "both documents listed and ready"
    for document in documents:
        thumbnail = stack.request("GET", document["thumbnail"], token=token)
        assert thumbnail.status == 200
        assert pymupdf.open(stream=thumbnail.body).page_count == 1

    pdf_id = next(d["id"] for d in documents if d["name"] == "invoice.pdf")
    sent = stack.request("POST", f"/documents/companies/{company}/documents/{pdf_id}/send", token=token)
    assert sent.json()["status"] == "in_processing"
    # The stack is shared with the other e2e modules: only this test's documents are looked at.
    box = stack.request("GET", f"/documents/companies/{company}/mailboxes/processing", token=token).json()
    assert [d["id"] for d in box["documents"] if d["id"] in ids] == [pdf_id]

    processed = stack.request(
        "POST",
        f"/documents/companies/{company}/documents/{pdf_id}/process",
        token=accountant,
        body={"booking": {"journal": "ACH", "account": "604000", "vat_code": "21"}},
    )
    assert processed.status == 200, processed.body
    box = stack.request("GET", f"/documents/companies/{company}/mailboxes/processing", token=token).json()
    archive = stack.request("GET", f"/documents/companies/{company}/archive?tab=purchase", token=token).json()
    assert [d["id"] for d in box["documents"] if d["id"] in ids] == []
    assert [d["id"] for d in archive["documents"] if d["id"] in ids] == [pdf_id]


def _form_post(url: str, fields: dict[str, str], filename: str, data: bytes) -> int:
    content_type, body = multipart((filename, data), **fields)
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_large_file_goes_straight_to_s3_through_the_upload_form(stack):
    token = stack.login(ADMIN)["id_token"]
    company = stack.request("GET", "/accounts/companies", token=token).json()[0]["id"]
    form = stack.request(
        "POST",
        f"/documents/companies/{company}/uploads",
        token=token,
        body={"mailbox": "sales", "name": "big scan.pdf"},
    ).json()

    status = _form_post(form["url"], form["fields"], "big scan.pdf", text_pdf("Scanned", "pages"))

    assert status in (200, 201, 204)

    def processed():
        answer = stack.request(
            "GET", f"/documents/companies/{company}/documents/{form['document']}", token=token
        )
        return answer.json() if answer.status == 200 and answer.json()["status"] == "inbox" else None

    document = wait_for(processed)
    assert (document["name"], document["mailbox"], document["pages"]) == ("big scan.pdf", "sales", 2)


def _upload_ready(stack, token: str, company: str, name: str, data: bytes) -> dict:
    content_type, payload = multipart((name, data))
    uploaded = stack.request(
        "POST",
        f"/documents/companies/{company}/mailboxes/purchase/documents",
        token=token,
        raw=payload,
        content_type=content_type,
    )
    (document_id,) = uploaded.json()["documents"]

    def ready():
        answer = stack.request("GET", f"/documents/companies/{company}/documents/{document_id}", token=token)
        return answer.json() if answer.status == 200 and answer.json()["status"] == "inbox" else None

    return wait_for(ready)


def test_recognised_fields_show_and_a_correction_helps_the_next_invoice_of_that_supplier(stack):
    token = stack.login(ADMIN)["id_token"]
    company = stack.request("GET", "/accounts/companies", token=token).json()[0]["id"]
    supplier = {"supplier": "Imprimerie Lambert SA", "supplier_vat": "BE0202239951"}

    first = _upload_ready(stack, token, company, "lambert-1.pdf", invoice_pdf(number="L-1001", **supplier))
    fields = first["fields"]
    assert (fields["supplier_vat"]["value"], fields["invoice_number"]["value"]) == ("BE0202239951", "L-1001")
    assert (fields["total_incl_vat"]["value"], fields["invoice_date"]["value"]) == ("121.00", "2026-10-15")
    assert all(0 < field["confidence"] <= 1 for field in fields.values())

    corrected = stack.request(
        "PATCH",
        f"/documents/companies/{company}/documents/{first['id']}/fields",
        token=token,
        body={"fields": {"supplier_name": "Lambert Print (Namur)"}},
    ).json()["fields"]["supplier_name"]
    assert (corrected["value"], corrected["source"], corrected["corrected_by"]) == (
        "Lambert Print (Namur)",
        "user",
        ADMIN,
    )

    second = _upload_ready(stack, token, company, "lambert-2.pdf", invoice_pdf(number="L-1002", **supplier))
    # A learnt name never replaces the name the page prints (issue 11 item 6).
    name = second["fields"]["supplier_name"]
    assert (name["value"], name["source"]) == ("Imprimerie Lambert SA", "text")
