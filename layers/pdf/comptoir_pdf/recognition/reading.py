"""Pages into words: the text layer where there is one, OCR where there is none."""

import pymupdf

from comptoir_pdf.recognition.model import PageWords, Word
from comptoir_pdf.recognition.ocr import OcrEngine

OCR_DPI = 300
# A page with fewer characters than this in its text layer is read as a scan.
MIN_TEXT_CHARS = 25


def open_pdf(pdf: bytes) -> pymupdf.Document:
    return pymupdf.open(stream=pdf, filetype="pdf")


def text_words(page: pymupdf.Page, number: int) -> PageWords:
    rect = page.rect
    words = tuple(
        Word(w[4], number, round(w[0], 2), round(w[1], 2), round(w[2], 2), round(w[3], 2), "text")
        for w in page.get_text("words", sort=False)
        if w[4].strip()
    )
    return PageWords(page=number, width=rect.width, height=rect.height, words=words, source="text")


def ocr_words(page: pymupdf.Page, number: int, engine: OcrEngine, *, dpi: int = OCR_DPI) -> PageWords:
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
    png = pix.tobytes("png")
    return engine.read_page(png, page=number, width=page.rect.width, height=page.rect.height, dpi=dpi)


def read_pages(
    pdf: bytes, *, ocr: OcrEngine | None, max_pages: int = 20
) -> tuple[list[PageWords], list[str]]:
    """The words of each page (up to `max_pages`), and notes on what could not be read."""
    notes: list[str] = []
    pages: list[PageWords] = []
    with open_pdf(pdf) as doc:
        if doc.needs_pass:
            return [], ["the PDF is password-protected"]
        for index, page in enumerate(doc):
            number = index + 1
            if number > max_pages:
                notes.append(f"only the first {max_pages} pages were read")
                break
            words = text_words(page, number)
            if sum(len(w.text) for w in words.words) >= MIN_TEXT_CHARS:
                pages.append(words)
                continue
            if ocr is None:
                notes.append(f"page {number} has no text and no OCR was available")
                pages.append(words)
                continue
            pages.append(ocr_words(page, number, ocr))
    return pages, notes
