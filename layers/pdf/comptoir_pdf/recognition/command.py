"""`comptoir extract FILE [--json] [--company-vat BE0…]`: the invoice fields of a PDF, an image or a
UBL/CII file, printed for a person or as one JSON object."""

import json
import sys
from pathlib import Path

from comptoir_pdf.errors import DocumentError
from comptoir_pdf.recognition import FIELD_NAMES, TESSERACT, CompanyIdentity, TesseractEngine, recognise
from comptoir_pdf.recognition.inputs import prepare
from comptoir_pdf.recognition.values import normalise_vat

MAX_BYTES = 50 * 1024 * 1024


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
        # The pipeline's own conversion: an image, an HTML page, a damaged PDF become the same PDF.
        prepared = prepare(data)
    except DocumentError as error:
        print(f"comptoir extract: {error.message}", file=sys.stderr)
        return 2
    ocr = TESSERACT if TesseractEngine.available() else None
    rec = recognise(
        prepared.pdf, company=CompanyIdentity(vat=vat, ibans=company_ibans or []), xml=prepared.xml, ocr=ocr
    )
    rec.warnings[:0] = prepared.normalised.warnings
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
