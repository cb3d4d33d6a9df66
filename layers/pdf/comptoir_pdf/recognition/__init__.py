"""Invoice recognition: e-invoices exact, text PDFs by layout, scans by OCR.

    rec = recognise(pdf, company=CompanyIdentity(vat="BE0417497106", ibans=[...]))
    rec.fields["total_incl_vat"].value  # "1234.56"

Pure: bytes in, fields out; no AWS, no table. Profiles learnt from corrections come in as a dict
keyed by supplier VAT and go out through `learn`.
"""

from comptoir_pdf.recognition import context, glyphs
from comptoir_pdf.recognition.checks import bookkeeper_warnings, duplicate_key, xml_pdf_warnings
from comptoir_pdf.recognition.learning import apply_profile, learn, locate
from comptoir_pdf.recognition.model import (
    FIELD_NAMES,
    KEY_FIELDS,
    Anchor,
    CompanyIdentity,
    PageWords,
    RecognisedField,
    Recognition,
    SupplierProfile,
    Word,
)
from comptoir_pdf.recognition.ocr import OcrEngine, OcrUnavailable, TesseractEngine
from comptoir_pdf.recognition.reading import read_bands, read_pages
from comptoir_pdf.recognition.recogniser import Recogniser, read_layouts, sender_domain
from comptoir_pdf.recognition.serial import pages_from_json, pages_to_json
from comptoir_pdf.recognition.values import normalise_vat

__all__ = [
    "FIELD_NAMES",
    "KEY_FIELDS",
    "TESSERACT",
    "Anchor",
    "CompanyIdentity",
    "OcrEngine",
    "OcrUnavailable",
    "PageWords",
    "RecognisedField",
    "Recognition",
    "Recogniser",
    "SupplierProfile",
    "TesseractEngine",
    "Word",
    "DISAGREEING_CONFIDENCE",
    "document_words",
    "duplicate_key",
    "learn",
    "merge_readings",
    "pages_from_json",
    "pages_to_json",
    "recognise",
]

# The default OCR: Debian's tesseract with French, Dutch, English and German.
TESSERACT = TesseractEngine()

# Textract AnalyzeExpense's summary field types → our fields (English only: a hint, never the answer).
HINT_FIELDS = {
    "invoice_number": "invoice_number",
    "invoice_date": "invoice_date",
    "due_date": "due_date",
    "total_incl_vat": "total_incl_vat",
    "total_excl_vat": "total_excl_vat",
    "vat_amount": "vat_amount",
    "supplier_name": "supplier_name",
}


def document_words(pdf: bytes, *, ocr: OcrEngine | None = TESSERACT) -> list[PageWords]:
    """The words of every page, as recognition reads them (for `learn` when they were not kept)."""
    pages, _ = read_pages(pdf, ocr=ocr)
    return pages


def recognise(
    pdf: bytes,
    *,
    company: CompanyIdentity,
    xml: bytes | None = None,
    ocr: OcrEngine | None = TESSERACT,
    profiles: dict[str, SupplierProfile] | None = None,
    filename: str | None = None,
    subject: str | None = None,
    body: str | None = None,
    sender: str | None = None,
) -> Recognition:
    """The invoice fields of a PDF (and of its UBL/CII XML when given or attached to the PDF).

    Only fields found are in `fields`; amounts are positive (a credit note says so in
    document_type). Pages without a text layer go through `ocr` (None: not read). `filename`,
    `subject`, `body` and `sender` (the e-mail's From) are context: signals, never values."""
    from comptoir_pdf.einvoice import NotAnEInvoice, embedded_xml, parse_einvoice

    warnings: list[str] = []
    if xml is None and pdf:
        xml = embedded_xml(pdf)
    pages, notes = read_pages(pdf, ocr=ocr) if pdf else ([], [])
    warnings.extend(notes)
    if pages and xml is None and context.is_xfa_placeholder(" ".join(w.text for p in pages for w in p.words)):
        return Recognition(fields={}, warnings=[*warnings, context.XFA_WARNING], pages=pages)
    layouts = read_layouts(pages)
    if len(layouts) > 1 and xml is None:
        groups = context.invoice_groups(layouts, company=company)
        if len(groups) > 1:
            spans = ", ".join(f"pages {g[0]}-{g[-1]}" if len(g) > 1 else f"page {g[0]}" for g in groups)
            warnings.append(
                f"This PDF holds {len(groups)} invoices ({spans}): the fields are the first one's; "
                "split it to read the others."
            )
            layouts = [layout for layout in layouts if layout.page in groups[0]]
    main_source = next((p.source for p in pages if p.source != "text"), "text")
    recogniser = Recogniser(layouts, company=company, source=main_source)
    recogniser.page_sources = {p.page: p.source for p in pages}
    recogniser.sender_domain = sender_domain(sender)
    recogniser.run()
    if main_source == "ocr" and isinstance(ocr, TesseractEngine) and len(layouts) == len(pages):
        # Read again where the first reading missed something; merged field by field.
        if ocr.psm is None:
            _second_pass(pdf, recogniser, ocr, company=company)
        _band_pass(pdf, recogniser, pages, ocr, company=company)
    fields = recogniser.fields
    _use_hints(fields, pages)
    if main_source == "ocr" and pdf:
        glyphs.repair_number(fields, pdf, pages)
    context.use_context(fields, filename=filename, subject=subject, body=body)
    if profiles:
        _use_profiles(fields, recogniser, profiles, layouts, source=main_source, company=company)

    if xml is not None:
        try:
            einvoice = parse_einvoice(xml)
        except NotAnEInvoice as error:
            warnings.append(
                f"the attached XML is not a readable e-invoice ({error}); fields read from the PDF"
            )
        else:
            xml_fields = _xml_fields(einvoice.fields(), layouts)
            if pages and any(p.words for p in pages):
                warnings.extend(xml_pdf_warnings(xml_fields, fields))
            fields = xml_fields
    warnings.extend(
        bookkeeper_warnings(fields, company_vat=normalise_vat(company.vat) if company.vat else None)
    )
    ordered = {
        name: fields[name]
        for name in FIELD_NAMES
        if name in fields and fields[name].value not in (None, "", [])
    }
    return Recognition(fields=ordered, warnings=warnings, pages=pages)


SECOND_PASS_FIELDS = ("total_incl_vat", "invoice_date", "invoice_number", "supplier_vat")
# Read together: a total from one reading and its VAT from another need not add up.
AMOUNT_FIELDS = ("total_excl_vat", "vat_amount", "total_incl_vat", "vat_breakdown")


def _second_pass(pdf: bytes, first: Recogniser, ocr: TesseractEngine, *, company) -> None:
    """Pages read again as one block when the first reading missed a key field; the two readings
    are merged field by field (`merge_readings`)."""
    if all(n in first.fields for n in SECOND_PASS_FIELDS):
        return
    pages, _ = read_pages(pdf, ocr=ocr.second_pass())
    again = Recogniser(read_layouts(pages), company=company, source="ocr")
    again.page_sources = {p.page: p.source for p in pages}
    again.sender_domain = first.sender_domain
    again.run()
    merge_readings(first, again)


def merge_readings(first: Recogniser, again: Recogniser) -> None:
    """Two OCR readings of the same pages, field by field into `first`: a field only the second
    found is taken from it (the amounts as one group); where both found a field and disagree,
    the surer value stays (the second's only when `SURER_BY` surer), no surer than a doubtful one."""
    for name in [n for n in again.fields if n not in AMOUNT_FIELDS]:
        _merge_group(first.fields, again.fields, (name,), decided_by=name)
    _merge_group(first.fields, again.fields, AMOUNT_FIELDS, decided_by="total_incl_vat")
    for name in ("vat_candidates", "iban_candidates"):
        if hasattr(again, name):
            setattr(first, name, [*getattr(first, name, []), *getattr(again, name)])


def _merge_group(fields: dict, other: dict, names: tuple[str, ...], *, decided_by: str) -> None:
    """`names` taken together from one reading or the other, as their field `decided_by` says."""
    theirs, mine = other.get(decided_by), fields.get(decided_by)
    if theirs is None or (mine is not None and mine.value == theirs.value):
        return
    if mine is None or theirs.confidence > mine.confidence + SURER_BY:
        for name in names:
            fields.pop(name, None)
            if name in other:
                fields[name] = other[name]
    if mine is not None:
        for name in names:
            if name in fields:
                fields[name].confidence = round(min(fields[name].confidence, DISAGREEING_CONFIDENCE), 3)


# Two readings of one page that give two values: neither is sure.
DISAGREEING_CONFIDENCE = 0.75
# How much surer the second reading's value must be to replace the first's.
SURER_BY = 0.2


FOOTER_FIELDS = ("supplier_vat", "iban")
# Where an invoice's supplier, number and dates stand; its footer (payment details printed just
# above it included); its totals on the last page.
HEADER_BAND = (0.0, 0.4)
FOOTER_BAND = (0.75, 1.0)
TOTALS_BAND = (0.45, 1.0)


def _band_pass(
    pdf: bytes, first: Recogniser, pages: list[PageWords], ocr: TesseractEngine, *, company
) -> None:
    """Bands of the first and last pages read again, enlarged and their background flattened, where
    the first reading missed a field; a page's bands in one OCR call; merged field by field:

    - page 1's head when the invoice number or date was not found (their captions are often small
      grey type: "Ons kenmerk", "Rechnungs-Nr." under the value), or when the supplier's VAT
      number is missing and no customer block was read (a photo's shadow hid the addresses: that
      header then stands in for page 1's footer);
    - the last page from its middle down when the total incl. VAT is missing (a shadow darkens a
      photo's lower half);
    - otherwise the bottom quarter of the first and last pages when the VAT number or the IBAN is
      missing: footers print them in small grey type."""
    if not pages or pages[0].source != "ocr":
        return
    fields = first.fields
    footer_missing = any(n not in fields for n in FOOTER_FIELDS)
    # Every invoice to the company names it: no customer block read, the addresses were lost.
    addressed = any(s.region == "customer" for s in first.layouts[0].segments) if first.layouts else True
    vat_in_header = "supplier_vat" not in fields and not addressed
    last = len(pages) - 1
    again_pages = list(pages)
    for index in dict.fromkeys([0, last]):
        page = pages[index]
        if page.source != "ocr" or not page.words or page.height <= 0:
            continue
        bands = []
        if index == 0 and ("invoice_number" not in fields or "invoice_date" not in fields or vat_in_header):
            bands.append(HEADER_BAND)
        if index == last and "total_incl_vat" not in fields:
            bands.append(TOTALS_BAND)
        elif footer_missing and not (index == 0 and vat_in_header):
            bands.append(FOOTER_BAND)
        if bands:
            again_pages[index] = read_bands(pdf, page, ocr, bands)
    if again_pages == pages:
        return
    again = Recogniser(read_layouts(again_pages), company=company, source="ocr")
    again.page_sources = first.page_sources
    again.sender_domain = first.sender_domain
    again.run()
    merge_readings(first, again)


def _xml_fields(values: dict, layouts) -> dict[str, RecognisedField]:
    out = {}
    for name, value in values.items():
        if value in (None, "", []):
            continue
        page, box = None, None
        if name not in ("vat_breakdown", "document_type", "currency"):
            where = locate(layouts, name, value)
            if where:
                layout, seg, a, b = where[-1] if name.startswith("total") else where[0]
                page, box = layout.page, seg.span_box(a, b)
        out[name] = RecognisedField(value=value, confidence=1.0, source="xml", page=page, box=box)
    return out


def _use_profiles(fields, recogniser: Recogniser, profiles, layouts, *, source, company) -> None:
    """A VAT number (or failing that an IBAN) the company taught as a supplier's names the supplier."""
    own = normalise_vat(company.vat) if company.vat else None
    profile = None
    for cand, _ in getattr(recogniser, "vat_candidates", []):
        if cand.value != own and cand.value in profiles:
            profile = profiles[cand.value]
            fields["supplier_vat"] = RecognisedField(cand.value, 0.97, source, cand.page, cand.box)
            break
    current = fields.get("supplier_vat")
    if profile is None and (current is None or current.confidence < 0.9):
        # No VAT number read with confidence: a known IBAN names the supplier.
        for cand in getattr(recogniser, "iban_candidates", []):
            match = next((p for p in profiles.values() if cand.value in p.ibans), None)
            if match is not None:
                profile = match
                if current is None or current.value != match.vat:
                    fields["supplier_vat"] = RecognisedField(match.vat, 0.8, source)
                break
    if profile is not None:
        apply_profile(fields, profile, layouts, source=source)


def _use_hints(fields: dict[str, RecognisedField], pages: list[PageWords]) -> None:
    """Textract AnalyzeExpense's answers: agreement raises confidence; a gap is filled, unsure."""
    from comptoir_pdf.recognition import values as V

    for page in pages:
        for name, text in (page.hints or {}).items():
            field = HINT_FIELDS.get(name)
            if field is None or not text:
                continue
            if field in ("invoice_date", "due_date"):
                dates = V.find_dates(text)
                value = dates[0].value.isoformat() if dates else None
            elif field.startswith("total") or field == "vat_amount":
                amounts = V.find_amounts(text)
                value = V.amount_str(abs(amounts[0].value)) if amounts else None
            else:
                value = text.strip() or None
            if value is None:
                continue
            current = fields.get(field)
            if current is None:
                fields[field] = RecognisedField(value, 0.45, page.source, page.page, None)
            elif str(current.value).lower() == str(value).lower():
                current.confidence = round(min(0.99, current.confidence + 0.03), 3)
            elif current.confidence < 0.9:
                current.confidence = round(max(0.2, current.confidence - 0.1), 3)
