"""Real sample files made on the fly: text PDFs, photos and a plain invoice (hostile, broken and locked
PDFs are in tests/pdf/samples.py)."""

import io

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


def invoice_pdf(
    *,
    supplier: str = "Brasserie Dupont SRL",
    supplier_vat: str = "BE0403170701",
    number: str = "F2026-0042",
    issued: str = "15/10/2026",
    excl: str = "100,00",
    vat: str = "21,00",
    incl: str = "121,00",
    iban: str = "BE71 0961 2345 6769",
    note: str = "",
) -> bytes:
    """A plain French invoice with a text layer, addressed to Demo SRL (BE0417497106)."""
    lines = [
        (50, 60, supplier, 16),
        (50, 80, f"TVA {supplier_vat[:2]} {supplier_vat[2:6]}.{supplier_vat[6:9]}.{supplier_vat[9:]}", 10),
        (350, 60, "Client : Demo SRL", 10),
        (350, 75, "TVA BE 0417.497.106", 10),
        (50, 140, "FACTURE", 18),
        (50, 170, f"Facture n° : {number}", 11),
        (50, 188, f"Date de facture : {issued}", 11),
        (50, 260, "Description", 10),
        (400, 260, "Montant", 10),
        (50, 280, "Marchandises", 10),
        (400, 280, excl, 10),
        (300, 340, "Total HTVA", 11),
        (450, 340, excl, 11),
        (300, 358, "TVA 21 %", 11),
        (450, 358, vat, 11),
        (300, 376, "Total TVAC", 11),
        (450, 376, f"{incl} EUR", 11),
        (50, 440, f"IBAN : {iban}", 10),
        (50, 460, note, 9),
    ]
    document = pymupdf.open()
    page = document.new_page(width=595, height=842)
    for x, y, text, size in lines:
        if text:
            page.insert_text((x, y), text, fontsize=size)
    return document.tobytes()
