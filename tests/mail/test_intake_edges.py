"""Intake edges of issue 11, each reproduced first: zips judged by their entries, a file that is not the
PDF it claims to be, bare LF line endings, `Content-Transfer-Encoding: binary`. Pure: no AWS."""

import zipfile

from comptoir_core.mail.parse import parse_message
from comptoir_core.mail.sniff import Kind, sniff
from tests.mail.builders import attach, message, ses_stored, zipped
from tests.samples import text_pdf

PURCHASE = "demo-srl.purchase.abcdefghjk@in.comptoir.test"
DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
NOT_A_PDF = b"<!DOCTYPE html><html><body><h1>Your invoice</h1><p>Log in to see it.</p></body></html>"


def parsed_of(made, **ses):
    return parse_message(ses_stored(made, recipient=PURCHASE, **ses))


def imported(parsed) -> list[tuple[str, Kind]]:
    return [(part.name, part.kind) for part in parsed.parts]


def skipped(parsed) -> dict[str, str]:
    return {part.name: part.reason for part in parsed.skipped}


# --- a zip is judged by its entries --------------------------------------------------------------


def test_a_zip_whose_first_entry_is_a_stored_office_file_still_yields_its_pdfs():
    archive = zipped(
        {"offer.docx": DOCX, "invoice.pdf": text_pdf("Invoice 5")}, compression=zipfile.ZIP_STORED
    )
    made = attach(message(), archive, "documents.zip", "application/zip")

    parsed = parsed_of(made)

    assert imported(parsed) == [("invoice.pdf", Kind.pdf)]
    assert skipped(parsed) == {"documents.zip › offer.docx": "an office document (send it as PDF)"}


def test_an_office_file_inside_a_zip_is_skipped_as_an_office_file_not_as_a_zip():
    archive = zipped({"a.pdf": text_pdf("A"), "sheet.xlsx": zipped({"[Content_Types].xml": b"<Types/>"})})

    parsed = parsed_of(attach(message(), archive, "documents.zip", "application/zip"))

    assert skipped(parsed) == {"documents.zip › sheet.xlsx": "an office document (send it as PDF)"}


def test_an_opendocument_file_is_office_by_its_mimetype_entry():
    odt = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})

    assert (sniff(odt), sniff(zipped({"mimetype.txt": b"hello"}))) == (Kind.office, Kind.zip)


# --- not the PDF it claims to be -----------------------------------------------------------------


def test_an_attachment_named_pdf_whose_bytes_are_html_is_skipped_not_converted():
    parsed = parsed_of(attach(message(), NOT_A_PDF, "invoice.pdf", "application/pdf"))

    assert imported(parsed) == []
    assert skipped(parsed) == {"invoice.pdf": "not the PDF it claims to be"}


def test_an_attachment_declared_as_pdf_under_another_name_whose_bytes_are_html_is_skipped():
    parsed = parsed_of(attach(message(), NOT_A_PDF, "invoice", "application/pdf"))

    assert list(skipped(parsed).values()) == ["not the PDF it claims to be"]


def test_a_pdf_named_file_in_a_zip_whose_bytes_are_html_is_skipped():
    archive = zipped({"invoice.pdf": NOT_A_PDF})

    parsed = parsed_of(attach(message(), archive, "documents.zip", "application/zip"))

    assert skipped(parsed) == {"documents.zip › invoice.pdf": "not the PDF it claims to be"}


def test_an_html_attachment_that_says_it_is_html_is_still_converted():
    parsed = parsed_of(attach(message(), NOT_A_PDF, "invoice.html", "text/html"))

    assert imported(parsed) == [("invoice.html", Kind.html)]


# --- line endings and transfer encodings ---------------------------------------------------------


def _with_bare_lf(made) -> bytes:
    return made.as_bytes(policy=made.policy.clone(linesep="\n"))


def test_a_message_with_bare_lf_line_endings_is_read_like_its_crlf_twin():
    made = attach(message(subject="Invoice 9"), text_pdf("Invoice 9"), "invoice.pdf", "application/pdf")

    bare = parse_message(ses_stored(_with_bare_lf(made), recipient=PURCHASE))
    crlf = parsed_of(made)

    assert (bare.subject, imported(bare), bare.remark) == (crlf.subject, imported(crlf), crlf.remark)
    assert bare.parts[0].body == crlf.parts[0].body


def test_a_part_sent_with_content_transfer_encoding_binary_is_read():
    pdf = text_pdf("Invoice binary")
    raw = (
        b"From: Supplier <invoices@supplier.be>\r\nTo: " + PURCHASE.encode() + b"\r\nSubject: Binary\r\n"
        b"Message-ID: <bin@supplier.be>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        b"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAttached.\r\n"
        b'--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="invoice.pdf"\r\n'
        b"Content-Transfer-Encoding: binary\r\n\r\n" + pdf + b"\r\n--b1--\r\n"
    )

    parsed = parse_message(ses_stored(raw, recipient=PURCHASE))

    assert imported(parsed) == [("invoice.pdf", Kind.pdf)]
    assert parsed.parts[0].body == pdf
