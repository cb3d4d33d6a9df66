"""Real sample files made on the fly: text PDFs, photos, broken and locked PDFs. One place for every test."""

import io

import pikepdf
import pymupdf
from PIL import Image


def text_pdf(*pages: str) -> bytes:
    """A PDF with a real text layer, one page (A4) per text."""
    document = pymupdf.open()
    for text in pages or ("Invoice",):
        page = document.new_page(width=595, height=842)
        page.insert_text((72, 100), text, fontsize=14)
    return document.tobytes()


def jpeg_photo(width: int = 400, height: int = 300, *, orientation: int | None = None) -> bytes:
    """A JPEG 'photo' (a coloured block on white), with an EXIF orientation tag if asked."""
    image = Image.new("RGB", (width, height), "white")
    image.paste((200, 30, 30), (0, 0, width // 2, height // 3))
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    image.save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()


def encrypted_pdf(*, user_password: str = "", owner_password: str = "owner-secret") -> bytes:  # noqa: S107
    """A PDF encrypted with AES-256; with an empty user password anybody can open it."""
    source = pikepdf.open(io.BytesIO(text_pdf("Locked invoice")))
    out = io.BytesIO()
    source.save(out, encryption=pikepdf.Encryption(user=user_password, owner=owner_password, R=6))
    return out.getvalue()


def hopeless_pdf() -> bytes:
    """Starts like a PDF, holds nothing a repair could rescue."""
    return b"%PDF-1.7\n" + b"\x00garbage\xff" * 40 + b"\n%%EOF\n"
