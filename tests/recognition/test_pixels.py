"""Page images before Tesseract: a photo's uneven light is taken out, a flat scan goes as it is."""

import io

from PIL import Image, ImageDraw

from comptoir_pdf.recognition.pixels import UNEVEN_SPREAD, even_lighting, paper_spread


def _page(shadow: float) -> Image.Image:
    """A page of black bars (text) on white paper, darkened towards the left by `shadow`."""
    page = Image.new("L", (800, 600), 245)
    draw = ImageDraw.Draw(page)
    for y in range(40, 560, 40):
        for x in range(30, 770, 60):
            draw.rectangle((x, y, x + 40, y + 12), fill=30)
    light = Image.linear_gradient("L").rotate(90).resize(page.size)
    dark = Image.new("L", page.size, 0)
    return Image.composite(page, dark, light.point(lambda v: 255 - int((255 - v) * shadow)))


def _pgm(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PPM")
    return out.getvalue()


def test_given_a_flat_scan_then_its_image_goes_to_ocr_unchanged():
    page = _page(shadow=0.0)
    assert paper_spread(page) <= UNEVEN_SPREAD

    assert even_lighting(_pgm(page)) == _pgm(page)


def test_given_a_photo_with_a_shadow_across_then_paper_is_white_and_ink_black_on_both_sides():
    page = _page(shadow=0.6)
    paper_lit, paper_shade, ink_lit = (
        page.getpixel((755, 300)),
        page.getpixel((20, 300)),
        page.getpixel((710, 46)),
    )
    # The shadowed paper is nearer the ink than the lit paper: one threshold between them blackens it.
    assert paper_shade < (paper_lit + ink_lit) / 2
    assert paper_spread(page) > UNEVEN_SPREAD

    flat = Image.open(io.BytesIO(even_lighting(_pgm(page))))

    paper = [flat.getpixel((x, 300)) for x in (20, 755)]  # between bars, in the shadow and in the light
    ink = [flat.getpixel((x, 46)) for x in (50, 710)]  # a bar in the shadow and one in the light
    # Now one threshold splits ink from paper everywhere, with room to spare.
    assert max(ink) + 60 < min(paper), (ink, paper)
    assert min(paper) > 200
