"""Each page gives a PNG thumbnail about 200 px wide and a JPEG preview about 1200 px wide, as shown."""

import pymupdf
import pytest

from comptoir_pdf.errors import Unreadable
from comptoir_pdf.normalise import normalise
from comptoir_pdf.render import IMAGE_CONTENT_TYPE, PageImage, render_page, render_pages
from tests.pdf import samples


def dimensions(image: bytes) -> tuple[int, int]:
    pixmap = pymupdf.Pixmap(image)
    return pixmap.width, pixmap.height


def test_every_page_is_drawn_in_both_sizes_page_by_page():
    images = list(render_pages(samples.text_pdf(3)))
    assert [(image.page, image.size) for image in images] == [
        (page, size) for page in (1, 2, 3) for size in ("thumb", "preview")
    ]
    for image in images:
        assert isinstance(image, PageImage)
        assert image.content_type == IMAGE_CONTENT_TYPE[image.size]


def test_a_thumbnail_is_a_png_200_pixels_wide_and_a_preview_a_jpeg_1200_wide():
    thumb, preview = (image.data for image in render_pages(samples.text_pdf(1)))
    assert thumb.startswith(b"\x89PNG\r\n\x1a\n")
    assert preview.startswith(b"\xff\xd8\xff")
    assert IMAGE_CONTENT_TYPE == {"thumb": "image/png", "preview": "image/jpeg"}
    assert dimensions(thumb) == (200, pytest.approx(283, abs=1))  # A4's proportions
    assert dimensions(preview) == (1200, pytest.approx(1698, abs=1))


def test_a_rotated_page_is_drawn_as_it_is_shown():
    thumb = render_page(samples.text_pdf(1, rotate=90), 1, "thumb")
    assert dimensions(thumb) == (200, pytest.approx(141, abs=1))


def test_one_page_in_one_size_is_the_same_image_as_in_the_whole_run():
    pdf = samples.text_pdf(3)
    everything = {(image.page, image.size): image.data for image in render_pages(pdf)}
    assert render_page(pdf, 2, "preview") == everything[(2, "preview")]
    assert [image.page for image in render_pages(pdf, sizes=("thumb",), pages=[3, 1])] == [3, 1]


def test_a_page_outside_the_document_or_an_unknown_size_is_a_value_error():
    pdf = samples.text_pdf(2)
    with pytest.raises(ValueError, match="page 3"):
        render_page(pdf, 3, "thumb")
    with pytest.raises(ValueError, match="page 0"):
        render_page(pdf, 0, "thumb")
    with pytest.raises(ValueError, match="size"):
        render_page(pdf, 1, "poster")


def test_a_till_receipt_is_drawn_narrower_rather_than_absurdly_long():
    document = pymupdf.open()
    document.new_page(width=226, height=2835)  # 8 cm by 1 m
    width, height = dimensions(render_page(document.tobytes(), 1, "preview"))
    assert height == pytest.approx(7200, abs=2)
    assert width < 1200


def test_a_photo_normalised_to_pdf_renders_upright():
    photo = samples.jpeg_with_orientation(6, upright=samples.upright_picture(300, 600))
    width, height = dimensions(render_page(normalise(photo).pdf, 1, "thumb"))
    assert (width, height) == (200, 400)


def test_bytes_that_are_not_a_pdf_cannot_be_drawn():
    with pytest.raises(Unreadable):
        list(render_pages(b"not a pdf at all"))
