"""E-invoices: UBL 2.1 (Peppol BIS Billing 3.0) and CII read to exact fields, and rendered."""

from comptoir_pdf.einvoice.embedded import attach_xml, embedded_xml
from comptoir_pdf.einvoice.model import EInvoice, NotAnEInvoice, Party, TaxRow
from comptoir_pdf.einvoice.parse import parse_einvoice, syntax_of
from comptoir_pdf.einvoice.render import render_pdf

__all__ = [
    "EInvoice",
    "NotAnEInvoice",
    "Party",
    "TaxRow",
    "attach_xml",
    "embedded_xml",
    "parse_einvoice",
    "render_pdf",
    "syntax_of",
]
