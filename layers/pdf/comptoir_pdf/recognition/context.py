"""What a document's context says: signals that raise, lower or repair a candidate, never a value
invented from nothing.

- The file name, the e-mail subject and body: an OCR'd invoice number that differs from a number
  they show only by letters OCR confuses with digits (I/1, O/0, S/5, B/8) takes their letters
  (`ADV-101` read, `ADV-I01.pdf` received: `ADV-I01`); one they show as is gains confidence.
  A number read from a text layer is never changed.
- Whole documents that cannot be read: an XFA form that shows only "Please wait…" outside Adobe's
  viewer; several invoices in one PDF (`invoice_groups`).
"""

import re

from comptoir_pdf.recognition import labels as L
from comptoir_pdf.recognition.model import RecognisedField

_CONFUSED = {frozenset(p) for p in ("1I", "1l", "0O", "5S", "8B", "2Z", "6G")}
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9/\-_.]*[A-Za-z0-9]")

XFA_WARNING = (
    "This PDF is an XFA form: its content only shows in Adobe's viewer (it says 'Please wait…'). "
    "No field was read from it; open it in Adobe Reader and print it to PDF, or fill the fields in."
)
_XFA_TEXT = re.compile(
    r"please\s+wait.{0,200}(?:pdf\s+viewer|adobe\s+reader|proper\s+contents|display\s+this\s+type)",
    re.S,
)


def _confusable(read: str, shown: str) -> bool:
    if len(read) != len(shown) or read == shown:
        return False
    return all(a == b or frozenset((a, b)) in _CONFUSED for a, b in zip(read, shown, strict=True))


def use_context(
    fields: dict[str, RecognisedField], *, filename: str | None, subject: str | None, body: str | None
) -> None:
    number = fields.get("invoice_number")
    if number is None or not isinstance(number.value, str):
        return
    stem = re.sub(r"\.[A-Za-z0-9]{2,4}$", "", filename) if filename else None
    tokens = [t for text in (stem, subject, body) if text for t in _TOKEN.findall(text)]
    if any(t == number.value for t in tokens):
        number.confidence = round(min(0.99, number.confidence + 0.03), 3)
        return
    if number.source not in ("ocr", "textract"):
        return
    shown = [t for t in tokens if _confusable(number.value, t)]
    if len(set(shown)) == 1:
        number.value = shown[0]
        number.confidence = round(min(0.9, number.confidence), 3)
    elif _LOOKALIKE_AFTER_LETTERS.search(number.value):
        # "ADV-147" as OCR read it may be "ADV-I47": a digit that looks like a letter right after
        # the letters, and nothing to check it against, is not sure.
        number.confidence = round(min(0.8, number.confidence), 3)


_LOOKALIKE_AFTER_LETTERS = re.compile(r"[A-Za-z][-/. ]?[0158]")


def is_xfa_placeholder(text: str) -> bool:
    """The page an XFA form shows in any viewer but Adobe's."""
    return bool(_XFA_TEXT.search(text.lower()))


def invoice_groups(layouts, *, company) -> list[list[int]]:
    """Pages grouped by invoice when a PDF holds several: a new invoice starts where a page shows
    an invoice number (strongly labelled) not seen before, and each group has its own total."""
    from comptoir_pdf.recognition.recogniser import Recogniser

    starts: list[tuple[int, str]] = []
    seen: set[str] = set()
    totals: set[int] = set()
    for layout in layouts:
        page = Recogniser([layout], company=company, source="text")
        # A number in the page's head: one quoted in the body ("concerne facture n° 12") starts nothing.
        numbers = [
            c
            for c in page._labelled("invoice_number")
            if c.label_weight >= 0.9 and c.box is not None and c.box[1] < 0.4 * layout.height
        ]
        if any(hit.field == "total_incl_vat" and hit.weight >= 0.9 for _, _, hit in page.hits):
            totals.add(layout.page)
        if numbers:
            value = max(numbers, key=lambda c: c.score).value
            if value not in seen:
                seen.add(value)
                starts.append((layout.page, value))
    if len(starts) < 2 or starts[0][0] != layouts[0].page:
        return [[layout.page for layout in layouts]]
    bounds = [p for p, _ in starts] + [layouts[-1].page + 1]
    groups = [list(range(a, b)) for a, b in zip(bounds, bounds[1:], strict=False)]
    if not all(any(p in totals for p in group) for group in groups):
        return [[layout.page for layout in layouts]]
    return groups


__all__ = ["L", "XFA_WARNING", "invoice_groups", "is_xfa_placeholder", "use_context"]
