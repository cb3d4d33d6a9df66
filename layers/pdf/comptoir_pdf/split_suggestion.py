"""Where each invoice starts in a multi-page PDF: a suggestion the client accepts or edits, then splits.

Pure: bytes in, a suggestion out, 1-based pages. Each page is read once with PyMuPDF (its text, the
text of its top quarter, and how much ink a small grey rendering of it holds); the decision is made on
those facts alone (`suggest_from_facts`), so it can be fed the text of an OCR instead.

What opens a new invoice, each sign with its weight (combined as independent evidence,
1 - Π(1 - w)):
- a blank separator page before it (also a scanned one: near-blank, some paper grain or a punch hole);
- a "page 1/2", "1 of 3", "pagina 1 van 2", "page 1 sur 2", "Seite 1 von 2" marker;
- an invoice number that differs from the one of the invoice so far;
- a VAT number the invoice so far did not show (stronger when none of its own is there);
- an invoice date that differs from the one of the invoice so far;
- a letterhead (the top quarter's words) unlike the previous page's;
- a previous page that ends with the totals ("total à payer", "te betalen", "amount due").
What says a page continues: a "page 2/3" marker, or the same invoice number as the invoice so far.
Blank pages are left out of the suggested groups (they are separators, not content).
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pymupdf

THRESHOLD = 0.5  # a page whose confidence reaches this is suggested as a first page
HEADER_SHARE = 0.25  # the top quarter of the page holds the letterhead
INK_DARK = 160  # a grey level below this is ink
BLANK_INK = 0.002  # pages with less ink than this (a share of the inner area) are blank
BLANK_TEXT = 3  # a blank page may still carry a page number
RENDER_ZOOM = 0.3  # about 22 dpi: enough to see ink, cheap for 500 pages

WEIGHTS = {
    "after_blank": 0.9,
    "page_one": 0.95,
    "new_number": 0.85,
    "new_supplier": 0.6,  # none of the VAT numbers of the invoice so far
    "new_vat": 0.45,  # a VAT number more (the customer's own is on every page)
    "new_date": 0.35,
    "new_letterhead": 0.3,
    "after_totals": 0.3,
}
CONTINUES_CAP = 0.1  # a "page 2/3" marker: at most this confident
SAME_NUMBER_CAP = 0.2  # the same invoice number again


@dataclass(frozen=True)
class PageFacts:
    """What the suggestion looks at on one page."""

    text: str
    header: str = ""
    ink: float = 1.0  # share of the page (margins aside) that is ink; 1.0 when unknown


@dataclass(frozen=True)
class FirstPage:
    page: int
    confidence: float
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Suggestion:
    pages: int
    first_pages: list[FirstPage]
    blank_pages: list[int]
    # The groups the client would split into: from each first page to the next, blank pages left out.
    groups: list[list[int]]


def suggest_split(pdf: bytes, *, page_texts: Sequence[str] | None = None) -> Suggestion:
    """Suggest first pages for `pdf`. `page_texts` (e.g. an OCR's) replaces pages without a text layer."""
    return suggest_from_facts(read_facts(pdf, page_texts=page_texts))


def read_facts(pdf: bytes, *, page_texts: Sequence[str] | None = None) -> list[PageFacts]:
    facts = []
    with pymupdf.open(stream=pdf, filetype="pdf") as document:
        for index, page in enumerate(document):
            text = page.get_text("text")
            header_clip = pymupdf.Rect(
                page.rect.x0, page.rect.y0, page.rect.x1, page.rect.height * HEADER_SHARE
            )
            header = page.get_text("text", clip=header_clip)
            if not text.strip() and page_texts is not None and index < len(page_texts):
                text = page_texts[index]
                lines = text.splitlines()
                header = "\n".join(lines[: max(len(lines) // 4, 1)])
            # Ink is only worth measuring when there is no text: a page with text is not blank.
            ink = 1.0 if len(text.strip()) > BLANK_TEXT else _ink(page)
            facts.append(PageFacts(text=text, header=header, ink=ink))
    return facts


def suggest_from_facts(facts: Sequence[PageFacts]) -> Suggestion:
    blank = [f.ink < BLANK_INK and len(f.text.strip()) <= BLANK_TEXT for f in facts]
    first_pages: list[FirstPage] = []
    current = _Invoice()
    previous: _Signs | None = None
    previous_blank = False
    for number, (page, is_blank) in enumerate(zip(facts, blank, strict=True), start=1):
        if is_blank:
            previous_blank = True
            continue
        signs = _Signs(page)
        if previous is None:
            confidence, reasons = 1.0, ["the document's first page"]
        else:
            confidence, reasons = _judge(signs, current, previous, previous_blank)
        if confidence >= THRESHOLD:
            first_pages.append(FirstPage(page=number, confidence=round(confidence, 2), reasons=reasons))
            current = _Invoice()
        current.add(signs)
        previous, previous_blank = signs, False

    starts = [f.page for f in first_pages]
    groups = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(facts) + 1
        group = [p for p in range(start, end) if not blank[p - 1]]
        if group:
            groups.append(group)
    return Suggestion(
        pages=len(facts),
        first_pages=first_pages,
        blank_pages=[n for n, b in enumerate(blank, start=1) if b],
        groups=groups,
    )


# --- the signs on one page --------------------------------------------------------------------------

_MARKER = re.compile(
    r"(?:\b(?:page|pagina|pag\.|p\.|seite|blad|bladzijde|sheet)\s*(\d{1,3})\s*(?:/|of|sur|de|van|von|op|z)\s*(\d{1,3})\b)"
    r"|(?:(?<![\d/.,-])(\d{1,3})\s+(?:of|sur|van|von)\s+(\d{1,3})\b)",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\b(?:invoice|facture|factuur|rechnung|credit\s*note|note\s+de\s+cr[ée]dit|creditnota|avoir|gutschrift)"
    r"\s*-?\s*(?:number|no\.?|n[°ºo]\.?|nr\.?|num[ée]ro|nummer|#)?\s*[:.#]?\s*"
    r"([A-Z0-9][A-Z0-9/._-]{0,24})",
    re.IGNORECASE,
)
_DATE_LABEL = re.compile(
    r"\b(?:invoice\s+date|date\s+(?:de\s+(?:la\s+)?)?facture|factuurdatum|rechnungsdatum|date|datum|dated)"
    r"\s*[:.]?\s*(\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2})",
    re.IGNORECASE,
)
_BE_VAT = re.compile(r"\bBE\s?[-.:]?\s?([01]\d{3}[.\s]?\d{3}[.\s]?\d{3})\b", re.IGNORECASE)
_EU_VAT = re.compile(r"\b(NL\d{9}B\d{2}|FR[0-9A-Z]{2}\d{9}|DE\d{9}|LU\d{8})\b", re.IGNORECASE)
_TOTALS = re.compile(
    r"total\s+(?:[àa]\s+payer|ttc|tvac)|montant\s+[àa]\s+payer|te\s+betalen|totaal\s+incl|amount\s+due|"
    r"balance\s+due|total\s+due|grand\s+total|zu\s+zahlen|gesamtbetrag",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]{3,}")


class _Signs:
    def __init__(self, page: PageFacts):
        text = page.text
        self.marker: tuple[int, int] | None = None
        for match in _MARKER.finditer(text):
            current, total = (int(g) for g in (match.group(1, 2) if match.group(1) else match.group(3, 4)))
            if 1 <= current <= total:
                self.marker = (current, total)
                break
        self.numbers = {n.upper() for n in _numbers(text)}
        self.dates = {m.group(1) for m in _DATE_LABEL.finditer(text)}
        self.vats = _vats(text)
        self.letterhead = {w.lower() for w in _WORD.findall(page.header)}
        self.totals = bool(_TOTALS.search(text))


class _Invoice:
    """What the invoice being read so far has shown."""

    def __init__(self):
        self.numbers: set[str] = set()
        self.dates: set[str] = set()
        self.vats: set[str] = set()

    def add(self, signs: _Signs) -> None:
        self.numbers |= signs.numbers
        self.dates |= signs.dates
        self.vats |= signs.vats


def _judge(signs: _Signs, current: _Invoice, before: _Signs, after_blank: bool) -> tuple[float, list[str]]:
    weights: list[float] = []
    reasons: list[str] = []

    def sign(name: str, reason: str) -> None:
        weights.append(WEIGHTS[name])
        reasons.append(reason)

    if after_blank:
        sign("after_blank", "follows a blank separator page")
    if signs.marker and signs.marker[0] == 1:
        sign("page_one", f"marked page 1 of {signs.marker[1]}")
    if signs.numbers and current.numbers and not signs.numbers & current.numbers:
        sign(
            "new_number",
            f"invoice number {sorted(signs.numbers)[0]} differs from {sorted(current.numbers)[0]}",
        )
    new_vats = signs.vats - current.vats
    if new_vats and current.vats:
        kind = "new_vat" if signs.vats & current.vats else "new_supplier"
        sign(kind, f"another VAT number ({sorted(new_vats)[0]})")
    if signs.dates and current.dates and not signs.dates & current.dates:
        sign("new_date", f"another invoice date ({sorted(signs.dates)[0]})")
    if signs.letterhead and before.letterhead and _similarity(signs.letterhead, before.letterhead) < 0.2:
        sign("new_letterhead", "a different letterhead")
    if before.totals and not (before.marker and before.marker[0] < before.marker[1]):
        sign("after_totals", "the previous page ends with the totals")

    confidence = 1.0
    for weight in weights:
        confidence *= 1 - weight
    confidence = 1 - confidence
    if signs.marker and signs.marker[0] > 1:
        confidence = min(confidence, CONTINUES_CAP)
        reasons.append(f"marked page {signs.marker[0]} of {signs.marker[1]}: continues")
    elif signs.numbers and signs.numbers & current.numbers:
        confidence = min(confidence, SAME_NUMBER_CAP)
        reasons.append("the same invoice number as the page before: continues")
    return confidence, reasons


def _numbers(text: str) -> Iterable[str]:
    for match in _NUMBER.finditer(text):
        value = match.group(1).strip("._-/")
        # A number has a digit and is not a date ("Facture du 12/03/2024" has no number).
        if any(c.isdigit() for c in value) and not re.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}", value):
            yield value


def _vats(text: str) -> set[str]:
    found = set()
    for match in _BE_VAT.finditer(text):
        digits = re.sub(r"\D", "", match.group(1))
        if int(digits[-2:]) == 97 - int(digits[:8]) % 97:  # the mod-97 check of Belgian numbers
            found.add("BE" + digits)
    found |= {m.group(1).upper() for m in _EU_VAT.finditer(text.replace(" ", ""))}
    return found


def _similarity(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b)


_DARK_TABLE = bytes(1 if value < INK_DARK else 0 for value in range(256))


def _ink(page: pymupdf.Page) -> float:
    """The share of dark pixels in a small grey rendering, a 5 % margin (punch holes, scanner edges) aside."""
    pixmap = page.get_pixmap(
        matrix=pymupdf.Matrix(RENDER_ZOOM, RENDER_ZOOM), colorspace=pymupdf.csGRAY, alpha=False
    )
    width, height, stride = pixmap.width, pixmap.height, pixmap.stride
    x0, x1 = int(width * 0.05), int(width * 0.95)
    y0, y1 = int(height * 0.05), int(height * 0.95)
    samples = pixmap.samples
    inner = b"".join(samples[y * stride + x0 : y * stride + x1] for y in range(y0, y1))
    return inner.translate(_DARK_TABLE).count(1) / len(inner) if inner else 0.0
