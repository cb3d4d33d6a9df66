"""The XML an invoice PDF carries: Factur-X/ZUGFeRD's CII, or a UBL attached the Belgian way."""

import pymupdf

from comptoir_pdf.einvoice.parse import syntax_of

# Names the standards give the XML; any other attached .xml is tried after them.
KNOWN_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml", "order-x.xml")
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def embedded_xml(pdf: bytes) -> bytes | None:
    """The first attached file that is a UBL or CII invoice, else None."""
    try:
        doc = pymupdf.open(stream=pdf, filetype="pdf")
    except (RuntimeError, ValueError):
        return None
    with doc:
        if doc.needs_pass:
            return None
        candidates: list[tuple[int, bytes]] = []
        for name in doc.embfile_names():
            info = doc.embfile_info(name)
            filename = (info.get("filename") or name or "").lower()
            if not filename.endswith(".xml") or int(info.get("size") or 0) > MAX_ATTACHMENT_BYTES:
                continue
            rank = KNOWN_NAMES.index(filename) if filename in KNOWN_NAMES else len(KNOWN_NAMES)
            candidates.append((rank, doc.embfile_get(name)))
        for page in doc:
            for annot in page.annots(types=[pymupdf.PDF_ANNOT_FILE_ATTACHMENT]) or []:
                info = annot.file_info
                if (info.get("filename") or "").lower().endswith(".xml") and int(
                    info.get("size") or 0
                ) <= MAX_ATTACHMENT_BYTES:
                    candidates.append((len(KNOWN_NAMES) + 1, annot.get_file()))
        for _, data in sorted(candidates, key=lambda c: c[0]):
            if syntax_of(data):
                return data
    return None


def attach_xml(pdf: bytes, xml: bytes, *, filename: str = "factur-x.xml") -> bytes:
    """A copy of `pdf` carrying `xml` as an attached file (for tests and samples)."""
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    with doc:
        doc.embfile_add(filename, xml, filename=filename, desc="invoice XML")
        return doc.tobytes(garbage=3, deflate=True)
