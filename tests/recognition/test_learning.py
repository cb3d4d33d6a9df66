"""Learning from corrections: after `learn`, the next invoice of that supplier gets the field right."""

from decimal import Decimal

import pymupdf
import pytest

from comptoir_pdf.recognition import SupplierProfile, learn, pages_from_json, pages_to_json, recognise
from tests.recognition.corpus import COMPANY

SUPPLIER_VAT = "BE0403019459"


def lepel_invoice(number: str, day: str, excl: str) -> bytes:
    """A caterer's own layout: a slogan where a name would be, the real name in small print at the
    foot, the invoice number alone at the right of the order reference."""
    excl_d = Decimal(excl.replace(",", "."))
    vat = (excl_d * Decimal("0.21")).quantize(Decimal("0.01"))

    def money(value: Decimal) -> str:
        return f"{value:.2f}".replace(".", ",") + " €"

    doc = pymupdf.open()
    page = doc.new_page()
    lines = [
        (50, 60, "Catering & Events", 18),
        (50, 80, "Kerkstraat 5, 9000 Gent", 9),
        (50, 92, "BTW BE 0403.019.459", 9),
        (350, 140, "Demo SRL", 10),
        (350, 152, "Rue de la Loi 16", 9),
        (350, 164, "1000 Bruxelles", 9),
        (350, 176, "BTW BE0417497106", 9),
        (50, 210, "FACTUUR", 14),
        (50, 235, "Bestelling: PO-1234", 9),
        (400, 235, number, 9),
        (50, 248, f"Datum: {day}", 9),
        (300, 400, "Totaal excl. btw", 9),
        (480, 400, money(excl_d), 9),
        (300, 413, "BTW 21%", 9),
        (480, 413, money(vat), 9),
        (300, 428, "Te betalen", 10),
        (480, 428, money(excl_d + vat), 10),
        (50, 470, "IBAN BE56 3631 2345 6788", 9),
        (50, 790, "De Gouden Lepel - traiteur", 7),
    ]
    for x, y, text, size in lines:
        page.insert_text((x, y), text, fontsize=size)
    return doc.tobytes()


@pytest.fixture(scope="module")
def first():
    return recognise(lepel_invoice("2026/0042", "12/03/2026", "100,00"), company=COMPANY, ocr=None)


def test_without_a_profile_this_supplier_s_name_and_number_are_not_read(first):
    assert first.fields["supplier_vat"].value == SUPPLIER_VAT
    assert first.fields["supplier_name"].value != "De Gouden Lepel"
    assert "invoice_number" not in first.fields or first.fields["invoice_number"].value != "2026/0042"


def test_a_corrected_supplier_name_is_given_to_the_next_invoice_of_that_supplier(first):
    fields = {**first.values(), "supplier_name": "De Gouden Lepel"}

    profile = learn(None, fields, "supplier_name", first.pages)

    nxt = recognise(
        lepel_invoice("2026/0043", "02/04/2026", "250,00"),
        company=COMPANY,
        ocr=None,
        profiles={SUPPLIER_VAT: profile},
    )
    assert nxt.fields["supplier_name"].value == "De Gouden Lepel"
    assert nxt.fields["supplier_name"].confidence >= 0.9


def test_where_the_supplier_prints_its_invoice_number_is_learnt(first):
    profile = learn(None, {**first.values(), "invoice_number": "2026/0042"}, "invoice_number", first.pages)

    assert profile.anchors["invoice_number"].label == "bestelling:"
    nxt = recognise(
        lepel_invoice("2026/0043", "02/04/2026", "250,00"),
        company=COMPANY,
        ocr=None,
        profiles={SUPPLIER_VAT: profile},
    )
    assert nxt.fields["invoice_number"].value == "2026/0043"
    assert nxt.fields["invoice_number"].confidence >= 0.9


def test_corrections_add_up_in_one_profile_and_survive_its_round_trip(first):
    profile = learn(
        None, {**first.values(), "supplier_name": "De Gouden Lepel"}, "supplier_name", first.pages
    )
    profile = learn(
        SupplierProfile.from_dict(profile.to_dict()),
        {**first.values(), "invoice_number": "2026/0042"},
        "invoice_number",
        pages_from_json(pages_to_json(first.pages)),
    )

    assert profile.name == "De Gouden Lepel"
    assert "invoice_number" in profile.anchors
    assert profile.corrections == 2
    assert profile.ibans == ["BE56363123456788"]


def test_a_profile_is_used_only_for_its_own_supplier(first):
    profile = learn(
        None, {**first.values(), "supplier_name": "De Gouden Lepel"}, "supplier_name", first.pages
    )
    other = SupplierProfile.from_dict({**profile.to_dict(), "vat": "BE0512345684"})

    nxt = recognise(
        lepel_invoice("2026/0043", "02/04/2026", "250,00"),
        company=COMPANY,
        ocr=None,
        profiles={other.vat: other},
    )

    assert nxt.fields["supplier_name"].value != "De Gouden Lepel"


def test_there_is_nothing_to_learn_under_without_a_supplier_vat(first):
    with pytest.raises(ValueError, match="no supplier VAT"):
        learn(None, {**first.values(), "supplier_vat": None}, "supplier_name", first.pages)


def _taught(first) -> SupplierProfile:
    profile = learn(
        None, {**first.values(), "supplier_name": "De Gouden Lepel"}, "supplier_name", first.pages
    )
    return SupplierProfile.from_dict({**profile.to_dict(), "name": "Traiteur Lepel BV"})


def test_given_a_learnt_name_the_page_does_not_print_then_the_printed_name_is_kept(first):
    nxt = recognise(
        lepel_invoice("2026/0043", "02/04/2026", "250,00"),
        company=COMPANY,
        ocr=None,
        profiles={SUPPLIER_VAT: _taught(first)},
    )

    assert nxt.fields["supplier_name"].value == first.fields["supplier_name"].value
    assert nxt.fields["supplier_name"].source == "text"


def test_given_a_page_without_any_name_then_the_learnt_one_is_given_labelled_learnt(first):
    doc = pymupdf.open(stream=lepel_invoice("2026/0044", "03/04/2026", "80,00"))
    page = doc[0]
    for rect in page.search_for("Catering & Events") + page.search_for("De Gouden Lepel - traiteur"):
        page.add_redact_annot(rect)
    page.apply_redactions()

    nxt = recognise(doc.tobytes(), company=COMPANY, ocr=None, profiles={SUPPLIER_VAT: _taught(first)})

    if "supplier_name" in nxt.fields and nxt.fields["supplier_name"].value != "Traiteur Lepel BV":
        pytest.fail(f"a name was read from the page: {nxt.fields['supplier_name']}")
    assert nxt.fields["supplier_name"].value == "Traiteur Lepel BV"
    assert nxt.fields["supplier_name"].source == "learnt"
