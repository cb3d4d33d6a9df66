"""Scans: a page without text goes through Tesseract and the same recogniser reads its words."""

import pytest

from comptoir_pdf.recognition import KEY_FIELDS, TesseractEngine, recognise
from tests.recognition.corpus import COMPANY, generate


@pytest.fixture(scope="module")
def scanned():
    """A Dutch invoice, printed, scanned at 200 dpi with skew, noise and JPEG artefacts."""
    sample = generate(21, layout="classic", language="nl", scanned=True)
    return sample, recognise(sample.pdf, company=COMPANY, ocr=TesseractEngine())


def test_a_scanned_invoice_has_its_key_fields_and_totals_read_by_ocr(scanned):
    sample, rec = scanned

    for name in (*KEY_FIELDS, "total_excl_vat", "vat_amount", "customer_vat"):
        assert rec.fields[name].value == sample.truth[name], name
    assert {f.source for f in rec.fields.values()} == {"ocr"}


def test_ocr_fields_point_into_the_page(scanned):
    _, rec = scanned

    x0, y0, x1, y1 = rec.fields["total_incl_vat"].box
    assert 0 < x0 < x1 <= 595 and 0 < y0 < y1 <= 842
    assert rec.fields["total_incl_vat"].page == 1


def test_ocr_words_are_kept_to_learn_from_later(scanned):
    _, rec = scanned

    assert rec.pages[0].source == "ocr"
    assert any(word.text.startswith("BE") for word in rec.words)
