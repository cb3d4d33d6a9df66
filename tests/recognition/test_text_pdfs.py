"""PDFs with a text layer: the recogniser reads the generated corpus's layouts and languages."""

import pymupdf
import pytest

from comptoir_pdf.recognition import CompanyIdentity, recognise
from tests.recognition.corpus import (
    COMPANY,
    COMPANY_IBAN,
    COMPANY_VAT,
    LAYOUTS,
    draw_invoice,
    generate,
    render,
)
from tests.recognition.scoring import compare

# One invoice per layout, the four languages spread over them.
CASES = [
    (seed, layout, ("fr", "nl", "en", "de")[i % 4])
    for i, (seed, layout) in enumerate(zip(range(100, 108), LAYOUTS, strict=True))
]


@pytest.mark.parametrize(("seed", "layout", "language"), CASES, ids=[f"{c[1]}-{c[2]}" for c in CASES])
def test_every_field_of_a_generated_invoice_is_read_right(seed, layout, language):
    sample = generate(seed, layout=layout, language=language)

    rec = recognise(sample.pdf, company=COMPANY, ocr=None)

    wrong = {
        name: (sample.truth[name], getattr(rec.fields.get(name), "value", None))
        for name, ok in compare(sample.truth, rec.fields).items()
        if not ok
    }
    assert wrong == {}
    assert {f.source for f in rec.fields.values()} == {"text"}


def test_a_credit_note_says_so_and_gives_its_amounts_positive():
    sample = generate(7, layout="classic", language="nl", kind="credit_note")

    rec = recognise(sample.pdf, company=COMPANY, ocr=None)

    assert rec.fields["document_type"].value == "credit_note"
    assert rec.fields["total_incl_vat"].value == sample.truth["total_incl_vat"]
    assert not rec.fields["total_incl_vat"].value.startswith("-")


def test_the_company_own_vat_number_and_iban_are_never_taken_as_the_supplier_s():
    # The customer block carries the company's VAT number and IBAN, and a direct-debit notice its IBAN again.
    inv = draw_invoice(11, layout="footer", language="fr", kind="invoice")
    inv.show_customer_iban = True
    pdf = render(inv)
    text = pymupdf.open(stream=pdf, filetype="pdf")[0].get_text()
    assert "BE71 0961 2345 6769" in text and "0417" in text

    rec = recognise(pdf, company=COMPANY, ocr=None)

    assert rec.fields["supplier_vat"].value == inv.supplier.vat != COMPANY_VAT
    assert rec.fields["iban"].value == inv.supplier.iban != COMPANY_IBAN
    assert rec.fields["customer_vat"].value == COMPANY_VAT


def test_fields_carry_the_page_and_box_where_they_are_printed():
    sample = generate(3, layout="columns", language="fr")
    rec = recognise(sample.pdf, company=COMPANY, ocr=None)

    page = pymupdf.open(stream=sample.pdf, filetype="pdf")[0]
    field = rec.fields["invoice_number"]
    assert field.page == 1
    box = pymupdf.Rect(field.box)
    inside = [
        w[4]
        for w in page.get_text("words")
        if box.contains(pymupdf.Point((w[0] + w[2]) / 2, (w[1] + w[3]) / 2))
    ]
    assert inside == [sample.truth["invoice_number"]]


def _page(lines: list[tuple[float, float, str]]) -> bytes:
    doc = pymupdf.open()
    page = doc.new_page()
    for x, y, text in lines:
        page.insert_text((x, y), text, fontsize=10)
    return doc.tobytes()


def test_a_field_the_recogniser_is_unsure_of_has_a_low_confidence():
    # Two VAT numbers and two IBANs, none the company's, no labels to tell them apart.
    pdf = _page(
        [
            (50, 60, "Facture 2026-17"),
            (50, 100, "BE 0403.019.459"),
            (300, 100, "BE 0512.345.684"),
            (50, 400, "BE56 3631 2345 6788"),
            (300, 400, "BE09 7341 2345 6757"),
            (50, 500, "Total TVAC 121,00"),
        ]
    )

    rec = recognise(pdf, company=CompanyIdentity(vat=COMPANY_VAT), ocr=None)

    assert rec.fields["supplier_vat"].confidence < 0.6
    assert rec.fields["iban"].confidence < 0.7


def test_totals_that_do_not_add_up_are_flagged_and_unsure():
    pdf = _page(
        [
            (50, 60, "FACTURE"),
            (50, 80, "Facture n° 2026-18"),
            (300, 400, "Total HTVA"),
            (450, 400, "100,00 €"),
            (300, 415, "TVA 21%"),
            (450, 415, "21,00 €"),
            (300, 430, "Total TVAC"),
            (450, 430, "122,00 €"),
        ]
    )

    rec = recognise(pdf, company=COMPANY, ocr=None)

    assert rec.fields["total_incl_vat"].value == "122.00"
    assert rec.fields["total_incl_vat"].confidence <= 0.6
    assert "total excl. VAT 100.00 + VAT 21.00 = 121.00, but the total incl. VAT is 122.00" in rec.warnings


def test_a_page_without_text_and_without_ocr_says_it_was_not_read():
    doc = pymupdf.open()
    doc.new_page()

    rec = recognise(doc.tobytes(), company=COMPANY, ocr=None)

    assert rec.fields == {}
    assert rec.warnings == ["page 1 has no text and no OCR was available"]
