"""A readable PDF of an e-invoice, for the preview: parties, dates, lines, VAT, totals, payment."""

import io
from decimal import Decimal
from html import escape

import pymupdf

from comptoir_pdf.einvoice.model import EInvoice, Party
from comptoir_pdf.einvoice.parse import parse_einvoice

TITLES = {
    "invoice": "Invoice / Facture / Factuur",
    "credit_note": "Credit note / Note de crédit / Creditnota",
}

CSS = """
* { font-family: sans-serif; font-size: 9pt; }
h1 { font-size: 16pt; margin: 0 0 4pt 0; }
.muted { color: #666666; }
table { border-collapse: collapse; width: 100%; }
th { text-align: left; border-bottom: 1px solid #444444; padding: 2pt; }
td { padding: 2pt; border-bottom: 1px solid #dddddd; }
td.n, th.n { text-align: right; }
.box { border: 1px solid #999999; padding: 4pt; }
"""


def _money(value: Decimal | None, currency: str | None) -> str:
    if value is None:
        return ""
    return f"{value:,.2f} {currency or ''}".strip()


def _num(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def _party(title: str, party: Party) -> str:
    lines = [f"<b>{escape(party.name or '—')}</b>"]
    if party.street:
        lines.append(escape(party.street))
    place = " ".join(p for p in (party.postal_code, party.city) if p)
    if place or party.country:
        lines.append(escape(" ".join(p for p in (place, party.country) if p)))
    if party.vat:
        lines.append(f"VAT {escape(party.vat)}")
    elif party.enterprise_number:
        lines.append(f"Enterprise {escape(party.enterprise_number)}")
    if party.email:
        lines.append(escape(party.email))
    return f'<td style="width:50%; vertical-align: top;"><span class="muted">{title}</span><br/>{"<br/>".join(lines)}</td>'


def invoice_html(inv: EInvoice) -> str:
    cur = inv.currency
    meta = [
        ("Number", inv.number),
        ("Issue date", inv.issue_date),
        ("Due date", inv.due_date),
        ("Currency", cur),
        ("Buyer reference", inv.buyer_reference),
    ]
    meta_html = "".join(f"<tr><td>{k}</td><td><b>{escape(v)}</b></td></tr>" for k, v in meta if v)
    lines_html = "".join(
        "<tr>"
        f"<td>{escape(line.id or '')}</td><td>{escape(line.name or '')}</td>"
        f'<td class="n">{_num(line.quantity)} {escape(line.unit or "")}</td>'
        f'<td class="n">{_money(line.price, None)}</td><td class="n">{_num(line.rate)}%</td>'
        f'<td class="n">{_money(line.amount, None)}</td>'
        "</tr>"
        for line in inv.lines
    )
    tax_html = "".join(
        f'<tr><td>{_num(r.rate)}% {escape(r.category or "")}</td><td class="n">{_money(r.base, cur)}</td>'
        f'<td class="n">{_money(r.vat, cur)}</td></tr>'
        for r in inv.breakdown
    )
    totals = [
        ("Total excl. VAT", inv.total_excl_vat),
        ("VAT", inv.vat_amount),
        ("Total incl. VAT", inv.total_incl_vat),
        ("Amount due", inv.payable_amount),
    ]
    totals_html = "".join(
        f'<tr><td>{k}</td><td class="n"><b>{_money(v, cur)}</b></td></tr>' for k, v in totals if v is not None
    )
    payment = []
    if inv.iban:
        payment.append(f"IBAN {escape(inv.iban)}")
    if inv.bic:
        payment.append(f"BIC {escape(inv.bic)}")
    if inv.payment_reference:
        payment.append(f"Reference {escape(inv.payment_reference)}")
    notes = "".join(f"<p>{escape(n)}</p>" for n in inv.notes)
    return f"""
<h1>{TITLES.get(inv.document_type, "Invoice")}</h1>
<p class="muted">Electronic invoice ({"UBL" if inv.syntax == "ubl" else "CII"}); this page is a rendering of its XML.</p>
<table><tr>{_party("Supplier", inv.supplier)}{_party("Customer", inv.customer)}</tr></table>
<br/>
<table>{meta_html}</table>
<br/>
<table>
<tr><th>#</th><th>Item</th><th class="n">Quantity</th><th class="n">Price</th><th class="n">VAT</th><th class="n">Amount</th></tr>
{lines_html}
</table>
<br/>
<table><tr><th>VAT rate</th><th class="n">Base</th><th class="n">VAT</th></tr>{tax_html}</table>
<br/>
<table>{totals_html}</table>
<br/>
<p class="box">{" &#183; ".join(payment) or "No payment details"}</p>
{notes}
"""


def render_pdf(xml: bytes) -> bytes:
    """UBL or CII bytes → a PDF that shows what the XML says (raises NotAnEInvoice otherwise)."""
    inv = parse_einvoice(xml)
    story = pymupdf.Story(html=invoice_html(inv), user_css=CSS)
    out = io.BytesIO()
    writer = pymupdf.DocumentWriter(out)
    mediabox = pymupdf.paper_rect("a4")
    where = mediabox + (40, 40, -40, -40)
    more = True
    pages = 0
    while more and pages < 50:
        device = writer.begin_page(mediabox)
        more, _ = story.place(where)
        story.draw(device)
        writer.end_page()
        pages += 1
    writer.close()
    return out.getvalue()
