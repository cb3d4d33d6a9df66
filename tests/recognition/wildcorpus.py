"""A second corpus of invoices, written apart from `corpus.py` and from the recogniser.

Another rendering route (HTML/CSS through PyMuPDF's Story, several stories placed on a page like
the blocks of a real letterhead), other layouts (German DIN letters with an address window,
bilingual French/Dutch grids, swapped supplier/customer columns, logo-only letterheads, labels
above, left of, right of and below their values, totals only in a table's last row, two-page
utility bills with the totals on page 2, receipts), other vocabularies, amount and date formats.
Its scans, photos (perspective, shadow, JPEG) and faxes are degraded here too, by its own code.

THE SPLIT IS A RULE: even seeds are the development half (look at them, tune on them, test on
them); odd seeds are the test half, scored by `benchmarks/recognition.py` only. Nobody tunes on
the test half: `benchmark_half` asks its caller to say it is the benchmark, and tests use
`development_half` (or `wild(seed)` with an even seed, which `wild` checks).

    sample = wild(10)                # a text PDF (development half)
    sample = wild(12, medium="photo")  # a JPEG as a phone gives it
"""

import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from html import escape
from typing import Any

import pymupdf
from PIL import Image, ImageDraw, ImageFilter
from stdnum import iban as std_iban
from stdnum.iso7064 import mod_11_10

from comptoir_pdf.recognition import CompanyIdentity
from tests.recognition.amounts import VatTotals

# The customer every document is addressed to (the company using Comptoir).
OWN_NAME = "Comptoir Fiduciaire Lambert SRL"
OWN_STREET, OWN_CITY = "Avenue Louise 231", "1050 Ixelles"
CENT = Decimal("0.01")

LAYOUTS = ("din", "bilingual", "swap", "logo", "below", "utility", "lastrow", "receipt", "multipage")
LANGUAGES = ("fr", "nl", "en", "de")
MEDIA = ("text", "scan", "photo", "fax")


def be_vat(rng: random.Random) -> str:
    body = rng.choice("01") + "".join(rng.choice("0123456789") for _ in range(7))
    return f"BE{body}{97 - int(body) % 97:02d}"


_OWN_BODY = "04629202"
OWN_VAT = f"BE{_OWN_BODY}{97 - int(_OWN_BODY) % 97:02d}"
OWN = CompanyIdentity(vat=OWN_VAT, ibans=["BE62510007547061"], name=OWN_NAME)


def de_vat(rng: random.Random) -> str:
    body = str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(7))
    return "DE" + body + mod_11_10.calc_check_digit(body)


def iban_for(country: str, rng: random.Random) -> str:
    if country == "DE":
        bban = "".join(rng.choice("0123456789") for _ in range(18))
    else:
        bank = rng.choice(["001", "310", "363", "735", "143", "063", "979"])
        account = "".join(rng.choice("0123456789") for _ in range(7))
        n = int(bank + account) % 97 or 97
        bban = f"{bank}{account}{n:02d}"
        country = "BE"
    check = std_iban.calc_check_digits(f"{country}00{bban}")
    return f"{country}{check}{bban}"


BICS = {"BE": ["GEBABEBB", "BBRUBEBB", "KREDBEBB", "GKCCBEBB", "NICABEBB"], "DE": ["COBADEFFXXX", "BYLADEMM"]}

# Invented names, none from the first corpus.
NAMES = {
    "fr": (
        ["Forge", "Verrerie", "Chocolaterie", "Laiterie", "Tonnellerie", "Brasserie", "Sellerie"],
        ["du Hainaut", "Delvaux", "des Ardennes", "Moreau & Fils", "Lemaire", "de la Meuse"],
        ["SRL", "SA", "SC", "SCRL"],
    ),
    "nl": (
        ["Houthandel", "Drukkerij", "Schrijnwerkerij", "Bakkerij", "Kaasmakerij", "Glasatelier"],
        ["Vermeulen", "De Smet", "Van Acker", "Peeters", "Verhaegen", "Claes"],
        ["BV", "NV", "CommV", "bvba"],
    ),
    "en": (
        ["Northwind", "Bluefield", "Harbour", "Silverline", "Greenway", "Oakridge"],
        ["Logistics", "Consulting", "Supplies", "Networks", "Studio", "Systems"],
        ["Ltd", "BV", "SRL", "NV"],
    ),
    "de": (
        ["Brauhaus", "Schreinerei", "Autohaus", "Druckerei", "Metallbau", "Elektro"],
        ["Schneider", "Hoffmann", "Krause", "Wagner", "Zimmermann", "Richter"],
        ["GmbH", "AG", "KG", "GmbH & Co. KG"],
    ),
}
STREETS = {
    "fr": ["Rue des Tanneurs {n}", "Chaussée de Namur {n}", "Place du Marché {n}"],
    "nl": ["Kerkstraat {n}", "Stationsstraat {n}", "Grote Markt {n}"],
    "en": ["Rue Royale {n}", "Brusselsesteenweg {n}", "Boulevard Anspach {n}"],
    "de": ["Hauptstraße {n}", "Bahnhofstraße {n}", "Lindenallee {n}"],
}
CITIES = {
    "fr": ["5000 Namur", "6000 Charleroi", "4000 Liège"],
    "nl": ["9000 Gent", "2000 Antwerpen", "3000 Leuven"],
    "en": ["1000 Bruxelles", "1180 Uccle"],
    "de": ["52062 Aachen", "50667 Köln", "4700 Eupen"],
}
PRODUCTS = {
    "fr": [
        "Entretien chaudière",
        "Fournitures de bureau",
        "Transport palettes",
        "Conseil juridique",
        "Location matériel",
    ],
    "nl": ["Onderhoud installatie", "Kantoorbenodigdheden", "Transport pallets", "Advies", "Huur materiaal"],
    "en": ["Consulting hours", "Hosting plan", "Office supplies", "Delivery", "Equipment rental"],
    "de": ["Wartung Heizung", "Büromaterial", "Palettentransport", "Beratung", "Mietgeräte"],
}

# Label vocabularies: beyond the obvious ones, per language.
VOCAB = {
    "fr": {
        "title": ["FACTURE", "Facture"],
        "credit": ["NOTE DE CRÉDIT", "Note de crédit"],
        "receipt": ["TICKET DE CAISSE"],
        "number": ["N° de facture", "Facture n°", "Numéro", "Réf. facture"],
        "date": ["Date de facture", "Date", "Émise le"],
        "due": ["Échéance", "Date d'échéance", "À payer avant le"],
        "excl": ["Total HTVA", "Montant hors TVA", "Sous-total HT", "Base imposable"],
        "vat": ["TVA", "Montant TVA", "Total TVA"],
        "incl": ["Net à payer", "Montant dû", "Total TTC", "Total TVAC"],
        "customer": ["Facturé à", "Client", "Adressé à"],
        "cvat": ["N° TVA client", "TVA client", "Votre n° TVA"],
        "svat": ["TVA", "N° TVA", "BCE/TVA"],
        "iban": ["IBAN", "Compte"],
        "bic": ["BIC"],
        "ref": ["Communication structurée", "Communication"],
        "desc": "Description",
        "qty": "Qté",
        "price": "Prix unit.",
        "amount": "Montant",
        "rate": "Taux",
        "page": "Page",
        "months": [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ],
    },
    "nl": {
        "title": ["FACTUUR", "Factuur"],
        "credit": ["CREDITNOTA", "Creditnota"],
        "receipt": ["KASSATICKET"],
        "number": ["Factuurnr.", "Factuurnummer", "Nummer", "Ons kenmerk"],
        "date": ["Factuurdatum", "Datum", "Uitgiftedatum"],
        "due": ["Vervaldag", "Vervaldatum", "Te betalen voor"],
        "excl": ["Totaal excl. btw", "Maatstaf van heffing", "Subtotaal", "Netto bedrag"],
        "vat": ["btw", "BTW-bedrag", "Totaal btw"],
        "incl": ["Te betalen", "Totaal incl. btw", "Totaal te betalen"],
        "customer": ["Factuuradres", "Klant", "Aan"],
        "cvat": ["Uw btw-nr.", "BTW klant", "Btw-nummer klant"],
        "svat": ["BTW", "Btw-nr.", "Ondernemingsnr."],
        "iban": ["IBAN", "Rekening"],
        "bic": ["BIC"],
        "ref": ["Gestructureerde mededeling", "Mededeling"],
        "desc": "Omschrijving",
        "qty": "Aantal",
        "price": "Eenheidsprijs",
        "amount": "Bedrag",
        "rate": "Tarief",
        "page": "Pagina",
        "months": [
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
        ],
    },
    "en": {
        "title": ["INVOICE", "Tax invoice"],
        "credit": ["CREDIT NOTE", "Credit note"],
        "receipt": ["RECEIPT"],
        "number": ["Invoice No.", "Invoice #", "Invoice number", "Reference"],
        "date": ["Invoice date", "Date", "Issued"],
        "due": ["Due date", "Payment due", "Pay by"],
        "excl": ["Subtotal", "Total excl. VAT", "Net amount"],
        "vat": ["VAT", "VAT amount", "Tax"],
        "incl": ["Amount due", "Balance due", "Total", "Total incl. VAT"],
        "customer": ["Bill to", "Invoice to", "Customer"],
        "cvat": ["Customer VAT", "Your VAT no.", "VAT ID"],
        "svat": ["VAT", "VAT no.", "VAT number"],
        "iban": ["IBAN", "Bank account"],
        "bic": ["BIC", "SWIFT"],
        "ref": ["Payment reference", "Reference"],
        "desc": "Description",
        "qty": "Qty",
        "price": "Unit price",
        "amount": "Amount",
        "rate": "Rate",
        "page": "Page",
        "months": [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
    },
    "de": {
        "title": ["RECHNUNG", "Rechnung"],
        "credit": ["GUTSCHRIFT", "Gutschrift"],
        "receipt": ["KASSENBON"],
        "number": ["Rechnungs-Nr.", "Rechnungsnummer", "Beleg-Nr."],
        "date": ["Rechnungsdatum", "Datum", "Belegdatum"],
        "due": ["Fälligkeitsdatum", "Fällig am", "Zahlbar bis"],
        "excl": ["Nettobetrag", "Summe netto", "Zwischensumme"],
        "vat": ["MwSt.", "USt.", "Umsatzsteuer"],
        "incl": ["Zahlbetrag", "Gesamtbetrag", "Rechnungsbetrag", "Summe brutto"],
        "customer": ["Rechnungsempfänger", "Kunde", "An"],
        "cvat": ["Ihre USt-IdNr.", "USt-IdNr. Kunde"],
        "svat": ["USt-IdNr.", "USt-ID"],
        "iban": ["IBAN", "Bankverbindung"],
        "bic": ["BIC"],
        "ref": ["Verwendungszweck"],
        "desc": "Bezeichnung",
        "qty": "Menge",
        "price": "Einzelpreis",
        "amount": "Betrag",
        "rate": "Satz",
        "page": "Seite",
        "months": [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ],
    },
}
# The French/Dutch grid prints both: "Facture / Factuur".
BILINGUAL = {
    k: f"{VOCAB['fr'][k][0]} / {VOCAB['nl'][k][0]}"
    for k in (
        "number",
        "date",
        "due",
        "excl",
        "vat",
        "incl",
        "customer",
        "cvat",
        "svat",
        "iban",
        "title",
        "credit",
        "ref",
    )
}

AMOUNT_STYLES = ("dot_comma", "space_comma", "comma_dot", "euro_prefix", "eur_suffix")
DATE_STYLES = ("slash", "words", "dots", "english", "iso", "short")


def fmt_amount(value: Decimal, style: str) -> str:
    sign = "-" if value < 0 else ""
    whole, cents = f"{abs(value):.2f}".split(".")
    groups = f"{int(whole):,}"
    if style == "dot_comma":
        return f"{sign}{groups.replace(',', '.')},{cents}"
    if style == "space_comma":
        return f"{sign}{groups.replace(',', ' ')},{cents}"
    if style == "comma_dot":
        return f"{sign}{groups}.{cents}"
    if style == "euro_prefix":
        return f"{sign}€ {groups.replace(',', '.')},{cents}"
    return f"{sign}{whole},{cents} EUR"


def fmt_date(d: date, style: str, language: str) -> str:
    months = VOCAB[language]["months"]
    if style == "slash":
        return d.strftime("%d/%m/%Y")
    if style == "words":
        return (
            f"{d.day} {months[d.month - 1]} {d.year}"
            if language != "en"
            else f"{d.day} {months[d.month - 1]} {d.year}"
        )
    if style == "dots":
        return d.strftime("%d.%m.%Y")
    if style == "english":
        return f"{VOCAB['en']['months'][d.month - 1]} {d.day}, {d.year}"
    if style == "iso":
        return d.isoformat()
    return f"{d.day}-{d.month}-{d.strftime('%y')}"


def draw_number(rng: random.Random, issued: date) -> str:
    y, n = issued.year, rng.randint(1, 9999)
    return rng.choice(
        [
            f"F{y}/{n:04d}",
            f"INV-{y % 100}-{n:05d}",
            f"{y}-FA-{n}",
            f"{n:06d}",
            f"RE{y}{n:05d}",
            f"FV/{y}/{n}",
            f"{y}.{n:04d}",
            f"NC-{y}-{n:03d}",
            f"ADV-I{n % 100:02d}",
            f"{rng.choice('ABKM')}{n:05d}",
        ]
    )


@dataclass
class Wild(VatTotals):
    """One drawn document and what recognition should return from it."""

    seed: int
    layout: str
    language: str
    kind: str  # invoice | credit_note | receipt
    supplier_name: str
    supplier_vat: str
    street: str
    city: str
    iban: str | None
    bic: str | None
    number: str
    issued: date
    due: date | None
    lines: list[tuple[str, Decimal, Decimal, int]]
    reference: str | None
    amounts: str
    dates: str
    negative: bool  # a credit note printing its totals with a minus sign
    meta_mode: str  # where labels sit: left, above, right, below
    show_cvat: bool

    def truth(self) -> dict[str, Any]:
        receipt = self.kind == "receipt"
        return {
            "document_type": self.kind,
            "supplier_name": self.supplier_name,
            "supplier_vat": self.supplier_vat,
            "customer_vat": OWN_VAT if self.show_cvat and not receipt else None,
            "invoice_number": self.number,
            "invoice_date": self.issued.isoformat(),
            "due_date": self.due.isoformat() if self.due else None,
            "currency": "EUR",
            "total_excl_vat": str(self.excl),
            "vat_amount": str(self.vat),
            "total_incl_vat": str(self.incl),
            "vat_breakdown": [
                {"rate": str(r), "base": str(b), "vat": str(v)} for r, b, v in self.breakdown()
            ],
            "iban": self.iban,
            "bic": self.bic,
            "structured_reference": self.reference.strip("+").replace("/", "") if self.reference else None,
        }

    # -- printing helpers
    def a(self, value: Decimal) -> str:
        return fmt_amount(-value if self.negative else value, self.amounts)

    def d(self, value: date) -> str:
        return fmt_date(value, self.dates, self.language)

    def w(self, key: str, rng: random.Random) -> str:
        if self.layout == "bilingual" and key in BILINGUAL:
            return BILINGUAL[key]
        options = VOCAB[self.language][key]
        return rng.choice(options) if isinstance(options, list) else options


def draw(seed: int, *, layout: str | None = None, language: str | None = None) -> Wild:
    rng = random.Random(seed * 7919 + 17)
    layout = layout or LAYOUTS[seed % len(LAYOUTS)]
    language = language or rng.choice(LANGUAGES)
    if layout == "din":
        language = rng.choice(["de", "de", "nl", "fr"])
    if layout == "bilingual":
        language = rng.choice(["fr", "nl"])
    kind = "receipt" if layout == "receipt" else ("credit_note" if rng.random() < 0.12 else "invoice")
    first, second, form = NAMES[language]
    name = f"{rng.choice(first)} {rng.choice(second)} {rng.choice(form)}"
    german = language == "de" and rng.random() < 0.6
    vat = de_vat(rng) if german else be_vat(rng)
    iban = None if kind == "receipt" else iban_for("DE" if german else "BE", rng)
    bic = rng.choice(BICS["DE" if german else "BE"]) if iban and rng.random() < 0.7 else None
    issued = date(2024, 1, 1) + timedelta(days=rng.randint(0, 700))
    due = (
        issued + timedelta(days=rng.choice([14, 30, 45]))
        if kind == "invoice" and rng.random() < 0.75
        else None
    )
    # A German supplier invoicing a Belgian business: reverse charge is rarer than you think here.
    rates = rng.choice([[21], [21], [21, 6], [21, 12], [6], [21, 12, 6], [0]]) if not german else [21]
    n_lines = rng.randint(1, 5) if layout not in ("multipage", "utility") else rng.randint(18, 30)
    products = PRODUCTS[language]
    lines = [
        (
            rng.choice(products),
            Decimal(rng.randint(1, 12)),
            Decimal(rng.randint(150, 90000)) / 100,
            rng.choice(rates),
        )
        for _ in range(n_lines)
    ]
    reference = None
    if kind == "invoice" and not german and rng.random() < 0.35:
        base = rng.randint(10**9, 10**10 - 1)
        check = base % 97 or 97
        digits = f"{base:010d}{check:02d}"
        reference = f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"
    return Wild(
        seed=seed,
        layout=layout,
        language=language,
        kind=kind,
        supplier_name=name,
        supplier_vat=vat,
        street=rng.choice(STREETS[language]).format(n=rng.randint(1, 250)),
        city=rng.choice(CITIES[language]),
        iban=iban,
        bic=bic,
        number=draw_number(rng, issued),
        issued=issued,
        due=due,
        lines=lines,
        reference=reference,
        amounts=rng.choice(AMOUNT_STYLES),
        dates=rng.choice(DATE_STYLES),
        negative=kind == "credit_note" and rng.random() < 0.5,
        meta_mode=rng.choice(["left", "above", "right", "below"]),
        show_cvat=kind != "receipt" and rng.random() < 0.8,
    )


# ---- rendering: HTML blocks placed on the page --------------------------------------------------

CSS = """
* { font-family: sans-serif; font-size: 8.5pt; }
.big { font-size: 20pt; font-weight: bold; }
.small { font-size: 6.5pt; color: #555555; }
.title { font-size: 15pt; font-weight: bold; }
th { text-align: left; font-weight: bold; }
td, th { padding: 1pt 5pt 1pt 0; }
.r { text-align: right; }
.strong { font-weight: bold; }
"""


class Page:
    def __init__(self, writer: pymupdf.DocumentWriter, width: float = 595, height: float = 842):
        self.device = writer.begin_page(pymupdf.Rect(0, 0, width, height))
        self.height = height
        self.writer = writer

    def block(self, html: str, x0: float, y0: float, x1: float, y1: float) -> None:
        # A block taller than planned grows downwards: every value the truth holds is printed.
        for grow in (0, 30, 60, 120, 240, 480):
            story = pymupdf.Story(html, user_css=CSS)
            more, _ = story.place(pymupdf.Rect(x0, y0, x1, min(y1 + grow, self.height - 5)))
            if not more:
                break
        story.draw(self.device)

    def end(self) -> None:
        self.writer.end_page()


def _vat_print(vat: str, rng: random.Random) -> str:
    if vat.startswith("BE"):
        d = vat[2:]
        return rng.choice([f"BE {d[:4]}.{d[4:7]}.{d[7:]}", vat, f"BE{d[:4]} {d[4:7]} {d[7:]}", f"BE {d}"])
    return vat


def _iban_print(iban: str) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def _meta(inv: Wild, rng: random.Random, pairs: list[tuple[str, str]]) -> str:
    """Label/value pairs where the document puts its labels: left, above, right or below."""
    pairs = [(escape(k), escape(v)) for k, v in pairs]
    if inv.meta_mode == "left":
        return (
            "<table>"
            + "".join(f"<tr><td>{k}</td><td class='strong'>{v}</td></tr>" for k, v in pairs)
            + "</table>"
        )
    if inv.meta_mode == "above":
        head = "".join(f"<th>{k}</th>" for k, _ in pairs)
        body = "".join(f"<td>{v}</td>" for _, v in pairs)
        return f"<table><tr>{head}</tr><tr>{body}</tr></table>"
    if inv.meta_mode == "right":
        return (
            "<table>"
            + "".join(f"<tr><td class='strong'>{v}</td><td class='small'>{k}</td></tr>" for k, v in pairs)
            + "</table>"
        )
    cells = "".join(f"<td><b>{v}</b><br/><span class='small'>{k}</span></td>" for k, v in pairs)
    return f"<table><tr>{cells}</tr></table>"


def _meta_pairs(inv: Wild, rng: random.Random) -> list[tuple[str, str]]:
    pairs = [(inv.w("number", rng), inv.number), (inv.w("date", rng), inv.d(inv.issued))]
    if inv.due:
        pairs.append((inv.w("due", rng), inv.d(inv.due)))
    return pairs


def _lines_html(inv: Wild, rng: random.Random, lines, *, totals_row: bool = False) -> str:
    v = VOCAB[inv.language]
    head = f"<tr><th>{v['desc']}</th><th class='r'>{v['qty']}</th><th class='r'>{v['price']}</th><th class='r'>{v['rate']}</th><th class='r'>{v['amount']}</th></tr>"
    body = "".join(
        f"<tr><td>{escape(d)}</td><td class='r'>{q}</td><td class='r'>{fmt_amount(p, inv.amounts if inv.amounts != 'eur_suffix' else 'dot_comma')}</td>"
        f"<td class='r'>{r}%</td><td class='r'>{inv.a((q * p).quantize(CENT))}</td></tr>"
        for d, q, p, r in lines
    )
    return f"<table style='width:100%'>{head}{body}</table>"


def _totals_html(inv: Wild, rng: random.Random, style: str) -> str:
    excl, vat, incl = inv.w("excl", rng), inv.w("vat", rng), inv.w("incl", rng)
    bd = inv.breakdown()
    if style == "rows":
        rows = [(excl, inv.a(inv.excl))]
        for r, _, t in bd:
            rows.append((f"{vat} {r}%", inv.a(t)))
        if len(bd) > 1:
            rows.append(
                (inv.w("vat", rng) + " total" if inv.language != "de" else "Summe MwSt.", inv.a(inv.vat))
            )
        rows.append((incl, inv.a(inv.incl)))
        return (
            "<table style='width:100%'>"
            + "".join(
                f"<tr><td class='r'>{escape(k)}</td><td class='r strong'>{escape(val)}</td></tr>"
                for k, val in rows
            )
            + "</table>"
        )
    if style == "grid":
        v = VOCAB[inv.language]
        head = f"<tr><th>{v['rate']}</th><th class='r'>{escape(excl)}</th><th class='r'>{escape(vat)}</th><th class='r'>{escape(incl)}</th></tr>"
        body = "".join(
            f"<tr><td>{r}%</td><td class='r'>{inv.a(b)}</td><td class='r'>{inv.a(t)}</td><td class='r'>{inv.a(b + t)}</td></tr>"
            for r, b, t in bd
        )
        last = f"<tr><td class='strong'>Total</td><td class='r strong'>{inv.a(inv.excl)}</td><td class='r strong'>{inv.a(inv.vat)}</td><td class='r strong'>{inv.a(inv.incl)}</td></tr>"
        return f"<table style='width:100%'>{head}{body}{last}</table>"
    # boxes: value with its label below or above
    cells = []
    for k, val in ((excl, inv.a(inv.excl)), (vat, inv.a(inv.vat)), (incl, inv.a(inv.incl))):
        if inv.meta_mode == "below":
            cells.append(
                f"<td class='r'><b>{escape(val)}</b><br/><span class='small'>{escape(k)}</span></td>"
            )
        else:
            cells.append(
                f"<td class='r'><span class='small'>{escape(k)}</span><br/><b>{escape(val)}</b></td>"
            )
    return f"<table style='width:100%'><tr>{''.join(cells)}</tr></table>"


def _customer_html(inv: Wild, rng: random.Random, *, label: bool = True) -> str:
    cvat = f"<br/>{escape(inv.w('cvat', rng))}: {_vat_print(OWN_VAT, rng)}" if inv.show_cvat else ""
    head = f"<span class='small'>{escape(inv.w('customer', rng))}</span><br/>" if label else ""
    return f"<p>{head}<b>{OWN_NAME}</b><br/>{OWN_STREET}<br/>{OWN_CITY}{cvat}</p>"


def _supplier_html(inv: Wild, rng: random.Random, *, with_vat: bool = True, big: bool = False) -> str:
    name = (
        f"<span class='big'>{escape(inv.supplier_name)}</span>"
        if big
        else f"<b>{escape(inv.supplier_name)}</b>"
    )
    vat = f"<br/>{escape(inv.w('svat', rng))} {_vat_print(inv.supplier_vat, rng)}" if with_vat else ""
    return f"<p>{name}<br/>{escape(inv.street)}<br/>{escape(inv.city)}{vat}</p>"


def _payment_html(inv: Wild, rng: random.Random) -> str:
    if not inv.iban:
        return ""
    parts = [f"{escape(inv.w('iban', rng))} {_iban_print(inv.iban)}"]
    if inv.bic:
        parts.append(f"BIC {inv.bic}")
    if inv.reference:
        parts.append(f"{escape(inv.w('ref', rng))}: {inv.reference}")
    return "<p>" + "<br/>".join(parts) + "</p>"


def _footer_html(inv: Wild, rng: random.Random, *, name: bool = True) -> str:
    bits = [escape(inv.supplier_name)] if name else []
    bits += [
        f"{escape(inv.street)}, {escape(inv.city)}",
        f"{escape(inv.w('svat', rng))} {_vat_print(inv.supplier_vat, rng)}",
    ]
    if inv.iban:
        bits.append(f"IBAN {_iban_print(inv.iban)}")
        if inv.bic:
            bits.append(f"BIC {inv.bic}")
    return "<p class='small' style='text-align:center'>" + " · ".join(bits) + "</p>"


def _title(inv: Wild, rng: random.Random) -> str:
    key = "credit" if inv.kind == "credit_note" else ("receipt" if inv.kind == "receipt" else "title")
    return f"<p class='title'>{escape(inv.w(key, rng))}</p>"


def render(inv: Wild) -> bytes:
    rng = random.Random(inv.seed * 31 + 3)
    buf = io.BytesIO()
    writer = pymupdf.DocumentWriter(buf)
    getattr(_Layouts, inv.layout)(writer, inv, rng)
    writer.close()
    return buf.getvalue()


class _Layouts:
    @staticmethod
    def din(writer, inv, rng):
        # DIN 5008: sender line above the window, the customer in the window, the info block right.
        p = Page(writer)
        p.block(f"<p class='big' style='text-align:right'>{escape(inv.supplier_name)}</p>", 280, 30, 560, 90)
        p.block(
            f"<p class='small'><u>{escape(inv.supplier_name)} · {escape(inv.street)} · {escape(inv.city)}</u></p>",
            70,
            128,
            330,
            142,
        )
        p.block(_customer_html(inv, rng, label=False), 70, 145, 330, 230)
        if inv.meta_mode == "above":
            # Labels above values: DIN's reference line across the page under the window (the info
            # block beside it is too narrow for "Fälligkeitsdatum" over a date and would clip it).
            p.block(_meta(inv, rng, _meta_pairs(inv, rng)), 70, 234, 540, 266)
        else:
            p.block(_meta(inv, rng, _meta_pairs(inv, rng)), 360, 140, 560, 250)
        p.block(_title(inv, rng), 70, 270, 400, 300)
        p.block(_lines_html(inv, rng, inv.lines), 70, 305, 540, 560)
        p.block(_totals_html(inv, rng, rng.choice(["rows", "grid"])), 300, 565, 540, 680)
        p.block(_footer_html(inv, rng, name=False) + _payment_html(inv, rng), 70, 760, 540, 830)
        p.end()

    @staticmethod
    def bilingual(writer, inv, rng):
        p = Page(writer)
        p.block(_supplier_html(inv, rng), 40, 30, 300, 130)
        p.block(_title(inv, rng), 330, 30, 560, 60)
        p.block(_customer_html(inv, rng), 330, 70, 560, 160)
        # A grid: labels above their values, each in both languages.
        inv.meta_mode = "above"
        p.block(_meta(inv, rng, _meta_pairs(inv, rng)), 40, 175, 560, 215)
        p.block(_lines_html(inv, rng, inv.lines), 40, 225, 560, 520)
        p.block(_totals_html(inv, rng, "grid"), 250, 530, 560, 640)
        p.block(_payment_html(inv, rng), 40, 650, 400, 720)
        p.end()

    @staticmethod
    def swap(writer, inv, rng):
        # The customer's block on the left, the supplier's on the right.
        p = Page(writer)
        p.block(_customer_html(inv, rng), 40, 40, 290, 140)
        p.block(_supplier_html(inv, rng), 330, 40, 560, 140)
        p.block(_title(inv, rng), 40, 160, 300, 190)
        p.block(_meta(inv, rng, _meta_pairs(inv, rng)), 40, 195, 560, 260)
        p.block(_lines_html(inv, rng, inv.lines), 40, 270, 560, 520)
        p.block(_totals_html(inv, rng, rng.choice(["rows", "boxes"])), 300, 530, 560, 640)
        p.block(_payment_html(inv, rng), 40, 660, 400, 730)
        p.end()

    @staticmethod
    def logo(writer, inv, rng):
        # The name only in a large letterhead; VAT, IBAN and BIC only in the footer.
        p = Page(writer)
        p.block(f"<p class='big'>{escape(inv.supplier_name)}</p>", 40, 30, 400, 80)
        p.block(_customer_html(inv, rng), 330, 100, 560, 190)
        p.block(_title(inv, rng), 40, 110, 300, 140)
        p.block(_meta(inv, rng, _meta_pairs(inv, rng)), 40, 145, 320, 220)
        p.block(_lines_html(inv, rng, inv.lines), 40, 240, 560, 520)
        p.block(_totals_html(inv, rng, "rows"), 320, 530, 560, 640)
        if inv.reference:
            p.block(f"<p>{escape(inv.w('ref', rng))}: {inv.reference}</p>", 40, 650, 400, 680)
        p.block(_footer_html(inv, rng, name=False), 40, 780, 555, 830)
        p.end()

    @staticmethod
    def below(writer, inv, rng):
        # Values above their captions everywhere.
        inv.meta_mode = "below"
        p = Page(writer)
        p.block(_supplier_html(inv, rng, big=True), 40, 30, 330, 140)
        p.block(_customer_html(inv, rng), 360, 60, 560, 150)
        p.block(_title(inv, rng), 40, 160, 300, 190)
        p.block(_meta(inv, rng, _meta_pairs(inv, rng)), 40, 195, 560, 240)
        p.block(_lines_html(inv, rng, inv.lines), 40, 250, 560, 520)
        p.block(_totals_html(inv, rng, "boxes"), 200, 530, 560, 600)
        p.block(_payment_html(inv, rng), 40, 640, 400, 710)
        p.end()

    @staticmethod
    def lastrow(writer, inv, rng):
        # Totals only in the last row of a summary table.
        p = Page(writer)
        p.block(_supplier_html(inv, rng), 40, 30, 300, 130)
        p.block(_title(inv, rng), 330, 30, 560, 60)
        p.block(_meta(inv, rng, _meta_pairs(inv, rng)), 330, 65, 560, 130)
        p.block(_customer_html(inv, rng), 40, 140, 300, 230)
        p.block(_lines_html(inv, rng, inv.lines), 40, 245, 560, 520)
        p.block(_totals_html(inv, rng, "grid"), 40, 530, 560, 640)
        p.block(_payment_html(inv, rng), 40, 660, 400, 730)
        p.end()

    @staticmethod
    def utility(writer, inv, rng):
        # Two pages: the consumption on page 1, the totals and payment on page 2.
        v = VOCAB[inv.language]
        p = Page(writer)
        p.block(f"<p class='big'>{escape(inv.supplier_name)}</p>", 40, 30, 400, 70)
        p.block(_customer_html(inv, rng), 330, 80, 560, 170)
        p.block(_title(inv, rng) + _meta(inv, rng, _meta_pairs(inv, rng)), 40, 80, 320, 200)
        p.block(_lines_html(inv, rng, inv.lines), 40, 215, 560, 790)
        p.block(f"<p class='small'>{v['page']} 1/2</p>", 500, 805, 560, 825)
        p.end()
        p = Page(writer)
        p.block(f"<p><b>{escape(inv.supplier_name)}</b> — {escape(inv.number)}</p>", 40, 30, 400, 50)
        p.block(_totals_html(inv, rng, rng.choice(["rows", "grid"])), 250, 70, 560, 200)
        p.block(_payment_html(inv, rng), 40, 220, 400, 300)
        p.block(_footer_html(inv, rng), 40, 780, 555, 830)
        p.block(f"<p class='small'>{v['page']} 2/2</p>", 500, 805, 560, 825)
        p.end()

    @staticmethod
    def multipage(writer, inv, rng):
        # Many lines over two pages; the totals on the last.
        half = len(inv.lines) // 2
        p = Page(writer)
        p.block(_supplier_html(inv, rng), 40, 30, 300, 130)
        p.block(_customer_html(inv, rng), 330, 60, 560, 150)
        p.block(_title(inv, rng) + _meta(inv, rng, _meta_pairs(inv, rng)), 40, 150, 320, 240)
        p.block(_lines_html(inv, rng, inv.lines[:half]), 40, 250, 560, 790)
        p.end()
        p = Page(writer)
        p.block(_lines_html(inv, rng, inv.lines[half:]), 40, 40, 560, 560)
        p.block(_totals_html(inv, rng, rng.choice(["rows", "grid", "boxes"])), 250, 570, 560, 690)
        p.block(_payment_html(inv, rng), 40, 700, 400, 770)
        p.end()

    @staticmethod
    def receipt(writer, inv, rng):
        p = Page(writer, 226, 600)
        lines = "".join(
            f"<tr><td>{escape(d)} x{q}</td><td class='r'>{fmt_amount((q * pr).quantize(CENT), 'dot_comma' if inv.amounts in ('euro_prefix', 'eur_suffix') else inv.amounts)}</td></tr>"
            for d, q, pr, _ in inv.lines
        )
        vat_rows = "".join(
            f"<tr><td>{escape(inv.w('vat', rng))} {r}%</td><td class='r'>{inv.a(t)}</td></tr>"
            for r, _, t in inv.breakdown()
        )
        html = (
            f"<p style='text-align:center'><b>{escape(inv.supplier_name)}</b><br/>{escape(inv.street)}<br/>{escape(inv.city)}<br/>"
            f"{escape(inv.w('svat', rng))} {_vat_print(inv.supplier_vat, rng)}</p>"
            f"<p style='text-align:center'>{escape(inv.w('receipt', rng))}</p>"
            f"<p>{escape(inv.d(inv.issued))} {rng.randint(8, 19):02d}:{rng.randint(0, 59):02d}<br/>"
            f"Ticket {escape(inv.number)}</p>"
            f"<table style='width:100%'>{lines}"
            f"<tr><td>{escape(inv.w('excl', rng))}</td><td class='r'>{inv.a(inv.excl)}</td></tr>{vat_rows}"
            f"<tr><td class='strong'>TOTAL</td><td class='r strong'>{inv.a(inv.incl)}</td></tr></table>"
            f"<p style='text-align:center'>{ {'fr': 'Merci', 'nl': 'Bedankt', 'en': 'Thank you', 'de': 'Danke'}[inv.language] }</p>"
        )
        p.block(html, 8, 10, 218, 590)
        p.end()


# ---- degradations -----------------------------------------------------------------------------


def _page_images(pdf: bytes, dpi: int) -> list[Image.Image]:
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        out = []
        for page in doc:
            pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
            out.append(Image.frombytes("L", (pix.width, pix.height), pix.samples))
        return out


def _to_pdf(images: list[Image.Image], quality: int, *, mode: str = "JPEG") -> bytes:
    out = pymupdf.open()
    for image in images:
        buf = io.BytesIO()
        if mode == "JPEG":
            image.convert("L").save(buf, format="JPEG", quality=quality)
        else:
            image.convert("1").save(buf, format="PNG")
        page = out.new_page(width=595, height=842)
        page.insert_image(page.rect, stream=buf.getvalue(), keep_proportion=False)
    return out.tobytes(garbage=3, deflate=True)


def scan(pdf: bytes, rng: random.Random) -> bytes:
    """A flatbed scan: tilted a little, grey, speckled, JPEG."""
    images = []
    for image in _page_images(pdf, 200):
        image = image.rotate(rng.uniform(-2.5, 2.5), resample=Image.BICUBIC, fillcolor=250)
        noise = Image.effect_noise(image.size, 30)
        images.append(Image.blend(image, noise, rng.uniform(0.05, 0.1)))
    return _to_pdf(images, rng.randint(50, 75))


def fax(pdf: bytes, rng: random.Random) -> bytes:
    """A fax: 200×100 dpi, black and white, specks."""
    images = []
    for image in _page_images(pdf, 200):
        image = image.resize((image.width, image.height // 2)).resize((image.width, image.height))
        image = image.rotate(rng.uniform(-1.0, 1.0), resample=Image.NEAREST, fillcolor=255)
        image = image.point(lambda v: 255 if v > rng.choice([150, 170, 190]) else 0)
        draw_ = ImageDraw.Draw(image)
        for _ in range(400):
            x, y = rng.randrange(image.width), rng.randrange(image.height)
            draw_.point((x, y), fill=0)
        images.append(image)
    return _to_pdf(images, 0, mode="1")


def photo(pdf: bytes, rng: random.Random) -> bytes:
    """A phone photo of page 1: a perspective, a shadow across, JPEG; the JPEG itself."""
    image = _page_images(pdf, 170)[0]
    w, h = image.size
    margin = 60
    canvas = Image.new("L", (w + 2 * margin, h + 2 * margin), rng.randint(70, 120))
    canvas.paste(image, (margin, margin))
    W, H = canvas.size
    j = lambda s: rng.uniform(0, s)  # noqa: E731
    # Corners of the source quadrilateral: the page seen at an angle.
    quad = (j(40), j(40), j(30), H - j(40), W - j(30), H - j(40), W - j(40), j(30))
    image = canvas.transform((W, H), Image.QUAD, quad, resample=Image.BICUBIC)
    shadow = Image.linear_gradient("L").resize((W, H)).rotate(rng.choice([0, 90, 180, 270]), expand=False)
    depth = rng.uniform(0.25, 0.45)
    shadow = shadow.point(lambda v: 255 - int(v * depth))
    image = Image.composite(image, Image.new("L", (W, H), 0), shadow)
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 0.9)))
    buf = io.BytesIO()
    image.convert("RGB").save(buf, format="JPEG", quality=rng.randint(55, 80))
    return buf.getvalue()


# ---- samples and the split --------------------------------------------------------------------


@dataclass
class WildSample:
    seed: int
    data: bytes  # a PDF, or a JPEG for a photo: what a user would upload
    filename: str
    truth: dict[str, Any]
    layout: str
    language: str
    medium: str
    invoice: Wild


def half_of(seed: int) -> str:
    return "development" if seed % 2 == 0 else "test"


def wild(
    seed: int,
    *,
    medium: str = "text",
    layout: str | None = None,
    language: str | None = None,
    _benchmark: bool = False,
) -> WildSample:
    if half_of(seed) == "test" and not _benchmark:
        raise ValueError(f"seed {seed} is in the test half: only benchmarks/recognition.py reads it")
    inv = draw(seed, layout=layout, language=language)
    pdf = render(inv)
    truth = inv.truth()
    rng = random.Random(seed * 131 + 5)
    data, name = pdf, f"{inv.number.replace('/', '-')}.pdf"
    if medium == "scan":
        data = scan(pdf, rng)
    elif medium == "fax":
        data = fax(pdf, rng)
    elif medium == "photo":
        data, name = photo(pdf, rng), f"IMG_{seed:04d}.jpg"
        if inv.layout in ("utility", "multipage"):
            raise ValueError("a photo shows one page: use a one-page layout")
    return WildSample(seed, data, name, truth, inv.layout, inv.language, medium, inv)


def _seeds(start: int, n: int, parity: int) -> list[int]:
    first = start + ((parity - start) % 2)
    return [first + 2 * i for i in range(n)]


def _sample(seed: int, i: int, medium: str, benchmark: bool) -> WildSample:
    layout = LAYOUTS[i % len(LAYOUTS)]
    if medium == "photo" and layout in ("utility", "multipage"):
        layout = "swap" if layout == "utility" else "logo"
    return wild(seed, medium=medium, layout=layout, _benchmark=benchmark)


def development_half(n: int, *, start: int = 0, medium: str = "text") -> list[WildSample]:
    """`n` samples of the development half (even seeds), every layout in turn."""
    return [_sample(s, i, medium, False) for i, s in enumerate(_seeds(start, n, 0))]


def benchmark_half(
    n: int, *, start: int = 0, medium: str = "text", i_am_the_benchmark: bool = False
) -> list[WildSample]:
    """`n` samples of the test half (odd seeds). Scored by benchmarks/recognition.py; never tuned on."""
    if not i_am_the_benchmark:
        raise ValueError("the test half is the benchmark's: tune and test on development_half")
    return [_sample(s, i, medium, True) for i, s in enumerate(_seeds(start, n, 1))]
