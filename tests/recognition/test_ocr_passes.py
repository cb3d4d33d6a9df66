"""The second OCR reading (the page as one block) and the footer's: each really reads again, and its
fields are merged into the first reading field by field."""

import stat

from comptoir_pdf.recognition import (
    DISAGREEING_CONFIDENCE,
    CompanyIdentity,
    RecognisedField,
    Recogniser,
    TesseractEngine,
    merge_readings,
    recognise,
)
from tests.recognition.scoring import compare
from tests.recognition.wildcorpus import OWN, wild


def _reading(**fields: tuple[object, float]) -> Recogniser:
    reading = Recogniser([], company=CompanyIdentity(vat=None), source="ocr")
    reading.fields = {
        name: RecognisedField(value, confidence, "ocr") for name, (value, confidence) in fields.items()
    }
    return reading


def test_given_the_second_pass_engine_then_tesseract_is_asked_to_read_the_page_as_one_block(tmp_path):
    # A stand-in for the tesseract command that notes its arguments and answers an empty TSV.
    seen = tmp_path / "args"
    command = tmp_path / "tesseract"
    command.write_text(f'#!/bin/sh\necho "$@" > {seen}\nprintf "level\\tconf\\n"\n')
    command.chmod(command.stat().st_mode | stat.S_IEXEC)
    first = TesseractEngine(command=str(command))

    first.read_page(b"P5 1 1 255 x", page=1, width=595, height=842, dpi=300)
    assert "--psm 3" in seen.read_text()
    first.second_pass().read_page(b"P5 1 1 255 x", page=1, width=595, height=842, dpi=300)
    assert "--psm 6" in seen.read_text()


def test_given_a_field_only_the_second_reading_found_then_it_is_added_and_the_first_ones_stay():
    first = _reading(invoice_number=("F-17", 0.95), invoice_date=("2025-03-04", 0.9))
    again = _reading(invoice_number=("F-17", 0.9), supplier_vat=("BE0417497106", 0.98))

    merge_readings(first, again)

    assert first.fields["supplier_vat"].value == "BE0417497106"
    assert first.fields["invoice_number"].value == "F-17"
    assert first.fields["invoice_number"].confidence == 0.95
    assert first.fields["invoice_date"].value == "2025-03-04"


def test_given_two_readings_that_disagree_then_the_surer_one_wins_and_neither_is_sure():
    first = _reading(invoice_date=("2025-08-06", 0.45), invoice_number=("F-17", 0.95))
    again = _reading(invoice_date=("2025-07-07", 0.9), invoice_number=("F-11", 0.85))

    merge_readings(first, again)

    assert first.fields["invoice_date"].value == "2025-07-07"
    assert first.fields["invoice_number"].value == "F-17"
    assert first.fields["invoice_date"].confidence <= DISAGREEING_CONFIDENCE
    assert first.fields["invoice_number"].confidence <= DISAGREEING_CONFIDENCE


def test_given_totals_only_the_second_reading_found_then_they_come_as_one_group():
    first = _reading(vat_amount=("21.00", 0.6))
    again = _reading(total_excl_vat=("100.00", 0.9), vat_amount=("6.00", 0.9), total_incl_vat=("106.00", 0.9))

    merge_readings(first, again)

    assert {n: first.fields[n].value for n in ("total_excl_vat", "vat_amount", "total_incl_vat")} == {
        "total_excl_vat": "100.00",
        "vat_amount": "6.00",
        "total_incl_vat": "106.00",
    }


def test_given_a_fax_whose_vat_number_only_the_one_block_reading_sees_then_it_is_read():
    # Development half (even seed): the first reading misses the supplier's VAT number.
    sample = wild(22000, medium="fax")
    from comptoir_pdf.recognition.inputs import prepare

    rec = recognise(prepare(sample.data).pdf, company=OWN, ocr=TesseractEngine())

    result = compare(sample.truth, rec.fields)
    assert result["supplier_vat"], rec.fields.get("supplier_vat")
    assert result["invoice_number"] and result["total_incl_vat"]
