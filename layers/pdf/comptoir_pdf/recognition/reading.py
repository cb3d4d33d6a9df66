"""Pages into words: the text layer where there is one, OCR where there is none."""

import dataclasses
import io
from concurrent.futures import ThreadPoolExecutor

import pymupdf

from comptoir_pdf.recognition import pixels
from comptoir_pdf.recognition.model import PageWords, Word
from comptoir_pdf.recognition.ocr import OcrEngine, clamped_dpi

OCR_DPI = 300
# A page with fewer characters than this in its text layer is read as a scan.
MIN_TEXT_CHARS = 25


def open_pdf(pdf: bytes) -> pymupdf.Document:
    return pymupdf.open(stream=pdf, filetype="pdf")


# A font's ligatures as the letters they stand for ("heﬃng" → "heffing"): labels and names are
# matched letter by letter.
_LIGATURES = str.maketrans(
    {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb06": "st"}
)


def text_words(page: pymupdf.Page, number: int) -> PageWords:
    rect = page.rect
    words = tuple(
        Word(
            w[4].translate(_LIGATURES),
            number,
            round(w[0], 2),
            round(w[1], 2),
            round(w[2], 2),
            round(w[3], 2),
            "text",
            w[5],
            w[6],
        )
        for w in page.get_text("words", sort=False)
        if w[4].strip()
    )
    return PageWords(page=number, width=rect.width, height=rect.height, words=words, source="text")


def damaged_text(words: PageWords) -> bool:
    """A text layer that is no text: fonts without a Unicode map give U+FFFD, private-use or
    control characters, or "(cid:12)" for every glyph."""
    text = "".join(w.text for w in words.words)
    if len(text) < MIN_TEXT_CHARS:
        return False
    bad = sum(
        1 for c in text if c == "\ufffd" or "\ue000" <= c <= "\uf8ff" or (ord(c) < 32 and c not in "\t\n")
    )
    bad += 6 * text.count("(cid:")
    return bad > 0.3 * len(text)


def ocr_dpi(page: pymupdf.Page) -> int:
    """The resolution to read a page at: 300 dpi, but a photo embedded at its own low resolution
    (a phone's 72-96 dpi) is enlarged no more than 1.5 times: enlarging blurs, and costs time."""
    rect = page.rect
    for info in page.get_image_info():
        x0, y0, x1, y1 = info["bbox"]
        if (x1 - x0) * (y1 - y0) < 0.8 * rect.width * rect.height or x1 <= x0:
            continue
        native = info["width"] / ((x1 - x0) / 72.0)
        return int(min(OCR_DPI, max(150, native * 1.5)))
    return OCR_DPI


def page_image(page: pymupdf.Page, engine: OcrEngine, *, dpi: int = OCR_DPI) -> bytes:
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
    # PGM costs nothing to encode (PNG took longer than a fifth of the OCR); Textract wants it small.
    fmt = getattr(engine, "image_format", "png")
    return pix.tobytes("jpeg", jpg_quality=90) if fmt == "jpeg" else pix.tobytes(fmt)


def read_pages(
    pdf: bytes, *, ocr: OcrEngine | None, max_pages: int = 20, ocr_workers: int = 2
) -> tuple[list[PageWords], list[str]]:
    """The words of each page (up to `max_pages`), and notes on what could not be read. Pages
    without text are rendered here (MuPDF wants one thread) and OCR'd `ocr_workers` at a time."""
    notes: list[str] = []
    pages: dict[int, PageWords] = {}
    to_ocr: list[tuple[int, bytes, float, float]] = []
    with open_pdf(pdf) as doc:
        if doc.needs_pass:
            return [], ["the PDF is password-protected"]
        for index, page in enumerate(doc):
            number = index + 1
            if number > max_pages:
                notes.append(f"only the first {max_pages} pages were read")
                break
            words = text_words(page, number)
            damaged = damaged_text(words)
            if damaged and ocr is not None:
                notes.append(f"page {number}'s text layer is damaged: it was read by OCR")
            if sum(len(w.text) for w in words.words) >= MIN_TEXT_CHARS and not (damaged and ocr is not None):
                pages[number] = words
            elif ocr is None:
                notes.append(f"page {number} has no text and no OCR was available")
                pages[number] = words
            else:
                width, height = page.rect.width, page.rect.height
                # A photo's own resolution, and never more pixels than memory allows on a huge page.
                dpi = clamped_dpi(width, height, ocr_dpi(page))
                to_ocr.append((number, page_image(page, ocr, dpi=dpi), width, height, dpi))
    if to_ocr:

        def read(job: tuple[int, bytes, float, float, int]) -> PageWords:
            number, image, width, height, dpi = job
            return ocr.read_page(image, page=number, width=width, height=height, dpi=dpi)

        if len(to_ocr) == 1 or ocr_workers <= 1:
            done = [read(job) for job in to_ocr]
        else:
            with ThreadPoolExecutor(max_workers=ocr_workers) as pool:
                done = list(pool.map(read, to_ocr))
        for words in done:
            pages[words.page] = words
            if not words.words:
                notes.append(f"page {words.page} came out blank: check it against the original")
    return [pages[n] for n in sorted(pages)], notes


def read_bands(
    pdf: bytes,
    page_words: PageWords,
    ocr: OcrEngine,
    bands: list[tuple[float, float]],
    *,
    scale: float = 2.0,
) -> PageWords:
    """Bands of a page (`top`..`bottom`, shares of its height) read again in one OCR call, at
    `scale` times the page's OCR resolution with their background flattened: a footer's small grey
    type (VAT number, IBAN) or a header in a photo's shadow that the whole page's reading lost.
    Several bands are stacked on one image with white between them. Words come back in page
    points; the bands' words of the first reading are replaced by theirs."""
    from PIL import Image

    with open_pdf(pdf) as doc:
        page = doc[page_words.page - 1]
        rect = page.rect
        clips = [
            pymupdf.Rect(rect.x0, rect.y0 + top * rect.height, rect.x1, rect.y0 + bottom * rect.height)
            for top, bottom in bands
        ]
        gap = 24.0  # points of white between two bands
        height = sum(c.height for c in clips) + gap * (len(clips) - 1)
        dpi = clamped_dpi(rect.width, height, min(int(ocr_dpi(page) * scale), 600))
        images = []
        for clip in clips:
            pix = page.get_pixmap(dpi=dpi, clip=clip, colorspace=pymupdf.csGRAY, alpha=False)
            images.append(pixels.flatten(Image.frombytes("L", (pix.width, pix.height), pix.samples)))
    gap_px = round(gap * dpi / 72)
    canvas = Image.new(
        "L", (max(i.width for i in images), sum(i.height for i in images) + gap_px * (len(images) - 1)), 255
    )
    tops_px, y = [], 0
    for image in images:
        canvas.paste(image, (0, y))
        tops_px.append(y)
        y += image.height + gap_px
    out = io.BytesIO()
    canvas.save(out, format="PPM" if getattr(ocr, "image_format", "png") == "pgm" else "PNG")
    width_pt, height_pt = canvas.width * 72 / dpi, canvas.height * 72 / dpi
    read = ocr.read_page(out.getvalue(), page=page_words.page, width=width_pt, height=height_pt, dpi=dpi)
    moved = []
    for w in read.words:
        middle = (w.y0 + w.y1) / 2
        for clip, top_px, image in zip(clips, tops_px, images, strict=True):
            top = top_px * 72 / dpi
            if top <= middle <= top + image.height * 72 / dpi:
                dx, dy = clip.x0 - rect.x0, clip.y0 - rect.y0 - top
                moved.append(
                    dataclasses.replace(
                        w, x0=w.x0 + dx, y0=w.y0 + dy, x1=w.x1 + dx, y1=w.y1 + dy, block=w.block + 100_000
                    )
                )
                break
    kept = [w for w in page_words.words if not any(c.y0 <= (w.y0 + w.y1) / 2 <= c.y1 for c in clips)]
    return dataclasses.replace(page_words, words=tuple(kept + moved))
