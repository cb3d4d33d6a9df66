"""`comptoir extract FILE [--json] [--company-vat BE0…]`: the invoice fields of a PDF, an image or a
UBL/CII file, printed for a person or as one JSON object."""

import json
import sys
from pathlib import Path

import pymupdf

from comptoir_pdf.recognition import FIELD_NAMES, TESSERACT, CompanyIdentity, TesseractEngine, recognise
from comptoir_pdf.recognition.values import normalise_vat

MAX_BYTES = 50 * 1024 * 1024


def _as_pdf(data: bytes) -> tuple[bytes, bytes | None]:
    """(pdf, xml): an e-invoice is rendered for reading; an image becomes a one-page PDF."""
    from comptoir_pdf.einvoice import render_pdf, syntax_of

    head = data[:1024].lstrip()
    if head.startswith(b"%PDF") or data[:1024].find(b"%PDF") >= 0:
        return data, None
    if head.startswith(b"<") and syntax_of(data):
        return render_pdf(data), data
    try:
        with pymupdf.open(stream=data) as image:
            return image.convert_to_pdf(), None
    except (RuntimeError, ValueError) as error:
        raise ValueError("not a PDF, an image, nor a UBL/CII invoice") from error


def extract_command(
    file: Path, *, as_json: bool, company_vat: str | None, company_ibans: list[str] | None = None
) -> int:
    try:
        data = file.read_bytes()
    except OSError as error:
        print(f"comptoir extract: cannot read {file}: {error.strerror}", file=sys.stderr)
        return 2
    if len(data) > MAX_BYTES:
        print("comptoir extract: file larger than 50 MB", file=sys.stderr)
        return 2
    vat = None
    if company_vat:
        vat = normalise_vat(company_vat if company_vat.upper().startswith("BE") else "BE" + company_vat)
        if vat is None:
            print(f"comptoir extract: {company_vat} is not a valid VAT number", file=sys.stderr)
            return 2
    try:
        pdf, xml = _as_pdf(data)
    except ValueError as error:
        print(f"comptoir extract: {error}", file=sys.stderr)
        return 2
    ocr = TESSERACT if TesseractEngine.available() else None
    rec = recognise(pdf, company=CompanyIdentity(vat=vat, ibans=company_ibans or []), xml=xml, ocr=ocr)
    if as_json:
        out = {
            "fields": {
                name: (
                    {"value": f.value, "confidence": round(f.confidence, 3), "source": f.source}
                    if (f := rec.fields.get(name)) is not None
                    else {"value": None, "confidence": 0.0, "source": None}
                )
                for name in FIELD_NAMES
            }
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
        for warning in rec.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        return 0
    width = max(len(n) for n in FIELD_NAMES)
    for name in FIELD_NAMES:
        f = rec.fields.get(name)
        if f is None:
            print(f"{name:<{width}}  -")
            continue
        value = f.value
        if name == "vat_breakdown":
            value = ", ".join(f"{r['rate']}%: {r['base']} + {r['vat']}" for r in value)
        print(f"{name:<{width}}  {value}   ({f.confidence:.2f} {f.source})")
    for warning in rec.warnings:
        print(f"warning: {warning}")
    return 0
