"""Reading and checking printed values: numbers, dates, VAT numbers, IBANs, references."""

from datetime import date
from decimal import Decimal

from comptoir_pdf.recognition.values import (
    find_amounts,
    find_bics,
    find_dates,
    find_ibans,
    find_structured_references,
    find_vats,
    structured_reference_valid,
)


def amounts(text):
    return [m.value for m in find_amounts(text)]


def test_belgian_and_english_number_formats_read_the_same_amount():
    assert amounts("Total TVAC 1.234,56 €") == [Decimal("1234.56")]
    assert amounts("Total 1,234.56 EUR") == [Decimal("1234.56")]
    assert amounts("Te betalen: € 1 234,56") == [Decimal("1234.56")]
    assert amounts("Gesamtbetrag 1234,5") == [Decimal("1234.5")]


def test_a_rate_is_not_an_amount_and_a_minus_sign_is_kept():
    assert amounts("TVA 21 % 210,00") == [Decimal("210.00")]
    assert amounts("Total -1.210,00 €") == [Decimal("-1210.00")]


def test_dates_are_read_day_first_in_numbers_and_with_months_in_four_languages():
    assert [m.value for m in find_dates("Date: 05/03/2026")] == [date(2026, 3, 5)]
    assert [m.value for m in find_dates("le 14 février 2026")] == [date(2026, 2, 14)]
    assert [m.value for m in find_dates("14 maart 2026")] == [date(2026, 3, 14)]
    assert [m.value for m in find_dates("March 14, 2026")] == [date(2026, 3, 14)]
    assert [m.value for m in find_dates("vom 3. März 2026")] == [date(2026, 3, 3)]
    assert [m.value for m in find_dates("2026-03-14")] == [date(2026, 3, 14)]


def test_impossible_dates_are_not_dates():
    assert find_dates("31/02/2026") == []
    assert find_dates("12/34/2026") == []


def test_a_belgian_vat_number_is_read_in_any_grouping_and_checked_mod_97():
    for text in ("TVA BE 0417.497.106", "BTW: BE0417497106.", "BE-0417 497 106", "BE 417.497.106"):
        assert [m.value for m in find_vats(text)] == ["BE0417497106"], text
    assert find_vats("TVA BE 0417.497.107") == []


def test_ocr_reading_o_for_zero_in_a_vat_number_is_repaired():
    assert [m.value for m in find_vats("TVA BEO417.497.106")] == ["BE0417497106"]


def test_an_enterprise_number_without_be_counts_only_in_its_context():
    assert find_vats("Ref 0417.497.106") == []
    assert [m.value for m in find_vats("BCE 0417.497.106", enterprise_context=True)] == ["BE0417497106"]


def test_the_digits_of_an_iban_are_not_taken_for_a_vat_number():
    assert find_vats("IBAN BE71 0961 2345 6769") == []


def test_an_iban_is_read_with_or_without_spaces_and_its_checksums_checked():
    assert [m.value for m in find_ibans("IBAN BE71 0961 2345 6769 BIC GKCCBEBB")] == ["BE71096123456769"]
    assert [m.value for m in find_ibans("Konto DE89370400440532013000")] == ["DE89370400440532013000"]
    assert find_ibans("IBAN BE71 0961 2345 6768") == []


def test_a_bic_is_read_and_words_that_are_not_bics_are_not():
    assert [m.value for m in find_bics("BIC: GEBABEBB")] == ["GEBABEBB"]
    assert find_bics("FACTURES") == []


def test_a_structured_reference_checks_its_digits_with_97_for_zero():
    assert [m.value for m in find_structured_references("+++090/9337/55493+++")] == ["090933755493"]
    assert structured_reference_valid("000000009797")  # 97 mod 97 is 0: the check is 97
    assert find_structured_references("+++090/9337/55494+++") == []
