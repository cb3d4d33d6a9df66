"""The accountant's day in a real browser: the firm's home and a company's dossier (access requests, ledger
import), a booking refused in words then made and found in the archive, the permanent dossier, the history.

Everything happens in Other BV, so the documents the portal's own flows count in Demo SRL stay theirs.
"""

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import wait_for
from tests.e2e.web.conftest import check_screen, sign_in
from tests.forms import multipart
from tests.ledger import sme
from tests.samples import invoice_pdf, text_pdf

pytestmark = pytest.mark.e2e

ACCOUNTANT = "accountant@demo.comptoir.local"
OTHER_ADMIN = "admin@other.comptoir.local"


@pytest.fixture(scope="module")
def other(stack):
    token = stack.login(OTHER_ADMIN)["id_token"]
    me = stack.request("GET", "/accounts/me", token=token).json()
    return {"id": next(c["id"] for c in me["companies"] if c["name"] == "Other BV"), "token": token}


def upload(stack, other, box: str, name: str, data: bytes) -> str:
    """A document imported into a mailbox of Other BV by its admin, once the pipeline made it ready."""
    content_type, payload = multipart((name, data))
    answer = stack.request(
        "POST",
        f"/documents/companies/{other['id']}/mailboxes/{box}/documents",
        token=other["token"],
        raw=payload,
        content_type=content_type,
    )
    assert answer.status == 202, answer.body
    did = answer.json()["documents"][0]
    path = f"/documents/companies/{other['id']}/documents/{did}"
    assert wait_for(
        lambda: stack.request("GET", path, token=other["token"]).json().get("status") == "inbox"
    ), stack.request("GET", path, token=other["token"]).body
    return did


def test_the_accountants_home_lists_the_companies_and_opens_a_dossier_where_access_and_ledger_are_handled(
    page: Page, stack, other, tmp_path
):
    asked = {"email": "nadia@other.example", "name": "Nadia Nieuw", "role": "admin", "language": "nl"}
    made = stack.request(
        "POST", f"/accounts/companies/{other['id']}/access-requests", token=other["token"], body=asked
    )
    assert made.status == 201, made.body

    sign_in(page, ACCOUNTANT, language="fr")
    expect(page).to_have_url(re.compile(r"/firm$"))
    expect(page.get_by_role("heading", name="Mes dossiers clients")).to_be_visible()
    companies = page.get_by_role("list", name="Les sociétés du cabinet")
    expect(companies.get_by_role("link", name="Demo SRL", exact=True)).to_be_visible()
    expect(companies.get_by_role("link", name="Other BV", exact=True)).to_be_visible()
    expect(companies.locator("> li", has_text="Other BV")).to_contain_text(re.compile(r"\d+ à traiter"))
    expect(page.get_by_role("heading", name="En traitement au cabinet")).to_be_visible()
    check_screen(page, "firm-home-fr")

    page.get_by_label("Chercher une société par son nom").fill("other")
    expect(companies.get_by_role("link", name="Demo SRL", exact=True)).to_have_count(0)
    companies.get_by_role("link", name="Other BV", exact=True).click()
    expect(page.get_by_role("heading", name="Other BV", level=1)).to_be_visible()

    # The access request: approved as a user, not the administrator asked for.
    request = page.locator("ul.requests > li", has_text="nadia@other.example")
    request.get_by_label("Rôle").select_option("user")
    page.get_by_role("button", name="Approuver (Nadia Nieuw)").click()
    expect(page.get_by_role("status").filter(has_text="Approuvée")).to_contain_text("nadia@other.example")
    expect(request).to_contain_text("Approuvée")
    expect(request).to_contain_text("utilisateur")

    # The ledger: a good file runs to its end; a bad one says why nothing was imported.
    good = tmp_path / "grand-livre.json"
    good.write_text(json.dumps(sme.build()[0]["2025"]))
    page.get_by_label("Fichier comptable").set_input_files(str(good))
    page.get_by_role("button", name="Importer").click()
    latest = page.get_by_role("list", name="Derniers imports").locator("> li")
    expect(latest.first).to_contain_text("Terminé", timeout=30_000)
    expect(latest.first).to_contain_text("Exercice 2025")
    bad = tmp_path / "pas-un-grand-livre.json"
    bad.write_text('{"fiscal_years": "no"}')
    page.get_by_label("Fichier comptable").set_input_files(str(bad))
    page.get_by_role("button", name="Importer").click()
    expect(latest.first).to_contain_text("Échoué", timeout=30_000)
    expect(latest.first.get_by_role("alert")).to_contain_text("Rien n'a été importé")
    check_screen(page, "dossier-fr")


def test_a_booking_that_does_not_add_up_is_refused_in_words_then_booked_and_found_in_the_archive(
    page: Page, stack, other
):
    pdf = invoice_pdf(
        supplier="Zeta Logistics BV", number="Z-7781", excl="200,00", vat="42,00", incl="242,00"
    )
    did = upload(stack, other, "purchase", "zeta-z7781.pdf", pdf)
    sent = stack.request(
        "POST", f"/documents/companies/{other['id']}/documents/{did}/send", token=other["token"]
    )
    assert sent.status == 200, sent.body

    sign_in(page, ACCOUNTANT, language="nl")
    row = page.locator("tr", has_text="zeta-z7781.pdf")
    expect(row).to_contain_text("Other BV")
    row.get_by_role("button", name="Verwerken (zeta-z7781.pdf)").click()
    page.get_by_label("Dagboek").fill("ACH")
    page.get_by_label("Rekening", exact=True).fill("611000")
    page.get_by_label("Boekingsreferentie").fill("ACH-2026-0117")
    page.get_by_label("Bedrag incl. btw").fill("240,00")
    expect(page.get_by_text("Wijkt af van de factuur").first).to_be_visible()
    page.get_by_role("button", name="Boeken en archiveren").click()
    refusal = page.get_by_role("alert").filter(has_text="De bedragen kloppen niet")
    expect(refusal).to_contain_text(re.compile(r"€\s242,00, niet €\s240,00"))
    expect(page.get_by_label("Bedrag incl. btw")).to_have_attribute("aria-invalid", "true")
    check_screen(page, "booking-refused-nl")

    page.get_by_label("Bedrag incl. btw").fill("242,00")
    page.get_by_role("button", name="Boeken en archiveren").click()
    expect(page).to_have_url(re.compile(r"/firm$"))
    expect(page.locator("tr", has_text="zeta-z7781.pdf")).to_have_count(0)

    # In the archive under Purchases, found by filters that combine; the client has not opened it yet.
    page.goto(f"/c/{other['id']}/archive")
    page.get_by_label("Factuurnummer").fill("z-7781")
    page.get_by_label("Bedrag vanaf").fill("240")
    page.get_by_role("button", name="Filteren").click()
    archived = page.locator("tr", has_text="zeta-z7781.pdf")
    expect(archived).to_have_count(1)
    expect(archived.get_by_role("img", name="Nog niet gezien door de klant")).to_be_visible()
    page.get_by_label("Bedrag vanaf").fill("250")
    page.get_by_role("button", name="Filteren").click()
    expect(archived).to_have_count(0)
    page.get_by_role("tab", name="Verkopen").click()
    expect(page.get_by_role("tab", name="Verkopen")).to_have_attribute("aria-selected", "true")
    page.get_by_role("tab", name="Aankopen").click()
    page.get_by_role("button", name=re.compile("filters wissen")).click()
    expect(archived).to_have_count(1)
    stack.request("GET", f"/documents/companies/{other['id']}/documents/{did}", token=other["token"])
    page.reload()
    expect(archived.get_by_role("img", name="Gezien door de klant")).to_be_visible()
    check_screen(page, "firm-archive-nl")


def test_a_document_marked_permanent_is_listed_in_the_dossier_and_the_history_downloads_it(
    page: Page, stack, other
):
    upload(stack, other, "misc", "statuts-other.pdf", text_pdf("Statuts coordonnés de Other BV"))

    sign_in(page, ACCOUNTANT, language="en")
    page.goto(f"/c/{other['id']}/box/misc")
    page.get_by_role("link", name="statuts-other.pdf", exact=True).click()
    page.get_by_role("button", name="Add to the permanent dossier").click()
    expect(page.get_by_text("This document is in the permanent dossier.")).to_be_visible()
    page.get_by_role("link", name="Open the permanent dossier").click()
    permanent = page.locator("section", has=page.get_by_role("heading", name="Permanent dossier"))
    expect(permanent.get_by_role("link", name="statuts-other.pdf")).to_be_visible()
    check_screen(page, "permanent-dossier-en")

    page.goto(f"/c/{other['id']}/history")
    line = page.locator("tr", has_text="statuts-other.pdf")
    expect(line).to_contain_text("Import")
    with page.expect_download() as download:
        line.get_by_role("button", name="Download (statuts-other.pdf)").click()
    assert download.value.suggested_filename == "statuts-other.pdf"
    check_screen(page, "firm-history-en")
