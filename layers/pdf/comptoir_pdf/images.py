"""Photos and scans (JPEG, PNG, TIFF) to PDF, one page per image or TIFF frame, upright.

img2pdf embeds the image data as it is: a JPEG's bytes go into the PDF unchanged, and its EXIF
orientation becomes the page's /Rotate. Only mirrored orientations (EXIF 2, 4, 5, 7), which /Rotate
cannot express, and images img2pdf refuses (unusual TIFF modes) are decoded and re-encoded with
Pillow. A page is the image at its own resolution, fitted into an A4 sheet when far larger (a phone
photo at 72 dpi would otherwise be a metre wide).
"""

import io
import logging
import warnings

import img2pdf
from PIL import Image, ImageOps, UnidentifiedImageError

from comptoir_pdf.errors import TooManyPages, Unreadable

A4_LONG_PT = 842.0
A4_SHORT_PT = 595.0
# Letter, legal and A4 scans keep their size; a page half as long again as A4 is a photo's 72 dpi.
OVERSIZE = 1.5
MIRRORED_ORIENTATIONS = (2, 4, 5, 7)
EXIF_ORIENTATION = 0x0112
REENCODE_JPEG_QUALITY = 92

# img2pdf logs a warning for each image with an alpha channel or an odd orientation: noise here.
logging.getLogger("img2pdf").setLevel(logging.ERROR)


def fit_a4(imgwidthpx: float, imgheightpx: float, ndpi: tuple[float, float]) -> tuple[float, ...]:
    """img2pdf layout: the image's natural size (from its dpi); fitted into A4 when far larger."""
    width = imgwidthpx * 72.0 / (ndpi[0] or 96.0)
    height = imgheightpx * 72.0 / (ndpi[1] or 96.0)
    scale = 1.0
    if max(width, height) > OVERSIZE * A4_LONG_PT:
        scale = min(A4_LONG_PT / max(width, height), A4_SHORT_PT / min(width, height))
    return width * scale, height * scale, width * scale, height * scale


def image_to_pdf(data: bytes, *, max_pages: int) -> tuple[bytes, list[str]]:
    """A PDF of the image (every frame of a TIFF), and warnings for what was changed on the way."""
    image = _open(data)
    frames = getattr(image, "n_frames", 1)
    if frames > max_pages:
        raise TooManyPages(frames, max_pages)
    mirrored = any(_orientation(frame) in MIRRORED_ORIENTATIONS for frame in _frames(image))
    if not mirrored:
        try:
            return _convert(data, rotation=img2pdf.Rotation.ifvalid), []
        except Exception:  # noqa: S110 - img2pdf refuses some modes and compressions (with bare
            pass  # Exception at times): the frames are decoded and re-encoded below instead
    try:
        pages = [_upright_encoded(frame, image.format) for frame in _frames(image)]
        pdf = _convert(*pages, rotation=img2pdf.Rotation.none)
    except Exception as error:  # decoded fine above, yet neither img2pdf nor Pillow can write it
        raise Unreadable("the image is in a form we cannot convert") from error
    return pdf, ["The image was turned upright and re-encoded."] if mirrored else []


def _convert(*images: bytes, rotation) -> bytes:
    return img2pdf.convert(*images, rotation=rotation, layout_fun=fit_a4)


def _open(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Pillow warns past MAX_IMAGE_PIXELS (89 Mpx, phones reach 108) and refuses past twice that.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            _check_decodes(Image.open(io.BytesIO(data)))
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as error:
        raise Unreadable("the image is too large") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise Unreadable("the image is damaged or in a format we cannot read") from error
    return image


def _check_decodes(image: Image.Image) -> None:
    """Decode every frame (a JPEG at 1/8 scale, cheap): a truncated file fails here, not as a grey page."""
    if image.format == "JPEG":
        image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
    for frame in _frames(image):
        frame.load()


def _frames(image: Image.Image):
    for index in range(getattr(image, "n_frames", 1)):
        image.seek(index)
        yield image


def _orientation(frame: Image.Image) -> int:
    try:
        return int(frame.getexif().get(EXIF_ORIENTATION, 1))
    except (ValueError, TypeError, OSError, SyntaxError):
        return 1


def _upright_encoded(frame: Image.Image, original_format: str | None) -> bytes:
    """The frame decoded, turned upright by its EXIF orientation, in a mode a PDF holds, encoded."""
    upright = ImageOps.exif_transpose(frame.copy())
    if upright.mode.startswith("I;16"):
        # 16-bit grey (some scanners): Pillow's own conversion clips at 255 instead of scaling.
        upright = upright.convert("I").point(lambda value: value / 256).convert("L")
    elif upright.mode not in ("1", "L", "RGB", "RGBA", "LA", "CMYK", "P"):
        upright = upright.convert("RGBA" if "A" in upright.getbands() else "RGB")
    out = io.BytesIO()
    if original_format == "JPEG" and upright.mode in ("L", "RGB", "CMYK"):
        icc = upright.info.get("icc_profile")
        upright.save(out, "JPEG", quality=REENCODE_JPEG_QUALITY, **({"icc_profile": icc} if icc else {}))
    else:
        upright.save(out, "PNG")
    return out.getvalue()
