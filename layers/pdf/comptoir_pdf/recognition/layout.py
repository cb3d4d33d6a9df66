"""Words into rows and segments: the geometry the recogniser reads.

A row is a line across the whole page; a segment is a run of words in a row with no wide gap
(a label, a value, a table cell). A segment's text keeps each word's offset, so a value found by
a regular expression maps back to the words, hence the box, it came from. A scanned page may be
skewed: rows are formed in coordinates turned back by the page's skew, boxes stay as read."""

import math
import re
import statistics
from dataclasses import dataclass, field

from comptoir_pdf.recognition import labels as L
from comptoir_pdf.recognition import values as V
from comptoir_pdf.recognition.model import Box, PageWords, Word
from comptoir_pdf.recognition.values import fold_keep_length


@dataclass(eq=False)
class Segment:
    page: int
    words: list[Word]
    starts: list[int]
    text: str
    folded: str
    # Layout coordinates (deskewed), used for neighbourhood questions.
    x0: float
    y0: float
    x1: float
    y1: float
    row: int = 0
    index: int = 0  # position in its row
    region: str | None = None  # "customer" when inside the customer's block

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def wrapped(self) -> bool:
        """Over more than one line: a narrow cell's text joined (`join_wrapped`)."""
        return self.height > 1.3 * max(w.y1 - w.y0 for w in self.words)

    def span_box(self, start: int = 0, end: int | None = None) -> Box:
        """The box of the words covering text[start:end], in page coordinates."""
        end = len(self.text) if end is None else end
        chosen = [
            w for w, s in zip(self.words, self.starts, strict=True) if s < end and s + len(w.text) > start
        ] or self.words
        return (
            round(min(w.x0 for w in chosen), 1),
            round(min(w.y0 for w in chosen), 1),
            round(max(w.x1 for w in chosen), 1),
            round(max(w.y1 for w in chosen), 1),
        )


@dataclass
class PageLayout:
    page: int
    width: float
    height: float
    rows: list[list[Segment]] = field(default_factory=list)
    median_height: float = 10.0

    @property
    def segments(self) -> list[Segment]:
        return [seg for row in self.rows for seg in row]

    def right_of(self, seg: Segment, n: int = 1) -> list[Segment]:
        row = self.rows[seg.row]
        return row[seg.index + 1 : seg.index + 1 + n]

    def left_of(self, seg: Segment) -> Segment | None:
        return self.rows[seg.row][seg.index - 1] if seg.index > 0 else None

    def beside(self, seg: Segment, *, left: bool) -> Segment | None:
        """The nearest segment left (or right) of `seg` in the row above or below that shares its
        height: a cell's first line beside a label a narrow cell broke over two lines."""
        near = []
        for r in (seg.row - 1, seg.row + 1):
            if not 0 <= r < len(self.rows):
                continue
            for other in self.rows[r]:
                shared = min(seg.y1, other.y1) - max(seg.y0, other.y0)
                if shared < 0.5 * min(seg.height, other.height):
                    continue
                gap = seg.x0 - other.x1 if left else other.x0 - seg.x1
                if gap >= 0:
                    near.append((gap, other))
        return min(near, key=lambda g: g[0])[1] if near else None

    def below(self, seg: Segment, *, max_rows: int = 3, max_gap: float | None = None) -> list[Segment]:
        """Segments under `seg` that overlap it horizontally, nearest row first."""
        max_gap = max_gap if max_gap is not None else 3.2 * self.median_height
        out = []
        rows = 0  # rows holding something under `seg`: rows with nothing there do not count
        for r in range(seg.row + 1, len(self.rows)):
            if rows >= max_rows:
                break
            found = False
            for other in self.rows[r]:
                if other.y0 - seg.y1 > max_gap:
                    return out
                overlap = min(seg.x1, other.x1) - max(seg.x0, other.x0)
                if overlap > 0.3 * min(seg.x1 - seg.x0, other.x1 - other.x0) or abs(other.x1 - seg.x1) < 6:
                    out.append(other)
                    found = True
            rows += found
        return out

    def above(self, seg: Segment, *, max_rows: int = 3) -> list[Segment]:
        out = []
        for r in range(seg.row - 1, max(-1, seg.row - 1 - max_rows), -1):
            for other in self.rows[r]:
                if seg.y0 - other.y1 > 3.2 * self.median_height:
                    return out
                overlap = min(seg.x1, other.x1) - max(seg.x0, other.x0)
                if overlap > 0.3 * min(seg.x1 - seg.x0, other.x1 - other.x0) or abs(other.x1 - seg.x1) < 6:
                    out.append(other)
        return out


def joined(layout: "PageLayout", seg: Segment, *, max_gap_heights: float = 3.0) -> Segment | None:
    """`seg` and the segment right of it as one, when they stand close: OCR sometimes sees a wide
    space inside an IBAN or a date ("BE38 | 1030 3511 4472", "11 | januari 2026")."""
    right = layout.right_of(seg, 1)
    if not right or right[0].x0 - seg.x1 > max_gap_heights * max(seg.height, 1.0):
        return None
    other = right[0]
    offset = len(seg.text) + 1
    text = seg.text + " " + other.text
    return Segment(
        page=seg.page,
        words=[*seg.words, *other.words],
        starts=[*seg.starts, *(s + offset for s in other.starts)],
        text=text,
        folded=fold_keep_length(text),
        x0=seg.x0,
        y0=min(seg.y0, other.y0),
        x1=other.x1,
        y1=max(seg.y1, other.y1),
        row=seg.row,
        index=seg.index,
        region=seg.region,
    )


def estimate_skew(lines: list[list[Word]]) -> float:
    """The page's skew in radians from lines of words (OCR gives them): median slope of the
    words' baselines in lines of three words or more."""
    slopes = []
    for line in lines:
        if len(line) < 3:
            continue
        xs = [(w.x0 + w.x1) / 2 for w in line]
        ys = [w.y1 for w in line]
        mx, my = statistics.fmean(xs), statistics.fmean(ys)
        sxx = sum((x - mx) ** 2 for x in xs)
        if sxx < 100:
            continue
        slopes.append(sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx)
    if len(slopes) < 3:
        return 0.0
    return math.atan(statistics.median(slopes))


def build_layout(page: PageWords, *, skew: float = 0.0) -> PageLayout:
    cos, sin = math.cos(-skew), math.sin(-skew)
    cx, cy = page.width / 2, page.height / 2

    def turn(x: float, y: float) -> tuple[float, float]:
        dx, dy = x - cx, y - cy
        return cx + dx * cos - dy * sin, cy + dx * sin + dy * cos

    placed = []
    for w in page.words:
        if not w.text.strip():
            continue
        if (
            page.source != "text"
            and len(w.text) <= 2
            and not any(c.isalnum() or c in "€$£%&" for c in w.text)
        ):
            continue  # OCR's specks and rules read as "-", "=", "|"
        mx, my = turn((w.x0 + w.x1) / 2, (w.y0 + w.y1) / 2)
        half_w, half_h = (w.x1 - w.x0) / 2, (w.y1 - w.y0) / 2
        placed.append((w, mx - half_w, my - half_h, mx + half_w, my + half_h))
    layout = PageLayout(page=page.page, width=page.width, height=page.height)
    if not placed:
        return layout
    heights = [p[4] - p[2] for p in placed]
    layout.median_height = max(4.0, statistics.median(heights))

    # Rows: words whose vertical centres fall within a row's band.
    placed.sort(key=lambda p: ((p[2] + p[4]) / 2, p[1]))
    rows: list[list[tuple]] = []
    bands: list[list[float]] = []
    for p in placed:
        centre = (p[2] + p[4]) / 2
        h = p[4] - p[2]
        if rows:
            top, bottom, centre_sum = bands[-1]
            row_centre = centre_sum / len(rows[-1])
            tolerance = 0.45 * min(h, (bottom - top)) + 0.5
            if abs(centre - row_centre) <= max(tolerance, 0.25 * layout.median_height):
                rows[-1].append(p)
                bands[-1] = [min(top, p[2]), max(bottom, p[4]), centre_sum + centre]
                continue
        rows.append([p])
        bands.append([p[2], p[4], centre])

    for row_index, row in enumerate(rows):
        row.sort(key=lambda p: p[1])
        segments: list[list[tuple]] = [[row[0]]]
        # A gap wider than most of the row's height ends a segment (a space is a third of it).
        row_height = statistics.median(p[4] - p[2] for p in row)
        h = max(row_height, 0.6 * layout.median_height)
        for prev, cur in zip(row, row[1:], strict=False):
            gap = cur[1] - prev[3]
            # OCR boxes hug the glyphs: in a wide (monospace) font a space is wider than the capitals
            # are high, so the characters' width counts too.
            char_width = ((prev[3] - prev[1]) + (cur[3] - cur[1])) / max(
                1, len(prev[0].text) + len(cur[0].text)
            )
            # Two cells of a table, two blocks of a letterhead: the reader's blocks part them even
            # when they stand closer than a wide space ("2025.2681" | "July 4,").
            other_block = prev[0].block >= 0 and (prev[0].block, prev[0].line) != (cur[0].block, cur[0].line)
            if gap > max(0.85 * h, 1.5 * char_width) or gap < -h or (other_block and gap > 0.3 * h):
                segments.append([cur])
            else:
                segments[-1].append(cur)
        out_row = []
        for seg_words in segments:
            words = [p[0] for p in seg_words]
            starts, text = [], ""
            for w in words:
                if text:
                    text += " "
                starts.append(len(text))
                text += w.text
            out_row.append(
                Segment(
                    page=page.page,
                    words=words,
                    starts=starts,
                    text=text,
                    folded=fold_keep_length(text),
                    x0=min(p[1] for p in seg_words),
                    y0=min(p[2] for p in seg_words),
                    x1=max(p[3] for p in seg_words),
                    y1=max(p[4] for p in seg_words),
                    row=row_index,
                    index=len(out_row),
                )
            )
        layout.rows.append(out_row)
    join_wrapped(layout)
    return layout


def _stacked(upper: Segment, lower: Segment) -> bool:
    """`lower` is the next line of `upper`'s text: same block (when the reader says), the line
    right under it, the same size, aligned left, right or centred."""
    h = min(upper.height, lower.height)
    if upper.words[0].source == "text":
        # A text layer's blocks are the document's own: a cell's lines share one. Its word boxes
        # are the font's full height, so lines of one paragraph touch.
        blocks = {w.block for w in upper.words} | {w.block for w in lower.words}
        if len(blocks) > 1:
            return False
        limit = 0.45 if -1 not in blocks else 0.15
    else:
        # OCR's blocks are its guess (it splits a cell's two lines), and its boxes hug the glyphs:
        # lines of one paragraph stand most of a capital's height apart.
        limit = 0.8
    if lower.y0 - upper.y1 > limit * h or abs(upper.height - lower.height) > 0.35 * max(h, 1.0):
        return False
    return (
        abs(lower.x0 - upper.x0) < 3
        or abs(lower.x1 - upper.x1) < 3
        or abs((lower.x0 + lower.x1) - (upper.x0 + upper.x1)) < 6
    )


_CURRENCY_ONLY = re.compile(r"^\s*(?:€|eur|euro|\$|£|usd|gbp|chf)\s*$", re.I)


def _complete_label(folded: str, *, at_end: bool) -> bool:
    """`folded` ends (or starts) with a whole, strong label: a line of its own, not half of one."""
    stripped = folded.rstrip(" :.")
    return any(
        h.weight >= 0.9 and (h.end >= len(stripped) if at_end else h.start == 0)
        for h in L.find_labels(folded)
    )


def _crosses(upper: Segment, lower: Segment, folded: str, at: int) -> bool:
    """A label or a date that runs over position `at` (the line break) of a joined text."""
    if any(m.start < at < m.end for m in V.find_dates(folded)):
        return True
    # A currency sign alone on its line, its amount on the next ("€" / "2.213,54"), or after it.
    if _CURRENCY_ONLY.match(upper.text) and V.find_amounts(lower.text):
        return True
    if _CURRENCY_ONLY.match(lower.text) and V.find_amounts(upper.text):
        return True
    if _complete_label(upper.folded, at_end=True) or _complete_label(lower.folded, at_end=False):
        return False
    return any(h.start < at < h.end for h in L.find_labels(folded))


def _join(upper: Segment, lower: Segment, sep: str, row: int) -> Segment:
    offset = len(upper.text) + len(sep)
    text = upper.text + sep + lower.text
    return Segment(
        page=upper.page,
        words=[*upper.words, *lower.words],
        starts=[*upper.starts, *(s + offset for s in lower.starts)],
        text=text,
        folded=fold_keep_length(text),
        x0=min(upper.x0, lower.x0),
        y0=upper.y0,
        x1=max(upper.x1, lower.x1),
        y1=lower.y1,
        row=row,
    )


def join_wrapped(layout: PageLayout) -> None:
    """Text a narrow cell broke over two lines, read as one segment where the break cut a label or
    a value: "N° de" / "facture", "July 4," / "2025", "Rechnungs-Nr. 2024-" / "FA-5553". The joined
    segment stands in the lower line's row (a caption below it reads it as the value above)."""
    changed = False
    for r in range(len(layout.rows) - 1):
        for upper in list(layout.rows[r]):
            for lower in layout.rows[r + 1]:
                if not _stacked(upper, lower):
                    continue
                # A word or a number cut at its hyphen or slash joins without a space.
                cut = len(upper.text) > 2 and upper.text[-1] in "-/" and upper.text[-2].isalnum()
                sep = "" if cut and lower.text[:1].isalnum() else " "
                joined_ = _join(upper, lower, sep, r + 1)
                if sep and not _crosses(upper, lower, joined_.folded, len(upper.text)):
                    continue
                layout.rows[r].remove(upper)
                layout.rows[r + 1][layout.rows[r + 1].index(lower)] = joined_
                changed = True
                break
    if not changed:
        return
    layout.rows = [row for row in layout.rows if row]
    for r, row in enumerate(layout.rows):
        row.sort(key=lambda s: s.x0)
        for i, seg in enumerate(row):
            seg.row, seg.index = r, i
