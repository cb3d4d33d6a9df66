"""An e-invoice as read from its XML (UBL 2.1 / Peppol BIS Billing 3.0, or UN/CEFACT CII)."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from comptoir_pdf.recognition.values import amount_str, normalise_iban, normalise_vat, rate_str


class NotAnEInvoice(ValueError):
    """The bytes are not a UBL Invoice/CreditNote nor a CII CrossIndustryInvoice we can read."""


@dataclass
class Party:
    name: str | None = None
    vat: str | None = None  # as written
    enterprise_number: str | None = None
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country: str | None = None
    email: str | None = None


@dataclass
class Line:
    id: str | None
    name: str | None
    quantity: Decimal | None
    unit: str | None
    price: Decimal | None
    amount: Decimal | None
    rate: Decimal | None


@dataclass
class TaxRow:
    rate: Decimal
    base: Decimal
    vat: Decimal
    category: str | None = None


@dataclass
class EInvoice:
    syntax: str  # "ubl" | "cii"
    document_type: str  # "invoice" | "credit_note"
    type_code: str | None
    number: str | None
    issue_date: str | None  # ISO
    due_date: str | None
    currency: str | None
    supplier: Party
    customer: Party
    total_excl_vat: Decimal | None
    vat_amount: Decimal | None
    total_incl_vat: Decimal | None
    payable_amount: Decimal | None
    breakdown: list[TaxRow] = field(default_factory=list)
    iban: str | None = None
    bic: str | None = None
    payment_reference: str | None = None
    lines: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    buyer_reference: str | None = None
    attached_pdf: bytes | None = None  # a UBL may carry the supplier's own PDF

    @property
    def structured_reference(self) -> str | None:
        from comptoir_pdf.recognition.values import structured_reference_valid

        if not self.payment_reference:
            return None
        digits = "".join(c for c in self.payment_reference if c.isdigit())
        stripped = self.payment_reference.strip().strip("+*").replace("/", "").replace(" ", "")
        if len(digits) == 12 and stripped.isdigit() and structured_reference_valid(digits):
            return digits
        return None

    def fields(self) -> dict[str, Any]:
        """The recognition fields, JSON-ready, None where the XML does not say."""

        def vat(value: str | None) -> str | None:
            if not value:
                return None
            return normalise_vat(value) or value.replace(" ", "").upper()

        def money(value: Decimal | None) -> str | None:
            return amount_str(value) if value is not None else None

        supplier_vat = vat(self.supplier.vat)
        if supplier_vat is None and self.supplier.enterprise_number:
            supplier_vat = normalise_vat("BE" + self.supplier.enterprise_number)
        customer_vat = vat(self.customer.vat)
        if customer_vat is None and self.customer.enterprise_number:
            customer_vat = normalise_vat("BE" + self.customer.enterprise_number)
        breakdown = [
            {"rate": rate_str(r.rate), "base": amount_str(r.base), "vat": amount_str(r.vat)}
            for r in sorted(self.breakdown, key=lambda r: -r.rate)
        ]
        return {
            "document_type": self.document_type,
            "supplier_name": self.supplier.name,
            "supplier_vat": supplier_vat,
            "customer_vat": customer_vat,
            "invoice_number": self.number,
            "invoice_date": self.issue_date,
            "due_date": self.due_date,
            "currency": self.currency,
            "total_excl_vat": money(self.total_excl_vat),
            "vat_amount": money(self.vat_amount),
            "total_incl_vat": money(self.total_incl_vat),
            "vat_breakdown": breakdown or None,
            "iban": (normalise_iban(self.iban) or self.iban.replace(" ", "").upper()) if self.iban else None,
            "bic": self.bic.replace(" ", "").upper() if self.bic else None,
            "structured_reference": self.structured_reference,
        }
