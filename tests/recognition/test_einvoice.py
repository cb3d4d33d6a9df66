"""E-invoices: Peppol BIS 3.0 UBL and CII read to exact fields, in XML or inside a PDF."""

from pathlib import Path

import pymupdf
import pytest

from comptoir_pdf.einvoice import NotAnEInvoice, attach_xml, embedded_xml, parse_einvoice, render_pdf
from comptoir_pdf.recognition import recognise
from tests.recognition.corpus import COMPANY, generate

SAMPLES = Path(__file__).parent / "samples"
UBL_INVOICE = (SAMPLES / "peppol-invoice.xml").read_bytes()
UBL_CREDIT_NOTE = (SAMPLES / "peppol-credit-note.xml").read_bytes()
CII_INVOICE = (SAMPLES / "factur-x.xml").read_bytes()

UBL_INVOICE_FIELDS = {
    "document_type": "invoice",
    "supplier_name": "Papeterie Lejeune SRL",
    "supplier_vat": "BE0202239951",
    "customer_vat": "BE0417497106",
    "invoice_number": "2026-0142",
    "invoice_date": "2026-03-15",
    "due_date": "2026-04-14",
    "currency": "EUR",
    "total_excl_vat": "1510.00",
    "vat_amount": "270.60",
    "total_incl_vat": "1780.60",
    "vat_breakdown": [
        {"rate": "21", "base": "1200.00", "vat": "252.00"},
        {"rate": "6", "base": "310.00", "vat": "18.60"},
    ],
    "iban": "BE56363123456788",
    "bic": "BBRUBEBB",
    "structured_reference": "090933755493",
}


def test_a_peppol_ubl_invoice_gives_every_field_exactly_with_confidence_one():
    rec = recognise(render_pdf(UBL_INVOICE), company=COMPANY, xml=UBL_INVOICE, ocr=None)

    assert {name: f.value for name, f in rec.fields.items()} == UBL_INVOICE_FIELDS
    assert {f.source for f in rec.fields.values()} == {"xml"}
    assert {f.confidence for f in rec.fields.values()} == {1.0}
    assert rec.warnings == []


def test_xml_fields_point_at_where_the_rendering_shows_them():
    rec = recognise(render_pdf(UBL_INVOICE), company=COMPANY, xml=UBL_INVOICE, ocr=None)

    number = rec.fields["invoice_number"]
    assert number.page == 1
    page = pymupdf.open(stream=render_pdf(UBL_INVOICE), filetype="pdf")[0]
    box = pymupdf.Rect(number.box)
    assert [
        w[4]
        for w in page.get_text("words")
        if box.contains(pymupdf.Point((w[0] + w[2]) / 2, (w[1] + w[3]) / 2))
    ] == ["2026-0142"]


def test_a_ubl_credit_note_is_a_credit_note_with_its_due_date_from_the_payment_means():
    fields = parse_einvoice(UBL_CREDIT_NOTE).fields()

    assert fields["document_type"] == "credit_note"
    assert fields["invoice_number"] == "CN-2026-007"
    assert fields["supplier_vat"] == "BE0876543270"
    assert fields["due_date"] == "2026-05-02"
    assert (fields["total_excl_vat"], fields["vat_amount"], fields["total_incl_vat"]) == (
        "200.00",
        "42.00",
        "242.00",
    )
    assert fields["iban"] == "BE48001123456727"
    assert fields["structured_reference"] is None


def test_a_cii_invoice_reads_seller_buyer_totals_and_payment():
    fields = parse_einvoice(CII_INVOICE).fields()

    assert fields == {
        "document_type": "invoice",
        "supplier_name": "Schneider Haustechnik GmbH",
        "supplier_vat": "DE136695976",
        "customer_vat": "BE0417497106",
        "invoice_number": "FX-2026-0031",
        "invoice_date": "2026-02-10",
        "due_date": "2026-03-12",
        "currency": "EUR",
        "total_excl_vat": "900.00",
        "vat_amount": "0.00",
        "total_incl_vat": "900.00",
        "vat_breakdown": [{"rate": "0", "base": "900.00", "vat": "0.00"}],
        "iban": "DE89370400440532013000",
        "bic": "COBADEFFXXX",
        "structured_reference": None,
    }


def test_the_cii_inside_a_factur_x_pdf_is_found_and_wins_over_the_text():
    pdf = attach_xml(render_pdf(CII_INVOICE), CII_INVOICE, filename="factur-x.xml")

    assert embedded_xml(pdf) == CII_INVOICE
    rec = recognise(pdf, company=COMPANY, ocr=None)
    assert rec.fields["invoice_number"].value == "FX-2026-0031"
    assert rec.fields["invoice_number"].source == "xml"


def test_a_pdf_whose_totals_differ_from_its_attached_ubl_is_flagged():
    # The supplier's PDF of another invoice, carrying this UBL: the totals disagree.
    pdf = attach_xml(generate(1, layout="classic", language="fr").pdf, UBL_INVOICE, filename="invoice.xml")

    rec = recognise(pdf, company=COMPANY, ocr=None)

    assert rec.fields["total_incl_vat"].value == "1780.60"
    assert any("the PDF shows total incl. VAT" in w and "its XML says 1780.60" in w for w in rec.warnings)


def test_the_rendering_shows_the_parties_lines_and_totals():
    text = pymupdf.open(stream=render_pdf(UBL_INVOICE), filetype="pdf")[0].get_text()

    for expected in (
        "Papeterie Lejeune SRL",
        "Demo SRL",
        "Conseil en organisation",
        "1,780.60 EUR",
        "BE56363123456788",
    ):
        assert expected in text


def test_xml_with_a_doctype_is_refused():
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>'

    with pytest.raises(NotAnEInvoice):
        parse_einvoice(evil)


def test_an_xml_that_is_no_invoice_is_reported_and_the_pdf_read_instead():
    sample = generate(2, layout="table", language="nl")

    rec = recognise(sample.pdf, company=COMPANY, xml=b"<order/>", ocr=None)

    assert rec.fields["invoice_number"].value == sample.truth["invoice_number"]
    assert any("not a readable e-invoice" in w for w in rec.warnings)
