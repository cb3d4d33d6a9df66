"""Page images made readable before OCR: the paper's shade taken out where the light was uneven.

Tesseract binarises an image with one threshold; a phone photo's shadow, a grey band or the dark
table around a photographed sheet then swallow the text in them. Flat scans and faxes, whose paper
is one shade, go to Tesseract as they are (flattening them was measured to cost more than it gives).
"""

import io

from PIL import Image, ImageChops, ImageFilter, ImageOps

# The paper's shade, 5th to 95th percentile over the page, beyond which the light is uneven: a
# flatbed scan or a fax spreads 0-2 grey levels, a photo with a shadow 40-190.
UNEVEN_SPREAD = 40


def flatten(image: Image.Image, *, step: int = 8, window: int = 5) -> Image.Image:
    """Ink as how much darker it is than the paper around it, stretched to black on white
    (`window` × `step` pixels is the neighbourhood the paper's shade is taken from: wider than a
    letter's stroke)."""
    paper = _paper(image, step=step, window=window).resize(image.size, Image.BILINEAR)
    ink = ImageChops.subtract(paper, image)
    return ImageOps.autocontrast(ImageOps.invert(ink), cutoff=1)


def paper_spread(image: Image.Image, *, step: int = 8, window: int = 5) -> int:
    """How far the paper's shade varies over the page, in grey levels (5th to 95th percentile)."""
    histogram = _paper(image, step=step, window=window).histogram()
    total, seen, low = sum(histogram), 0, None
    for level, count in enumerate(histogram):
        seen += count
        if low is None and seen >= 0.05 * total:
            low = level
        if seen >= 0.95 * total:
            return level - (low or 0)
    return 0


def even_lighting(image: bytes) -> bytes:
    """A grey page image (PGM/PNG bytes) with its paper flattened when the light on it was uneven;
    the same bytes otherwise."""
    picture = Image.open(io.BytesIO(image))
    if picture.mode != "L" or paper_spread(picture) <= UNEVEN_SPREAD:
        return image
    out = io.BytesIO()
    flatten(picture).save(out, format="PPM" if picture.format == "PPM" else "PNG")
    return out.getvalue()


def _paper(image: Image.Image, *, step: int, window: int) -> Image.Image:
    small = image.resize((max(1, image.width // step), max(1, image.height // step)), Image.BILINEAR)
    return small.filter(ImageFilter.MaxFilter(window))
