"""A received file to what recognition reads: one conversion for the pipeline and `comptoir extract`.

    prepared = prepare(data)          # raises comptoir_pdf.errors.DocumentError
    recognise(prepared.pdf, xml=prepared.xml, ...)

An image, an HTML page or a damaged PDF goes through `normalise` (the working PDF); a UBL/CII file is
rendered for reading and its XML is the truth; a PDF carrying an e-invoice gives that XML too.
"""

from dataclasses import dataclass

from comptoir_pdf.detect import Kind
from comptoir_pdf.normalise import MAX_PAGES, Normalised, normalise


@dataclass(frozen=True)
class Prepared:
    normalised: Normalised
    pdf: bytes
    xml: bytes | None


def prepare(data: bytes, *, max_pages: int = MAX_PAGES) -> Prepared:
    from comptoir_pdf import einvoice

    normalised = normalise(data, max_pages=max_pages)
    pdf, xml = normalised.pdf, normalised.embedded_xml
    if normalised.kind in (Kind.UBL, Kind.CII):
        # An e-invoice: its XML is the truth; a rendering of it is the document people look at.
        pdf, xml = einvoice.render_pdf(data), data
    return Prepared(normalised=normalised, pdf=pdf, xml=xml)
