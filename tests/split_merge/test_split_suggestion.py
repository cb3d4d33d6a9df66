"""comptoir_pdf.split_suggestion on real PDFs: where each invoice starts, and how sure it is."""

import pymupdf

from comptoir_pdf.split_suggestion import PageFacts, suggest_from_facts, suggest_split
from tests.split_merge import samples

CUSTOMER = "Client: Demo SRL, Rue de la Loi 16, 1000 Bruxelles, TVA BE0202.442.166"


def invoice_page(
    supplier: str, vat: str, number: str, date: str, *, marker: str = "", totals: bool = False
) -> str:
    lines = [supplier, "Rue du Commerce 1, 1000 Bruxelles", f"TVA {vat}", "", CUSTOMER, ""]
    lines += [f"Facture n° {number}", f"Date: {date}", ""]
    lines += [f"Prestation {n}    100,00" for n in range(1, 6)]
    if totals:
        lines += ["", "Total HTVA 500,00", "TVA 21% 105,00", "Total à payer 605,00 EUR"]
    if marker:
        lines += ["", marker]
    return "\n".join(lines)


def three_invoices() -> list[str]:
    return [
        invoice_page("Alpha SPRL", "BE0417.497.106", "F2024-001", "12/03/2024", marker="Page 1/2"),
        invoice_page(
            "Alpha SPRL", "BE0417.497.106", "F2024-001", "12/03/2024", marker="Page 2/2", totals=True
        ),
        invoice_page("Beta BV", "BE0844.395.292", "2024-17", "15/03/2024", totals=True),
        invoice_page("Alpha SPRL", "BE0417.497.106", "F2024-002", "20/03/2024", marker="pagina 1 van 2"),
        invoice_page(
            "Alpha SPRL", "BE0417.497.106", "F2024-002", "20/03/2024", marker="pagina 2 van 2", totals=True
        ),
    ]


def test_each_invoice_of_a_text_pdf_is_found_where_it_starts():
    suggestion = suggest_split(samples.text_pdf(three_invoices()))

    assert [f.page for f in suggestion.first_pages] == [1, 3, 4]
    assert suggestion.groups == [[1, 2], [3], [4, 5]]
    assert suggestion.blank_pages == []
    assert all(f.confidence >= 0.5 for f in suggestion.first_pages)


def test_a_new_invoice_number_and_supplier_are_named_as_the_reasons():
    suggestion = suggest_split(samples.text_pdf(three_invoices()))

    third = next(f for f in suggestion.first_pages if f.page == 3)
    assert any("invoice number 2024-17 differs" in r for r in third.reasons)
    assert any("another VAT number (BE0844395292)" in r for r in third.reasons)
    assert third.confidence >= 0.9


def test_a_page_2_of_2_marker_keeps_a_page_with_its_invoice_whatever_else_changes():
    pages = [
        "Gamma SA\nFacture 77\nPage 1 sur 2",
        "Completely different header words here\nFacture 78\nPage 2 sur 2",
    ]

    suggestion = suggest_from_facts([PageFacts(text=t, header=t.splitlines()[0]) for t in pages])

    assert [f.page for f in suggestion.first_pages] == [1]


def test_page_one_markers_in_each_language_open_an_invoice():
    for marker in (
        "Page 1/3",
        "page 1 of 3",
        "1 of 3",
        "pagina 1/3",
        "pagina 1 van 3",
        "page 1 sur 3",
        "Seite 1 von 3",
    ):
        pages = [PageFacts(text="some invoice"), PageFacts(text=f"another one\n{marker}")]

        suggestion = suggest_from_facts(pages)

        assert [f.page for f in suggestion.first_pages] == [1, 2], marker


def test_a_date_in_a_page_is_not_taken_for_a_page_marker():
    pages = [
        PageFacts(text="Facture 12\nDate 01/02/2024"),
        PageFacts(text="Conditions générales 1/3 du montant"),
    ]

    assert [f.page for f in suggest_from_facts(pages).first_pages] == [1]


def test_blank_separator_sheets_between_scanned_invoices_mark_the_starts_and_are_left_out():
    scan = samples.scanned_pdf(8, blank=frozenset({3, 6}))

    suggestion = suggest_split(scan)

    assert suggestion.blank_pages == [3, 6]
    assert [f.page for f in suggestion.first_pages] == [1, 4, 7]
    assert suggestion.groups == [[1, 2], [4, 5], [7, 8]]
    assert [f.reasons for f in suggestion.first_pages][1] == ["follows a blank separator page"]


def test_an_empty_page_of_a_text_pdf_is_a_separator_too():
    source = samples.text_pdf(["Facture 1\nAlpha", "", "Facture 2\nBeta"])

    suggestion = suggest_split(source)

    assert suggestion.blank_pages == [2]
    assert suggestion.groups == [[1], [3]]


def test_a_scan_without_text_takes_the_text_an_ocr_read():
    scan = samples.scanned_pdf(3)
    ocr = [
        invoice_page("Alpha SPRL", "BE0417.497.106", "F1", "01/01/2024", totals=True),
        invoice_page("Beta BV", "BE0844.395.292", "B7", "02/01/2024", marker="Page 1/2"),
        invoice_page("Beta BV", "BE0844.395.292", "B7", "02/01/2024", marker="Page 2/2", totals=True),
    ]

    suggestion = suggest_split(scan, page_texts=ocr)

    assert suggestion.groups == [[1], [2, 3]]


def test_a_single_invoice_is_one_group():
    source = samples.text_pdf(three_invoices()[:2])

    suggestion = suggest_split(source)

    assert suggestion.groups == [[1, 2]]
    assert suggestion.first_pages[0].confidence == 1.0


def test_a_page_with_a_little_text_on_a_scan_is_not_blank():
    document = pymupdf.open()
    page = document.new_page()
    page.insert_text((72, 400), "Page intentionally left blank")  # text, but little
    page = document.new_page()
    page.draw_rect(pymupdf.Rect(72, 72, 520, 700), color=(0, 0, 0), fill=(0.2, 0.2, 0.2))

    suggestion = suggest_split(document.tobytes())

    assert suggestion.blank_pages == []
