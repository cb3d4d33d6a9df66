"""Real files made on the spot with PyMuPDF, pikepdf and Pillow: PDFs good, hostile and broken, photos, scans."""

import io
import os

import pikepdf
import pymupdf
from pikepdf import Array, Dictionary, Name, String
from PIL import Image

UBL_INVOICE = b"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
         xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
  <cbc:ID>INV-2026-0042</cbc:ID>
  <cbc:IssueDate>2026-11-02</cbc:IssueDate>
</Invoice>
"""
UBL_CREDIT_NOTE = b"""<?xml version="1.0" encoding="UTF-8"?>
<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
            xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>CN-7</cbc:ID>
</CreditNote>
"""
CII_INVOICE = b"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100">
  <rsm:ExchangedDocument><ram:ID>FX-2026-7</ram:ID></rsm:ExchangedDocument>
</rsm:CrossIndustryInvoice>
"""
# Upright pictures are painted red on top (or on the left) and white elsewhere: a test renders the
# page and looks where the red is.
RED = (220, 0, 0)
WHITE = (255, 255, 255)


def text_pdf(pages: int = 1, *, text: str = "Facture", rotate: int = 0) -> bytes:
    document = pymupdf.open()
    for number in range(1, pages + 1):
        page = document.new_page(width=595, height=842)
        page.insert_text((72, 100), f"{text} page {number}", fontsize=14)
        if rotate:
            page.set_rotation(rotate)
    return document.tobytes()


def hostile_pdf(*, attachments: dict[str, bytes] | None = None) -> bytes:
    """A two-page PDF with every kind of active content we strip, and a harmless web link we keep."""
    pdf = pikepdf.open(io.BytesIO(text_pdf(2)))
    js = Dictionary(Type=Name.Action, S=Name.JavaScript, JS=String("app.alert('hi')"))
    pdf.Root.OpenAction = pdf.make_indirect(js)
    pdf.Root.AA = Dictionary(WC=Dictionary(S=Name.JavaScript, JS=String("this.closeDoc()")))
    script_stream = pdf.make_stream(b"app.launchURL('http://example.invalid/')")
    pdf.Root.Names = Dictionary(
        JavaScript=Dictionary(Names=Array([String("init"), Dictionary(S=Name.JavaScript, JS=script_stream)]))
    )
    page = pdf.pages[0].obj
    page.AA = Dictionary(O=Dictionary(S=Name.JavaScript, JS=String("app.beep(0)")))
    launch = Dictionary(S=Name.Launch, F=String("calc.exe"), Win=Dictionary(F=String("cmd.exe")))
    uri_with_js_next = Dictionary(
        S=Name.URI, URI=String("https://example.com/"), Next=Dictionary(S=Name.JavaScript, JS=String("x()"))
    )
    link = lambda action, y: pdf.make_indirect(  # noqa: E731
        Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=Array([72, y, 300, y + 20]), A=action)
    )
    submit = Dictionary(S=Name.SubmitForm, F=Dictionary(FS=Name.URL, F=String("http://example.invalid/post")))
    widget = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Widget,
            FT=Name.Btn,
            T=String("send"),
            Rect=Array([72, 400, 200, 430]),
            A=submit,
            AA=Dictionary(K=Dictionary(S=Name.JavaScript, JS=String("event.value=1"))),
        )
    )
    attached = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.FileAttachment,
            Rect=Array([400, 700, 420, 720]),
            FS=Dictionary(
                Type=Name.Filespec,
                F=String("payload.exe"),
                EF=Dictionary(F=pdf.make_stream(b"MZ\x90\x00 not really a program")),
            ),
        )
    )
    import_data = Dictionary(S=Name.ImportData, F=String("data.fdf"))
    page.Annots = Array(
        [link(launch, 600), link(uri_with_js_next, 560), link(import_data, 520), widget, attached]
    )
    pdf.Root.AcroForm = Dictionary(Fields=Array([widget]))
    pdf.pages[1].obj.AA = Dictionary(C=Dictionary(S=Name.Launch, F=String("/bin/sh")))
    outline = pdf.make_indirect(Dictionary(Type=Name.Outlines, Count=1))
    item = pdf.make_indirect(
        Dictionary(
            Title=String("Click me"), Parent=outline, A=Dictionary(S=Name.JavaScript, JS=String("y()"))
        )
    )
    outline.First = outline.Last = item
    pdf.Root.Outlines = outline
    for name, data in (attachments or {"notes.txt": b"hello"}).items():
        pdf.attachments[name] = pikepdf.AttachedFileSpec(pdf, data, filename=name)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def facturx_pdf(xml: bytes = CII_INVOICE, *, name: str = "factur-x.xml", associated: bool = True) -> bytes:
    """A hybrid invoice: the XML attached, and listed in the catalog's /AF as Factur-X requires."""
    pdf = pikepdf.open(io.BytesIO(text_pdf(1, text="Invoice FX-2026-7")))
    spec = pikepdf.AttachedFileSpec(pdf, xml, filename=name, mime_type="text/xml")
    pdf.attachments[name] = spec
    if associated:
        spec.obj.AFRelationship = Name.Data
        pdf.Root.AF = Array([spec.obj])
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def encrypted_pdf(*, owner: str, user: str) -> bytes:
    pdf = pikepdf.open(io.BytesIO(text_pdf(2, text="Protected")))
    out = io.BytesIO()
    pdf.save(
        out, encryption=pikepdf.Encryption(owner=owner, user=user, allow=pikepdf.Permissions(extract=False))
    )
    return out.getvalue()


def pdf_without_xref(pages: int = 3) -> bytes:
    """A PDF cut just before its cross-reference table: readers rebuild it by scanning the objects."""
    pdf = pikepdf.open(io.BytesIO(text_pdf(pages, text="Repairable")))
    out = io.BytesIO()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    data = out.getvalue()
    return data[: data.rindex(b"\nxref") + 1]


def compressed_pdf_without_xref(pages: int = 3) -> bytes:
    """Objects packed in object streams, the cross-reference stream cut off: qpdf gives up, MuPDF not."""
    pdf = pikepdf.open(io.BytesIO(text_pdf(pages, text="Compressed")))
    out = io.BytesIO()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    data = out.getvalue()
    return data[: data.rindex(b"endobj", 0, data.rindex(b"/Type /XRef")) + len(b"endobj\n")]


def hopeless_pdf() -> bytes:
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + os.urandom(4000)


def pdf_without_pages() -> bytes:
    pdf = pikepdf.new()
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def upright_picture(width: int, height: int, *, red: str = "top") -> Image.Image:
    picture = Image.new("RGB", (width, height), WHITE)
    box = (0, 0, width, height // 2) if red == "top" else (0, 0, width // 2, height)
    picture.paste(RED, box)
    return picture


def jpeg_with_orientation(orientation: int, *, upright: Image.Image) -> bytes:
    """The bytes a camera writes: pixels stored as the sensor saw them, EXIF saying how to turn them."""
    stored = {
        1: upright,
        2: upright.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
        3: upright.transpose(Image.Transpose.ROTATE_180),
        6: upright.transpose(Image.Transpose.ROTATE_90),  # counter-clockwise: the viewer turns it back
        8: upright.transpose(Image.Transpose.ROTATE_270),
    }[orientation]
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    stored.save(out, "JPEG", quality=90, exif=exif.tobytes(), dpi=(72, 72))
    return out.getvalue()


def png(width: int = 300, height: int = 200, *, mode: str = "RGBA") -> bytes:
    picture = upright_picture(width, height).convert(mode)
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def tiff(pages: int = 3, *, mode: str = "1") -> bytes:
    """A fax-like multi-page scan, CCITT group 4 as scanners write it (or LZW for other modes)."""
    picture = upright_picture(850, 1100).convert("L")
    if mode == "1":
        picture = picture.point(lambda value: 255 if value > 128 else 0, "1")
    frames = [picture.convert(mode) for _ in range(pages)]
    out = io.BytesIO()
    compression = "group4" if mode == "1" else "tiff_lzw"
    frames[0].save(
        out, "TIFF", save_all=True, append_images=frames[1:], compression=compression, dpi=(100, 100)
    )
    return out.getvalue()


def exe() -> bytes:
    return (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
        + b"\x00" * 48
        + b"This program cannot be run in DOS mode."
    )
