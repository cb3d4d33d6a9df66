"""Every accepted kind of file becomes a safe working PDF; everything else is a clear DocumentError."""

import io
import os
import subprocess

import pikepdf
import pymupdf
import pytest
from pikepdf import Array, Dictionary, Name, Stream
from PIL import Image

from comptoir_pdf.detect import Kind
from comptoir_pdf.errors import DocumentError, NeedsPassword, TooManyPages, Unreadable, Unsupported
from comptoir_pdf.normalise import Normalised, normalise
from comptoir_pdf.render import render_page
from tests.pdf import samples

ACTIVE = {
    "/JavaScript",
    "/JS",
    "/OpenAction",
    "/AA",
    "/Launch",
    "/SubmitForm",
    "/ImportData",
    "/EmbeddedFiles",
    "/FileAttachment",
    "/EF",
    "/AF",
}


def names_in(pdf_bytes: bytes) -> set[str]:
    """Every dictionary key and every name value of every object in the file."""
    found: set[str] = set()

    def walk(obj, depth=0):
        if depth > 50:
            return
        if isinstance(obj, Dictionary | Stream):
            for key, value in obj.items():
                found.add(key)
                if not (isinstance(value, Dictionary | Array | Stream) and value.is_indirect):
                    walk(value, depth + 1)
        elif isinstance(obj, Array):
            for item in obj:
                if not (isinstance(item, Dictionary | Array | Stream) and item.is_indirect):
                    walk(item, depth + 1)
        elif isinstance(obj, Name):
            found.add(str(obj))

    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        for obj in pdf.objects:
            walk(obj)
    return found


def qpdf_check(pdf_bytes: bytes, tmp_path) -> None:
    path = tmp_path / "working.pdf"
    path.write_bytes(pdf_bytes)
    subprocess.run(["qpdf", "--check", str(path)], check=True, capture_output=True)


def red_share(image_bytes: bytes, box: tuple[float, float, float, float]) -> float:
    """The share of clearly red pixels in a box given as fractions of the image (x0, y0, x1, y1)."""
    pixmap = pymupdf.Pixmap(image_bytes)
    x0, y0, x1, y1 = (int(f * d) for f, d in zip(box, (pixmap.width, pixmap.height) * 2, strict=True))
    points = [(x, y) for x in range(x0, x1, 7) for y in range(y0, y1, 7)]
    red = sum(1 for x, y in points if (p := pixmap.pixel(x, y))[0] > 150 and p[1] < 80 and p[2] < 80)
    return red / len(points)


# PDFs


def test_a_plain_pdf_keeps_its_pages_and_text_and_gets_no_warning(tmp_path):
    result = normalise(samples.text_pdf(3))
    assert result == Normalised(kind=Kind.PDF, pdf=result.pdf, pages=3, warnings=[], embedded_xml=None)
    with pymupdf.open(stream=result.pdf) as document:
        assert [page.get_text().strip() for page in document] == [f"Facture page {n}" for n in (1, 2, 3)]
    qpdf_check(result.pdf, tmp_path)


def test_a_hostile_pdf_loses_every_script_action_and_attachment(tmp_path):
    original = samples.hostile_pdf()
    assert ACTIVE - {"/AF"} <= names_in(original)  # the sample really holds all of them

    result = normalise(original)

    assert not ACTIVE & names_in(result.pdf)
    qpdf_check(result.pdf, tmp_path)
    # Nothing hides in a compressed object stream either: the uncompressed file holds none of it.
    with pikepdf.open(io.BytesIO(result.pdf)) as pdf:
        plain = io.BytesIO()
        pdf.save(plain, qdf=True, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    for word in (
        b"JavaScript",
        b"/JS",
        b"OpenAction",
        b"/AA",
        b"Launch",
        b"calc.exe",
        b"EmbeddedFiles",
        b"MZ",
    ):
        assert word not in plain.getvalue()
    assert result.pages == 2
    assert "JavaScript was removed." in result.warnings
    assert "An action that launches a program was removed." in result.warnings
    assert "Attached files were removed." in result.warnings
    assert "A form submission was removed." in result.warnings


def test_a_web_link_survives_while_the_script_chained_to_it_goes():
    result = normalise(samples.hostile_pdf())
    with pymupdf.open(stream=result.pdf) as document:
        links = [link.get("uri") for link in document[0].get_links()]
        assert "https://example.com/" in links
        assert document[0].get_text().strip() == "Facture page 1"


def test_the_original_bytes_are_left_as_they_were():
    original = samples.hostile_pdf()
    copy = bytes(original)
    normalise(original)
    assert original == copy


def test_a_facturx_invoice_gives_its_xml_before_attachments_are_removed():
    result = normalise(samples.facturx_pdf())
    assert result.embedded_xml == samples.CII_INVOICE
    assert result.pages == 1
    assert not {"/EmbeddedFiles", "/AF", "/EF"} & names_in(result.pdf)


def test_a_ubl_invoice_attached_to_a_pdf_the_belgian_way_is_found_whatever_its_name():
    result = normalise(samples.facturx_pdf(samples.UBL_INVOICE, name="INV-2026-0042.xml", associated=False))
    assert result.embedded_xml == samples.UBL_INVOICE


def test_the_facturx_xml_is_preferred_to_another_invoice_xml_beside_it():
    pdf = samples.hostile_pdf(
        attachments={"a-copy.xml": samples.UBL_INVOICE, "factur-x.xml": samples.CII_INVOICE}
    )
    assert normalise(pdf).embedded_xml == samples.CII_INVOICE


def test_an_attached_xml_that_is_not_an_invoice_is_not_taken_for_one():
    pdf = samples.hostile_pdf(attachments={"metadata.xml": b'<?xml version="1.0"?><notes>hi</notes>'})
    assert normalise(pdf).embedded_xml is None


def test_an_owner_password_only_pdf_becomes_an_unencrypted_working_copy():
    original = samples.encrypted_pdf(owner="owner-secret", user="")
    with pikepdf.open(io.BytesIO(original)) as pdf:
        assert pdf.is_encrypted

    result = normalise(original)

    with pikepdf.open(io.BytesIO(result.pdf)) as pdf:
        assert not pdf.is_encrypted
    assert result.pages == 2
    assert any("owner password" in warning for warning in result.warnings)


def test_a_pdf_that_needs_a_password_is_refused_with_a_clear_message():
    with pytest.raises(NeedsPassword) as raised:
        normalise(samples.encrypted_pdf(owner="owner-secret", user="user-secret"))
    assert "password" in raised.value.message


def test_a_pdf_without_its_cross_reference_table_is_repaired_and_says_so(tmp_path):
    result = normalise(samples.pdf_without_xref(3))
    assert result.pages == 3
    assert any("repaired" in warning for warning in result.warnings)
    with pymupdf.open(stream=result.pdf) as document:
        assert document[2].get_text().strip() == "Repairable page 3"
    qpdf_check(result.pdf, tmp_path)


def test_a_pdf_with_its_trailer_and_the_middle_of_a_page_cut_off_is_repaired():
    whole = samples.pdf_without_xref(3)
    data = whole[: whole.rindex(b"endstream")] + b"\x00\x00garbage"  # the last stream is cut short
    result = normalise(data)
    assert result.pages >= 1
    assert any("repaired" in warning for warning in result.warnings)


def test_a_pdf_qpdf_cannot_recover_is_repaired_by_mupdf():
    data = samples.compressed_pdf_without_xref(3)
    with pytest.raises(pikepdf.PdfError):
        pikepdf.open(io.BytesIO(data))

    result = normalise(data)

    assert result.pages == 3
    assert any("repaired" in warning for warning in result.warnings)
    with pymupdf.open(stream=result.pdf) as document:
        assert document[1].get_text().strip() == "Compressed page 2"


def test_a_pdf_damaged_beyond_repair_is_unreadable():
    with pytest.raises(Unreadable) as raised:
        normalise(samples.hopeless_pdf())
    assert raised.value.message == "The file cannot be read: the PDF is damaged beyond repair."


def test_a_pdf_without_pages_is_unreadable():
    with pytest.raises(Unreadable):
        normalise(samples.pdf_without_pages())


def test_more_pages_than_allowed_is_refused_with_the_count():
    with pytest.raises(TooManyPages) as raised:
        normalise(samples.text_pdf(6), max_pages=5)
    assert (raised.value.pages, raised.value.limit) == (6, 5)
    assert "6 pages" in raised.value.message


# Photos and scans


@pytest.mark.parametrize(("orientation", "rotate"), [(6, 90), (3, 180), (8, 270), (1, 0)])
def test_a_photo_is_upright_through_the_page_rotation_with_its_jpeg_bytes_unchanged(orientation, rotate):
    photo = samples.jpeg_with_orientation(orientation, upright=samples.upright_picture(300, 600))

    result = normalise(photo)

    assert (result.kind, result.pages, result.warnings) == (Kind.JPEG, 1, [])
    with pikepdf.open(io.BytesIO(result.pdf)) as pdf:
        page = pdf.pages[0]
        assert int(page.obj.get(Name.Rotate, 0)) == rotate
        ((_, image),) = page.Resources.XObject.items()
        assert image.Filter == Name.DCTDecode
        assert image.read_raw_bytes() == photo
    with pymupdf.open(stream=result.pdf) as document:
        shown = document[0].rect
        assert shown.height == pytest.approx(2 * shown.width)  # portrait, as the picture was taken
    preview = render_page(result.pdf, 1, "preview")
    assert red_share(preview, (0.1, 0.05, 0.9, 0.45)) > 0.95
    assert red_share(preview, (0.1, 0.55, 0.9, 0.95)) == 0


def test_a_mirrored_photo_is_turned_and_re_encoded():
    photo = samples.jpeg_with_orientation(2, upright=samples.upright_picture(600, 300, red="left"))
    result = normalise(photo)
    assert result.warnings == ["The image was turned upright and re-encoded."]
    preview = render_page(result.pdf, 1, "preview")
    assert red_share(preview, (0.05, 0.1, 0.45, 0.9)) > 0.95
    assert red_share(preview, (0.55, 0.1, 0.95, 0.9)) == 0


def test_a_phone_photo_at_72_dpi_fits_on_an_a4_page():
    photo = samples.jpeg_with_orientation(1, upright=samples.upright_picture(3000, 4000))
    with pymupdf.open(stream=normalise(photo).pdf) as document:
        shown = document[0].rect
    assert shown.width == pytest.approx(595, abs=1)  # A4's width, the height within A4's
    assert shown.height / shown.width == pytest.approx(4000 / 3000, rel=0.01)


def test_a_png_with_transparency_becomes_a_one_page_pdf():
    result = normalise(samples.png(300, 200, mode="RGBA"))
    assert (result.kind, result.pages) == (Kind.PNG, 1)
    with pymupdf.open(stream=result.pdf) as document:
        assert document[0].rect.width / document[0].rect.height == pytest.approx(1.5)
    preview = render_page(result.pdf, 1, "preview")
    assert red_share(preview, (0.1, 0.05, 0.9, 0.45)) > 0.95


@pytest.mark.parametrize("mode", ["1", "L", "RGB"])
def test_a_multi_page_tiff_scan_becomes_a_pdf_with_a_page_per_frame(mode):
    result = normalise(samples.tiff(3, mode=mode))
    assert (result.kind, result.pages) == (Kind.TIFF, 3)
    with pymupdf.open(stream=result.pdf) as document:
        # 850 x 1100 px at 100 dpi: 612 x 792 pt.
        assert [tuple(round(v) for v in page.rect[2:]) for page in document] == [(612, 792)] * 3


def test_a_fax_tiff_keeps_its_group_4_compression():
    result = normalise(samples.tiff(1, mode="1"))
    with pikepdf.open(io.BytesIO(result.pdf)) as pdf:
        xobjects = pdf.pages[0].Resources.XObject
        ((_, image),) = xobjects.items()
        assert Name.CCITTFaxDecode in (image.Filter if isinstance(image.Filter, Array) else [image.Filter])


def test_a_16_bit_grey_scan_img2pdf_refuses_is_decoded_and_keeps_its_grey_level():
    scan = Image.new("I;16", (400, 200), 30000)  # 30000 of 65535: a mid grey, 117 of 255
    out = io.BytesIO()
    scan.save(out, "TIFF")

    result = normalise(out.getvalue())

    assert result.pages == 1
    thumb = pymupdf.Pixmap(render_page(result.pdf, 1, "thumb"))
    assert thumb.pixel(100, 50) == pytest.approx((117, 117, 117), abs=2)


def test_a_tiff_with_more_frames_than_allowed_is_refused():
    with pytest.raises(TooManyPages):
        normalise(samples.tiff(3, mode="L"), max_pages=2)


def test_a_truncated_photo_is_unreadable():
    photo = samples.jpeg_with_orientation(1, upright=samples.upright_picture(300, 600))
    with pytest.raises(Unreadable):
        normalise(photo[: len(photo) // 2])


# HTML and e-invoices


def test_an_html_page_becomes_a_pdf_showing_its_text():
    result = normalise(b"<html><body><h1>Facture 42</h1><p>Total: 121,00 EUR</p></body></html>")
    assert (result.kind, result.pages) == (Kind.HTML, 1)
    with pymupdf.open(stream=result.pdf) as document:
        assert "Facture 42" in document[0].get_text()
        assert "Total: 121,00 EUR" in document[0].get_text()


@pytest.mark.parametrize("xml", [samples.UBL_INVOICE, samples.UBL_CREDIT_NOTE, samples.CII_INVOICE])
def test_an_e_invoice_xml_is_recognised_and_left_for_invoice_recognition_to_render(xml):
    result = normalise(xml)
    assert result.kind in (Kind.UBL, Kind.CII)
    assert (result.pdf, result.pages, result.embedded_xml) == (None, 0, None)


# What is refused


@pytest.mark.parametrize(
    "data",
    [samples.exe(), os.urandom(5000), b"PK\x03\x04 a zip archive", b'<?xml version="1.0"?><notes/>'],
    ids=["exe", "random", "zip", "other-xml"],
)
def test_any_other_kind_of_file_is_unsupported(data):
    with pytest.raises(Unsupported) as raised:
        normalise(data)
    assert raised.value.kind == "other"
    assert "not supported" in raised.value.message


@pytest.mark.parametrize("data", [b"", b"  \r\n"], ids=["empty", "blank"])
def test_an_empty_file_is_unreadable(data):
    with pytest.raises(Unreadable) as raised:
        normalise(data)
    assert raised.value.message == "The file cannot be read: the file is empty."


def test_every_refusal_is_a_document_error_with_a_code_and_a_message():
    for error in (NeedsPassword(), Unreadable("x"), TooManyPages(9, 5), Unsupported("other")):
        assert isinstance(error, DocumentError)
        assert error.code and error.message.endswith(".")
