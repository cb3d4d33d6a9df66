"""Words into rows and segments: the geometry the recogniser reads.

A row is a line across the whole page; a segment is a run of words in a row with no wide gap
(a label, a value, a table cell). A segment's text keeps each word's offset, so a value found by
a regular expression maps back to the words, hence the box, it came from. A scanned page may be
skewed: rows are formed in coordinates turned back by the page's skew, boxes stay as read."""

import math
import statistics
from dataclasses import dataclass, field

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

    def below(self, seg: Segment, *, max_rows: int = 3, max_gap: float | None = None) -> list[Segment]:
        """Segments under `seg` that overlap it horizontally, nearest row first."""
        max_gap = max_gap if max_gap is not None else 3.2 * self.median_height
        out = []
        for r in range(seg.row + 1, min(len(self.rows), seg.row + 1 + max_rows)):
            for other in self.rows[r]:
                if other.y0 - seg.y1 > max_gap:
                    return out
                overlap = min(seg.x1, other.x1) - max(seg.x0, other.x0)
                if overlap > 0.3 * min(seg.x1 - seg.x0, other.x1 - other.x0) or abs(other.x1 - seg.x1) < 6:
                    out.append(other)
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
        if page.source != "text" and len(w.text) <= 2 and not any(c.isalnum() or c in "€$£%" for c in w.text):
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
            if gap > max(0.85 * h, 1.5 * char_width) or gap < -h:
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
    return layout
