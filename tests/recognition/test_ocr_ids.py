"""VAT numbers and IBANs as OCR garbles them on faxes and photos (issue 17): repaired only where
their check passes after the repair and only one repair does, and then said unsure."""

import pytest

from comptoir_pdf.recognition import PageWords, TesseractEngine, Word, recognise
from comptoir_pdf.recognition.inputs import prepare
from comptoir_pdf.recognition.recogniser import Recogniser, read_layouts
from comptoir_pdf.recognition.values import find_be_accounts, find_ibans, find_vats
from tests.recognition.corpus import COMPANY
from tests.recognition.wildcorpus import OWN, wild


def vats(text, **kw):
    return [m.value for m in find_vats(text, **kw)]


def test_a_belgian_vat_number_grouped_with_a_comma_is_read():
    assert vats("BTW BE 0138,043.173") == ["BE0138043173"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("TVA 600912774453", "BE0912774453"),  # BE read as 60
        ("Ondernemingsnr. 861107199075", "BE1107199075"),  # BE read as 86
        ("Btw-ar. 800348557528", "BE0348557523"),  # BE read as 80, and a 3 as an 8
    ],
)
def test_given_ocr_read_the_letters_be_as_digits_next_to_a_vat_label_then_the_number_is_repaired(text, value):
    (match,) = find_vats(text, enterprise_context=True, repair=True)

    assert (match.value, match.repaired) == (value, True)
    assert find_vats(text, enterprise_context=True) == []  # a text layer is not repaired
    assert find_vats(text.split()[1], repair=True) == []  # nor twelve digits with no label


def test_given_ocr_read_the_letters_de_as_digits_next_to_a_vat_label_then_only_there_it_is_repaired():
    line = "Aachen: USt-IdNr. 00157087163 - IBAN"
    assert vats(line, enterprise_context=True, repair=True) == ["DE157087163"]
    assert vats("Tel. 00157087163", repair=True) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [("USt-IdNr. DEB48312447", "DE848312447"), ("USt-ID DES583624209", "DE583624209")],
)
def test_given_ocr_read_a_digit_of_a_german_vat_number_as_a_letter_then_the_one_valid_reading_is_kept(
    text, value
):
    assert vats(text, repair=True) == [value]
    assert vats(text) == []


def test_given_ocr_cut_the_country_code_of_a_vat_number_then_it_is_read():
    assert vats("USt-IdNr. D E434570916", repair=True) == ["DE434570916"]


def test_given_ocr_read_a_1_of_a_vat_number_as_a_bracket_then_the_number_that_checks_is_read():
    (match,) = find_vats("Gent - BTW BE (047911289 - IBAN", enterprise_context=True, repair=True)

    assert (match.value, match.repaired) == ("BE1047911289", True)
    assert vats("BTW BE (0202.239.951)", enterprise_context=True) == ["BE0202239951"]


def test_given_ocr_read_a_0_of_a_vat_number_as_a_d_then_it_is_read():
    assert vats("Btw-nr. BED197 980 859") == ["BE0197980859"]


@pytest.mark.parametrize("text", ["IBAN 1432 2228 6012 - BIC KREDBEBB", "Compte 143-2222860-12"])
def test_given_a_belgian_account_number_after_its_label_then_it_is_read_as_its_iban(text):
    # Printed the old way, or an IBAN whose "BE19" OCR lost: its own mod-97 check holds.
    assert [(m.value, m.repaired) for m in find_be_accounts(text)] == [("BE19143222286012", True)]


def test_given_a_structured_reference_then_it_is_not_an_account_number():
    assert find_be_accounts("Mededeling +++143/2222/86012+++") == []
    assert find_be_accounts("Communication 1432 2228 6012") == []


@pytest.mark.parametrize(
    ("text", "value"),
    [("Rekening BES9 7356 0337 2926", "BE59735603372926"), ("IBAN BEOS 3630 2986 0175", "BE05363029860175")],
)
def test_given_ocr_read_the_check_digits_of_an_iban_as_letters_then_it_is_read(text, value):
    assert [m.value for m in find_ibans(text)] == [value]


def test_given_ocr_read_a_digit_of_an_iban_as_a_sign_then_the_one_reading_that_checks_is_repaired():
    (match,) = find_ibans("IBAN BE37 $630 4205 8028 - BIC BBRUBEBB", repair=True)

    assert (match.value, match.repaired) == ("BE37363042058028", True)
    assert find_ibans("IBAN BE37 $630 4205 8028") == []


def test_given_ocr_read_one_digit_of_an_iban_as_another_then_no_reading_is_guessed():
    # 3630 read 3640: a look-alike repair elsewhere (4 → 1) passes mod 97 too, and is wrong.
    assert find_ibans("IBAN BE37 3640 4205 8028", repair=True) == []


def _words(*items: tuple[float, float, str]) -> PageWords:
    words = tuple(Word(text, 1, x, y, x + 5.5 * len(text), y + 9, "ocr") for x, y, text in items)
    return PageWords(page=1, width=595, height=842, words=words, source="ocr")


def _recognised(page: PageWords) -> Recogniser:
    recogniser = Recogniser(read_layouts([page]), company=COMPANY, source="ocr")
    recogniser.run()
    return recogniser


def test_given_a_vat_number_ocr_cut_in_two_segments_then_the_supplier_vat_is_read():
    page = _words(
        (50, 60, "Bakkerij"),
        (100, 60, "Peeters"),
        (50, 72, "N°"),
        (66, 72, "TVA"),
        (88, 72, "BE0202"),
        (140, 72, "239"),
        (160, 72, "951"),
        (50, 300, "Total"),
        (90, 300, "121,00"),
    )

    assert _recognised(page).fields["supplier_vat"].value == "BE0202239951"


def test_given_an_enterprise_number_under_its_caption_then_it_is_the_supplier_vat():
    page = _words(
        (50, 60, "Bakkerij"),
        (100, 60, "Peeters"),
        (50, 74, "Ondernemingsnummer"),
        (50, 86, "0202.239.951"),
        (50, 300, "Total"),
        (90, 300, "121,00"),
    )

    assert _recognised(page).fields["supplier_vat"].value == "BE0202239951"


def test_given_ocr_lost_the_start_of_an_iban_between_its_label_and_its_digits_then_it_is_read_unsure():
    page = _words(
        (50, 60, "Bakkerij"),
        (100, 60, "Peeters"),
        (50, 780, "IBAN"),
        (95, 780, "1432"),
        (122, 780, "2228"),
        (149, 780, "6012"),
    )

    iban = _recognised(page).fields["iban"]

    assert (iban.value, iban.confidence < 0.9) == ("BE19143222286012", True)


def test_given_a_repaired_vat_number_and_iban_then_they_are_given_unsure():
    page = _words(
        (50, 60, "Bakkerij"),
        (100, 60, "Peeters"),
        (50, 780, "TVA"),
        (80, 780, "600912774453"),
        (170, 780, "IBAN"),
        (200, 780, "BE37"),
        (230, 780, "$630"),
        (260, 780, "4205"),
        (290, 780, "8028"),
    )

    fields = _recognised(page).fields

    assert (fields["supplier_vat"].value, fields["iban"].value) == ("BE0912774453", "BE37363042058028")
    assert fields["supplier_vat"].confidence < 0.9
    assert fields["iban"].confidence < 0.9


@pytest.fixture(scope="module")
def tesseract():
    if not TesseractEngine.available():
        pytest.fail("tesseract is not installed (scripts/system-packages)")
    return TesseractEngine()


def test_given_a_photo_whose_header_is_lost_in_a_shadow_then_the_header_is_read_again(tesseract):
    # The page's reading found nothing above the title: both address blocks were in the shadow.
    sample = wild(23040, medium="photo", layout="swap")

    rec = recognise(prepare(sample.data).pdf, company=OWN, ocr=tesseract)

    assert rec.fields["supplier_vat"].value == sample.truth["supplier_vat"]


def test_given_a_photo_whose_footer_sits_between_a_shadow_and_the_table_then_it_is_read(tesseract):
    # The footer band, dark table edges and a grey shadow in it, gave Tesseract no text at all.
    sample = wild(23006, medium="photo", layout="logo")

    rec = recognise(prepare(sample.data).pdf, company=OWN, ocr=tesseract)

    assert rec.fields["supplier_vat"].value == sample.truth["supplier_vat"]
    assert rec.fields["iban"].value == sample.truth["iban"]
