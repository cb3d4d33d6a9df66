"""Issue 17: totals and issue dates of scans, faxes and photos, where OCR garbled or lost a caption,
a separator or part of a value (cases met on the second corpus's development half)."""

from datetime import date
from decimal import Decimal

from comptoir_pdf.recognition import PageWords, Word
from comptoir_pdf.recognition.recogniser import Recogniser, read_layouts
from comptoir_pdf.recognition.values import find_amounts, find_dates
from tests.recognition.wildcorpus import OWN


def _page(*cells: tuple[float, float, str], tall: dict[str, float] | None = None) -> PageWords:
    """Cells (x, y, text) of an OCR'd page; each word 5 points a letter wide, 8 high (or `tall`)."""
    words = []
    for x, y, text in cells:
        for part in text.split():
            height = (tall or {}).get(part, 8)
            words.append(Word(part, 1, x, y, x + 5 * len(part), y + height, "ocr"))
            x += 5 * len(part) + 4
    return PageWords(page=1, width=595, height=842, words=tuple(words), source="ocr")


def _run(page: PageWords) -> Recogniser:
    recogniser = Recogniser(read_layouts([page]), company=OWN, source="ocr")
    recogniser.run()
    return recogniser


def _value(recogniser: Recogniser, name: str):
    field = recogniser.fields.get(name)
    return None if field is None else field.value


HEAD = ((50, 100, "Factuurnummer"), (200, 100, "INV-24-08833"))


def test_given_ocr_read_the_decimal_point_as_a_comma_then_the_amount_keeps_its_cents():
    # "8,948.21" read "8,948,21": no amount at all was read, the total came from a line.
    assert [m.value for m in find_amounts("8,948,21")] == [Decimal("8948.21")]
    assert [m.value for m in find_amounts("1,234,567")] == [Decimal("1234567")]


def test_given_ocr_dropped_the_space_after_the_comma_of_a_date_then_it_is_still_a_date():
    assert [m.value for m in find_dates("May 10,2024")] == [date(2024, 5, 10)]


def test_given_ocr_misread_a_dates_separator_or_dropped_its_space_then_it_is_still_a_date():
    for text in ("04.03,2024", "04-03.2024", "4mars 2024", "04 .03.2024"):
        assert [m.value for m in find_dates(text)] == [date(2024, 3, 4)], text
    for text in ("1.234,56", "Total 12,50 2024", "TVA 21% 2024"):
        assert find_dates(text) == [], text


def test_given_a_rate_table_whose_total_vat_cell_was_garbled_then_the_total_row_not_the_first_rate_wins():
    # "Tarief | Totaal excl. | btw | Te betalen", a row per rate, "Total" with its VAT read "aot":
    # the 21% row, self-consistent, was taken with 0.99.
    page = _page(
        *HEAD,
        (50, 115, "Factuurdatum"),
        (200, 115, "27-02-2024"),
        (260, 300, "Tarief"),
        (330, 300, "Totaal excl."),
        (420, 300, "btw"),
        (490, 300, "Te betalen"),
        (260, 315, "21%"),
        (330, 315, "3626,90 EUR"),
        (420, 315, "761,65 EUR"),
        (490, 315, "4388,55 EUR"),
        (260, 330, "6%"),
        (330, 330, "13301,59 EUR"),
        (420, 330, "798,10 EUR"),
        (490, 330, "14099,69 EUR"),
        (260, 345, "Total"),
        (330, 345, "16928,49 EUR"),
        (420, 345, "aot"),
        (490, 345, "18488,24 EUR"),
    )

    recogniser = _run(page)

    totals = [_value(recogniser, n) for n in ("total_excl_vat", "vat_amount", "total_incl_vat")]
    assert totals == ["16928.49", "1559.75", "18488.24"]
    assert [r["rate"] for r in recogniser.fields["vat_breakdown"].value] == ["21", "6"]


def test_given_a_table_of_rates_under_two_line_headers_then_the_column_sums_are_the_totals():
    # "TVA/" over "btw": the header's second line stopped the column before its first amount, so
    # the first rate's row was the totals, with 0.9.
    page = _page(
        *HEAD,
        (50, 115, "Factuurdatum"),
        (200, 115, "11-10-2025"),
        (240, 300, "Total HTVA"),
        (330, 300, "Totaal excl."),
        (425, 300, "TVA/"),
        (490, 300, "Net à payer"),
        (375, 309, "btw"),
        (430, 309, "btw"),
        (355, 323, "5624,72"),
        (415, 323, "1 181,19"),
        (495, 323, "6 805,91"),
        (351, 337, "1 627,06"),
        (424, 337, "195,25"),
        (495, 337, "1 822,31"),
        (351, 351, "7 251,78"),
        (419, 351, "1376,44"),
        (495, 351, "8 628,22"),
    )

    recogniser = _run(page)

    totals = [_value(recogniser, n) for n in ("total_excl_vat", "vat_amount", "total_incl_vat")]
    assert totals == ["7251.78", "1376.44", "8628.22"]


def test_given_totals_whose_captions_below_were_garbled_then_the_row_that_adds_up_at_a_rate_is_read():
    # "Summe netto | USt | Zahlbetrag" read "Summe netto | USL | Zahibetrag": no total at all.
    page = _page(
        *HEAD,
        (50, 115, "Rechnungsdatum"),
        (200, 115, "27.04.2024"),
        (50, 260, "Beratung"),
        (250, 260, "5"),
        (340, 260, "107,67"),
        (434, 260, "21%"),
        (515, 260, "538,35"),
        (447, 542, "538,35"),
        (481, 542, "113,05"),
        (518, 542, "651,40"),
        (435, 552, "Summe netto"),
        (494, 552, "USL"),
        (513, 552, "Zahibetrag"),
    )

    recogniser = _run(page)

    totals = [_value(recogniser, n) for n in ("total_excl_vat", "vat_amount", "total_incl_vat")]
    assert totals == ["538.35", "113.05", "651.40"]
    assert recogniser.fields["total_incl_vat"].confidence < 0.9


def test_given_ocr_lost_the_total_incl_then_excl_and_vat_at_a_rate_give_it_unsure():
    page = _page(
        *HEAD,
        (50, 115, "Date de facture"),
        (200, 115, "04/03/2024"),
        (60, 296, "Conseil juridique"),
        (440, 296, "624.56"),
        (473, 296, "21%"),
        (496, 296, "6,870.16"),
        (60, 310, "Fournitures"),
        (440, 310, "319.79"),
        (473, 310, "21%"),
        (496, 310, "4,027.00"),
        (346, 529, "Total HTVA"),
        (438, 529, "TVA"),
        (341, 539, "10,897.16"),
        (418, 539, "2,288.40"),
    )

    recogniser = _run(page)

    total = recogniser.fields["total_incl_vat"]
    assert (total.value, total.confidence < 0.6) == ("13185.56", True)


def test_given_no_date_label_was_read_then_the_issue_date_is_not_the_date_the_due_label_points_at():
    # "Date de facture" read "aen de": the due date (captioned "Échéance") was the issue date.
    page = _page(
        (370, 152, "009612"),
        (406, 152.4, "3-1-25"),
        (457, 151.6, "2-2-25"),
        (371, 162, "Numéro"),
        (406, 162, "aen de"),
        (457, 162, "Échéance"),
    )

    recogniser = _run(page)

    assert (_value(recogniser, "invoice_date"), _value(recogniser, "due_date")) == (
        "2025-01-03",
        "2025-02-02",
    )


def test_given_a_date_broken_over_two_lines_above_its_caption_then_it_is_read_whole():
    # "23 November" / "2025" / "Belegdatum", the number beside the day on the first line.
    page = _page(
        (63, 209, "RE202501993 23 November"),
        (199, 209, "23 Dezember 2025"),
        (64, 219, "Beleg-Nr"),
        (123, 219, "2025"),
        (199, 219, "Zahlbar bis"),
        (123, 229, "Belegdatum"),
    )

    recogniser = _run(page)

    assert (_value(recogniser, "invoice_date"), _value(recogniser, "due_date")) == (
        "2025-11-23",
        "2025-12-23",
    )


def test_given_an_unlabelled_date_broken_over_two_lines_of_unequal_height_then_it_is_the_issue_date():
    page = _page(
        (341, 97, "January 20,"), (416, 97, "VitglRedatum"), (341, 108, "2024"), tall={"January": 11}
    )

    recogniser = _run(page)

    assert _value(recogniser, "invoice_date") == "2024-01-20"


def test_given_ocr_split_a_date_under_its_label_in_two_then_it_is_read_whole():
    page = _page(
        (118, 195, "Date de facture"),
        (288, 195, "Échéance"),
        (163, 220, "October"),
        (206, 220, "11, 2025"),
        (288, 220, "November 25, 2025"),
    )

    recogniser = _run(page)

    assert (_value(recogniser, "invoice_date"), _value(recogniser, "due_date")) == (
        "2025-10-11",
        "2025-11-25",
    )


LINES = (
    (50, 250, "Advies"),
    (250, 250, "12%"),
    (505, 250, "1 010,24"),
    (50, 264, "Kantoorbenodigdheden"),
    (250, 264, "21%"),
    (505, 264, "6 322,25"),
    (50, 278, "Onderhoud"),
    (250, 278, "12%"),
    (505, 278, "8 903,76"),
    (50, 292, "Huur materiaal"),
    (250, 292, "21%"),
    (505, 292, "3 224,85"),
)


def test_given_a_rate_row_whose_base_ocr_misread_then_the_lines_give_the_breakdown_not_the_rate_rows():
    # "9547,10" read "547,10" in the 21% row: the rate table's own rows were summed as invoice
    # lines, so no breakdown at all.
    page = _page(
        *HEAD,
        (50, 115, "Factuurdatum"),
        (200, 115, "27-02-2024"),
        *LINES,
        (240, 540, "Tarief"),
        (330, 540, "Totaal excl."),
        (420, 540, "btw"),
        (490, 540, "Te betalen"),
        (240, 567, "21%"),
        (345, 567, "547,10"),
        (415, 567, "2 004,89"),
        (495, 567, "11 551,99"),
        (240, 581, "12%"),
        (340, 581, "9914,00"),
        (415, 581, "1 189,68"),
        (495, 581, "11 103,68"),
        (240, 595, "Total"),
        (335, 595, "19 461,10"),
        (420, 595, "3194,57"),
        (495, 595, "22 655,67"),
    )

    recogniser = _run(page)

    assert _value(recogniser, "total_incl_vat") == "22655.67"
    assert recogniser.fields["vat_breakdown"].value == [
        {"rate": "21", "base": "9547.10", "vat": "2004.89"},
        {"rate": "12", "base": "9914.00", "vat": "1189.68"},
    ]


def test_given_a_line_whose_amount_ocr_lost_then_its_rates_base_is_what_the_excl_total_leaves():
    page = _page(
        *HEAD,
        (50, 115, "Factuurdatum"),
        (200, 115, "27-02-2024"),
        *LINES,
        (50, 306, "Transport"),
        (250, 306, "12%"),
        (390, 530, "Subtotaal"),
        (500, 530, "21 461,10"),
        (390, 544, "Totaal btw"),
        (500, 544, "3 434,57"),
        (390, 558, "Te betalen"),
        (500, 558, "24 895,67"),
    )

    recogniser = _run(page)

    breakdown = recogniser.fields["vat_breakdown"]
    assert breakdown.value == [
        {"rate": "21", "base": "9547.10", "vat": "2004.89"},
        {"rate": "12", "base": "11914.00", "vat": "1429.68"},
    ]
    assert breakdown.confidence < 0.9


def test_given_ocr_lost_a_digit_of_the_vat_then_incl_less_excl_at_a_rate_gives_it_unsure():
    # "1874,84" read "874,84": nothing added up, the VAT was taken as read.
    page = _page(
        *HEAD,
        (50, 115, "Factuurdatum"),
        (200, 115, "27-02-2024"),
        (390, 530, "Subtotaal"),
        (500, 530, "8927,82"),
        (390, 544, "Totaal btw"),
        (500, 544, "874,84"),
        (390, 558, "Te betalen"),
        (500, 558, "10 802,66"),
    )

    recogniser = _run(page)

    vat = recogniser.fields["vat_amount"]
    assert (vat.value, vat.confidence < 0.9) == ("1874.84", True)
    assert _value(recogniser, "total_incl_vat") == "10802.66"


def test_given_a_vat_number_read_as_the_only_vat_amount_then_it_is_not_the_vat():
    # "btw0%" (no VAT label read) and the footer's "BTW BE 1878461258": VAT 1878461258.00.
    page = _page(
        *HEAD,
        (50, 115, "Factuurdatum"),
        (200, 115, "27-02-2024"),
        (390, 83, "Maatstaf van heffing"),
        (507, 83, "43 460,70"),
        (438, 97, "btw0%"),
        (529, 97, "0,00"),
        (403, 111, "Totaal te betalen"),
        (507, 111, "43 460,70"),
        (308, 789, "BTW BE 1878461258"),
    )

    recogniser = _run(page)

    assert _value(recogniser, "vat_amount") == "0.00"


def test_given_a_date_on_three_lines_of_a_narrow_cell_under_its_label_then_it_is_read():
    page = _page(
        (350, 161, "Beleg-Nr."),
        (421, 161, "Datum"),
        (465, 161, "Fälligkeitsdatum"),
        (350, 175, "FV/2024/5090"),
        (422, 175, "14"),
        (465, 175, "29 Dezember 2024"),
        (421, 185, "November"),
        (421, 195, "2024"),
    )

    recogniser = _run(page)

    assert _value(recogniser, "invoice_date") == "2024-11-14"


def test_given_a_weakly_labelled_total_smaller_than_the_vat_then_the_vat_is_kept():
    # A line's amount under "Total" is no reason to drop the VAT read under its own label.
    page = _page(
        *HEAD,
        (50, 115, "Factuurdatum"),
        (200, 115, "27-02-2024"),
        (390, 530, "Subtotaal"),
        (500, 530, "50 132,45"),
        (390, 544, "Totaal btw"),
        (500, 544, "10 527,81"),
        (390, 558, "Total"),
        (500, 558, "2 300,80"),
    )

    recogniser = _run(page)

    assert _value(recogniser, "vat_amount") == "10527.81"
