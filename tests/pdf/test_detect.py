"""A file's kind comes from its bytes, whatever it is called or claims to be."""

import codecs
import os

import pytest

from comptoir_pdf.detect import Kind, detect, xml_root
from tests.pdf import samples


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (samples.text_pdf(), Kind.PDF),
        (b"\r\n\x00junk a mailer added\r\n" + samples.text_pdf(), Kind.PDF),
        (samples.jpeg_with_orientation(1, upright=samples.upright_picture(20, 10)), Kind.JPEG),
        (samples.png(), Kind.PNG),
        (samples.tiff(1), Kind.TIFF),
        (b"<!DOCTYPE html><html><body><p>Bonjour</p></body></html>", Kind.HTML),
        (b"\n\n  <html>\n<head><title>x</title></head><body>Hallo</body></html>", Kind.HTML),
        (b"<div style='color:red'>Only a fragment, as some mailers send</div>", Kind.HTML),
        (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>', Kind.HTML),
        (samples.UBL_INVOICE, Kind.UBL),
        (samples.UBL_CREDIT_NOTE, Kind.UBL),
        (samples.CII_INVOICE, Kind.CII),
        (b"", Kind.OTHER),
        (os.urandom(2048), Kind.OTHER),
        (samples.exe(), Kind.OTHER),
        (b"PK\x03\x04 a zip archive", Kind.OTHER),
        (b"Dear accountant, please find the invoice attached.", Kind.OTHER),
    ],
    ids=lambda value: value if isinstance(value, Kind) else None,
)
def test_the_kind_is_read_from_the_bytes(data, kind):
    assert detect(data) is kind


@pytest.mark.parametrize(
    "prefix", [codecs.BOM_UTF8, b"   \n\t", codecs.BOM_UTF8 + b"\r\n  "], ids=["bom", "whitespace", "both"]
)
def test_a_byte_order_mark_or_leading_white_space_does_not_hide_an_invoice(prefix):
    assert detect(prefix + samples.UBL_INVOICE) is Kind.UBL
    assert detect(prefix + samples.CII_INVOICE) is Kind.CII


def test_a_utf16_invoice_is_recognised():
    text = samples.UBL_INVOICE.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    assert detect(codecs.BOM_UTF16_LE + text.encode("utf-16-le")) is Kind.UBL
    assert detect(codecs.BOM_UTF16_BE + text.encode("utf-16-be")) is Kind.UBL


def test_an_invoice_in_windows_1252_is_recognised():
    data = samples.UBL_INVOICE.replace(b"UTF-8", b"windows-1252").replace(b"INV-2026-0042", b"Caf\xe9-1")
    assert detect(data) is Kind.UBL


def test_an_xml_that_is_neither_ubl_nor_cii_is_other():
    assert detect(
        b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"/>'
    ) is (Kind.OTHER)
    # The right element name in the wrong namespace is not an invoice either.
    assert detect(b'<?xml version="1.0"?><Invoice xmlns="urn:example:invoice"/>') is Kind.OTHER


def test_an_xml_with_a_dtd_is_refused_without_expanding_anything():
    billion_laughs = (
        b'<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&c;</Invoice>'
    )
    external = (
        b'<?xml version="1.0"?><!DOCTYPE Invoice SYSTEM "http://127.0.0.1:9/invoice.dtd">'
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>'
    )
    assert xml_root(billion_laughs) is None
    assert xml_root(external) is None
    assert detect(billion_laughs) is Kind.OTHER
    assert detect(external) is Kind.OTHER


def test_a_kind_names_the_media_type_to_store_its_original_with():
    assert Kind.PDF.content_type == "application/pdf"
    assert Kind.UBL.content_type == "application/xml"
    assert Kind.OTHER.content_type == "application/octet-stream"
