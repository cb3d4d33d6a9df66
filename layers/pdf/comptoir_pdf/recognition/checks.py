"""The checks a bookkeeper makes on an invoice's figures, as warnings in words."""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from comptoir_pdf.recognition.model import RecognisedField


def _dec(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def bookkeeper_warnings(fields: dict[str, RecognisedField], *, company_vat: str | None = None) -> list[str]:
    warnings: list[str] = []
    v = {name: f.value for name, f in fields.items()}
    excl, vat, incl = _dec(v.get("total_excl_vat")), _dec(v.get("vat_amount")), _dec(v.get("total_incl_vat"))
    if excl is not None and vat is not None and incl is not None and excl + vat != incl:
        warnings.append(
            f"total excl. VAT {excl} + VAT {vat} = {excl + vat}, but the total incl. VAT is {incl}"
        )
    rows = v.get("vat_breakdown") or []
    for row in rows:
        rate, base, tax = _dec(row.get("rate")), _dec(row.get("base")), _dec(row.get("vat"))
        if rate is None or base is None or tax is None:
            continue
        expected = (base * rate / 100).quantize(Decimal("0.01"))
        if abs(expected - tax) > max(Decimal("0.02"), base * Decimal("0.0005")):
            warnings.append(f"VAT at {row['rate']}%: {rate}% of {base} is {expected}, the invoice says {tax}")
    if rows:
        bases = sum((_dec(r.get("base")) or Decimal(0) for r in rows), Decimal(0))
        taxes = sum((_dec(r.get("vat")) or Decimal(0) for r in rows), Decimal(0))
        if excl is not None and bases != excl:
            warnings.append(f"the VAT bases add up to {bases}, the total excl. VAT is {excl}")
        if vat is not None and taxes != vat:
            warnings.append(f"the VAT per rate adds up to {taxes}, the VAT total is {vat}")
    issued, due = v.get("invoice_date"), v.get("due_date")
    if issued and due:
        try:
            if date.fromisoformat(due) < date.fromisoformat(issued):
                warnings.append(f"the due date {due} is before the invoice date {issued}")
        except ValueError:
            pass
    customer = v.get("customer_vat")
    if company_vat and customer and customer != company_vat and v.get("supplier_vat") != company_vat:
        warnings.append(
            f"the invoice is addressed to VAT number {customer}, not to the company's {company_vat}"
        )
    return warnings


COMPARED = ("total_incl_vat", "total_excl_vat", "vat_amount", "invoice_number", "iban")
LABELS = {
    "total_incl_vat": "total incl. VAT",
    "total_excl_vat": "total excl. VAT",
    "vat_amount": "VAT amount",
    "invoice_number": "invoice number",
    "iban": "IBAN",
}


def xml_pdf_warnings(
    xml_fields: dict[str, RecognisedField], pdf_fields: dict[str, RecognisedField]
) -> list[str]:
    """An e-invoice whose PDF shows other figures than its XML."""
    out = []
    for name in COMPARED:
        x, p = xml_fields.get(name), pdf_fields.get(name)
        if x is None or p is None or x.value is None or p.value is None or p.confidence < 0.75:
            continue
        if str(x.value).upper() != str(p.value).upper():
            out.append(f"the PDF shows {LABELS[name]} {p.value} but its XML says {x.value}")
    return out


def duplicate_key(fields: dict[str, Any]) -> str | None:
    """What makes two documents the same invoice: supplier VAT, invoice number, total incl. VAT.
    None when one of them is missing. Values may be fields or bare values."""

    def plain(value):
        return getattr(value, "value", value.get("value") if isinstance(value, dict) else value)

    vat = plain(fields.get("supplier_vat"))
    number = plain(fields.get("invoice_number"))
    total = plain(fields.get("total_incl_vat"))
    if not (vat and number and total):
        return None
    squashed = "".join(c for c in str(number).upper() if c.isalnum()).lstrip("0")
    amount = _dec(total)
    return f"{vat}|{squashed}|{abs(amount) if amount is not None else total}"
