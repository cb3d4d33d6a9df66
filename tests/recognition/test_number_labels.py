"""Invoice-number labels as OCR gives them on scans, faxes and photos (dev-half failures)."""

import pymupdf
import pytest

from comptoir_pdf.recognition import PageWords, TesseractEngine, Word, read_layouts, recognise
from comptoir_pdf.recognition import labels as L
from comptoir_pdf.recognition.recogniser import Recogniser
from tests.recognition.wildcorpus import OWN


def _cells(*rows: tuple[float, list[tuple[float, str]]], height: float = 7) -> PageWords:
    words = []
    for y, cells in rows:
        for x, text in cells:
            for part in text.split():
                words.append(Word(part, 1, x, y, x + 4.5 * len(part), y + height, "ocr"))
                x += 4.5 * len(part) + 3
    return PageWords(page=1, width=595, height=842, words=tuple(words), source="ocr")


def _number(page: PageWords):
    recogniser = Recogniser(read_layouts([page]), company=OWN, source="ocr")
    recogniser.page_sources = {1: "ocr"}
    recogniser.run()
    return recogniser.fields.get("invoice_number")


@pytest.mark.parametrize(
    ("caption", "value"),
    [
        ("Reehnungs-Nr.", "A02419"),  # seed 22044: "c" read "e"
        ("Ruchnungs Nr.", "2025-FA-4471"),  # seed 22034
        ("Faetuurnr.", "ADV-I91"),  # seed 22058
        ("Factuumr", "ADV-I58"),  # seed 23008: "rn" read "m"
        ("Facture n", "FV/2024/788"),  # seed 22054: the "°" lost
    ],
)
def test_given_a_caption_under_its_value_garbled_by_ocr_then_the_number_is_read_not_sure(caption, value):
    page = _cells(
        (200, [(50, value), (110, "2024-03-27"), (170, "2024-04-26")]),
        (210, [(50, caption), (110, "Rechnungsdatum"), (170, "Falligkeitsdatum")]),
        (400, [(300, "Total"), (450, "121,00")]),
    )

    number = _number(page)

    assert number is not None and number.value == value
    assert number.confidence < 0.9


def test_given_a_column_captioned_only_invoice_beside_the_dates_then_its_value_is_the_number():
    # Seeds 21046, 22006: "Invoice | Date | Due date" over "NC-2024-1610 | 22.01.2024 | 05.02.2024".
    page = _cells(
        (158, [(50, "Invoice"), (113, "Date"), (163, "Due date")]),
        (172, [(50, "NC-2024-1610"), (113, "22.01.2024"), (163, "05.02.2024")]),
    )

    number = _number(page)

    assert number is not None and number.value == "NC-2024-1610"
    assert number.confidence < 0.9


def test_given_a_large_title_invoice_then_it_is_no_caption_of_what_stands_under_it():
    page = _cells((100, [(50, "Invoice")]), height=16)
    page = PageWords(
        page=1,
        width=595,
        height=842,
        source="ocr",
        words=(
            *page.words,
            *_cells(
                (125, [(50, "B-1000 Brussels"), (150, "Date"), (200, "Due date")]),
                (140, [(50, "Avenue 12"), (150, "22.01.2024"), (200, "05.02.2024")]),
            ).words,
        ),
    )

    assert _number(page) is None


@pytest.mark.parametrize("text", ["factuur", "rechnung", "rechnungen", "kundennr.", "klantnr", "facturen"])
def test_words_near_a_number_label_that_are_not_one(text):
    assert L.fuzzy_number_labels(text) == ()


def test_given_ocr_broke_the_number_with_a_space_then_the_cell_is_read_whole_and_not_sure():
    # Seed 22020: "FV/2025/1 996" under "N° de facture" came out "FV/2025/1" with 0.95.
    page = _cells(
        (187, [(50, "N° de facture"), (160, "Date de facture")]),
        (211, [(50, "FV/2025/1 996"), (160, "6 mai 2025")]),
    )

    number = _number(page)

    assert number.value == "FV/2025/1996"
    assert number.confidence < 0.9


def test_given_a_number_followed_by_a_date_in_its_cell_then_nothing_is_joined():
    page = _cells((100, [(50, "Factuurnr. 2024-0042 12/03/2024")]))

    assert _number(page).value == "2024-0042"


class _HeadEngine(TesseractEngine):
    """Tesseract's place, answering from canned words: the whole page garbled the caption under the
    number; the head read again, enlarged, reads it."""

    def __init__(self, psm=None):
        super().__init__(psm=psm)
        self.bands = 0

    def second_pass(self):
        return self

    def read_page(self, image, *, page, width, height, dpi):
        band = 200 < height < 500  # the head (the footer's band is smaller)
        self.bands += band
        caption = "Rechnungs-Nr." if band else "Rcclmgs-Nf."
        rows = [(100, [(50, "ADV-171"), (120, "17/11/2025")]), (110, [(50, caption), (120, "Belegdatum")])]
        if not band:
            rows.append((700, [(300, "Gesamtbetrag"), (450, "121,00")]))
        words = _cells(*rows).words
        return PageWords(page=page, width=width, height=height, source="ocr", words=words)


def _blank_scan() -> bytes:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.draw_rect(pymupdf.Rect(10, 10, 50, 50), color=(0, 0, 0), fill=(0.5, 0.5, 0.5))
    return doc.tobytes()


def test_given_no_number_found_on_a_scan_then_the_page_head_is_read_again_and_gives_it():
    engine = _HeadEngine()

    rec = recognise(_blank_scan(), company=OWN, ocr=engine)

    assert engine.bands == 1
    assert rec.fields["invoice_number"].value == "ADV-171"
    assert rec.fields["total_incl_vat"].value == "121.00"  # the rest of the page kept
