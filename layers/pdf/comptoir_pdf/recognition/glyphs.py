"""Letter or digit, told by the glyph's ink where OCR's reading is doubtful.

OCR reads an invoice number's capital I as the digit 1 after its letters (`ADV-I49` read
`ADV-149`), and a digit 0 as the letter O (`BO5302` for `B05302`). The page image still shows
which it is:

- a digit 1 has a flag at its top left (and often a foot); a capital I is a plain bar, or has
  serifs as wide on the left as on the right. So the ink of the glyph's top band reaches left of
  the stem, and not right, only for a 1.
- a letter O is wider than the digits of the same type; a digit 0 is as wide as the others.

Only a clear shape decides; anything else (glyphs touching, a word split otherwise than its
characters, a blurred top) says nothing. Pure Python on a small crop (no numpy in the layer)."""

import io
import re

# Where a letter and a digit meet: the character OCR may have confused, and its alternative.
_SWAP = {"1": "I", "I": "1", "O": "0", "0": "O"}


def _binary(gray: list[list[int]]) -> list[list[bool]]:
    """Ink (True) by Otsu's threshold over the crop."""
    hist = [0] * 256
    for row in gray:
        for v in row:
            hist[v] += 1
    total = sum(hist)
    sum_all = sum(i * h for i, h in enumerate(hist))
    best, threshold, weight_b, sum_b = -1.0, 128, 0, 0
    for t in range(256):
        weight_b += hist[t]
        if weight_b == 0 or weight_b == total:
            continue
        sum_b += t * hist[t]
        mean_b = sum_b / weight_b
        mean_f = (sum_all - sum_b) / (total - weight_b)
        between = weight_b * (total - weight_b) * (mean_b - mean_f) ** 2
        if between > best:
            best, threshold = between, t
    return [[v <= threshold for v in row] for row in gray]


def glyph_spans(ink: list[list[bool]]) -> list[tuple[int, int]]:
    """Column spans [a, b) of the glyphs of a one-line word: runs of columns holding ink."""
    width = len(ink[0]) if ink else 0
    cols = [any(row[x] for row in ink) for x in range(width)]
    spans: list[tuple[int, int]] = []
    start = None
    for x, on in enumerate([*cols, False]):
        if on and start is None:
            start = x
        elif not on and start is not None:
            spans.append((start, x))
            start = None
    return spans


def _split_touching(ink: list[list[bool]], spans: list[tuple[int, int]], n: int) -> list[tuple[int, int]]:
    """Glyphs that touch (serifs, blur) split where their ink is thinnest, widest span first, until
    there are `n` or no span has a thin waist."""
    spans = list(spans)
    height = len(ink)
    while 0 < len(spans) < n:
        widths = sorted(b - a for a, b in spans)
        typical = widths[len(widths) // 2]
        order = sorted(range(len(spans)), key=lambda k: spans[k][0] - spans[k][1])
        for k in order:
            a, b = spans[k]
            if b - a < max(6, 1.4 * typical):
                continue
            counts = [(sum(row[x] for row in ink), x) for x in range(a + (b - a) // 5, b - (b - a) // 5)]
            thinnest, x = min(counts)
            if thinnest <= 0.12 * height:
                spans[k : k + 1] = [(a, x), (x + 1, b)]
                break
        else:
            break
    return spans


def _rows_of(ink: list[list[bool]], a: int, b: int) -> list[tuple[int, int] | None]:
    """Per row, the leftmost and rightmost ink column of the glyph between columns a and b."""
    out: list[tuple[int, int] | None] = []
    for row in ink:
        xs = [x for x in range(a, b) if row[x]]
        out.append((xs[0], xs[-1]) if xs else None)
    return out


def _glyph_rows(ink, a, b) -> list[tuple[int, int]] | None:
    rows = _rows_of(ink, a, b)
    inked = [i for i, r in enumerate(rows) if r is not None]
    if not inked:
        return None
    return [r if r is not None else (-1, -1) for r in rows[inked[0] : inked[-1] + 1]]


# The fewest of the page image's pixels a glyph must stand to show a 1's flag or foot.
MIN_SOURCE_HEIGHT = 14


def one_or_i(ink: list[list[bool]], a: int, b: int, cap_height: int, scale: float = 1.0) -> str | None:
    """ "1" (a flag at the top left, or a foot under a bare top), "I" (a plain bar, or serifs alike
    at both ends and on both sides), or None."""
    rows = _glyph_rows(ink, a, b)
    if rows is None or len(rows) < max(12, 0.8 * cap_height, MIN_SOURCE_HEIGHT * scale):
        return None  # too small to tell (a scan's few pixels), or not a full-height glyph
    h = len(rows)
    band = max(2, round(0.2 * h))
    middle = [(y, r) for y, r in enumerate(rows) if 0.4 * h <= y <= 0.75 * h and r[0] >= 0]
    top = [(y, r) for y, r in enumerate(rows[:band]) if r[0] >= 0]
    bottom = [(y, r) for y, r in enumerate(rows) if y >= h - band and r[0] >= 0]
    if len(middle) < 3 or not top or not bottom:
        return None
    lefts = sorted(r[0] for _, r in middle)
    rights = sorted(r[1] for _, r in middle)
    stem_x0, stem_x1 = lefts[len(lefts) // 2], rights[len(rights) // 2]
    stem = stem_x1 - stem_x0 + 1
    if stem > 0.4 * h or any(r[1] - r[0] + 1 > 1.5 * stem for _, r in middle):
        return None  # not a bar
    # A slanted page slants the stem: edges are measured from where the stem's line would be.
    ys = [y for y, _ in middle]
    centres = [(r[0] + r[1]) / 2 for _, r in middle]
    y_mean, c_mean = sum(ys) / len(ys), sum(centres) / len(centres)
    spread = sum((y - y_mean) ** 2 for y in ys) or 1.0
    slope = sum((y - y_mean) * (c - c_mean) for y, c in zip(ys, centres, strict=True)) / spread
    slope = max(-0.1, min(0.1, slope))

    def shift(y: int) -> float:
        return slope * (y - y_mean)

    top_left = max(stem_x0 + shift(y) - r[0] for y, r in top)
    top_right = max(r[1] - stem_x1 - shift(y) for y, r in top)
    foot_left = max(stem_x0 + shift(y) - r[0] for y, r in bottom)
    foot_right = max(r[1] - stem_x1 - shift(y) for y, r in bottom)
    first_left = top[0][1][0] - shift(top[0][0])
    # What blur and a slanted stroke may add; a flag must stand out by more than one pixel of the
    # page image too, and an I be alike on both sides to within less (a small flag is no serif).
    fine = max(1.0, 0.05 * h, 0.25 * stem)
    unit = max(fine, scale)
    # A 1's flag leaves the stem's top going down to the left: its top row starts at the stem, the
    # rows under it reach further left; or it is an arm as long as the stem is thick. An I's serif
    # is flat (its top row is its widest) and shorter, and on both sides.
    # A foot, when there is one, stands out alike on both sides: a step on one side is a slant.
    flag = (
        top_right <= unit
        and abs(foot_left - foot_right) <= unit
        and (
            (
                first_left >= stem_x0 - unit
                and top_left >= max(unit, 0.4 * stem)
                and top_left - top_right > unit
            )
            or (top_left >= max(2 * unit, 0.75 * stem))
        )
    )
    # A foot under a bare top; an I with serifs has them at the top too.
    foot = max(top_left, top_right) <= unit and min(foot_left, foot_right) >= max(0.5 * stem, 2 * unit)
    alike = (
        abs(top_left - top_right) <= fine
        and abs(foot_left - foot_right) <= fine
        and abs(top_left - foot_left) <= fine
        and abs(top_right - foot_right) <= fine
    )
    if (flag or foot) and not alike:
        return "1"
    if alike and not flag and not foot:
        return "I"
    return None


def o_or_zero(widths: list[int], index: int, digits: list[int], height: int) -> str | None:
    """ "O" when the glyph is clearly wider than the word's other digits, "0" when as wide."""
    others = [widths[i] for i in digits if i != index]
    if not others or height < 8:
        return None
    others.sort()
    reference = others[len(others) // 2]
    ratio = widths[index] / max(reference, 1)
    if ratio <= 1.1:
        return "0"
    if ratio >= 1.25:
        return "O"
    return None


def boundary_positions(value: str) -> list[int]:
    """The character where the number's leading letters meet its digits, when OCR may have
    confused it (I/1, O/0): the first digit after the letters (past a dash, slash or dot), or a
    letter I/O right before the digits (`ADV-149`, `BO5302`)."""
    m = re.match(r"([A-Za-z]+)[-/. ]?", value)
    if not m:
        return []
    letters, i = m.group(1), m.end()
    if m.end() == len(letters) and letters[-1] in "IO" and len(letters) > 1:
        i = len(letters) - 1  # "BO5302": the letters' last may be the digits' first
    c = value[i : i + 1]
    if c not in _SWAP or not value[i + 1 : i + 2].isdigit():
        return []
    if c in "IO" and i < len(letters) - 1:
        return []
    return [i]


def glyph_says(value: str, gray: list[list[int]]) -> str | None:
    """What the glyph at `value`'s letter–digit boundary (`boundary_positions`) shows in `gray`
    (the word's crop, rows of 0-255): the character, or None when its shape does not decide or
    the crop's glyphs do not line up with the value's characters."""
    positions = boundary_positions(value)
    if not positions or not gray:
        return None
    ink = _binary(gray)
    spans = glyph_spans(ink)
    chars = [c for c in value if not c.isspace()]
    whole = set(spans)
    spans = _split_touching(ink, spans, len(chars))
    if len(spans) != len(chars):
        return None
    heights = []
    for a, b in spans:
        rows = _glyph_rows(ink, a, b)
        heights.append(len(rows) if rows else 0)
    cap = sorted(heights)[len(heights) // 2]
    index = {i: k for k, i in enumerate(i for i, c in enumerate(value) if not c.isspace())}
    i = positions[0]
    k = index[i]
    if spans[k] not in whole:
        return None  # cut from a neighbour: its serifs may be the neighbour's
    if value[i] in "1I":
        return one_or_i(ink, *spans[k], cap, getattr(gray, "scale", 1.0))
    widths = [b - a for a, b in spans]
    digits = [index[j] for j, c in enumerate(value) if c.isdigit() and c != "1"]
    said = o_or_zero(widths, k, digits, cap)
    if said == "0":
        # In a monospaced font a letter O is no wider than a digit: a 0 is told only where the
        # word's other capitals stand wider than its digits on average (a proportional font).
        letters = [widths[index[j]] for j, c in enumerate(value) if c.isalpha() and c not in "IJl" and j != i]
        numbers = [widths[d] for d in digits if d != k]
        if not letters or not numbers or sum(letters) / len(letters) < 1.09 * sum(numbers) / len(numbers):
            return None
    return said


def read_glyphs(value: str, gray: list[list[int]]) -> str | None:
    """`value` with its doubtful character set by its glyph, or None when the glyph does not
    decide or agrees with the reading."""
    said = glyph_says(value, gray)
    positions = boundary_positions(value)
    if said is None or said == value[positions[0]]:
        return None
    i = positions[0]
    return value[:i] + said + value[i + 1 :]


def repair_number(fields: dict, pdf: bytes, pages: list) -> None:
    """An OCR'd invoice number whose letter–digit boundary OCR may have misread, checked against
    its glyph wherever the page shows it (the labelled value, a second mention, a payment line):
    changed only when every glyph that decides says the same, and never made sure (<= 0.85)."""
    number = fields.get("invoice_number")
    if number is None or number.source != "ocr" or not isinstance(number.value, str):
        return
    value = number.value
    positions = boundary_positions(value)
    if not positions:
        return
    i = positions[0]
    alternative = value[:i] + _SWAP[value[i]] + value[i + 1 :]
    places = [(number.page, number.box, value)] if number.page and number.box else []
    for page in pages:
        if page.source != "ocr":
            continue
        for word in page.words:
            text = word.text.strip(".,:;()[]")
            box = (word.x0, word.y0, word.x1, word.y1)
            if text in (value, alternative) and not any(_same_place(page.page, box, p) for p in places):
                places.append((page.page, box, text))
    said = set()
    for page_number, box, text in places[:4]:
        shown = glyph_says(text, crop_gray(pdf, page_number, box))
        if shown is not None:
            said.add(shown)
    if len(said) == 1 and (shown := said.pop()) != value[i]:
        number.value = value[:i] + shown + value[i + 1 :]
        number.confidence = round(min(0.85, number.confidence), 3)


def _same_place(page: int, box, place) -> bool:
    other_page, other, _ = place
    return page == other_page and abs(box[0] - other[0]) < 3 and abs(box[1] - other[1]) < 3


class Crop(list):
    """A crop's rows of grey (0-255), and how many of its pixels make one of the page image's."""

    scale: float = 1.0


def crop_gray(pdf: bytes, page: int, box: tuple[float, float, float, float]) -> Crop:
    """The word's box on the page, rendered in grey at a resolution where its glyphs stand some
    sixty pixels tall (finer than the scan: its grey edges place a stroke within a pixel)."""
    import pymupdf
    from PIL import Image

    x0, y0, x1, y1 = box
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        if not 1 <= page <= len(doc):
            return Crop()
        pg = doc[page - 1]
        pad = 0.15 * (y1 - y0)
        clip = pymupdf.Rect(x0 - pad, y0 - pad, x1 + pad, y1 + pad) & pg.rect
        if clip.is_empty:
            return Crop()
        dpi = int(min(1200, max(150, 60 / max((y1 - y0) / 72, 0.01))))
        pix = pg.get_pixmap(dpi=dpi, clip=clip, colorspace=pymupdf.csGRAY, alpha=False)
        native = max(
            (i["width"] / max((i["bbox"][2] - i["bbox"][0]) / 72, 0.01) for i in pg.get_image_info()),
            default=None,
        )
    image = Image.open(io.BytesIO(pix.tobytes("png"))).convert("L")
    w, h = image.size
    data = list(image.getdata())
    crop = Crop(data[r * w : (r + 1) * w] for r in range(h))
    crop.scale = dpi / native if native else 1.0
    return crop
