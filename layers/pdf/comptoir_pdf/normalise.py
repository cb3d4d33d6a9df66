"""A received file to the working PDF every later step uses: `normalise(data) -> Normalised`.

The original bytes are the caller's to keep unchanged; everything here works on a copy.
"""

import contextlib
import io
from dataclasses import dataclass, field

import pikepdf
import pymupdf

from comptoir_pdf.detect import Kind, detect
from comptoir_pdf.errors import NeedsPassword, TooManyPages, Unreadable, Unsupported
from comptoir_pdf.html import html_to_pdf
from comptoir_pdf.images import image_to_pdf
from comptoir_pdf.sanitise import find_invoice_xml, strip_active_content

MAX_PAGES = 500
REPAIRED = "The PDF was damaged and has been repaired; check that every page is complete."
DECRYPTED = "The PDF was protected against changes (an owner password); the working copy is not."


@dataclass(frozen=True)
class Normalised:
    """The working copy of a received file.

    kind: what the bytes are (`detect`).
    pdf: the working PDF, or None for an e-invoice XML (UBL, CII): those are rendered to PDF by
        invoice recognition, not here; the pipeline handles them from the original bytes.
    pages: the working PDF's page count (0 when `pdf` is None).
    warnings: what was changed or found on the way, as sentences for people ("JavaScript was removed.").
    embedded_xml: the e-invoice XML (UBL or CII) a PDF carried as an attachment (Factur-X, ZUGFeRD,
        or a UBL attached as Belgian senders do), taken out before attachments are removed; None
        otherwise (for an XML file itself too: the original bytes are that XML).
    """

    kind: Kind
    pdf: bytes | None
    pages: int
    warnings: list[str] = field(default_factory=list)
    embedded_xml: bytes | None = None


def normalise(data: bytes, *, max_pages: int = MAX_PAGES) -> Normalised:
    """The working PDF of `data`, whatever it is: a PDF made safe, a photo, a scan, an HTML page.

    Raises `NeedsPassword`, `Unreadable` (damaged beyond repair, empty, no pages), `TooManyPages`
    (more than `max_pages`), `Unsupported` (any other kind of file): all `DocumentError`.
    """
    kind = detect(data)
    if kind in (Kind.UBL, Kind.CII):
        return Normalised(kind=kind, pdf=None, pages=0)
    if kind is Kind.PDF:
        return _normalise_pdf(data, max_pages=max_pages)
    if kind in (Kind.JPEG, Kind.PNG, Kind.TIFF):
        pdf, warnings = image_to_pdf(data, max_pages=max_pages)
    elif kind is Kind.HTML:
        pdf, warnings = html_to_pdf(data, max_pages=max_pages), []
    elif not data.strip():
        raise Unreadable("the file is empty")
    else:
        raise Unsupported(str(kind))
    made = _normalise_pdf(pdf, max_pages=max_pages)
    return Normalised(kind=kind, pdf=made.pdf, pages=made.pages, warnings=warnings + made.warnings)


def _normalise_pdf(data: bytes, *, max_pages: int) -> Normalised:
    try:
        return _working_copy(_open(data), max_pages=max_pages, repaired=False)
    except (pikepdf.PdfError, RuntimeError, ValueError, Unreadable):
        # qpdf could not read it (or failed half-way through writing it): MuPDF repairs differently.
        repaired = _repair_with_mupdf(data)
    try:
        return _working_copy(_open(repaired), max_pages=max_pages, repaired=True)
    except (pikepdf.PdfError, RuntimeError, ValueError) as error:
        raise Unreadable("the PDF is damaged beyond repair") from error


def _working_copy(pdf: pikepdf.Pdf, *, max_pages: int, repaired: bool) -> Normalised:
    with pdf:
        pages = len(pdf.pages)
        if pages == 0:
            raise Unreadable("the PDF has no pages")
        if pages > max_pages:
            raise TooManyPages(pages, max_pages)
        warnings = [DECRYPTED] if pdf.is_encrypted else []
        embedded_xml = find_invoice_xml(pdf)
        warnings.extend(strip_active_content(pdf))
        if pikepdf.Name.Size not in pdf.trailer:
            # A trailer qpdf rebuilt has no /Size, and qpdf writes /Size only where the trailer has one
            # (with the right count, whatever the value): without it the copy would be damaged too.
            pdf.trailer.Size = 0
        out = io.BytesIO()
        # No encryption argument: qpdf writes the working copy unencrypted, and only the objects
        # still reachable from the catalog (what was stripped is gone).
        pdf.save(out)
        # qpdf warns when it had to reconstruct the cross-reference table, fix a stream length...
        if repaired or pdf.get_warnings():
            warnings.insert(0, REPAIRED)
    return Normalised(
        kind=Kind.PDF, pdf=out.getvalue(), pages=pages, warnings=warnings, embedded_xml=embedded_xml
    )


def _open(data: bytes) -> pikepdf.Pdf:
    try:
        return pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as error:
        raise NeedsPassword() from error


def _repair_with_mupdf(data: bytes) -> bytes:
    """MuPDF's own repair, when qpdf's failed: rebuild the file from what MuPDF can read of it."""
    with _quiet_mupdf():
        try:
            with pymupdf.open(stream=data, filetype="pdf") as document:
                if document.needs_pass:
                    raise NeedsPassword()
                if document.page_count == 0:
                    raise Unreadable("the PDF has no pages, or none could be recovered")
                return document.tobytes(garbage=3, deflate=True)
        except (pymupdf.FileDataError, pymupdf.mupdf.FzErrorBase, RuntimeError, ValueError) as error:
            raise Unreadable("the PDF is damaged beyond repair") from error


@contextlib.contextmanager
def _quiet_mupdf():
    """MuPDF prints each repair step on stderr; the warning we return says it once."""
    shown = pymupdf.TOOLS.mupdf_display_errors()
    pymupdf.TOOLS.mupdf_display_errors(False)
    try:
        yield
    finally:
        pymupdf.TOOLS.mupdf_display_errors(shown)
        pymupdf.TOOLS.reset_mupdf_warnings()
