"""Page images of a PDF with MuPDF (PyMuPDF): a thumbnail and a preview of each page.

Sizes are widths in pixels of the page as it is shown (its /Rotate applied); the height follows the
page's proportions, capped for very long pages (a till receipt) so an image stays a sensible size.
The thumbnail is a PNG (text stays sharp; 7-25 KB); the preview a JPEG at quality 85: three times
smaller than a PNG for a scan or a photo, about the same for a typical invoice, and ten times
quicker to encode (benchmarks/README.md, "Page rendering", has the measurements).
"""

import io
from collections.abc import Iterable, Iterator
from typing import NamedTuple

import pymupdf
from PIL import Image

from comptoir_pdf.errors import Unreadable

SIZES = {"thumb": 200, "preview": 1200}
IMAGE_FORMAT = {"thumb": "png", "preview": "jpeg"}
IMAGE_CONTENT_TYPE = {"thumb": "image/png", "preview": "image/jpeg"}
JPEG_QUALITY = 85
# Height at most this many times the width (a receipt 8 cm wide and 2 m long is drawn narrower).
MAX_ASPECT = 6.0


class PageImage(NamedTuple):
    page: int  # 1-based
    size: str  # "thumb" or "preview"
    data: bytes

    @property
    def content_type(self) -> str:
        return IMAGE_CONTENT_TYPE[self.size]


def render_pages(
    pdf: bytes, *, sizes: Iterable[str] = ("thumb", "preview"), pages: Iterable[int] | None = None
) -> Iterator[PageImage]:
    """Every page's image in every size, page by page: (page number from 1, size, image bytes).

    The document is opened once for all of them. `pages` (1-based) limits which pages are drawn.
    """
    sizes = tuple(sizes)
    for size in sizes:
        if size not in SIZES:
            raise ValueError(f"unknown size {size!r}; one of {', '.join(SIZES)}")
    with _open(pdf) as document:
        numbers = range(1, document.page_count + 1) if pages is None else pages
        for number in numbers:
            page = _page(document, number)
            for size in sizes:
                yield PageImage(number, size, _render(page, size))


def render_page(pdf: bytes, page: int, size: str) -> bytes:
    """One page's image (page number from 1) in one size."""
    return next(render_pages(pdf, sizes=(size,), pages=(page,))).data


def _open(pdf: bytes) -> pymupdf.Document:
    try:
        document = pymupdf.open(stream=pdf, filetype="pdf")
    except (pymupdf.FileDataError, pymupdf.mupdf.FzErrorBase, RuntimeError, ValueError) as error:
        raise Unreadable("the PDF cannot be opened for drawing") from error
    if document.needs_pass:
        document.close()
        raise Unreadable("the PDF is encrypted")
    return document


def _page(document: pymupdf.Document, number: int) -> pymupdf.Page:
    if not 1 <= number <= document.page_count:
        raise ValueError(f"page {number} is not in a document of {document.page_count} pages")
    return document[number - 1]


def _render(page: pymupdf.Page, size: str) -> bytes:
    width = SIZES[size]
    shown = page.rect  # the page as displayed: /Rotate and the crop box applied
    if shown.width <= 0 or shown.height <= 0:
        raise Unreadable(f"page {page.number + 1} has no area")
    zoom = width / shown.width
    if shown.height * zoom > width * MAX_ASPECT:
        zoom = width * MAX_ASPECT / shown.height
    pixmap = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False, colorspace=pymupdf.csRGB)
    return encode(pixmap, IMAGE_FORMAT[size])


def encode(pixmap: pymupdf.Pixmap, image_format: str) -> bytes:
    """An RGB pixmap as "jpeg" or "png" bytes."""
    if image_format == "jpeg":
        # Pillow's libjpeg-turbo encodes a preview in ~10 ms; MuPDF's own JPEG writer took ~200.
        image = Image.frombuffer(
            "RGB", (pixmap.width, pixmap.height), pixmap.samples_mv, "raw", "RGB", pixmap.stride, 1
        )
        out = io.BytesIO()
        image.save(out, "JPEG", quality=JPEG_QUALITY)
        return out.getvalue()
    # MuPDF's PNG is a third smaller than Pillow's at thumbnail size, and as quick (a few ms).
    return pixmap.tobytes("png")
