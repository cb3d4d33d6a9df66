"""The books in the portal, in a real browser: the dashboard drawn from an imported ledger (with its numbers as
tables), a report generated and downloaded, the bank transactions narrowed by the filters, and a supplier's
open invoice opened from the history.

The company is "Other BV" (its admin reads Dutch), which the other web modules leave alone: its books are
pushed by its accountant through the ledger route, its bank statements uploaded as a CODA file, and its
supplier invoice uploaded to its purchase mailbox and its fields corrected, all over the real HTTP API.
"""

import io
import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from tests.bank import coda_files
from tests.e2e.conftest import wait_for
from tests.e2e.web.conftest import check_screen, sign_in
from tests.forms import multipart
from tests.ledger import sme
from tests.samples import invoice_pdf

pytestmark = pytest.mark.e2e

OTHER_ADMIN = "admin@other.comptoir.local"
ACCOUNTANT = "accountant@demo.comptoir.local"
# The unpaid 2025 invoice of "Electrabel Energie" (S002) in the test ledger.
INVOICE_NUMBER = "A25-003"
SUPPLIER_VAT = "BE0403203264"


@pytest.fixture(scope="module")
def other(stack):
    admin = stack.login(OTHER_ADMIN)["id_token"]
    me = stack.request("GET", "/accounts/me", token=admin).json()
    company = next(c["id"] for c in me["companies"] if c["name"] == "Other BV")
    return {"company": company, "admin": admin, "accountant": stack.login(ACCOUNTANT)["id_token"]}


def push_books(stack, other) -> dict:
    """The accountant pushes both fiscal years (pushing the same snapshot again changes nothing)."""
    snapshots, _ = sme.build()
    for fy, snapshot in snapshots.items():
        pushed = stack.request(
            "PUT",
            f"/reports/companies/{other['company']}/ledger/{fy}",
            token=other["accountant"],
            body=snapshot,
        )
        assert pushed.status == 200, pushed.body
    return snapshots


@pytest.fixture(scope="module")
def books(stack, other):
    push_books(stack, other)
    return other


def amount_of(text: str) -> float:
    """1.234,56 read back from "€ 1.234,56" or "-1.234,56 €" (the Belgian formats)."""
    kept = re.sub(r"[^0-9,\-−]", "", text).replace("−", "-")
    return float(kept.replace(",", "."))


def test_the_dashboard_says_when_there_are_no_books_then_draws_the_imported_ones_with_tables(
    page: Page, stack, other
):
    sign_in(page, OTHER_ADMIN)
    page.locator("header.top").get_by_role("button", name="Cijfers", exact=True).click()
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("heading", name="Nog geen boekhouding")).to_be_visible()
    check_screen(page, "books-dashboard-empty-nl")

    push_books(stack, other)
    page.reload()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(page.get_by_role("combobox", name="Boekjaar")).to_have_value("2025")
    api = stack.request(
        "GET", f"/reports/companies/{other['company']}/dashboard", token=other["admin"]
    ).json()
    figures = page.get_by_role("list", name="Kerncijfers")
    liquidity = figures.locator("li", has_text="Liquide middelen").locator("strong")
    assert amount_of(liquidity.inner_text()) == pytest.approx(float(api["indicators"]["liquidity"]))
    assert "€" in liquidity.inner_text()
    # Six charts: five drawings and the indicators table.
    expect(page.locator("figure svg[role=presentation]")).to_have_count(5)
    expect(page.get_by_role("heading", name="Indicatoren van het boekjaar")).to_be_visible()

    # The result by quarter as a table: the 2025 data run to August, so three quarters, the third in progress.
    result = page.locator("figure#chart-result")
    expect(result.get_by_role("heading")).to_have_text(re.compile("per kwartaal"))
    result.get_by_role("button", name="Cijfers tonen").click()
    rows = result.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(2)).to_contain_text("lopend")
    third = api["quarters"][2]["result"]
    assert amount_of(rows.nth(2).locator("td").inner_text()) == pytest.approx(float(third))
    result.get_by_role("button", name="Boekjaar", exact=True).click()
    expect(rows).to_have_count(2)
    expect(rows.first.locator("th")).to_have_text("2024")
    check_screen(page, "books-dashboard-nl")

    # Another fiscal year: four quarters, and the liquidity follows.
    page.get_by_role("combobox", name="Boekjaar").select_option("2024")
    result.get_by_role("button", name="Kwartaal", exact=True).click()
    expect(rows).to_have_count(4)
    year_2024 = stack.request(
        "GET", f"/reports/companies/{other['company']}/dashboard?fiscal_year=2024", token=other["admin"]
    ).json()
    assert wait_for(
        lambda: (
            amount_of(liquidity.inner_text()) == pytest.approx(float(year_2024["indicators"]["liquidity"]))
        ),
        timeout_s=5,
    )


def test_a_report_is_generated_with_its_progress_and_its_excel_file_opens(page: Page, books):
    sign_in(page, OTHER_ADMIN)
    page.locator("header.top").get_by_role("button", name="Cijfers", exact=True).click()
    page.get_by_role("link", name="Rapporten", exact=True).click()
    page.get_by_role("radio", name=re.compile("Proef- en saldibalans")).check()
    page.get_by_role("combobox", name="Boekjaar").select_option("2024")
    page.get_by_role("radio", name="Excel").check()
    check_screen(page, "books-reports-nl")
    page.get_by_role("button", name="Rapport aanmaken").click()

    link = page.get_by_role("link", name="Downloaden (Excel)")
    expect(link).to_be_visible(timeout=60_000)
    with page.expect_download() as download:
        link.click()
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    rows = list(workbook.active.iter_rows(values_only=True))
    total = next(r for r in rows if r[0] in ("Totaal", "Total"))
    assert total[2] == pytest.approx(total[3]) and total[2] > 0
    assert download.value.suggested_filename.endswith(".xlsx")


def test_the_financial_filters_narrow_the_transactions_and_the_accountant_asks_for_the_missing_documents(
    page: Page, stack, books
):
    uploaded = stack.request(
        "POST", f"/reports/companies/{books['company']}/bank/statements", token=books["admin"],
        raw=coda_files.rich_file(), content_type="application/octet-stream",
    )  # fmt: skip
    assert uploaded.status in (200, 201), uploaded.body

    sign_in(page, OTHER_ADMIN)
    page.locator("header.top").get_by_role("button", name="Cijfers", exact=True).click()
    page.get_by_role("link", name="Financieel", exact=True).click()
    expect(page.get_by_role("list", name="Bankrekeningen").locator("li")).to_have_count(2)
    rows = page.locator("table.movements tbody tr")
    expect(rows).to_have_count(6)

    page.get_by_role("combobox", name=re.compile("^Rekening")).select_option(coda_files.KBC)
    page.get_by_role("button", name="Filteren").click()
    expect(rows).to_have_count(5)
    page.get_by_label("Maximumbedrag").fill("veel")
    page.get_by_role("button", name="Filteren").click()
    expect(page.get_by_role("alert")).to_contain_text("Deze filters konden niet toegepast worden")
    page.get_by_label("Maximumbedrag").fill("")
    page.get_by_label("Minimumbedrag").fill("0,01")
    page.get_by_role("button", name="Filteren").click()
    expect(rows).to_have_count(2)
    page.get_by_label("Minimumbedrag").fill("")
    page.get_by_label("Tegenpartij of mededeling").fill("Immo Gent")
    page.get_by_role("button", name="Filteren").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Immo Gent NV")
    assert amount_of(rows.first.locator("td.amount").inner_text()) == -2420
    check_screen(page, "books-financial-nl")

    # The accountant asks the client for the document of one movement without one: a conversation.
    page.context.clear_cookies()
    page.evaluate("sessionStorage.clear()")
    sign_in(page, ACCOUNTANT)
    page.goto(f"/c/{books['company']}/financial")
    unmatched = page.get_by_role("list", name="Mouvements sans document")
    unmatched.get_by_role("checkbox", name=re.compile("Batch|contrepartie inconnue")).first.check()
    page.get_by_label("Message au client (facultatif)").fill("Merci de déposer ces pièces.")
    page.get_by_role("button", name="Demander le document de 1 mouvement").click()
    expect(page.get_by_role("status").filter(has_text="Demande envoyée")).to_be_visible()
    check_screen(page, "books-financial-accountant-fr")


def test_a_suppliers_open_invoice_in_the_history_opens_its_document(page: Page, stack, books):
    company, token = books["company"], books["admin"]
    content_type, payload = multipart(
        (
            "electrabel.pdf",
            invoice_pdf(supplier="Electrabel Energie", supplier_vat=SUPPLIER_VAT, number=INVOICE_NUMBER),
        )
    )
    uploaded = stack.request(
        "POST", f"/documents/companies/{company}/mailboxes/purchase/documents", token=token,
        raw=payload, content_type=content_type,
    )  # fmt: skip
    assert uploaded.status == 202, uploaded.body
    did = uploaded.json()["documents"][0]

    def ready():
        listed = stack.request(
            "GET", f"/documents/companies/{company}/mailboxes/purchase", token=token
        ).json()
        return any(d["id"] == did and d["status"] == "inbox" for d in listed["documents"])

    assert wait_for(ready, timeout_s=60)
    # The person checks the two fields the ledger line is matched on (the invoice names another customer).
    corrected = stack.request(
        "PATCH", f"/documents/companies/{company}/documents/{did}/fields", token=token,
        body={"fields": {"supplier_vat": SUPPLIER_VAT, "invoice_number": INVOICE_NUMBER}},
    )  # fmt: skip
    assert corrected.status == 200, corrected.body

    sign_in(page, OTHER_ADMIN)
    page.locator("header.top").get_by_role("button", name="Cijfers", exact=True).click()
    page.get_by_role("link", name="Boekhouding", exact=True).click()
    expect(page.get_by_role("link", name="Leveranciers")).to_have_attribute("aria-current", "page")
    line = page.locator("table.history-lines tbody tr", has_text=INVOICE_NUMBER)
    expect(line).to_have_count(1)
    expect(line).to_contain_text("Electrabel Energie")
    expect(line.get_by_role("button", name=re.compile("^Downloaden"))).to_be_visible()
    check_screen(page, "books-suppliers-nl")

    # Every supplier line of both years, paid ones too (the paid 2024 invoice A24-001 among them).
    paid = page.locator("table.history-lines tbody tr", has_text="A24-001")
    expect(paid).to_have_count(0)
    page.get_by_role("radio", name="Alles").check()
    expect(paid.first).to_be_visible()
    page.get_by_role("radio", name="Openstaande posten").check()
    expect(paid).to_have_count(0)

    # An account's lines: the bank account 550000 (a prefix), every line of the latest year.
    page.get_by_role("link", name="Rekeningen").click()
    page.get_by_label("Rekening").fill("55")
    page.get_by_role("button", name="Filteren").click()
    bank_lines = page.locator("table.history-lines tbody tr")
    expect(bank_lines.filter(has_text="620200")).to_have_count(0)
    expect(bank_lines.first.locator("td").nth(2)).to_have_text(re.compile(r"^55\d{4}"))
    check_screen(page, "books-accounts-nl")

    page.get_by_role("link", name="Leveranciers").click()
    line.get_by_role("link", name=re.compile("^Openen")).click()
    expect(page).to_have_url(re.compile(f"/c/{company}/doc/{did}$"))
