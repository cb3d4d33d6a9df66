"""OCR page images are clamped by pixel count: a huge scanned page never exhausts the worker's memory."""

import pymupdf

from comptoir_pdf.recognition.model import PageWords
from comptoir_pdf.recognition.ocr import MAX_OCR_PIXELS, clamped_dpi
from comptoir_pdf.recognition.reading import OCR_DPI, read_pages


class RecordingEngine:
    """An OCR engine that reads nothing and remembers the size of every image it was given."""

    source = "ocr"
    image_format = "pgm"

    def __init__(self):
        self.seen: list[tuple[int, int, int]] = []

    def read_page(self, image: bytes, *, page: int, width: float, height: float, dpi: int) -> PageWords:
        pixmap = pymupdf.Pixmap(image)
        self.seen.append((pixmap.width, pixmap.height, dpi))
        return PageWords(page=page, width=width, height=height, words=(), source="ocr")


def _scan(width_pt: float, height_pt: float) -> bytes:
    """A page with no text layer (a drawing only): what a scanner's PDF looks like to the reader."""
    document = pymupdf.open()
    page = document.new_page(width=width_pt, height=height_pt)
    page.draw_rect(pymupdf.Rect(10, 10, width_pt / 2, height_pt / 2), color=(0, 0, 0), fill=(0.5, 0.5, 0.5))
    return document.tobytes()


def test_an_a4_scan_is_read_at_the_full_ocr_resolution():
    engine = RecordingEngine()

    read_pages(_scan(595, 842), ocr=engine)

    ((width, height, dpi),) = engine.seen
    assert dpi == OCR_DPI
    assert abs(width - 595 / 72 * OCR_DPI) <= 1 and abs(height - 842 / 72 * OCR_DPI) <= 1


def test_a_page_a_metre_and_a_half_square_is_rendered_within_the_pixel_budget():
    engine = RecordingEngine()

    read_pages(_scan(4250, 4250), ocr=engine)

    ((width, height, dpi),) = engine.seen
    assert width * height <= MAX_OCR_PIXELS
    assert dpi < OCR_DPI
    assert dpi == clamped_dpi(4250, 4250, OCR_DPI)
