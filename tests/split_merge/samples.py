"""Real PDFs made on the fly for the split/merge tests: text pages, scanned pages, shared resources."""

import io
import random

import pikepdf
import pymupdf
from pikepdf import Array, Dictionary, Name, Stream
from PIL import Image, ImageDraw


def text_pdf(pages: list[str], *, embed_font: bool = False) -> bytes:
    """One page per text (lines split on newlines), A4, Helvetica; embedded once when asked."""
    document = pymupdf.open()
    font = pymupdf.Font("helv").buffer if embed_font else None
    for text in pages:
        page = document.new_page(width=595, height=842)
        fontname = "helv"
        if font is not None:
            page.insert_font(fontname="F0", fontbuffer=font)
            fontname = "F0"
        y = 60.0
        for line in text.splitlines() or [""]:
            if line:
                page.insert_text((50, y), line, fontname=fontname, fontsize=11)
            y += 16
    return document.tobytes(garbage=3, deflate=True)


def scan_image(text: str = "", *, blank: bool = False, seed: int = 0, size=(620, 877)) -> bytes:
    """A grey JPEG like a 75 dpi scan: paper noise, and dark strokes unless blank."""
    rng = random.Random(seed)
    image = Image.new("L", size, 245)
    draw = ImageDraw.Draw(image)
    for _ in range(size[0] * size[1] // 400):  # paper grain
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        draw.point((x, y), fill=rng.randrange(225, 250))
    if not blank:
        draw.text((40, 40), text or f"scan {seed}", fill=20)
        for row in range(30):
            y = 90 + row * 24
            draw.rectangle((40, y, 40 + rng.randrange(200, size[0] - 80), y + 8), fill=rng.randrange(20, 90))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return out.getvalue()


def scanned_pdf(count: int, *, blank: frozenset[int] = frozenset(), seed: int = 0) -> bytes:
    """`count` image-only pages (1-based `blank` ones near-blank), each its own JPEG."""
    document = pymupdf.open()
    for number in range(1, count + 1):
        page = document.new_page(width=595, height=842)
        page.insert_image(page.rect, stream=scan_image(blank=number in blank, seed=seed * 10_000 + number))
    return document.tobytes(garbage=3, deflate=True)


def shared_resources_pdf(count: int) -> bytes:
    """Pages that inherit ONE resources dictionary listing every page's image, as some scanners write."""
    pdf = pikepdf.Pdf.new()
    images = {}
    for number in range(count):
        image = Stream(pdf, scan_image(seed=number))
        image.Type, image.Subtype = Name.XObject, Name.Image
        image.Width, image.Height = 620, 877
        image.ColorSpace, image.BitsPerComponent, image.Filter = Name.DeviceGray, 8, Name.DCTDecode
        images[f"/Im{number}"] = image
    for number in range(count):
        content = Stream(pdf, f"q 595 0 0 842 0 0 cm /Im{number} Do Q".encode())
        pdf.pages.append(
            pikepdf.Page(Dictionary(Type=Name.Page, MediaBox=Array([0, 0, 595, 842]), Contents=content))
        )
    resources = pdf.make_indirect(Dictionary(XObject=Dictionary(images)))
    for page in pdf.pages:
        page.obj.Resources = resources
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def page_texts(pdf: bytes) -> list[str]:
    with pymupdf.open(stream=pdf, filetype="pdf") as document:
        return [page.get_text().strip() for page in document]


def image_digests(pdf: bytes) -> list[list[str]]:
    """For each page, the sha256 of the raw (still encoded) image streams it draws: proof of no re-encoding."""
    import hashlib

    with pikepdf.open(io.BytesIO(pdf)) as document:
        return [
            sorted(hashlib.sha256(image.read_raw_bytes()).hexdigest() for image in page.images.values())
            for page in document.pages
        ]
