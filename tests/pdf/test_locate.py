"""Where each field was read, as fractions of its page: scaled when recognition placed it, else found."""

from comptoir_pdf.locate import Placed, field_areas
from comptoir_pdf.recognition.reading import read_pages
from tests.samples import invoice_pdf

WIDTH, HEIGHT = 595, 842


def words_of(pdf: bytes):
    pages, _ = read_pages(pdf, ocr=None)
    return pages


def inside(area, x: float, y: float) -> bool:
    x0, y0, x1, y1 = area.box
    return x0 <= x / WIDTH <= x1 and y0 - 0.02 <= y / HEIGHT <= y1 + 0.01


def test_given_values_recognition_did_not_place_when_located_then_each_is_outlined_where_it_is_printed():
    pages = words_of(invoice_pdf(excl="1.234,56", vat="259,26", incl="1.493,82"))
    areas = field_areas(
        {
            "supplier_vat": Placed("BE0403170701"),
            "invoice_number": Placed("F2026-0042"),
            "invoice_date": Placed("2026-10-15"),
            "total_excl_vat": Placed("1234.56"),
            "total_incl_vat": Placed("1493.82"),
            "iban": Placed("BE71096123456769"),
        },
        pages,
    )
    assert set(areas) == {
        "supplier_vat",
        "invoice_number",
        "invoice_date",
        "total_excl_vat",
        "total_incl_vat",
        "iban",
    }
    assert all(
        a.page == 1 and 0 <= a.box[0] < a.box[2] <= 1 and 0 <= a.box[1] < a.box[3] <= 1
        for a in areas.values()
    )
    assert inside(areas["supplier_vat"], 90, 80)
    assert inside(areas["invoice_number"], 130, 170)
    assert inside(areas["invoice_date"], 160, 188)
    # The total excluding VAT is printed on the line and in the totals: the totals' (last) one is it.
    assert inside(areas["total_excl_vat"], 460, 340)
    assert inside(areas["total_incl_vat"], 460, 376)
    assert inside(areas["iban"], 120, 440)


def test_given_a_box_from_recognition_then_it_is_only_scaled_to_its_page():
    areas = field_areas(
        {"supplier_name": Placed("X", page=1, box=(59.5, 84.2, 119.0, 168.4))}, words_of(invoice_pdf())
    )
    assert areas["supplier_name"].box == (0.1, 0.1, 0.2, 0.2)


def test_given_a_value_printed_nowhere_or_not_printed_as_such_then_it_has_no_area():
    pages = words_of(invoice_pdf(incl="121,00"))
    areas = field_areas(
        {
            "total_incl_vat": Placed("12.10"),  # digits of 121,00 would need a whole-number match
            "invoice_number": Placed("F2026-004"),  # a prefix of the printed number is not it
            "document_type": Placed("invoice"),
            "currency": Placed("EUR"),
        },
        pages,
    )
    assert areas == {}
