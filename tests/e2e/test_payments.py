"""Payments end to end on the local stack over HTTP: recognised invoices → their prefilled forms → an EPC QR
code read back by a real decoder, and a SEPA file of three invoices of two suppliers that validates against
the official pain.001 XSDs. One stack for the module."""

import pytest

from tests.e2e.conftest import wait_for
from tests.forms import multipart
from tests.payments.checks import decode_epc, transactions, validate_pain
from tests.samples import invoice_pdf

ADMIN = "admin@demo.comptoir.local"
OUR_IBAN = "BE15001765432130"
DUPONT = {"supplier": "Brasserie Dupont SRL", "supplier_vat": "BE0403170701", "iban": "BE71 0961 2345 6769"}
LAMBERT = {"supplier": "Imprimerie Lambert SA", "supplier_vat": "BE0876543270", "iban": "BE62 5100 0754 7061"}


@pytest.fixture(scope="module")
def session(stack):
    token = stack.login(ADMIN)["id_token"]
    company = stack.request("GET", "/accounts/companies", token=token).json()[0]["id"]
    current = stack.request("GET", f"/accounts/companies/{company}/settings", token=token).json()
    settings = {
        **current["settings"],
        "bank_accounts": [{"iban": OUR_IBAN, "name": "Courant", "default": True}],
    }
    answer = stack.request(
        "PUT",
        f"/accounts/companies/{company}/settings",
        token=token,
        body={"settings": settings, "version": current["version"]},
    )
    assert answer.status == 200, answer.body
    return stack, token, company


def _recognised(stack, token, company, name: str, pdf: bytes) -> dict:
    content_type, payload = multipart((name, pdf))
    uploaded = stack.request(
        "POST",
        f"/documents/companies/{company}/mailboxes/purchase/documents",
        token=token,
        raw=payload,
        content_type=content_type,
    )
    assert uploaded.status == 202, uploaded.body
    (document_id,) = uploaded.json()["documents"]

    def ready():
        answer = stack.request("GET", f"/documents/companies/{company}/documents/{document_id}", token=token)
        return answer.json() if answer.status == 200 and answer.json()["status"] == "inbox" else None

    return wait_for(ready)


def _form(stack, token, company, document_id) -> dict:
    answer = stack.request(
        "GET", f"/payments/companies/{company}/documents/{document_id}/payment-form", token=token
    )
    assert answer.status == 200, answer.body
    return answer.json()


def _pay_from_form(stack, token, company, form: dict, method: str) -> dict:
    request = {
        "document": form["document"],
        "method": method,
        "amount": form["amount"],
        "counterparty": {k: v for k, v in form["counterparty"].items() if v},
        "communication": form["communication"],
    }
    if method == "sepa":
        request |= {"from_account": form["from_account"], "execution_date": form["execution_date"]}
    answer = stack.request("POST", f"/payments/companies/{company}/payments", token=token, body=request)
    assert answer.status == 201, answer.body
    return answer.json()


def _tab(stack, token, company, tab: str) -> set[str]:
    answer = stack.request("GET", f"/payments/companies/{company}/payments?tab={tab}", token=token)
    assert answer.status == 200, answer.body
    return {p["id"] for p in answer.json()}


def test_a_recognised_invoice_is_paid_by_a_qr_code_that_decodes_to_the_same_payment(session):
    stack, token, company = session
    document = _recognised(
        stack,
        token,
        company,
        "dupont-qr.pdf",
        invoice_pdf(number="F-QR-1", note="Communication : +++090/9337/55493+++", **DUPONT),
    )

    form = _form(stack, token, company, document["id"])
    assert (form["counterparty"]["name"], form["counterparty"]["iban"]) == (
        "Brasserie Dupont SRL",
        "BE71096123456769",
    )
    assert (form["amount"], form["from_account"]) == ("121.00", OUR_IBAN)
    assert form["communication"] == {"type": "structured", "value": "+++090/9337/55493+++"}
    payment = _pay_from_form(stack, token, company, form, "qr")
    png = stack.request("GET", f"/payments/companies/{company}/payments/{payment['id']}/qr", token=token)

    assert (png.status, png.headers["Content-Type"]) == (200, "image/png")
    epc = decode_epc(png.body)
    assert (epc["name"], epc["iban"], epc["amount"], epc["reference"]) == (
        "Brasserie Dupont SRL",
        "BE71096123456769",
        "EUR121.00",
        "090933755493",
    )
    assert payment["status"] == "executed" and payment["id"] in _tab(stack, token, company, "executed")
    shown = stack.request(
        "GET", f"/documents/companies/{company}/documents/{document['id']}", token=token
    ).json()
    assert shown["payment_status"] == "paid_by_qr"


def test_three_invoices_of_two_suppliers_go_into_one_sepa_file_that_validates_and_is_kept(session):
    stack, token, company = session
    invoices = [
        ("dupont-1.pdf", invoice_pdf(number="F-2001", note="Communication : +++000/0001/01040+++", **DUPONT)),
        ("dupont-2.pdf", invoice_pdf(number="F-2002", incl="242,00", excl="200,00", vat="42,00", **DUPONT)),
        (
            "lambert-1.pdf",
            invoice_pdf(number="L-3001", note="Communication : +++123/4567/89002+++", **LAMBERT),
        ),
    ]
    documents = [_recognised(stack, token, company, name, pdf) for name, pdf in invoices]
    payments = [
        _pay_from_form(stack, token, company, _form(stack, token, company, d["id"]), "sepa")
        for d in documents
    ]
    ids = {p["id"] for p in payments}
    assert ids <= _tab(stack, token, company, "to_execute") and not ids & _tab(
        stack, token, company, "executed"
    )

    created = stack.request(
        "POST", f"/payments/companies/{company}/sepa-files", token=token, body={"payments": sorted(ids)}
    )
    assert created.status == 201, created.body
    sepa_file = created.json()
    download = stack.request(
        "GET", f"/payments/companies/{company}/sepa-files/{sepa_file['id']}", token=token
    )

    assert download.status == 200 and "attachment" in download.headers["Content-Disposition"]
    txs = {
        t["end_to_end_id"]: t for t in transactions(validate_pain(download.body, "001.001.09"), "001.001.09")
    }
    assert set(txs) == {"F-2001", "F-2002", "L-3001"}
    assert txs["F-2001"]["structured"] == ("SCOR", "BBA", "000000101040")
    assert txs["L-3001"]["structured"] == ("SCOR", "BBA", "123456789002")
    assert txs["F-2002"]["unstructured"] == "F-2002" and txs["F-2002"]["amount"] == "242.00"
    assert {t["iban"] for t in txs.values()} == {"BE71096123456769", "BE62510007547061"}
    assert not ids & _tab(stack, token, company, "to_execute") and ids <= _tab(
        stack, token, company, "executed"
    )
    listed = stack.request("GET", f"/payments/companies/{company}/sepa-files", token=token).json()
    assert sepa_file["id"] in {f["id"] for f in listed}
    for document in documents:
        shown = stack.request(
            "GET", f"/documents/companies/{company}/documents/{document['id']}", token=token
        )
        assert shown.json()["payment_status"] == "in_file"

    again = stack.request(
        "POST", f"/payments/companies/{company}/sepa-files", token=token, body={"payments": sorted(ids)}
    )
    assert again.status == 409


def test_a_sepa_file_in_pain_001_001_03_when_asked(session):
    stack, token, company = session
    document = _recognised(stack, token, company, "lambert-2.pdf", invoice_pdf(number="L-3002", **LAMBERT))
    payment = _pay_from_form(stack, token, company, _form(stack, token, company, document["id"]), "sepa")

    sepa_file = stack.request(
        "POST",
        f"/payments/companies/{company}/sepa-files",
        token=token,
        body={"payments": [payment["id"]], "pain_version": "001.001.03"},
    ).json()
    xml = stack.request(
        "GET", f"/payments/companies/{company}/sepa-files/{sepa_file['id']}", token=token
    ).body

    (tx,) = transactions(validate_pain(xml, "001.001.03"), "001.001.03")
    assert (tx["end_to_end_id"], tx["name"], tx["amount"]) == ("L-3002", "Imprimerie Lambert SA", "121.00")
