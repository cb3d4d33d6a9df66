"""Approvals and payments in the portal, in a real browser: an invoice waits for its approver, who approves
it from the Approvals screen; an invoice paid by an EPC QR code read back by a real decoder, and two
invoices put in the SEPA basket, executed into one pain.001 file downloaded from the browser and checked
against the official XSD."""

import base64
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import wait_for
from tests.e2e.web.conftest import check_screen, sign_in
from tests.forms import multipart
from tests.payments.checks import decode_epc, transactions, validate_pain
from tests.samples import invoice_pdf

pytestmark = pytest.mark.e2e

ADMIN = "admin@demo.comptoir.local"
USER = "user@demo.comptoir.local"
OUR_IBAN = "BE15001765432130"
LAMBERT = {"supplier": "Imprimerie Lambert SA", "supplier_vat": "BE0876543270", "iban": "BE62 5100 0754 7061"}


@pytest.fixture(scope="module")
def demo(stack):
    token = stack.login(ADMIN)["id_token"]
    me = stack.request("GET", "/accounts/me", token=token).json()
    company = next(c["id"] for c in me["companies"] if c["name"] == "Demo SRL")
    yield stack, token, company
    # The stack is shared with the other web modules: invoice approval goes back off.
    stack.request(
        "PUT", f"/approvals/companies/{company}/invoice-approval", token=token, body={"enabled": False}
    )


def upload(stack, token, company, name: str, pdf: bytes, *, ready=lambda d: d["status"] == "inbox") -> str:
    content_type, payload = multipart((name, pdf))
    answer = stack.request(
        "POST",
        f"/documents/companies/{company}/mailboxes/purchase/documents",
        token=token,
        raw=payload,
        content_type=content_type,
    )
    assert answer.status == 202, answer.body
    (document_id,) = answer.json()["documents"]

    def done():
        read = stack.request("GET", f"/documents/companies/{company}/documents/{document_id}", token=token)
        return read.status == 200 and ready(read.json())

    assert wait_for(done, 60), f"{name} never got ready"
    return document_id


def sign_out(page: Page) -> None:
    page.evaluate("sessionStorage.clear()")


def test_an_invoice_waits_for_the_approver_the_rule_names_who_approves_it_from_the_approvals_screen(
    page: Page, demo
):
    stack, token, company = demo
    sign_in(page, ADMIN, language="fr")
    page.goto(f"/c/{company}/settings")
    rules = page.locator("#invoice-rules")
    rules.get_by_label("Les factures d'achat doivent être approuvées").check()
    expect(rules.get_by_role("status")).to_have_text("Approbation des factures activée.")
    expect(rules.get_by_text("Règle 1 (par défaut)")).to_be_visible()

    # The default rule (approved by the admin who turned it on) is edited: the user approves, from 50 €.
    rules.get_by_role("button", name="Modifier la règle de factures 1").click()
    rules.get_by_label("Alice Admin").uncheck()
    rules.get_by_label("Ugo User").check()
    amount = rules.get_by_label("À partir du montant (€, facultatif)")
    amount.fill("-5")
    rules.get_by_role("button", name="Enregistrer la règle").click()
    # The API's refusal is said next to the field that caused it.
    expect(amount).to_have_attribute("aria-invalid", "true")
    expect(rules.locator("#ir-min-error")).to_contain_text("below zero")
    amount.fill("50")
    rules.get_by_role("button", name="Enregistrer la règle").click()
    expect(rules.get_by_role("status")).to_have_text("Règle enregistrée.")
    expect(rules.get_by_text(re.compile(r"user@demo\.comptoir\.local"))).to_be_visible()
    expect(rules.get_by_text(re.compile(r"À partir de 50,00\s€"))).to_be_visible()
    check_screen(page, "money-settings-rules-fr")

    document_id = upload(
        stack,
        token,
        company,
        "lambert-approval.pdf",
        invoice_pdf(number="L-APP-1", **LAMBERT),
        ready=lambda d: d["status"] == "inbox" and d.get("approval_status") is not None,
    )

    sign_out(page)
    sign_in(page, USER, language="nl")
    page.goto(f"/c/{company}/approvals")
    expect(page.get_by_role("heading", name="Goedkeuringen")).to_be_visible()
    row = page.locator("tr", has=page.get_by_role("link", name="lambert-approval.pdf"))
    expect(row.get_by_text("Door mij goed te keuren")).to_be_visible()
    check_screen(page, "money-approvals-nl")

    # A reject without a reason is refused on the spot, next to the reason.
    row.get_by_role("checkbox").check()
    page.get_by_role("button", name="1 factuur weigeren").click()
    expect(page.get_by_role("alert")).to_have_text("Geef de reden van de weigering op.")
    page.get_by_role("button", name="1 factuur goedkeuren").click()
    expect(page.get_by_role("status")).to_have_text("1 factuur goedgekeurd.")

    page.get_by_label("Alle facturen in goedkeuring").check()
    expect(row.get_by_text("Goedgekeurd")).to_be_visible(timeout=15_000)
    read = stack.request("GET", f"/approvals/companies/{company}/documents/{document_id}", token=token).json()
    assert read["state"] == "approved" and read["decisions"][0]["user"]["email"] == USER

    # The document view says the same, with who decided.
    row.get_by_role("link", name="lambert-approval.pdf").click()
    panel = page.locator(".approval-panel")
    expect(panel.get_by_text("Goedgekeurd").first).to_be_visible()
    expect(panel.get_by_text(re.compile(USER))).to_be_visible()


def test_an_invoice_is_paid_by_qr_code_and_two_go_through_the_sepa_basket_into_one_pain_001_file(
    page: Page, demo
):
    stack, token, company = demo
    stack.request(
        "PUT", f"/approvals/companies/{company}/invoice-approval", token=token, body={"enabled": False}
    )
    sign_in(page, ADMIN, language="fr")

    # The company's account to pay from, added in the settings; a wrong IBAN is refused beside it.
    page.goto(f"/c/{company}/settings")
    accounts = page.locator("#bank-accounts")
    iban = accounts.get_by_label("IBAN")
    iban.fill("BE00 1234 5678 9012")
    accounts.get_by_role("button", name="Ajouter le compte").click()
    expect(accounts.locator("#ba-iban-error")).to_contain_text("IBAN")
    iban.fill("BE15 0017 6543 2130")
    accounts.get_by_label("Nom (facultatif)").fill("Courant")
    accounts.get_by_label("Compte par défaut").check()
    accounts.get_by_role("button", name="Ajouter le compte").click()
    expect(accounts.get_by_role("status")).to_have_text("Compte ajouté.")
    expect(accounts.get_by_text("BE15 0017 6543 2130")).to_be_visible()

    qr_invoice = upload(
        stack,
        token,
        company,
        "lambert-qr.pdf",
        invoice_pdf(number="L-QR-1", note="Communication : +++090/9337/55493+++", **LAMBERT),
    )
    basket = [
        upload(stack, token, company, "lambert-b1.pdf", invoice_pdf(number="L-B-1", **LAMBERT)),
        upload(
            stack,
            token,
            company,
            "lambert-b2.pdf",
            invoice_pdf(number="L-B-2", incl="242,00", excl="200,00", vat="42,00", **LAMBERT),
        ),
    ]

    # The form beside the invoice is prefilled from it; the QR code is big enough to scan and decodes.
    page.goto(f"/c/{company}/doc/{qr_invoice}")
    pay = page.locator(".payment-panel")
    expect(pay.get_by_label("IBAN")).to_have_value("BE62 5100 0754 7061")
    expect(pay.get_by_label("Montant")).to_have_value("121.00")
    expect(pay.get_by_label("Communication structurée", exact=True)).to_have_value("+++090/9337/55493+++")
    pay.get_by_role("button", name="Créer le code QR").click()
    qr = pay.get_by_role(
        "img", name=re.compile(r"Code QR de paiement EPC : 121,00\s€ à Imprimerie Lambert SA")
    )
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 200
    # The image as shown, read back from the page (the CSP lets nothing fetch its blob: URL again).
    png = base64.b64decode(
        qr.evaluate(
            """(img) => {
                const canvas = document.createElement("canvas");
                canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
                canvas.getContext("2d").drawImage(img, 0, 0);
                return canvas.toDataURL("image/png").split(",")[1];
            }"""
        )
    )
    epc = decode_epc(png)
    assert (epc["name"], epc["iban"], epc["amount"], epc["reference"]) == (
        "Imprimerie Lambert SA",
        "BE62510007547061",
        "EUR121.00",
        "090933755493",
    )
    expect(pay.get_by_text("Payée", exact=False).first).to_be_visible()
    check_screen(page, "money-document-qr-fr")

    for document_id in basket:
        page.goto(f"/c/{company}/doc/{document_id}")
        pay = page.locator(".payment-panel")
        expect(pay.get_by_label("Compte à débiter")).to_have_value(OUR_IBAN)
        pay.get_by_role("button", name="Ajouter au panier SEPA").click()
        expect(pay.get_by_role("status")).to_contain_text("ajouté au panier SEPA")

    page.goto(f"/c/{company}/payments")
    expect(page.get_by_role("tab", name="À exécuter")).to_have_attribute("aria-selected", "true")
    rows = page.locator("tbody tr")
    expect(rows.filter(has_text="Imprimerie Lambert SA")).to_have_count(2)
    for i in range(rows.count()):  # only this test's payments go into the file
        if "Imprimerie Lambert SA" not in rows.nth(i).inner_text():
            rows.nth(i).get_by_role("checkbox").uncheck()
    day = date.today() + timedelta(days=7)
    page.get_by_label("Date d'exécution commune (facultatif)").fill(day.isoformat())
    check_screen(page, "money-payments-basket-fr")
    page.get_by_role("button", name=re.compile(r"Exécuter 2 paiements pour 363,00\s€")).click()
    expect(page.locator("p.notice")).to_contain_text("Ordre SEPA créé : 2 paiements, 363,00")
    with page.expect_download() as info:
        page.get_by_role("button", name="Télécharger le fichier pain.001 (2 paiements)").click()
    xml = Path(info.value.path()).read_bytes()
    assert info.value.suggested_filename.endswith(".xml")
    parsed = validate_pain(xml, "001.001.09")
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
    assert parsed.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=ns) == "2"
    assert Decimal(parsed.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=ns)) == Decimal(
        "363.00"
    )
    assert sorted(t["amount"] for t in transactions(parsed, "001.001.09")) == ["121.00", "242.00"]
    assert parsed.findtext(".//p:ReqdExctnDt/p:Dt", namespaces=ns) == day.isoformat()

    page.get_by_role("tab", name="Ordres SEPA").click()
    expect(page.locator("tbody tr").filter(has_text="363,00")).to_have_count(1)
    check_screen(page, "money-payments-orders-fr")
    page.get_by_role("tab", name="Exécutés").click()
    expect(page.locator("tbody tr").filter(has_text="Imprimerie Lambert SA")).to_have_count(3)
    check_screen(page, "money-payments-executed-fr")
