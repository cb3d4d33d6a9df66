"""What a file is, from its bytes: never from its declared type or its name.

What the documents pipeline imports is recognised by its own detection (comptoir_pdf.detect), so the
channel and the pipeline never disagree; this module only adds names for the rest (zip, programs,
office files, other images) so that a skipped part says why, and reads an image's pixel size.
"""

import io
import struct
import zipfile
from enum import StrEnum

from comptoir_pdf.detect import Kind as DocumentKind
from comptoir_pdf.detect import detect


class Kind(StrEnum):
    pdf = "pdf"
    jpeg = "jpeg"
    png = "png"
    tiff = "tiff"
    ubl = "ubl"  # a UBL 2.1 Invoice or CreditNote (Peppol BIS Billing 3.0)
    cii = "cii"  # a UN/CEFACT Cross Industry Invoice (Factur-X/ZUGFeRD XML on its own)
    html = "html"
    zip = "zip"
    xml = "xml"  # XML that is not an e-invoice
    gif = "gif"
    bmp = "bmp"
    webp = "webp"
    heic = "heic"
    executable = "executable"
    office = "office"  # docx, xlsx, odt… (zip containers we recognise but do not import)
    text = "text"
    unknown = "unknown"


# What the documents pipeline takes as a document.
IMPORTED = frozenset({Kind.pdf, Kind.jpeg, Kind.png, Kind.tiff, Kind.ubl, Kind.cii, Kind.html})
IMAGES = frozenset({Kind.jpeg, Kind.png, Kind.tiff, Kind.gif, Kind.bmp, Kind.webp, Kind.heic})

EXTENSIONS = {
    Kind.pdf: "pdf",
    Kind.jpeg: "jpg",
    Kind.png: "png",
    Kind.tiff: "tif",
    Kind.ubl: "xml",
    Kind.cii: "xml",
    Kind.html: "html",
    Kind.zip: "zip",
}

DESCRIPTIONS = {
    Kind.xml: "an XML file that is not an e-invoice (UBL or CII)",
    Kind.gif: "a GIF image",
    Kind.bmp: "a BMP image",
    Kind.webp: "a WebP image",
    Kind.heic: "a HEIC photo (send it as JPEG or PDF)",
    Kind.executable: "a program (executables are never imported)",
    Kind.office: "an office document (send it as PDF)",
    Kind.text: "a plain text file",
    Kind.unknown: "a file type we do not import",
}

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_BMP_HEADER_SIZES = (b"\x0c\x00\x00\x00", b"\x28\x00\x00\x00", b"\x6c\x00\x00\x00", b"\x7c\x00\x00\x00")
_HEIC_BRANDS = (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis")
_DOCUMENT_KINDS = {
    DocumentKind.PDF: Kind.pdf,
    DocumentKind.JPEG: Kind.jpeg,
    DocumentKind.PNG: Kind.png,
    DocumentKind.TIFF: Kind.tiff,
    DocumentKind.HTML: Kind.html,
    DocumentKind.UBL: Kind.ubl,
    DocumentKind.CII: Kind.cii,
}


# Why a file whose name or declared type says PDF, but whose bytes are something else, is not taken.
NOT_THE_CLAIMED_PDF = "not the PDF it claims to be"


def claims_pdf(name: str | None, declared_type: str | None = None) -> bool:
    """Whether a file's name or its declared type says it is a PDF (every channel checks the bytes
    agree: a "PDF" that is an HTML page is refused, never converted)."""
    declared = (declared_type or "").split(";")[0].strip().lower()
    return (name or "").strip().lower().endswith(".pdf") or declared in (
        "application/pdf",
        "application/x-pdf",
    )


def sniff(data: bytes) -> Kind:
    """The documents pipeline's own detection for what it imports; for the rest, what it is, so
    that a skipped part says why in words."""
    head = data[:4096]
    # Containers and programs first: a zip that stores a PDF uncompressed has "%PDF-" in its first
    # KiB, which is where a PDF reader (and the detection) looks for a PDF header.
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return zip_kind(data)
    if head.startswith((b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"#!")):
        return Kind.executable
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: .doc, .xls, .msg
        return Kind.office
    kind = detect(data)
    if kind is not DocumentKind.OTHER:
        return _DOCUMENT_KINDS[kind]
    if head.startswith((b"GIF87a", b"GIF89a")):
        return Kind.gif
    if head.startswith(b"BM") and len(head) >= 18 and head[14:18] in _BMP_HEADER_SIZES:
        return Kind.bmp
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return Kind.webp
    if head[4:8] == b"ftyp" and head[8:12] in _HEIC_BRANDS:
        return Kind.heic
    for bom in _BOMS:
        head = head.removeprefix(bom)
    if head.lstrip().startswith(b"<"):
        return Kind.xml
    if _looks_like_text(head):
        return Kind.text
    return Kind.unknown


def zip_kind(data: bytes) -> Kind:
    """A zip container judged by its entries, never by its first bytes: an office document (docx,
    xlsx, pptx: a top-level [Content_Types].xml; odt, ods: a `mimetype` entry naming OpenDocument) or a
    plain zip. The first bytes mislead both ways: a plain zip whose first entry is a stored docx shows
    that docx's header. One that cannot be read is a zip (unpacking it says why)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                return Kind.office
            if "mimetype" in names:
                mimetype = archive.open("mimetype").read(100)
                if mimetype.startswith(b"application/vnd.oasis.opendocument"):
                    return Kind.office
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, NotImplementedError):
        return Kind.zip
    return Kind.zip


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still text.
        if error.start < len(head) - 4:
            return False
    return True


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height in pixels of a PNG, GIF or JPEG, read from its header; None when unknown."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24 and data[12:16] == b"IHDR":
        return struct.unpack(">II", data[16:24])
    if data.startswith((b"GIF87a", b"GIF89a")) and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


# Start-of-frame markers carry the image size (all SOFn but DHT, JPG and DAC).
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    at = 2
    limit = min(len(data), 1024 * 1024)  # markers come before the image data; never walk further
    while at + 4 <= limit:
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if marker in _SOF and at + 9 <= len(data):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        if marker == 0xDA:  # start of scan: no frame header before it
            return None
        at += 2 + length
    return None
