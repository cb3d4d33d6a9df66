"""The recogniser: words with positions in, invoice fields with confidences out.

It reads the same way for a text layer and for OCR. Labels (labels.py) point at values to their
right, after them in the same segment, or below them; every value is parsed and checked
(values.py); totals are chosen together so that excl + VAT = incl, per rate where the invoice
shows its rates. The company's own VAT number and IBANs are set aside first: they are the
customer's, never the supplier's."""

import dataclasses
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import combinations, product
from typing import Any

from comptoir_pdf.recognition import labels as L
from comptoir_pdf.recognition import values as V
from comptoir_pdf.recognition.layout import PageLayout, Segment, build_layout, joined
from comptoir_pdf.recognition.model import (
    Box,
    CompanyIdentity,
    PageWords,
    RecognisedField,
    Source,
)

CENT = Decimal("0.01")
_TIME = re.compile(r"(?<!\d)(?:[01]?\d|2[0-3])[:h.][0-5]\d(?::[0-5]\d)?(?!\d)")
STANDARD_RATES = (Decimal(21), Decimal(12), Decimal(6), Decimal(0))
_LINE_RATE = re.compile(r"(?<![\d.,])(21|12|6|0)(?:[.,]0{1,2})?\s?%")


@dataclass
class Candidate:
    value: Any
    score: float
    page: int | None = None
    box: Box | None = None
    seg: Segment | None = None
    label_weight: float = 0.0
    key: tuple = ()  # identity of the printed value (segment and span) to tell two readings apart


@dataclass
class Reading:
    """Everything found on the pages, before fields are chosen. Learning reuses it."""

    layouts: list[PageLayout]
    source: Source
    labelled: dict[str, list[tuple[Segment, L.LabelHit]]] = field(default_factory=dict)


_BARE_NUMBER_CAPTION = re.compile(r"invoice|facture|factuur|rechnung|avoir|creditnota|credit note|gutschrift")


def read_layouts(pages: list[PageWords]) -> list[PageLayout]:
    return [build_layout(p, skew=p.skew) for p in pages]


# ---- value readers: from a position in a segment ---------------------------------------------

_ID_SKIP = re.compile(r"^[\s:.#°\-–]*(?:(?:n[°o]|nr|no|num(?:ero|mer)?|number|#)\b\.?[\s:.#°\-]*)?", re.I)
_ID_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9/\-_.#]*")


def read_id(text: str, start: int) -> tuple[str, int, int] | None:
    """The invoice-number-like token after `start`: has a digit, is not a date or a VAT number."""
    skip = _ID_SKIP.match(text[start:])
    pos = start + (skip.end() if skip else 0)
    m = _ID_TOKEN.match(text, pos)
    if not m:
        return None
    token = m.group(0).rstrip(".-/_#")
    if not any(c.isdigit() for c in token) or len(token) > 30:
        return None
    if any(d.start == 0 for d in V.find_dates(text[m.start() : m.start() + 24])):
        return None  # "12 avril 2024": a date's day, not a number
    if V.find_dates(token) or V.find_vats(token) or V.find_ibans(token):
        return None
    if re.fullmatch(r"\d{1,2}", token) and int(token) <= 31 and text[m.end() : m.end() + 1] in "/.-,":
        return None
    if re.search(r"%$", text[m.start() : m.end() + 1]):
        return None
    if re.fullmatch(r"(?:19|20)\d\d", token):
        return None  # a year, as a date broken over two lines leaves it
    return token, m.start(), m.start() + len(token)


def _split_number(text: str, start: int, value: str) -> str | None:
    """An OCR'd number broken by a space ("FV/2025/1 996"): the digits that alone end its cell
    belong to it. Not sure: the space may be printed."""
    if (
        start < 0
        or text[start : start + len(value)] != value
        or not (value[-1].isdigit() or value[-1] in "/-")
    ):
        return None
    m = re.fullmatch(r" (\d{1,6})", text[start + len(value) :])
    return value + m.group(1) if m else None


def _gap_ok(text: str, start: int, value_start: int, limit: int = 14) -> bool:
    between = text[start:value_start]
    return len(between) <= limit and not re.search(r"[a-zA-Z]{4,}", between)


def values_after(kind: str, seg: Segment, start: int) -> list[tuple[Any, int, int]]:
    text = seg.text
    if kind == "id":
        found = read_id(text, start)
        return [found] if found else []
    if kind == "date":
        matches = [m for m in V.find_dates(text) if m.start >= start]
    else:
        vats = V.find_vats(text, enterprise_context=True)
        matches = [
            m
            for m in V.find_amounts(text)
            if m.start >= start and not any(v.start <= m.start < v.end for v in vats)
        ]
        explicit = [m for m in matches if m.explicit]
        matches = explicit or matches
    return [(m.value, m.start, m.end) for m in matches]


KIND = {
    "invoice_number": "id",
    "invoice_date": "date",
    "due_date": "date",
    "total_excl_vat": "amount",
    "vat_amount": "amount",
    "total_incl_vat": "amount",
}


def labelled_candidates(layout: PageLayout, seg: Segment, hit: L.LabelHit) -> list[Candidate]:
    """Values the label points at: after it in its segment, then to its right, then below."""
    kind = KIND[hit.field]
    out: list[Candidate] = []

    def add(s: Segment, found, weight):
        value, a, b = found
        out.append(
            Candidate(
                value=value,
                score=hit.weight * weight,
                page=layout.page,
                box=s.span_box(a, b),
                seg=s,
                label_weight=hit.weight,
                key=(layout.page, id(s), a),
            )
        )

    # Other labels in the same segment end this label's reach.
    next_labels = [h.start for h in L.find_labels(seg.folded) if h.start >= hit.end]
    reach = min(next_labels) if next_labels else len(seg.text)
    same = [f for f in values_after(kind, seg, hit.end) if f[1] < reach]
    for i, found in enumerate(same[:3]):
        if i == 0 and not _gap_ok(seg.text, hit.end, found[1], 24 if kind != "id" else 8):
            continue
        add(seg, found, 1.0 if i == 0 else 0.8 - 0.1 * i)
    rest = seg.text[hit.end : reach].strip(" :.-#°/")
    # Something unreadable after the label ("Rechnungs-Nr. 2024-" broken over two lines): what
    # stands elsewhere is less surely its value.
    elsewhere = 0.6 if rest else 1.0
    if not same and len(rest) <= 12:
        rights = layout.right_of(seg, 3)
        if not rights:
            # The value's cell a little higher or lower than the label's (a wrapped label, a cell
            # aligned on its middle): the nearest segment to the right sharing half its height.
            rights = [r for r in [layout.beside(seg, left=False)] if r is not None]
        for n, right in enumerate(rights):
            if L.find_labels(right.folded) and kind != "amount":
                break
            if kind == "date" and not _share_line(seg, right):
                continue  # a date of the line above or below, put in this row by OCR's tall boxes
            found = values_after(kind, right, 0)
            if not found and kind == "date" and (both := joined(layout, right)) is not None:
                right, found = both, values_after(kind, both, 0)
            for i, f in enumerate(found[:2]):
                if i == 0 and not _gap_ok(right.text, 0, f[1], 8):
                    continue
                add(right, f, (0.95 - 0.12 * n - 0.1 * i) * elsewhere)
            if found and kind != "amount":
                break
        head = _label_cell(seg, hit)
        for cell in dict.fromkeys([head, seg]):
            before = len(out)
            for n, below in enumerate(layout.below(cell, max_rows=2)):
                if below.x0 < cell.x0 - 10:
                    # Cells of a row read as one segment: the value under the label's own cell.
                    column = _in_column(kind, below, cell)
                    if column:
                        add(below, column, (0.8 - 0.2 * n) * elsewhere)
                    continue
                found = values_after(kind, below, 0)
                if not found and kind == "date" and (down := _date_down(layout, below)) is not None:
                    found = [down]
                elif not found and kind == "date" and (both := joined(layout, below)) is not None:
                    # OCR split the date in two ("October | 11, 2025").
                    below, found = both, values_after(kind, both, 0)
                if found and _gap_ok(below.text, 0, found[0][1], 4):
                    add(below, found[0], (0.8 - 0.2 * n) * elsewhere)
            if len(out) > before:
                break
        if kind == "amount":
            out.extend(_column_total(layout, head, hit))
    if not same and len(rest) <= 3 and seg.text[: hit.start].strip():
        # "12 avril 2024 Date de facture": a value ending the line before its label is its value.
        found = None if L.find_labels(seg.folded[: hit.start]) else _value_before(kind, seg, hit.start)
        if found:
            out.clear()
            add(seg, found, 0.85)
            return out
    if not same and len(rest) <= 3 and not out:
        # A caption: the value before it, to its left, or above it ("12 avril 2024 Date de facture").
        for where, weight, start in _captioned(layout, seg, hit):
            if start is None:
                found = _value_before(kind, where, hit.start if where is seg else len(where.text))
            else:
                # From the word in the caption's column; a value may begin just before it ("€ 3.108,68").
                after = values_after(kind, where, start)
                if kind != "id":
                    after = [f for f in values_after(kind, where, 0) if f[2] > start]
                ok = after and (after[0][1] <= start or _gap_ok(where.text, start, after[0][1], 3))
                found = after[0] if ok else None
            if (
                not found
                and kind == "date"
                and start is not None
                and (over := _date_over_lines(layout, where)) is not None
            ):
                # "23 November" / "2025": the date broken over two lines above its caption.
                where, found = over
            if found:
                # Left of it and above it may both hold a value (a grid of captions): both are
                # candidates, the one above in the caption's own column a little stronger.
                add(where, found, weight)
    return out


def _vat_caption(folded: str) -> bool:
    """A short caption naming a VAT or enterprise number, with no number in it."""
    return (
        bool(L.ENTERPRISE_CONTEXT.search(folded))
        and not re.search(r"\d", folded)
        and len(folded.split()) <= 4
    )


def _vats_across(layout: PageLayout, seg: Segment, context: bool) -> list[tuple[Segment, V.Match]]:
    """A VAT number OCR cut in two segments ("BE1473 | 409 214", "USt-IdNr. D | E434570916"): read
    in the segment and the one right of it, with and without the gap, kept when it spans both."""
    both = joined(layout, seg)
    if both is None:
        return []
    cut = len(seg.text)
    out = [
        (both, m)
        for m in V.find_vats(both.text, enterprise_context=context, repair=True)
        if m.start < cut < m.end
    ]
    if not out:
        squeezed = both.text[:cut] + both.text[cut + 1 :]
        for m in V.find_vats(squeezed, enterprise_context=context, repair=True):
            if m.start < cut < m.end:
                # The match in `both`'s text, where the gap is one character longer.
                out.append((both, dataclasses.replace(m, end=m.end + 1)))
    return out


def _at_rate(base: Decimal, vat: Decimal) -> bool:
    """`vat` is `base` at a standard rate, to the cent (0 only for a base with no VAT)."""
    return (
        base > 0
        and vat >= 0
        and any(abs((base * r / 100).quantize(CENT) - vat) <= CENT for r in STANDARD_RATES)
    )


def _one_rate_row(e: Candidate, i: Candidate, rate_rows: dict[tuple[int, int], Decimal]) -> bool:
    """Excl. and incl. read from one row of a table of several rates (under the totals' column
    headers, a row per rate, then their total): that rate's amounts, not the invoice's."""
    if e.seg is None or i.seg is None or e.page != i.page or e.seg.row != i.seg.row:
        return False
    rate = rate_rows.get((i.page, i.seg.row))
    return rate is not None and any(r != rate for r in rate_rows.values())


def _share_line(a: Segment, b: Segment) -> bool:
    return min(a.y1, b.y1) - max(a.y0, b.y0) >= 0.3 * min(a.height, b.height)


def _date_over_lines(layout: PageLayout, year_seg: Segment) -> tuple[Segment, tuple[date, int, int]] | None:
    """A lone year under a day and month ("23 November" / "2025", "January 20," / "2024"): the date
    a narrow cell broke over two lines, read in the upper segment's span."""
    year = V.year_only(year_seg.text)
    if year is None:
        return None
    for r in range(year_seg.row - 1, max(-1, year_seg.row - 3), -1):
        for upper in layout.rows[r]:
            if year_seg.y0 - upper.y1 > 1.5 * layout.median_height:
                continue
            partial = V.date_without_year(upper.text)
            if partial is None:
                continue
            month, day, start = partial
            x0, _, x1, _ = upper.span_box(start, len(upper.text.rstrip()))
            if min(x1, year_seg.x1) - max(x0, year_seg.x0) <= 0 and abs(x0 - year_seg.x0) > 6:
                continue
            value = V._date(year, month, day)
            if value is not None:
                return upper, (value, start, len(upper.text.rstrip(" ,.")))
    return None


def _date_down(layout: PageLayout, seg: Segment) -> tuple[date, int, int] | None:
    """A day, its month and its year on three lines of a narrow cell ("14" / "November" / "2024"),
    read from the day's segment, each line aligned on the first's left edge."""
    if not re.fullmatch(r"\d{1,2}\.?", seg.text.strip()):
        return None
    lines = [seg]
    for r in range(seg.row + 1, min(len(layout.rows), seg.row + 3)):
        below = [
            o
            for o in layout.rows[r]
            if abs(o.x0 - seg.x0) <= 6 and 0 <= o.y0 - lines[-1].y1 <= 1.5 * layout.median_height
        ]
        if len(below) != 1:
            return None
        lines.append(below[0])
    text = " ".join(line.text.strip() for line in lines)
    found = V.find_dates(text)
    if len(found) != 1 or found[0].start != 0 or found[0].end != len(text):
        return None
    return found[0].value, 0, len(seg.text)


def _label_cell(seg: Segment, hit: L.LabelHit) -> Segment:
    """A header row read as one segment ("N° de facture Date Échéance"): the label's own cell,
    from its first word to the next label, for what stands below it."""
    hits = L.find_labels(seg.folded)
    if len(hits) < 2:
        return seg
    ends = [h.start for h in hits if h.start >= hit.end]
    x0, y0, _, y1 = seg.span_box(hit.start, hit.end)
    x1 = seg.span_box(hit.start, min(ends) - 1)[2] if ends else seg.x1
    return dataclasses.replace(seg, x0=x0, x1=x1)


def _in_column(kind: str, seg: Segment, cell: Segment) -> tuple[Any, int, int] | None:
    """The first value of `seg` printed under `cell` (overlapping it, or right-aligned with it)."""

    def under(a: int, b: int) -> bool:
        x0, _, x1, _ = seg.span_box(a, b)
        return min(cell.x1, x1) - max(cell.x0, x0) > 0 or abs(x1 - cell.x1) < 6

    if kind == "id":
        for word, start in zip(seg.words, seg.starts, strict=True):
            if under(start, start + len(word.text)):
                found = read_id(seg.text, start)
                return found if found and found[1] == start else None
        return None
    for found in values_after(kind, seg, 0):
        if under(found[1], found[2]):
            return found
    return None


def _value_before(kind: str, seg: Segment, end: int) -> tuple[Any, int, int] | None:
    """The value that ends a text (before `end`), with nothing but punctuation after it."""
    text = seg.text[:end]
    if kind == "id":
        tokens = list(_ID_TOKEN.finditer(text))
        if not tokens or text[tokens[-1].end() :].strip(" :.-|"):
            return None
        found = read_id(text, tokens[-1].start())
        return found if found and found[1] == tokens[-1].start() else None
    matches = V.find_dates(text) if kind == "date" else V.find_amounts(text)
    if not matches or text[matches[-1].end :].strip(" :.-|"):
        return None
    m = matches[-1]
    if kind == "id" or (kind == "amount" and not m.explicit and len(matches) > 1):
        return None
    return m.value, m.start, m.end


def _captioned(layout: PageLayout, seg: Segment, hit: L.LabelHit):
    """Where a caption's value stands: before it in its segment, left of it, above it."""
    if seg.text[: hit.start].strip() and not L.find_labels(seg.folded[: hit.start]):
        yield seg, 0.75, None
        return
    cell = _label_cell(seg, hit)
    x0 = seg.span_box(hit.start, hit.end)[0]
    left = layout.left_of(seg)
    if left is None and seg.wrapped:
        left = layout.beside(seg, left=True)  # a label broken over two lines: its first line's left
    if (
        hit.start == 0
        and left is not None
        and seg.x0 - left.x1 < 6 * layout.median_height
        and not L.find_labels(left.folded)
    ):
        yield left, 0.7, None
    for above in layout.above(cell, max_rows=2)[:1]:
        if L.find_labels(above.folded):
            continue
        # The value in the label's column: from the first word that reaches the label's left edge.
        for word, start in zip(above.words, above.starts, strict=True):
            if word.x1 >= x0 - 2:
                yield above, 0.72, start
                break


_TOTAL_ROW = re.compile(r"^(?:total|totaal|totale|summe|gesamt|somme|som|totals?)\b")


def _column_total(layout: PageLayout, seg: Segment, hit: L.LabelHit) -> list[Candidate]:
    """A column header's value in the table's total row (the last row saying "Total")."""
    out = []
    for r in range(seg.row + 1, min(len(layout.rows), seg.row + 14)):
        row = layout.rows[r]
        if not row or not _TOTAL_ROW.match(row[0].folded) or row[0] is seg:
            continue
        cells = row[1:]
        if r + 1 < len(layout.rows) and all(not L.find_labels(o.folded) for o in layout.rows[r + 1]):
            # A cell of the total row that sits lower than the row's first (wrapped, or aligned
            # on its middle): the next row's amounts, when it holds no label of its own.
            nxt = [o for o in layout.rows[r + 1] if o.y0 - row[0].y1 < layout.median_height]
            cells += nxt
        for other in cells:
            overlap = min(seg.x1, other.x1) - max(seg.x0, other.x0)
            if overlap > 0.3 * min(seg.x1 - seg.x0, other.x1 - other.x0) or abs(other.x1 - seg.x1) < 6:
                found = _in_column("amount", other, seg)
                if found:
                    value, a, b = found
                    out.append(
                        Candidate(
                            value=value,
                            score=hit.weight * 0.97,
                            page=layout.page,
                            box=other.span_box(a, b),
                            seg=other,
                            label_weight=hit.weight,
                            key=(layout.page, id(other), a),
                        )
                    )
        break
    return out or _column_sum(layout, seg, hit)


def _column_sum(layout: PageLayout, seg: Segment, hit: L.LabelHit) -> list[Candidate]:
    """A column whose last amount is the sum of those above it: that amount is the column's total
    (a table of rates whose total row lost, or never had, its "Total")."""
    found: list[tuple[Decimal, Segment, int, int]] = []
    for below in layout.below(seg, max_rows=12, max_gap=2.5 * layout.median_height * 12):
        if L.find_labels(below.folded):
            if not found and not V.find_amounts(below.text):
                continue  # the header's second line ("TVA/" over "btw")
            break
        value = _in_column("amount", below, seg)
        if value is None:
            break
        found.append((value[0], below, value[1], value[2]))
    if len(found) < 3 or found[-1][0] != sum((f[0] for f in found[:-1]), Decimal(0)):
        return []
    value, other, a, b = found[-1]
    return [
        Candidate(
            value=value,
            score=hit.weight * 0.95,
            page=layout.page,
            box=other.span_box(a, b),
            seg=other,
            label_weight=hit.weight,
            key=(layout.page, id(other), a),
        )
    ]


# ---- the recogniser --------------------------------------------------------------------------


class Recogniser:
    def __init__(self, layouts: list[PageLayout], *, company: CompanyIdentity, source: Source):
        self.layouts = layouts
        self.company = company
        self.company_vat = V.normalise_vat(company.vat) if company.vat else None
        self.company_ibans = {V.normalise_iban(i) or i.replace(" ", "").upper() for i in company.ibans}
        self.company_name = V.fold(company.name) if company.name else None
        self.source = source
        self.page_sources: dict[int, Source] = {}
        # The e-mail's sender organisation (its From domain, free-mail services aside), squashed.
        self.sender_domain: str | None = None
        self.fields: dict[str, RecognisedField] = {}
        self.warnings: list[str] = []
        self.hits: list[tuple[PageLayout, Segment, L.LabelHit]] = []
        for layout in layouts:
            for seg in layout.segments:
                for hit in L.find_labels(seg.folded):
                    self.hits.append((layout, seg, hit))
        self._mark_customer_region()

    # -- helpers
    def is_company_name(self, folded: str) -> bool:
        """The company's own name, as printed or as OCR garbled it ("Fiduclalre")."""
        if not self.company_name:
            return False
        text = folded.strip(" .,")
        if text == self.company_name:
            return True
        if abs(len(text) - len(self.company_name)) > 4:
            return False
        return difflib.SequenceMatcher(None, text, self.company_name).ratio() >= 0.86

    def put(self, name: str, cand: Candidate | None, confidence: float, value: Any = None) -> None:
        if cand is None:
            return
        self.fields[name] = RecognisedField(
            value=cand.value if value is None else value,
            confidence=round(max(0.0, min(1.0, confidence)), 3),
            source=self.page_sources.get(cand.page, self.source) if cand.page else self.source,
            page=cand.page,
            box=cand.box,
        )

    def _mark_customer_region(self) -> None:
        for layout in self.layouts:
            anchors: list[Segment] = []
            for seg in layout.segments:
                if (
                    L.CUSTOMER_LABELS.match(seg.folded)
                    or self.company_vat
                    and any(m.value == self.company_vat for m in V.find_vats(seg.text))
                    or self.is_company_name(seg.folded)
                ):
                    anchors.append(seg)
            for anchor in anchors:
                anchor.region = "customer"
                self._spread(layout, anchor, down=True)
                if not L.CUSTOMER_LABELS.match(anchor.folded):
                    self._spread(layout, anchor, down=False)

    def _spread(self, layout: PageLayout, anchor: Segment, *, down: bool) -> None:
        """Mark the address block the anchor sits in: rows next to each other, same left edge."""
        last = anchor
        rows = range(anchor.row + 1, len(layout.rows)) if down else range(anchor.row - 1, -1, -1)
        for r in rows:
            nearest = [
                s
                for s in layout.rows[r]
                if abs(s.x0 - anchor.x0) < 25
                or (
                    s.x0 >= anchor.x0 - 5
                    and s.x0 < anchor.x1
                    and anchor.x1 - anchor.x0 > 40
                    and abs(s.x0 - anchor.x0) < 60
                )
            ]
            if not nearest:
                if any(abs(s.x0 - anchor.x0) < 120 and s.x0 < anchor.x1 for s in layout.rows[r]):
                    break
                continue
            seg = nearest[0]
            gap = (seg.y0 - last.y1) if down else (last.y0 - seg.y1)
            if gap > 1.6 * layout.median_height:
                break
            # A label like "Date" or "Total" starts another block.
            if not V.find_vats(seg.text, enterprise_context=True) and any(
                h.weight >= 0.9 for h in L.find_labels(seg.folded)
            ):
                break
            seg.region = "customer"
            last = seg

    def all_segments(self):
        for layout in self.layouts:
            for seg in layout.segments:
                yield layout, seg

    # -- the fields
    def run(self, profile_lookup=None) -> None:
        self.add_fuzzy_labels()
        self.read_vats()
        self.read_ibans()
        self.read_bic()
        self.read_reference()
        self.read_number()
        self.read_dates()
        self.read_totals()
        self.read_currency()
        self.read_document_type()
        self.read_supplier_name()

    def add_fuzzy_labels(self) -> None:
        """On OCR'd pages, labels garbled by OCR ("Nachnungenummer"), weaker than printed ones."""
        for layout in self.layouts:
            if self.page_sources.get(layout.page, self.source) != "ocr":
                continue
            for seg in layout.segments:
                for hit in L.fuzzy_labels(seg.folded):
                    self.hits.append((layout, seg, hit))
                for hit in L.fuzzy_number_labels(seg.folded):
                    self.hits.append((layout, seg, hit))
        self.add_bare_number_captions()

    def add_bare_number_captions(self) -> None:
        """A column caption that says only "Invoice" ("Invoice | Date | Due date" over their
        values) names the number: in body type (a title is larger) and beside a date's caption."""
        for layout in self.layouts:
            for seg in layout.segments:
                if not _BARE_NUMBER_CAPTION.fullmatch(seg.folded.strip(" :.")):
                    continue
                if seg.y1 - seg.y0 > 1.3 * layout.median_height:
                    continue
                rows = layout.rows[max(0, seg.row - 1) : seg.row + 2]
                if any(
                    h.field in ("invoice_date", "due_date")
                    for row in rows
                    for other in row
                    if other is not seg
                    for h in L.find_labels(other.folded)
                ):
                    self.hits.append((layout, seg, L.LabelHit("invoice_number", 0.6, 0, len(seg.folded))))

    def read_vats(self) -> None:
        found: list[tuple[Candidate, bool]] = []
        for layout, seg in self.all_segments():
            row_text = " ".join(s.folded for s in layout.rows[seg.row])
            context = bool(L.ENTERPRISE_CONTEXT.search(seg.folded)) or bool(
                L.ENTERPRISE_CONTEXT.search(row_text)
            )
            left = layout.left_of(seg)
            if left is not None and L.ENTERPRISE_CONTEXT.search(left.folded):
                context = True
            if not context and (up := layout.above(seg, max_rows=1)):
                # A label printed above its value ("Ondernemingsnummer" / "0202.239.951").
                context = any(_vat_caption(s.folded) for s in up)
            ocr = bool(seg.words) and seg.words[0].source != "text"
            matches = [(seg, m) for m in V.find_vats(seg.text, enterprise_context=context, repair=ocr)]
            if not matches and ocr:
                matches = _vats_across(layout, seg, context)
            for where, m in matches:
                cand = Candidate(
                    value=m.value,
                    score=0.7 if m.repaired else (1.0 if m.explicit else 0.8),
                    page=layout.page,
                    box=where.span_box(m.start, m.end),
                    seg=where,
                )
                found.append((cand, where.region == "customer"))
        self.vat_candidates = found
        own = [c for c, _ in found if c.value == self.company_vat]
        others = [(c, in_customer) for c, in_customer in found if c.value != self.company_vat]
        if own:
            self.put("customer_vat", own[0], 0.98)
        else:
            customer = [c for c, in_customer in others if in_customer]
            if customer:
                self.put("customer_vat", customer[0], 0.7)
        suppliers = [c for c, in_customer in others if not in_customer]
        if not suppliers:
            if others and not own:
                # Only VATs in what looked like the customer's block: maybe the block was misread.
                suppliers = [
                    c
                    for c, _ in others
                    if c.value != (self.fields.get("customer_vat") or RecognisedField()).value
                ]
            if not suppliers:
                return
        by_value: dict[str, list[Candidate]] = {}
        for c in suppliers:
            by_value.setdefault(c.value, []).append(c)

        def rank(value: str) -> float:
            cands = by_value[value]
            first = cands[0]
            layout = (
                self.layouts[(first.page or 1) - 1]
                if first.page and first.page <= len(self.layouts)
                else None
            )
            position = 0.0
            if layout is not None and first.seg is not None:
                rel = first.seg.y0 / layout.height
                position = 0.6 if rel < 0.3 else (0.4 if rel > 0.85 else 0.0)
            return max(c.score for c in cands) + 0.3 * min(len(cands), 3) + position

        ranked = sorted(by_value, key=rank, reverse=True)
        best = by_value[ranked[0]][0]
        explicit = any(c.score >= 1.0 for c in by_value[ranked[0]])
        repaired = all(c.score < 0.8 for c in by_value[ranked[0]])
        confidence = (0.97 if explicit else 0.75 if repaired else 0.85) if len(ranked) == 1 else 0.55
        self.put("supplier_vat", best, confidence)

    def read_ibans(self) -> None:
        found: list[tuple[Candidate, float]] = []
        repaired: set[int] = set()
        for layout, seg in self.all_segments():
            row_text = " ".join(s.folded for s in layout.rows[seg.row])
            ocr = bool(seg.words) and seg.words[0].source != "text"
            matches = [(seg, m) for m in V.find_ibans(seg.text, repair=ocr)]
            if not matches:
                matches = [(seg, m) for m in V.find_be_accounts(seg.text)]
                if not matches and (both := joined(layout, seg, max_gap_heights=6)):
                    # The label and the number in two segments ("IBAN" | "1432 2228 6012"): the
                    # gap is where OCR lost "BE19".
                    cut = len(seg.text)
                    matches = [(both, m) for m in V.find_be_accounts(both.text) if m.end > cut]
            if not matches and re.search(r"[A-Z]{2}\d\d[\d\s]*$", seg.text) and (both := joined(layout, seg)):
                # An IBAN OCR cut in two.
                matches = [
                    (both, m) for m in V.find_ibans(both.text, repair=ocr) if m.start < len(seg.text) < m.end
                ]
            for where, m in matches:
                context = 1.0 if L.PAYMENT_CONTEXT.search(row_text) else 0.7
                if where.region == "customer":
                    context -= 0.6
                if m.repaired:
                    # Only its check says OCR's misread character was the digit chosen.
                    context -= 0.1
                box = where.span_box(m.start, m.end)
                cand = Candidate(value=m.value, score=context, page=layout.page, box=box, seg=where)
                found.append((cand, context))
                if m.repaired:
                    repaired.add(id(cand))
        self.iban_candidates = [c for c, _ in found]
        others = [(c, s) for c, s in found if c.value not in self.company_ibans]
        if not others:
            return
        by_value: dict[str, list[Candidate]] = {}
        for c, _ in others:
            by_value.setdefault(c.value, []).append(c)
        ranked = sorted(
            by_value, key=lambda v: max(c.score for c in by_value[v]) + 0.1 * len(by_value[v]), reverse=True
        )
        best = max(by_value[ranked[0]], key=lambda c: c.score)
        if best.score <= 0.4:
            confidence = 0.35
        elif len(ranked) == 1:
            confidence = 0.97 if best.score >= 1.0 else (0.88 if best.score >= 0.7 else 0.7)
        else:
            confidence = 0.6
        if all(id(c) in repaired for c in by_value[ranked[0]]):
            confidence = min(confidence, 0.75)
        self.put("iban", best, confidence)

    def read_bic(self) -> None:
        iban = self.fields.get("iban")
        cands: list[Candidate] = []
        for layout, seg in self.all_segments():
            row = layout.rows[seg.row]
            row_text = " ".join(s.folded for s in row)
            labelled = bool(re.search(r"\b(?:bic|swift)", row_text))
            if not labelled and seg.index == 0 and seg.row > 0 and layout.rows[seg.row - 1]:
                labelled = bool(re.search(r"\b(?:bic|swift)\W*$", layout.rows[seg.row - 1][-1].folded))
            near_iban = bool(V.find_ibans(" ".join(s.text for s in row)))
            if not (labelled or near_iban):
                continue
            for m in V.find_bics(seg.text):
                # A word that happens to look like a BIC counts only next to a label.
                if (
                    not labelled
                    and m.value.lower() in seg.folded.split()
                    and not re.fullmatch(r"[A-Z]{6}[A-Z0-9]{2,5}", seg.text[m.start : m.end])
                ):
                    continue
                score = (1.0 if labelled else 0.6) - (0.6 if seg.region == "customer" else 0)
                if iban and iban.page == layout.page and iban.box:
                    distance = abs(seg.y0 - iban.box[1])
                    score += (
                        0.5
                        if distance < 2 * layout.median_height
                        else (0.2 if distance < 5 * layout.median_height else 0)
                    )
                cands.append(
                    Candidate(
                        value=m.value,
                        score=score,
                        page=layout.page,
                        box=seg.span_box(m.start, m.end),
                        seg=seg,
                    )
                )
        if not cands:
            return
        best = max(cands, key=lambda c: c.score)
        distinct = {c.value for c in cands if c.score > 0.5}
        confidence = 0.93 if best.score >= 1.0 and len(distinct) <= 1 else (0.7 if best.score >= 0.9 else 0.4)
        self.put("bic", best, confidence)

    def read_reference(self) -> None:
        cands = []
        for layout, seg in self.all_segments():
            for m in V.find_structured_references(seg.text):
                cands.append(
                    Candidate(
                        value=m.value,
                        score=1.0 if m.explicit else 0.8,
                        page=layout.page,
                        box=seg.span_box(m.start, m.end),
                        seg=seg,
                    )
                )
        if not cands:
            return
        values = {c.value for c in cands}
        best = max(cands, key=lambda c: c.score)
        self.put(
            "structured_reference", best, (0.98 if best.score >= 1 else 0.85) if len(values) == 1 else 0.5
        )

    def _labelled(self, name: str) -> list[Candidate]:
        out = []
        for layout, seg, hit in self.hits:
            if hit.field == name:
                out.extend(labelled_candidates(layout, seg, hit))
        return out

    def read_number(self) -> None:
        cands = [c for c in self._labelled("invoice_number") if c.seg is None or c.seg.region != "customer"]
        if not cands:
            return
        for c in cands:
            if c.page == 1 and c.seg is not None:
                c.score += 0.05 * (1 - c.seg.y0 / self.layouts[0].height)
        best = max(cands, key=lambda c: c.score)
        agree = sum(1 for c in cands if c.value == best.value)
        rivals = {c.value for c in cands if c.score >= best.score - 0.2 and c.value != best.value}
        # How strongly the label names the field, and how surely the value is the label's.
        strength = min(best.label_weight, best.score + 0.1)
        if strength >= 0.9:
            confidence = 0.95 if not rivals else 0.7
        elif strength >= 0.6:
            confidence = 0.75 if not rivals else 0.5
        else:
            confidence = 0.5 if not rivals else 0.35
        if agree > 1:
            confidence = min(0.98, confidence + 0.05)
        value = best.value
        if best.seg is not None and self.page_sources.get(best.page, self.source) == "ocr":
            whole = _split_number(best.seg.text, best.key[2] if best.key else -1, value)
            if whole is not None:
                value, confidence = whole, min(confidence, 0.7)
        self.put("invoice_number", best, confidence, value=value)

    def read_dates(self) -> None:
        due = [c for c in self._labelled("due_date")]
        issued = [c for c in self._labelled("invoice_date") if c.seg is None or c.seg.region != "customer"]
        # The date the due labels point at most strongly is not the issue date; a date a due label
        # reaches less surely (a caption's neighbour) may still be.
        top_due = max((c.score for c in due), default=0.0)
        due_keys = {c.key for c in due if c.score >= top_due - 0.01}
        issued = [c for c in issued if c.key not in due_keys]
        best_issue = max(issued, key=lambda c: (c.score, -(c.box[1] if c.box else 0))) if issued else None
        if best_issue is None:
            best_issue = self._unlabelled_issue_date(due)
        if best_issue is not None:
            rivals = {
                c.value for c in issued if c.score >= best_issue.score - 0.15 and c.value != best_issue.value
            }
            confidence = (
                (0.95 if best_issue.label_weight >= 0.9 else 0.8) if best_issue.label_weight else 0.45
            )
            if rivals:
                confidence = min(confidence, 0.55)
            self.put("invoice_date", best_issue, confidence, value=best_issue.value.isoformat())
        if due:
            issue_date: date | None = best_issue.value if best_issue else None
            plausible = [c for c in due if issue_date is None or c.value >= issue_date]
            if plausible:
                best_due = max(plausible, key=lambda c: c.score)
                rivals = {
                    c.value
                    for c in plausible
                    if c.score >= best_due.score - 0.15 and c.value != best_due.value
                }
                confidence = 0.93 if not rivals else 0.55
                if best_due.label_weight == L.FUZZY_WEIGHT:
                    confidence = min(confidence, 0.8)
                if issue_date and (best_due.value - issue_date).days > 400:
                    confidence = 0.4
                self.put("due_date", best_due, confidence, value=best_due.value.isoformat())

    def _unlabelled_issue_date(self, due: list[Candidate]) -> Candidate | None:
        """No label: a date with its time (a till's stamp, wherever it stands), else the first
        date high on the first page; never a date a due label points at, never after the due
        date, the earliest of a row's dates (an issue date comes before what follows it)."""
        taken = {c.key for c in due if c.score >= 0.5}
        top_due = max(due, key=lambda c: c.score).value if due else None
        unlabelled: list[tuple[tuple, Candidate]] = []
        for layout, seg in self.all_segments():
            if layout.page != 1 or seg.region == "customer":
                continue
            if L.find_labels(seg.folded) and any(h.field == "due_date" for h in L.find_labels(seg.folded)):
                continue
            row_text = " ".join(s.text for s in layout.rows[seg.row])
            found = [(m.value, seg, m.start, m.end) for m in V.find_dates(seg.text)[:1]]
            if not found and (over := _date_over_lines(layout, seg)) is not None:
                upper, (value, a, b) = over
                found = [(value, upper, a, b)]
            for value, where, a, b in found:
                if (layout.page, id(where), a) in taken or (top_due is not None and value > top_due):
                    continue
                stamped = bool(_TIME.search(where.text[b:] or row_text))
                high = where.y0 <= 0.45 * layout.height
                if not (stamped or high):
                    continue
                cand = Candidate(
                    value=value,
                    score=0.4 if stamped else 0.3,
                    page=1,
                    box=where.span_box(a, b),
                    seg=where,
                    key=(layout.page, id(where), a),
                )
                rank = cand.score + (0.05 if high else 0) - 0.0001 * where.row
                unlabelled.append(((round(rank, 6), -value.toordinal()), cand))
        return max(unlabelled, key=lambda x: x[0])[1] if unlabelled else None

    # -- totals
    def read_totals(self) -> None:
        E = self._labelled("total_excl_vat")
        Vc = [c for c in self._labelled("vat_amount")]
        I = self._labelled("total_incl_vat")  # noqa: E741 (E, V, I: excl, VAT, incl)
        for group in (E, Vc, I):
            for c in group:
                c.value = abs(c.value)
        breakdown_rows = self._breakdown_rows()
        # The invoice's largest amount is usually its total incl. VAT.
        largest = max((c.value for c in I), default=None)
        best: tuple[float, Candidate, Candidate, Candidate] | None = None
        E.sort(key=lambda c: -c.score)
        Vc.sort(key=lambda c: -c.score)
        I.sort(key=lambda c: -c.score)
        rate_rows = {
            **self._rate_table_rows(),
            **{(r.page, r.row): r.rate for r in breakdown_rows if r.base > 0},
        }
        for e, v, i in product(E[:14], Vc[:14], I[:14]):
            if i.value <= 0 or e.value + v.value != i.value:
                continue
            if e.key == i.key or (v.key == i.key) or (e.key == v.key and v.value != 0):
                continue
            if _one_rate_row(e, i, rate_rows):
                continue
            score = e.score + v.score + i.score
            if i.value == largest:
                score += 0.3
            if v.value > e.value:
                score -= 1.0
            if best is None or score > best[0]:
                best = (score, e, v, i)
        chosen_rows = None
        if (summed := self._rates_summed(E, I, breakdown_rows, largest)) is not None and (
            best is None or summed[0] > best[0]
        ):
            _, e, i, rows = summed
            vat = i.value - e.value
            v_read = next((c for c in Vc if c.value == vat), None)
            first = min(rows, key=lambda r: r.row)
            synth = Candidate(value=vat, score=0, page=first.page, box=first.box)
            self.put("total_excl_vat", e, 0.85, value=V.amount_str(e.value))
            self.put("vat_amount", v_read or synth, 0.85 if v_read else 0.75, value=V.amount_str(vat))
            self.put("total_incl_vat", i, 0.87, value=V.amount_str(i.value))
            self._put_breakdown(rows)
            return
        # A "VAT" larger than its base is most likely a column's sum (a rate's base read as VAT).
        doubtful = best is not None and best[2].value > best[1].value
        if (best is None or doubtful) and (split := self._vat_per_rate(E, Vc, I)) is not None:
            # No total VAT printed (or not read), one VAT line per rate: their sum is the VAT amount.
            e, parts, i = split
            total_vat = sum((p.value for p in parts), Decimal(0))
            self.put("total_excl_vat", e, 0.85, value=V.amount_str(e.value))
            self.put("vat_amount", parts[0], 0.8, value=V.amount_str(total_vat))
            self.put("total_incl_vat", i, 0.87, value=V.amount_str(i.value))
            self._put_breakdown(self._choose_breakdown(breakdown_rows, e.value, total_vat))
            return
        if best is not None:
            _, e, v, i = best
            chosen_rows = self._choose_breakdown(breakdown_rows, e.value, v.value)
            base_conf = 0.9 if min(e.label_weight, v.label_weight, i.label_weight) >= 0.7 else 0.8
            if chosen_rows is not None:
                base_conf = min(0.99, base_conf + 0.07)
            self.put("total_excl_vat", e, base_conf, value=V.amount_str(e.value))
            self.put("vat_amount", v, base_conf, value=V.amount_str(v.value))
            self.put("total_incl_vat", i, base_conf + 0.02, value=V.amount_str(i.value))
        else:
            # No consistent triple: the breakdown may still give excl and VAT.
            rows = self._choose_breakdown(breakdown_rows, None, None)
            i = max(I, key=lambda c: (c.score, c.value)) if I else None
            if rows:
                base = sum((r.base for r in rows), Decimal(0))
                vat = sum((r.vat for r in rows), Decimal(0))
                e_match = next((c for c in E if c.value == base), None)
                v_match = next((c for c in Vc if c.value == vat), None)
                i_match = next((c for c in I if c.value == base + vat), None)
                if i_match is not None:
                    i = i_match
                    chosen_rows = rows
                box_row = rows[0]
                synth = Candidate(value=None, score=0, page=box_row.page, box=box_row.box)
                self.put(
                    "total_excl_vat", e_match or synth, 0.85 if e_match else 0.6, value=V.amount_str(base)
                )
                self.put("vat_amount", v_match or synth, 0.85 if v_match else 0.6, value=V.amount_str(vat))
                if i is not None:
                    ok = i.value == base + vat
                    self.put("total_incl_vat", i, 0.9 if ok else 0.45, value=V.amount_str(i.value))
            elif (found := self._row_totals(I, rate_rows)) is not None:
                e, v, i, derived = found
                # Read where the captions were lost, checked by the sum and the rate; an incl.
                # total OCR lost entirely is their sum, less sure.
                self.put("total_excl_vat", e, 0.6 if derived else 0.8, value=V.amount_str(e.value))
                self.put("vat_amount", v, 0.6 if derived else 0.8, value=V.amount_str(v.value))
                self.put("total_incl_vat", i, 0.5 if derived else 0.82, value=V.amount_str(i.value))
            else:
                # Nothing adds up: each total as read, unsure, so the bookkeeper's check speaks.
                if (
                    i is not None
                    and E
                    and Vc
                    and self.source != "text"
                    and i.value == int(E[0].value + Vc[0].value)
                    and i.value != E[0].value + Vc[0].value
                ):
                    # OCR lost the total's cents ("13.741 ‚57" read as 13741): the base and VAT
                    # read beside it give them back, unsure.
                    i = dataclasses.replace(i, value=E[0].value + Vc[0].value, label_weight=0.0)
                if i is not None and i.label_weight >= 0.9:
                    # A "VAT" larger than the total it is part of is none (a VAT number's digits).
                    Vc = [c for c in Vc if c.value <= i.value]
                gap = i.value - E[0].value if i is not None and E else None
                if gap is not None and self.source != "text" and _at_rate(E[0].value, gap):
                    # The VAT read does not add up but incl. - excl. is excl. at a standard rate to
                    # the cent: a digit of the VAT OCR lost ("874,84" for "1874,84").
                    self.put(
                        "total_incl_vat",
                        i,
                        0.75 if i.label_weight >= 0.9 else 0.6,
                        value=V.amount_str(i.value),
                    )
                    self.put("total_excl_vat", E[0], 0.7, value=V.amount_str(E[0].value))
                    read = next((c for c in Vc if c.value == gap), None)
                    self.put("vat_amount", read or E[0], 0.6, value=V.amount_str(gap))
                    self._put_breakdown(None)
                    return
                if i is not None:
                    self.put(
                        "total_incl_vat",
                        i,
                        0.6 if i.label_weight >= 0.9 else 0.4,
                        value=V.amount_str(i.value),
                    )
                if E:
                    self.put("total_excl_vat", E[0], 0.4, value=V.amount_str(E[0].value))
                if Vc:
                    self.put("vat_amount", Vc[0], 0.35, value=V.amount_str(Vc[0].value))
                elif E and i is not None and Decimal(0) <= i.value - E[0].value <= i.value * Decimal("0.3"):
                    gap = V.amount_str(i.value - E[0].value)
                    self.put("vat_amount", Candidate(None, 0, None, None), 0.3, value=gap)
        self._put_breakdown(chosen_rows)

    def _rate_table_rows(self) -> dict[tuple[int, int], Decimal]:
        """Rows of a table of rates, by the rate alone in their first cell ("21% | base | ... "),
        whether or not OCR kept their VAT in the row."""
        out = {}
        for layout in self.layouts:
            for r, row in enumerate(layout.rows):
                m = _LINE_RATE.fullmatch(row[0].text.strip())
                if m and len(row) > 1 and any(V.find_amounts(seg.text) for seg in row[1:]):
                    out[(layout.page, r)] = Decimal(m.group(1))
        return out

    def _row_totals(self, I, rate_rows):  # noqa: E741 (I: incl candidates)
        """On OCR'd pages whose total captions were garbled: a row of amounts "excl | VAT | incl"
        where excl + VAT = incl, the VAT is excl at a standard rate and incl is the document's
        largest amount. Failing that, "excl | VAT" beside a total or VAT caption with excl the
        largest amount: the incl. total OCR lost is their sum (derived). (e, v, i, derived)."""
        if self.source == "text":
            return None
        several_rates = len(set(rate_rows.values())) > 1
        rows = []
        largest = Decimal(0)
        for layout in self.layouts:
            if self.page_sources.get(layout.page, self.source) != "ocr":
                continue
            for row in layout.rows:
                found = []
                for seg in row:
                    vats = V.find_vats(seg.text, enterprise_context=True)
                    for m in V.find_amounts(seg.text):
                        if m.explicit and not any(v.start <= m.start < v.end for v in vats):
                            found.append(
                                Candidate(
                                    value=abs(m.value),
                                    score=0.5,
                                    page=layout.page,
                                    box=seg.span_box(m.start, m.end),
                                    seg=seg,
                                    key=(layout.page, id(seg), m.start),
                                )
                            )
                largest = max([largest, *(c.value for c in found)])
                if several_rates and V.find_rates(" ".join(s.text for s in row)):
                    continue  # one rate's row of a table of several
                rows.append((layout, row, found))

        def at_rate(e: Decimal, v: Decimal) -> bool:
            return e > 0 and any(abs(e * r / 100 - v) <= CENT for r in STANDARD_RATES)

        for _layout, _row, found in reversed(rows):
            for e, v, i in zip(found, found[1:], found[2:], strict=False):
                if e.value + v.value == i.value and i.value == largest and at_rate(e.value, v.value):
                    return e, v, i, False
        if any(c.label_weight >= 0.9 and c.value > 0 for c in I):
            return None  # an incl. total was read under its label: nothing to derive
        for layout, row, found in reversed(rows):
            if len(found) != 2:
                continue
            e, v = found
            near = [
                h.field
                for r in (row[0].row - 1, row[0].row, row[0].row + 1)
                if 0 <= r < len(layout.rows)
                for s in layout.rows[r]
                for h in [*L.find_labels(s.folded), *L.fuzzy_labels(s.folded)]
            ]
            labelled = {"total_excl_vat", "vat_amount"} & set(near)
            if e.value == largest and v.value > 0 and at_rate(e.value, v.value) and labelled:
                total = dataclasses.replace(e, value=e.value + v.value, label_weight=0.0)
                return e, v, total, True
        return None

    @staticmethod
    def _rates_summed(E, I, rows: list["BreakdownRow"], largest):  # noqa: E741 (E, I: excl, incl)
        """A table of several rates, one row each (rate, base, VAT): the bases' sum printed as the
        excl. total and the bases' and VATs' sum as the incl. total, both checks passing, even
        where the total VAT was not read. (score, excl, incl, rows) or None."""
        by_rate: dict[Decimal, list[BreakdownRow]] = {}
        for r in rows:
            if r.base > 0:
                by_rate.setdefault(r.rate, []).append(r)
        if len(by_rate) < 2 or any(len(v) != 1 for v in by_rate.values()):
            return None
        chosen = [v[0] for v in by_rate.values()]
        base = sum((r.base for r in chosen), Decimal(0))
        vat = sum((r.vat for r in chosen), Decimal(0))
        e = max((c for c in E if c.value == base), key=lambda c: c.score, default=None)
        i = max((c for c in I if c.value == base + vat), key=lambda c: c.score, default=None)
        if e is None or i is None or e.key == i.key:
            return None
        score = e.score + i.score + 0.7 + (0.3 if i.value == largest else 0)
        return score, e, i, chosen

    @staticmethod
    def _vat_per_rate(E, Vc, I):  # noqa: E741 (E, V, I: excl, VAT, incl)
        """Excl. + two or three VAT lines = incl.: the VAT lines of a document printing one per rate
        and no total VAT. The best-scored split wins; none when two give other totals."""
        found = []
        for e, i in product(E[:8], I[:8]):
            if i.value <= e.value or e.key == i.key:
                continue
            pool = {c.key: c for c in Vc[:10] if c.key not in (e.key, i.key) and 0 < c.value < e.value}
            for n in (2, 3):
                for parts in combinations(pool.values(), n):
                    if e.value + sum((p.value for p in parts), Decimal(0)) == i.value:
                        found.append((e, list(parts), i))
        totals = {(f[0].value, f[2].value) for f in found}
        if len(totals) != 1:
            return None
        return max(found, key=lambda f: f[0].score + f[2].score)

    def _put_breakdown(self, rows: list["BreakdownRow"] | None) -> None:
        e = self.fields.get("total_excl_vat")
        v = self.fields.get("vat_amount")
        if rows:
            rows = sorted(rows, key=lambda r: -r.rate)
            value = [
                {"rate": V.rate_str(r.rate), "base": V.amount_str(r.base), "vat": V.amount_str(r.vat)}
                for r in rows
            ]
            first = rows[0]
            box = first.box
            self.fields["vat_breakdown"] = RecognisedField(
                value=value, confidence=0.95, source=self.source, page=first.page, box=box
            )
            return
        if e is None or v is None:
            return
        base, vat = Decimal(e.value), Decimal(v.value)
        if base <= 0:
            return
        per_rate = self._line_bases()
        drop = 0.15
        if len(per_rate) >= 2 and sum(per_rate.values(), Decimal(0)) != base:
            # A line OCR lost or misread: the one rate whose base is what the excl. total leaves
            # after the others, when that alone makes the rates' VAT the VAT to the cent.
            fits = []
            for missing in per_rate:
                rest = dict(per_rate)
                rest[missing] = base - sum((b for r, b in per_rate.items() if r != missing), Decimal(0))
                if (
                    rest[missing] > 0
                    and sum(((b * r / 100).quantize(CENT) for r, b in rest.items()), Decimal(0)) == vat
                ):
                    fits.append(rest)
            if len(fits) == 1:
                per_rate, drop = fits[0], 0.25
        if len(per_rate) >= 2 and sum(per_rate.values(), Decimal(0)) == base:
            # Several rates and no base per rate printed: the lines' amounts summed by their rate,
            # checked against the totals (bases add up to excl., each rate's VAT to the VAT).
            taxes = {r: (b * r / 100).quantize(CENT) for r, b in per_rate.items()}
            if abs(sum(taxes.values(), Decimal(0)) - vat) <= CENT * len(taxes):
                self.fields["vat_breakdown"] = RecognisedField(
                    value=[
                        {
                            "rate": V.rate_str(r),
                            "base": V.amount_str(per_rate[r]),
                            "vat": V.amount_str(taxes[r]),
                        }
                        for r in sorted(per_rate, reverse=True)
                    ],
                    confidence=round(max(min(e.confidence, v.confidence) - drop, 0.3), 3),
                    source=self.source,
                    page=v.page,
                    box=v.box,
                )
                if sum(taxes.values(), Decimal(0)) == vat:
                    return
                del self.fields["vat_breakdown"]
        for rate in STANDARD_RATES:
            if abs(base * rate / 100 - vat) <= Decimal("0.02") + base * Decimal("0.0001"):
                conf = min(e.confidence, v.confidence) - 0.15
                self.fields["vat_breakdown"] = RecognisedField(
                    value=[{"rate": V.rate_str(rate), "base": V.amount_str(base), "vat": V.amount_str(vat)}],
                    confidence=round(max(conf, 0.3), 3),
                    source=self.source,
                    page=v.page,
                    box=v.box,
                )
                return

    def _line_bases(self) -> dict[Decimal, Decimal]:
        """The invoice lines' amounts summed by rate: a row with a standard rate ("21%") and
        amounts right of it, its last amount the line's; rows holding a label are no lines."""
        out: dict[Decimal, Decimal] = {}
        for layout in self.layouts:
            for row in layout.rows:
                if any(L.find_labels(seg.folded) for seg in row):
                    continue
                rates = [
                    (n, Decimal(m.group(1)))
                    for n, seg in enumerate(row)
                    for m in [_LINE_RATE.search(seg.text)]
                    if m and Decimal(m.group(1)) in STANDARD_RATES
                ]
                if len(rates) != 1:
                    continue
                n, rate = rates[0]
                if n == 0 and _LINE_RATE.fullmatch(row[0].text.strip()):
                    continue  # a row of the table of rates ("21% | base | VAT | total"), no line
                after = [
                    a
                    for seg in row[n:]
                    for a in V.find_amounts(
                        seg.text[_LINE_RATE.search(seg.text).end() :] if seg is row[n] else seg.text
                    )
                ]
                if not after:
                    continue
                out[rate] = out.get(rate, Decimal(0)) + abs(after[-1].value)
        return out

    def _breakdown_rows(self) -> list["BreakdownRow"]:
        rows: list[BreakdownRow] = []
        singles: list[tuple[Decimal, str, Decimal, PageLayout, Segment]] = []
        line_sums: dict[Decimal, Decimal] = {}
        for layout in self.layouts:
            for row in layout.rows:
                text_parts, offsets = [], []
                pos = 0
                for seg in row:
                    offsets.append(pos)
                    text_parts.append(seg.text)
                    pos += len(seg.text) + 5
                text = "  |  ".join(text_parts)
                rates = V.find_rates(text)
                if len(rates) != 1:
                    continue
                rate = rates[0].value
                folded = " ".join(s.folded for s in row)
                labelled = bool(
                    re.search(
                        r"\b(?:t\.?v\.?a|btw|vat|tax|mwst|ust|base|basis|maatstaf|grondslag|taux|tarief|rate|satz|netto|imposable|taxable)",
                        folded,
                    )
                )
                amounts = [m for m in V.find_amounts(text) if m.explicit and m.start != rates[0].start]
                amounts = [m for m in amounts if not (m.start <= rates[0].start < m.end)]
                values = [abs(m.value) for m in amounts]
                pair = None
                for a, b in combinations(range(len(values)), 2):
                    base, vat = values[a], values[b]
                    if base < vat:
                        continue
                    close = abs(base * rate / 100 - vat) <= Decimal("0.02") + base * Decimal("0.00005")
                    if close and (rate > 0 or vat == 0) and base > 0:
                        pair = (base, vat)
                        break
                if pair is None and rate == 0 and values and labelled:
                    pair = (
                        (values[0], Decimal(0))
                        if values[0] > 0 and (len(values) == 1 or values[1] == 0 or values[-1] == values[0])
                        else None
                    )
                seg0 = row[0]
                box = (
                    min(s.span_box()[0] for s in row),
                    min(s.span_box()[1] for s in row),
                    max(s.span_box()[2] for s in row),
                    max(s.span_box()[3] for s in row),
                )
                if pair is not None:
                    rows.append(
                        BreakdownRow(
                            rate, pair[0], pair[1], layout.page, box, 1.0 if labelled else 0.5, seg0.row
                        )
                    )
                if not labelled and values and pair is None:
                    # A line of the invoice: its amount is the rightmost one.
                    line_sums[rate] = line_sums.get(rate, Decimal(0)) + values[-1]
                    continue
                if pair is None and len(values) == 1:
                    kinds = {h.field for s in row for h in L.find_labels(s.folded)}
                    if re.search(
                        r"\b(?:base|maatstaf|grondslag|basis|netto|net|taxable|imposable)\b", folded
                    ):
                        kind = "base"
                    elif "vat_amount" in kinds:
                        kind = "vat"
                    else:
                        kind = "base" if "total_excl_vat" in kinds else None
                    if kind:
                        singles.append((rate, kind, values[0], layout, seg0))
        # "Base 21%: 1.000,00" on one row and "TVA 21%: 210,00" on another; or only "TVA 21%: 210,00"
        # and the invoice's lines at 21% giving the base.
        for rate in {s[0] for s in singles}:
            bases = [s for s in singles if s[0] == rate and s[1] == "base"]
            vats = [s for s in singles if s[0] == rate and s[1] == "vat"]
            paired = False
            for b, v in product(bases, vats):
                if abs(b[2] * rate / 100 - v[2]) <= Decimal("0.02") + b[2] * Decimal("0.00005"):
                    seg = b[4]
                    rows.append(BreakdownRow(rate, b[2], v[2], b[3].page, seg.span_box(), 0.9, seg.row))
                    paired = True
                    break
            base = line_sums.get(rate)
            if not paired and base:
                for v in vats:
                    if abs(base * rate / 100 - v[2]) <= Decimal("0.02") + base * Decimal("0.0005"):
                        seg = v[4]
                        rows.append(BreakdownRow(rate, base, v[2], v[3].page, seg.span_box(), 0.8, seg.row))
                        break
        return rows

    def _choose_breakdown(
        self, rows: list["BreakdownRow"], excl: Decimal | None, vat: Decimal | None
    ) -> list["BreakdownRow"] | None:
        if not rows:
            return None
        by_rate: dict[Decimal, list[BreakdownRow]] = {}
        for r in rows:
            by_rate.setdefault(r.rate, []).append(r)
        options = [sorted(v, key=lambda r: (-r.score, -r.page, -r.row))[:3] for v in by_rate.values()]
        best = None
        # Any subset of rates, one row each, whose sums give the totals.
        rates = list(range(len(options)))
        for k in range(len(rates), 0, -1):
            for subset in combinations(rates, k):
                for choice in product(*(options[i] for i in subset)):
                    base = sum((r.base for r in choice), Decimal(0))
                    tax = sum((r.vat for r in choice), Decimal(0))
                    if excl is not None and (base != excl or tax != vat):
                        continue
                    score = sum(r.score for r in choice)
                    if best is None or score > best[0]:
                        best = (score, list(choice))
            if best is not None and excl is not None:
                return best[1]
        if excl is None and best is not None:
            # Without totals to check against: labelled rows, one per rate.
            labelled = [o[0] for o in options if o[0].score >= 0.9]
            return labelled or None
        return None

    def read_currency(self) -> None:
        counts: dict[str, int] = {}
        where: dict[str, Candidate] = {}
        for layout, seg in self.all_segments():
            if not V.find_amounts(seg.text) and not re.search(
                r"\b(?:devise|munt|currency|wahrung|valuta)\b", seg.folded
            ):
                continue
            code = V.find_currency(seg.text)
            if code:
                counts[code] = counts.get(code, 0) + 1
                where.setdefault(code, Candidate(code, 1, layout.page, seg.span_box(), seg))
        if counts:
            code = max(counts, key=counts.get)
            self.put("currency", where[code], 0.95 if len(counts) == 1 else 0.7)
        elif "total_incl_vat" in self.fields:
            self.fields["currency"] = RecognisedField(value="EUR", confidence=0.6, source=self.source)

    def read_document_type(self) -> None:
        best = None
        for layout, seg in self.all_segments():
            if layout.page != 1:
                continue
            rel = seg.y0 / layout.height
            size = seg.height / layout.median_height
            for kind, pattern in (
                ("credit_note", L.CREDIT_NOTE_WORDS),
                ("invoice", L.INVOICE_WORDS),
                ("receipt", L.RECEIPT_WORDS),
            ):
                m = pattern.search(seg.folded)
                if not m:
                    continue
                score = (
                    (1.0 if rel < 0.4 else 0.4) + min(size, 2.5) * 0.5 + (0.6 if kind == "credit_note" else 0)
                )
                if seg.region == "customer":
                    score -= 1
                if best is None or score > best[0]:
                    best = (
                        score,
                        kind,
                        Candidate(kind, score, layout.page, seg.span_box(m.start(), m.end()), seg),
                    )
        if best is None:
            if not any(True for _ in self.all_segments()):
                return  # nothing was read: nothing to say
            has_total = "total_incl_vat" in self.fields
            self.fields["document_type"] = RecognisedField(
                value="invoice" if has_total else "other",
                confidence=0.4 if has_total else 0.5,
                source=self.source,
            )
            return
        score, kind, cand = best
        self.put("document_type", cand, 0.95 if score >= 1.8 else 0.7)

    def read_supplier_name(self) -> None:
        vat = self.fields.get("supplier_vat")
        sender = self.sender_domain
        domains = set()
        for _, seg in self.all_segments():
            for m in re.finditer(r"@([a-z0-9-]+)\.|www\.([a-z0-9-]+)\.", seg.folded):
                domains.add((m.group(1) or m.group(2)).replace("-", ""))
        cands: list[Candidate] = []
        for layout, seg in self.all_segments():
            if seg.region == "customer":
                continue
            for part, start in _name_parts(seg.text):
                if start + len(part) >= len(seg.text.rstrip()) and (more := _wrapped(layout, seg)):
                    # A letterhead's name in large type, broken over two lines.
                    part = f"{part} {more}"
                folded = V.fold(part)
                if not _looks_like_name(part, folded):
                    continue
                if self.company_name and (self.company_name in folded or self.is_company_name(folded)):
                    continue
                score = 0.0
                if L.LEGAL_FORMS.search(folded):
                    score += 2.0
                    if not re.sub(r"\bco\b|[\s.,&-]", "", L.LEGAL_FORMS.sub("", folded)):
                        score -= 2.5  # "GmbH" alone: the end of a name broken over two lines
                score += (min(seg.height / layout.median_height, 3.0) - 1.0) * 1.5
                rel = seg.y0 / layout.height
                if layout.page == 1 and rel < 0.22:
                    score += 1.0
                elif rel > 0.86:
                    score += 0.5
                elif layout.page != 1:
                    score -= 1.0
                if seg.row < 3 and layout.page == 1:
                    score += 0.5
                if vat and vat.page == layout.page and vat.box is not None:
                    if (
                        0 <= vat.box[1] - seg.y0 < 8 * layout.median_height
                        and abs(vat.box[0] - seg.span_box()[0]) < 30
                    ):
                        score += 1.0
                    if abs(vat.box[1] - seg.y0) < 2 and seg.text.find(part) < 5:
                        score += 0.8  # "Name NV - BTW BE0…" on one footer line
                above = layout.above(seg, max_rows=1)
                left = layout.left_of(seg)
                if any(L.SUPPLIER_LABELS.match(s.folded) for s in above) or (
                    left and L.SUPPLIER_LABELS.match(left.folded)
                ):
                    score += 1.5
                squashed = re.sub(r"[^a-z0-9]", "", folded)
                if any(d and (d in squashed or squashed[:6] in d) for d in domains if len(d) >= 4):
                    score += 0.8
                if sender and len(squashed) >= 4 and (sender in squashed or squashed in sender):
                    score += 2.5  # the organisation the e-mail came from
                row = layout.rows[seg.row]
                if len(row) > 1 and any(
                    m.explicit for s in row if s is not seg for m in V.find_amounts(s.text)
                ):
                    score -= 2.0  # a line of the invoice's table: a product, not its seller
                if any(
                    _CLOSING.search(s.folded) for s in layout.above(seg, max_rows=2) + [seg]
                ) and not _CLOSING.search(folded):
                    score += 0.8  # a signature: the closing words, a person, the organisation
                cands.append(
                    Candidate(
                        _clean_name(part), score, layout.page, seg.span_box(start, start + len(part)), seg
                    )
                )
        if not cands:
            return
        best = max(cands, key=lambda c: c.score)
        confidence = (
            0.85 if best.score >= 4 else (0.7 if best.score >= 3 else (0.5 if best.score >= 1.5 else 0.3))
        )
        self.put("supplier_name", best, confidence)


@dataclass
class BreakdownRow:
    rate: Decimal
    base: Decimal
    vat: Decimal
    page: int
    box: Box
    score: float
    row: int


_CLOSING = re.compile(
    r"\b(?:cordialement|salutations|bien\s+a\s+vous|met\s+vriendelijke\s+groet(?:en)?|vriendelijke\s+groeten|"
    r"kind\s+regards|best\s+regards|regards|sincerely|mit\s+freundlichen\s+grussen|viele\s+grusse)\b"
)
FREE_MAIL = re.compile(
    r"^(?:gmail|googlemail|hotmail|outlook|live|msn|yahoo|icloud|me|mac|aol|gmx|web|proton|protonmail|skynet|telenet|proximus|orange|scarlet|voo|free|laposte|wanadoo|mail|t-online)$"
)


def sender_domain(sender: str | None) -> str | None:
    """ "Marie <factures@cafe-lumiere.be>" → "cafelumiere"; a free-mail address says nothing."""
    m = re.search(r"@([A-Za-z0-9.-]+)", sender or "")
    if not m:
        return None
    labels = m.group(1).lower().split(".")
    name = labels[-2] if len(labels) >= 2 else labels[0]
    if FREE_MAIL.match(name):
        return None
    return re.sub(r"[^a-z0-9]", "", name) or None


_NAME_SPLIT = re.compile(r"\s+[-–—|·•]\s+|\s*[|·•]\s*")
_NOT_NAME = re.compile(
    r"@|www\.|https?:|\b(?:tel|tél|gsm|fax|phone|telefoon|telefon|mobile)\b|\+\d{2}|\b\d{4}\s+[A-Z]|\bbe\s?0\d|iban|bic\b|\bpage\b|\bblz\b|\bpagina\b|\bseite\b",
    re.I,
)


# Column headers, labels and titles that are never a supplier's name.
_NOT_NAME_WORDS = re.compile(
    r"(?:eenheidsprijs|prix(?:\s+unit\.?)?|einzelpreis|unit\s+price|montant|bedrag|betrag|amount|taux|tarief|rate|satz|"
    r"rekening|compte|konto|account|bank|banque|client|klant|kunde|customer|article|artikel|item|product|produit|ticket(?:\s+de\s+caisse)?|kassaticket|"
    r"kasticket|kassenbon|quittung|receipt|sales\s+receipt|recu|totaal|total|summe|qte|qty|aantal|menge|base|basis|"
    r"maatstaf|btw|tva|vat|mwst|ust|iban|bic|date|datum|page|pagina|seite|reference|referentie|communication|"
    r"mededeling)(?![a-z])"
)


def _name_parts(text: str) -> list[tuple[str, int]]:
    parts, pos = [], 0
    for piece in _NAME_SPLIT.split(text):
        start = text.find(piece, pos)
        pos = start + len(piece)
        if piece.strip():
            parts.append((piece.strip(), start))
        if len(parts) >= 2:
            break
    return parts


def _looks_like_name(part: str, folded: str) -> bool:
    if len(part) < 3 or len(part) > 60:
        return False
    letters = sum(c.isalpha() for c in part)
    digits = sum(c.isdigit() for c in part)
    if letters < 3 or digits > 2:
        return False
    if _NOT_NAME.search(part):
        return False
    # A field's label is no name; generic words ("van", "du", "total") may be part of one.
    if any(h.weight >= 0.6 for h in L.find_labels(folded)) and not L.LEGAL_FORMS.search(folded):
        return False
    if L.CUSTOMER_LABELS.match(folded) or L.SUPPLIER_LABELS.match(folded) and ":" in part:
        return False
    words = folded.split()
    if L.INVOICE_WORDS.search(folded) or L.CREDIT_NOTE_WORDS.search(folded):
        return False
    if _NOT_NAME_WORDS.match(folded) or re.match(r"(?:n[°o]|nr\.?|no\.)\s", folded) or part.endswith(":"):
        return False
    if re.search(
        r"\b(?:rue|straat|laan|avenue|chaussee|steenweg|strasse|street|road|plein|place|boulevard|weg|lei|dreef|markt|kaai|quai|allee|square)\b",
        folded,
    ) or re.search(r"(?:straat|strasse|laan|weg|lei|plein|markt|dreef|kaai)\b", folded):
        return False
    if re.search(
        r"\b(?:description|omschrijving|beschreibung|designation|quantite|aantal|quantity|menge|prix|prijs|price|preis|merci|bedankt|thank|danke|conditions|voorwaarden|terms|bedingungen|payment|paiement|betaling|zahlung|page|pagina|seite|communication|mededeling|verwendungszweck)\b",
        folded,
    ):
        return False
    return len(words) <= 8


def _wrapped(layout: PageLayout, seg: Segment) -> str | None:
    """The rest of a large-type name on the next line: same size, aligned, close below."""
    if seg.height < 1.3 * layout.median_height or seg.row + 1 >= len(layout.rows):
        return None
    for other in layout.rows[seg.row + 1]:
        if (
            # OCR's boxes hug the glyphs: a line without descenders ("CommV") is a fifth lower.
            abs(other.height - seg.height) <= 0.3 * seg.height
            and (abs(other.x0 - seg.x0) < 6 or abs(other.x1 - seg.x1) < 6)
            and -0.3 * seg.height <= other.y0 - seg.y1 < 0.6 * seg.height
            and len(other.text.split()) <= 4
            and not any(c.isdigit() for c in other.text)
        ):
            return other.text
    return None


def _clean_name(part: str) -> str:
    part = unicodedata.normalize("NFKC", part)  # "Hoﬀmann" as a PDF's ligature gives it
    return re.sub(
        r"^(?:fournisseur|leverancier|supplier|vendor|from|lieferant)\s*:\s*", "", part, flags=re.I
    ).strip(" ,;:-")
