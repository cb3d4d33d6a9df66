"""What a received file is, from its bytes only: never its name nor the type its sender declared.

Cheap: it looks at magic numbers and, for markup, at the first element of the document. XML is read
with the standard library's expat with every DTD refused, so no entity is ever expanded and nothing
is ever fetched; it stops at the root element.
"""

import codecs
import re
from enum import StrEnum
from xml.parsers import expat

UBL_ROOTS = {
    ("urn:oasis:names:specification:ubl:schema:xsd:Invoice-2", "Invoice"),
    ("urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2", "CreditNote"),
}
# UN/CEFACT Cross Industry Invoice (D16B and later), which Factur-X and ZUGFeRD 2 embed.
CII_NAMESPACE_PREFIX = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice"
XHTML_NAMESPACE = "http://www.w3.org/1999/xhtml"

PDF_MAGIC = b"%PDF-"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
TIFF_MAGICS = (b"II*\x00", b"MM\x00*")
# Readers accept a PDF header anywhere in the first KiB (some mailers prepend junk).
PDF_HEADER_WINDOW = 1024
# How far to read for the root element (past a long comment or prologue, give up: not an invoice).
XML_ROOT_WINDOW = 1 << 20
XML_CHUNK = 1 << 16
HTML_WINDOW = 4096
HTML_MARKERS = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|meta|title|table|div|p|br|span|font|center|img|a)[\s>/]",
    re.IGNORECASE,
)


class Kind(StrEnum):
    PDF = "pdf"
    JPEG = "jpeg"
    PNG = "png"
    TIFF = "tiff"
    HTML = "html"
    UBL = "ubl"
    CII = "cii"
    OTHER = "other"

    @property
    def content_type(self) -> str:
        """The media type to store an original of this kind with."""
        return CONTENT_TYPES[self]


CONTENT_TYPES = {
    Kind.PDF: "application/pdf",
    Kind.JPEG: "image/jpeg",
    Kind.PNG: "image/png",
    Kind.TIFF: "image/tiff",
    Kind.HTML: "text/html",
    Kind.UBL: "application/xml",
    Kind.CII: "application/xml",
    Kind.OTHER: "application/octet-stream",
}


def detect(data: bytes) -> Kind:
    """The kind of `data`. An XML document that is neither a UBL nor a CII invoice is `other`."""
    head = data[:PDF_HEADER_WINDOW]
    if head.startswith(JPEG_MAGIC):
        return Kind.JPEG
    if head.startswith(PNG_MAGIC):
        return Kind.PNG
    if head[:4] in TIFF_MAGICS:
        return Kind.TIFF
    text = _text_start(data)
    if text[:1] == b"<":
        kind = _markup_kind(data, text)
        if kind is not Kind.OTHER:
            return kind
    if PDF_MAGIC in head:
        return Kind.PDF
    return Kind.OTHER


def _text_start(data: bytes) -> bytes:
    """The first bytes after any byte order mark and leading white space, as ASCII-compatible bytes."""
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            window = data[len(bom) : len(bom) + 2 * HTML_WINDOW]
            window = window[: len(window) // 2 * 2]
            return window.decode(encoding, errors="replace").lstrip().encode("utf-8", errors="replace")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    return data[: HTML_WINDOW + 1024].lstrip()


def _markup_kind(data: bytes, text: bytes) -> Kind:
    root = xml_root(data)
    if root is not None:
        namespace, name = root
        if (namespace, name) in UBL_ROOTS:
            return Kind.UBL
        if name == "CrossIndustryInvoice" and namespace.startswith(CII_NAMESPACE_PREFIX):
            return Kind.CII
        if name.lower() == "html" and namespace in ("", XHTML_NAMESPACE):
            return Kind.HTML
        if text.startswith(b"<?xml"):
            return Kind.OTHER
    # Not well-formed XML (most HTML is not) or a bare fragment: look for HTML's own elements.
    if HTML_MARKERS.search(text[:HTML_WINDOW]):
        return Kind.HTML
    return Kind.OTHER


class _Root(Exception):
    def __init__(self, namespace: str, name: str):
        self.namespace = namespace
        self.name = name


class _Refused(Exception):
    pass


def xml_root(data: bytes) -> tuple[str, str] | None:
    """(namespace, local name) of the root element, or None if the bytes are not XML we will read.

    Any DTD (and so any entity declaration) is refused; nothing external is ever resolved.
    """
    parser = expat.ParserCreate(namespace_separator=" ")

    def start(name: str, _attributes) -> None:
        namespace, _, local = name.rpartition(" ")
        raise _Root(namespace, local)

    def refuse(*_args) -> None:
        raise _Refused

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            window = data[: XML_ROOT_WINDOW + 2]
            text = window[: len(window) // 2 * 2].decode("utf-16", errors="replace").lstrip()
            # A str is parsed as UTF-8 whatever its declaration says.
            for offset in range(0, len(text), XML_CHUNK):
                parser.Parse(text[offset : offset + XML_CHUNK], False)
        else:
            if data.startswith(codecs.BOM_UTF8):
                data = data[len(codecs.BOM_UTF8) :]
            data = data.lstrip()
            for offset in range(0, min(len(data), XML_ROOT_WINDOW), XML_CHUNK):
                parser.Parse(data[offset : offset + XML_CHUNK], False)
    except _Root as root:
        return root.namespace, root.name
    except (_Refused, expat.ExpatError, LookupError, ValueError):
        return None
    return None
