"""A generator of realistic Belgian invoices with their ground truth, seeded and deterministic.

`generate(seed)` draws one invoice: a supplier (Belgian mostly, some German), one of eight layouts,
French, Dutch, English or German, a number and date format, one to nine lines at 21/12/6/0 %, a
credit note now and then, a customer block carrying the company's own VAT number (and at times its
IBAN, as a direct-debit notice would), a structured reference or not. `scan(pdf, seed)` turns it
into an image-only PDF with skew, noise and JPEG artefacts. The truth is what recognition should
return: JSON-ready values, None where the document does not show the field.

The benchmark runs hundreds of these; tests take a handful.
"""

import html
import io
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pymupdf
from PIL import Image, ImageFilter
from stdnum import iban as std_iban
from stdnum.iso7064 import mod_11_10

from comptoir_pdf.recognition import CompanyIdentity
from tests.recognition.amounts import VatTotals

COMPANY_NAME = "Demo SRL"
COMPANY_VAT = "BE0417497106"
COMPANY_IBAN = "BE71096123456769"
COMPANY = CompanyIdentity(vat=COMPANY_VAT, ibans=[COMPANY_IBAN], name=COMPANY_NAME)
COMPANY_ADDRESS = ("Rue de la Loi 16", "1000 Bruxelles")

LAYOUTS = ("classic", "table", "footer", "columns", "modern", "sentence", "letter", "receipt")
LANGUAGES = ("fr", "nl", "en", "de")
CENT = Decimal("0.01")

BANKS = [  # Belgian bank code, BIC
    ("001", "GEBABEBB"),
    ("068", "GKCCBEBB"),
    ("363", "BBRUBEBB"),
    ("734", "KREDBEBB"),
    ("973", "ARSPBE22"),
    ("751", "AXABBE22"),
    ("103", "NICABEBB"),
]
DE_BANKS = [("37040044", "COBADEFFXXX"), ("50070010", "DEUTDEFFXXX"), ("70020270", "HYVEDEMMXXX")]

NAME_PARTS = {
    "fr": (
        [
            "Boulangerie",
            "Imprimerie",
            "Garage",
            "Menuiserie",
            "Cabinet",
            "Electricité",
            "Traiteur",
            "Atelier",
            "Papeterie",
            "Transports",
        ],
        [
            "Dupont",
            "du Centre",
            "Lambert",
            "Renard",
            "Mertens",
            "Leroy",
            "des Ardennes",
            "Dubois",
            "Lejeune",
            "de la Meuse",
        ],
        ["SRL", "SA", "SPRL", "SC", "SRL", ""],
    ),
    "nl": (
        [
            "Bakkerij",
            "Drukkerij",
            "Garage",
            "Schrijnwerkerij",
            "Bouwbedrijf",
            "Brouwerij",
            "Transport",
            "Elektro",
            "Tuinaanleg",
            "Kantoorinrichting",
        ],
        [
            "Peeters",
            "Janssens",
            "Van den Broeck",
            "De Smet",
            "Claes",
            "Van Damme",
            "Maes",
            "Willems",
            "Goossens",
            "Wouters",
        ],
        ["BV", "NV", "BVBA", "CommV", "BV", ""],
    ),
    "en": (
        [
            "Brightline",
            "Northwind",
            "Atlas",
            "Bluebird",
            "Keystone",
            "Silverline",
            "Harbour",
            "Meridian",
            "Evergreen",
            "Summit",
        ],
        [
            "Consulting",
            "Software",
            "Logistics",
            "Media",
            "Systems",
            "Services",
            "Analytics",
            "Design",
            "Partners",
            "Labs",
        ],
        ["Ltd", "BV", "SRL", "NV", "Ltd"],
    ),
    "de": (
        [
            "Müller",
            "Schneider",
            "Becker",
            "Hoffmann",
            "Schulz",
            "Krämer",
            "Weber",
            "Fischer",
            "Wagner",
            "Klein",
        ],
        [
            "Bürotechnik",
            "Elektro",
            "Druck",
            "Haustechnik",
            "Logistik",
            "Software",
            "Metallbau",
            "Werkzeuge",
            "Verpackung",
            "Montage",
        ],
        ["GmbH", "AG", "GmbH", "KG"],
    ),
}
STREETS = {
    "fr": [
        "Rue de Namur",
        "Avenue Louise",
        "Chaussée de Wavre",
        "Rue du Marché",
        "Boulevard d'Avroy",
        "Place Saint-Lambert",
    ],
    "nl": ["Kerkstraat", "Stationsstraat", "Industrieweg", "Meir", "Grote Markt", "Brugsesteenweg"],
    "en": ["Avenue Louise", "Kerkstraat", "Rue Royale", "Nijverheidslaan"],
    "de": ["Hauptstraße", "Bahnhofstraße", "Industriestraße", "Aachener Straße", "Gewerbering"],
}
CITIES = {
    "fr": [
        ("1000", "Bruxelles"),
        ("4000", "Liège"),
        ("5000", "Namur"),
        ("6000", "Charleroi"),
        ("1300", "Wavre"),
        ("7000", "Mons"),
    ],
    "nl": [
        ("9000", "Gent"),
        ("2000", "Antwerpen"),
        ("3000", "Leuven"),
        ("8000", "Brugge"),
        ("3500", "Hasselt"),
        ("2800", "Mechelen"),
    ],
    "en": [("1050", "Brussels"), ("2000", "Antwerp"), ("9000", "Ghent"), ("3000", "Leuven")],
    "de": [
        ("4700", "Eupen"),
        ("4780", "Sankt Vith"),
        ("52062", "Aachen"),
        ("50667", "Köln"),
        ("41061", "Mönchengladbach"),
    ],
}
ITEMS = {
    "fr": [
        ("Prestations de conseil", 21),
        ("Fournitures de bureau", 21),
        ("Livres", 6),
        ("Pain et viennoiseries", 6),
        ("Travaux de rénovation", 6),
        ("Impression dépliants", 21),
        ("Location matériel", 21),
        ("Pesticides agricoles", 12),
        ("Transport", 21),
        ("Timbres postaux", 0),
    ],
    "nl": [
        ("Adviesdiensten", 21),
        ("Kantoorbenodigdheden", 21),
        ("Boeken", 6),
        ("Brood en gebak", 6),
        ("Renovatiewerken", 6),
        ("Drukwerk folders", 21),
        ("Huur materiaal", 21),
        ("Landbouwproducten", 12),
        ("Vervoer", 21),
        ("Postzegels", 0),
    ],
    "en": [
        ("Consulting services", 21),
        ("Office supplies", 21),
        ("Books", 6),
        ("Software licence", 21),
        ("Renovation works", 6),
        ("Printing leaflets", 21),
        ("Equipment rental", 21),
        ("Agricultural products", 12),
        ("Delivery", 21),
        ("Postage stamps", 0),
    ],
    "de": [
        ("Beratungsleistungen", 21),
        ("Büromaterial", 21),
        ("Bücher", 6),
        ("Wartung Heizung", 21),
        ("Renovierungsarbeiten", 6),
        ("Druck Flyer", 21),
        ("Gerätemiete", 21),
        ("Saatgut", 12),
        ("Transportkosten", 21),
        ("Briefmarken", 0),
    ],
}

EMAIL_NAMES = {
    "fr": ["info", "facturation", "comptabilite"],
    "nl": ["info", "boekhouding", "facturatie"],
    "en": ["info", "billing", "accounts"],
    "de": ["info", "rechnung", "buchhaltung"],
}

# Words per language. Each key has a few variants; a layout draws one.
T = {
    "fr": {
        "invoice": ["FACTURE", "Facture"],
        "credit": ["NOTE DE CRÉDIT", "Note de crédit", "AVOIR"],
        "number": ["Facture n°", "N° de facture", "Numéro de facture"],
        "credit_number": ["Note de crédit n°", "N° d'avoir"],
        "date": ["Date de facture", "Date", "Date facture"],
        "due": ["Échéance", "Date d'échéance", "À payer avant le"],
        "customer": ["Client", "Facturé à", "Adresse de facturation"],
        "vat": ["TVA", "N° TVA"],
        "enterprise": ["BCE", "RPM"],
        "excl": ["Total HTVA", "Total hors TVA", "Sous-total"],
        "vatline": ["TVA {r}% sur {b}", "TVA {r}%"],
        "vattotal": ["Total TVA", "Montant TVA"],
        "incl": ["Total TVAC", "Total à payer", "Montant total TTC", "Net à payer"],
        "desc": "Description",
        "qty": "Qté",
        "price": "Prix unit.",
        "amount": "Montant",
        "rate": "Taux",
        "base": "Base",
        "ref": ["Communication", "Communication structurée"],
        "bank": ["Compte", "IBAN"],
        "order": "N° de commande",
        "client_no": "N° client",
        "delivery": "Date de livraison",
        "thanks": "Merci pour votre confiance.",
        "terms": "Payable à 30 jours. Tout retard de paiement entraîne des intérêts de retard.",
        "page": "Page",
        "debit": "Le montant sera prélevé par domiciliation sur votre compte {iban}.",
        "place_date": "{city}, le {d}",
        "pay_sentence": "Merci de verser le montant de {amount} sur le compte {iban} (BIC {bic})",
        "pay_due": " avant le {due}",
        "pay_ref": " avec la communication {ref}.",
        "receipt": ["TICKET DE CAISSE", "Ticket"],
        "phone": "Tél.",
        "exempt": "TVA 0% - Livraison intracommunautaire",
    },
    "nl": {
        "invoice": ["FACTUUR", "Factuur"],
        "credit": ["CREDITNOTA", "Creditnota"],
        "number": ["Factuurnummer", "Factuur nr.", "Factuurnr."],
        "credit_number": ["Creditnota nr.", "Creditnotanummer"],
        "date": ["Factuurdatum", "Datum", "Datum factuur"],
        "due": ["Vervaldatum", "Vervaldag", "Te betalen voor"],
        "customer": ["Klant", "Factuuradres", "Gefactureerd aan"],
        "vat": ["BTW", "BTW-nr."],
        "enterprise": ["KBO", "RPR"],
        "excl": ["Totaal excl. btw", "Subtotaal", "Totaal exclusief btw"],
        "vatline": ["BTW {r}% op {b}", "BTW {r}%"],
        "vattotal": ["Totaal btw", "Btw-bedrag"],
        "incl": ["Totaal incl. btw", "Te betalen", "Totaal te betalen"],
        "desc": "Omschrijving",
        "qty": "Aantal",
        "price": "Eenheidsprijs",
        "amount": "Bedrag",
        "rate": "Tarief",
        "base": "Maatstaf",
        "ref": ["Mededeling", "Gestructureerde mededeling"],
        "bank": ["Rekening", "IBAN"],
        "order": "Bestelnummer",
        "client_no": "Klantnummer",
        "delivery": "Leveringsdatum",
        "thanks": "Bedankt voor uw vertrouwen.",
        "terms": "Betaalbaar binnen 30 dagen. Bij laattijdige betaling is een intrest verschuldigd.",
        "page": "Pagina",
        "debit": "Het bedrag wordt via domiciliëring van uw rekening {iban} afgehouden.",
        "place_date": "{city}, {d}",
        "pay_sentence": "Gelieve {amount} over te schrijven op rekening {iban} (BIC {bic})",
        "pay_due": " voor {due}",
        "pay_ref": " met mededeling {ref}.",
        "receipt": ["KASSATICKET", "Kasticket"],
        "phone": "Tel.",
        "exempt": "BTW 0% - Intracommunautaire levering",
    },
    "en": {
        "invoice": ["INVOICE", "Invoice", "TAX INVOICE"],
        "credit": ["CREDIT NOTE", "Credit note"],
        "number": ["Invoice number", "Invoice #", "Invoice No."],
        "credit_number": ["Credit note number", "Credit note no."],
        "date": ["Invoice date", "Date", "Date of issue"],
        "due": ["Due date", "Payment due", "Due"],
        "customer": ["Bill to", "Customer", "Invoice to"],
        "vat": ["VAT", "VAT no."],
        "enterprise": ["Company no.", "Enterprise no."],
        "excl": ["Subtotal", "Total excl. VAT", "Net amount"],
        "vatline": ["VAT {r}% on {b}", "VAT {r}%"],
        "vattotal": ["Total VAT", "VAT amount"],
        "incl": ["Total", "Total due", "Amount due", "Total incl. VAT"],
        "desc": "Description",
        "qty": "Qty",
        "price": "Unit price",
        "amount": "Amount",
        "rate": "Rate",
        "base": "Base",
        "ref": ["Payment reference", "Reference"],
        "bank": ["Bank account", "IBAN"],
        "order": "Order number",
        "client_no": "Customer number",
        "delivery": "Delivery date",
        "thanks": "Thank you for your business.",
        "terms": "Payment within 30 days of the invoice date.",
        "page": "Page",
        "debit": "The amount will be collected by direct debit from your account {iban}.",
        "place_date": "{city}, {d}",
        "pay_sentence": "Please transfer {amount} to account {iban} (BIC {bic})",
        "pay_due": " by {due}",
        "pay_ref": " quoting {ref}.",
        "receipt": ["RECEIPT", "Sales receipt"],
        "phone": "Phone",
        "exempt": "VAT 0% - Intra-community supply",
    },
    "de": {
        "invoice": ["RECHNUNG", "Rechnung"],
        "credit": ["GUTSCHRIFT", "Gutschrift"],
        "number": ["Rechnungsnummer", "Rechnung Nr.", "Rechnungs-Nr."],
        "credit_number": ["Gutschrift Nr.", "Gutschriftsnummer"],
        "date": ["Rechnungsdatum", "Datum"],
        "due": ["Fällig am", "Zahlbar bis", "Fälligkeitsdatum"],
        "customer": ["Kunde", "Rechnungsempfänger", "Rechnungsadresse"],
        "vat": ["USt-IdNr.", "MwSt"],
        "enterprise": ["Unternehmensnr.", "HRB"],
        "excl": ["Nettobetrag", "Zwischensumme", "Summe netto"],
        "vatline": ["MwSt {r}% auf {b}", "USt {r}%"],
        "vattotal": ["MwSt-Betrag", "Summe MwSt"],
        "incl": ["Gesamtbetrag", "Rechnungsbetrag", "Zu zahlen", "Summe brutto"],
        "desc": "Beschreibung",
        "qty": "Menge",
        "price": "Einzelpreis",
        "amount": "Betrag",
        "rate": "Satz",
        "base": "Basis",
        "ref": ["Verwendungszweck", "Zahlungsreferenz"],
        "bank": ["Bankverbindung", "IBAN"],
        "order": "Bestellnummer",
        "client_no": "Kundennummer",
        "delivery": "Lieferdatum",
        "thanks": "Vielen Dank für Ihren Auftrag.",
        "terms": "Zahlbar innerhalb von 30 Tagen ohne Abzug.",
        "page": "Seite",
        "debit": "Der Betrag wird per Lastschrift von Ihrem Konto {iban} eingezogen.",
        "place_date": "{city}, den {d}",
        "pay_sentence": "Bitte überweisen Sie {amount} auf das Konto {iban} (BIC {bic})",
        "pay_due": " bis zum {due}",
        "pay_ref": " mit dem Verwendungszweck {ref}.",
        "receipt": ["KASSENBON", "Quittung"],
        "phone": "Tel.",
        "exempt": "Steuerfreie innergemeinschaftliche Lieferung, 0%",
    },
}
MONTH_NAMES = {
    "fr": [
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
    "nl": [
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
    "en": [
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
    "de": [
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
}


# ---- numbers that check ----------------------------------------------------------------------


def belgian_vat(rng: random.Random) -> str:
    while True:
        first8 = f"{rng.choice('01')}{rng.randint(2000000, 9999999):07d}"
        check = 97 - int(first8) % 97
        number = f"{first8}{check:02d}"
        if number != COMPANY_VAT[2:]:
            return "BE" + number


def german_vat(rng: random.Random) -> str:
    body = f"{rng.randint(10000000, 99999999)}"
    return "DE" + body + mod_11_10.calc_check_digit(body)


def belgian_iban(rng: random.Random) -> tuple[str, str]:
    bank, bic = rng.choice(BANKS)
    account = f"{bank}{rng.randint(0, 9999999):07d}"
    national = int(account) % 97 or 97
    bban = f"{account}{national:02d}"
    check = std_iban.calc_check_digits("BE00" + bban)
    return f"BE{check}{bban}", bic


def german_iban(rng: random.Random) -> tuple[str, str]:
    blz, bic = rng.choice(DE_BANKS)
    bban = f"{blz}{rng.randint(0, 9999999999):010d}"
    return f"DE{std_iban.calc_check_digits('DE00' + bban)}{bban}", bic


def structured_reference(rng: random.Random) -> str:
    base = f"{rng.randint(0, 9999999999):010d}"
    return base + f"{int(base) % 97 or 97:02d}"


# ---- formats ---------------------------------------------------------------------------------


@dataclass
class Style:
    language: str
    decimal: str  # "," or "."
    thousands: str  # ".", " ", "," or ""
    currency: str  # "€ before", "€ after", "EUR before", "EUR after", "none"
    date_format: str  # "dmy/", "dmy.", "dmy-", "iso", "words", "mdy words"
    negative_credit: bool = False

    def amount(self, value: Decimal, *, currency: bool = True) -> str:
        sign = "-" if value < 0 else ""
        value = abs(value).quantize(CENT)
        whole, frac = f"{value:f}".split(".")
        groups = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        groups.insert(0, whole)
        text = self.thousands.join(groups) + self.decimal + frac
        text = sign + text
        if not currency or self.currency == "none":
            return text
        if self.currency == "€ before":
            return f"€ {text}"
        if self.currency == "€ after":
            return f"{text} €"
        if self.currency == "EUR before":
            return f"EUR {text}"
        return f"{text} EUR"

    def date(self, d: date) -> str:
        if self.date_format == "dmy/":
            return d.strftime("%d/%m/%Y")
        if self.date_format == "dmy.":
            return d.strftime("%d.%m.%Y")
        if self.date_format == "dmy-":
            return d.strftime("%d-%m-%Y")
        if self.date_format == "iso":
            return d.isoformat()
        month = MONTH_NAMES[self.language][d.month - 1]
        if self.date_format == "mdy words":
            return f"{month} {d.day}, {d.year}"
        if self.language == "de":
            return f"{d.day}. {month} {d.year}"
        return f"{d.day} {month} {d.year}"


def draw_style(rng: random.Random, language: str) -> Style:
    if language == "en" and rng.random() < 0.5:
        decimal, thousands = ".", rng.choice([",", ""])
    else:
        decimal, thousands = ",", rng.choice([".", ".", " ", ""])
    currency = rng.choice(["€ before", "€ after", "€ after", "EUR before", "EUR after", "none"])
    formats = ["dmy/", "dmy/", "dmy.", "dmy-", "iso", "words"] + (["mdy words"] if language == "en" else [])
    return Style(
        language, decimal, thousands, currency, rng.choice(formats), negative_credit=rng.random() < 0.5
    )


# ---- the invoice -----------------------------------------------------------------------------


@dataclass
class Supplier:
    name: str
    street: str
    city: str
    vat: str
    iban: str
    bic: str
    email: str
    phone: str
    country: str


@dataclass
class Invoice(VatTotals):
    layout: str
    style: Style
    supplier: Supplier
    kind: str  # invoice | credit_note | receipt
    number: str
    issued: date
    due: date | None
    lines: list[tuple[str, Decimal, Decimal, int]]  # description, quantity, unit price, rate
    reference: str | None
    show_bic: bool
    show_customer_iban: bool
    show_enterprise: bool
    extras: dict[str, Any] = field(default_factory=dict)

    def truth(self) -> dict[str, Any]:
        return {
            "document_type": self.kind,
            "supplier_name": self.supplier.name,
            "supplier_vat": self.supplier.vat,
            "customer_vat": COMPANY_VAT if self.kind != "receipt" else None,
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
            "iban": self.supplier.iban if self.kind != "receipt" else None,
            "bic": self.supplier.bic if self.show_bic and self.kind != "receipt" else None,
            "structured_reference": self.reference,
        }


def draw_supplier(rng: random.Random, language: str) -> Supplier:
    firsts, seconds, forms = NAME_PARTS[language]
    form = rng.choice(forms)
    name = f"{rng.choice(firsts)} {rng.choice(seconds)}" + (f" {form}" if form else "")
    foreign = language == "de" and rng.random() < 0.5
    city_choices = [c for c in CITIES[language] if (len(c[0]) == 5) == foreign] or CITIES[language]
    postal, city = rng.choice(city_choices)
    vat = german_vat(rng) if foreign else belgian_vat(rng)
    iban, bic = german_iban(rng) if foreign else belgian_iban(rng)
    slug = (
        "".join(c for c in name.lower().removesuffix(" " + form.lower()) if c.isalpha() and c.isascii())[:16]
        or "info"
    )
    domain = "de" if foreign else "be"
    phone = (
        f"+49 241 {rng.randint(100000, 999999)}"
        if foreign
        else f"+32 {rng.randint(2, 9)} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    )
    return Supplier(
        name=name,
        street=f"{rng.choice(STREETS[language])} {rng.randint(1, 250)}",
        city=f"{postal} {city}",
        vat=vat,
        iban=iban,
        bic=bic,
        email=f"{rng.choice(EMAIL_NAMES[language])}@{slug}.{domain}",
        phone=phone,
        country="DE" if foreign else "BE",
    )


def draw_number(rng: random.Random, issued: date) -> str:
    n = rng.randint(1, 9999)
    y, yy = issued.year, issued.year % 100
    return rng.choice(
        [
            f"{y}-{n:04d}",
            f"F{yy}/{n:05d}",
            f"INV-{rng.randint(10000, 99999)}",
            f"{y}{n:05d}",
            f"VF{y}.{n:04d}",
            f"{rng.randint(100000, 999999)}",
            f"FA-{yy}-{n:04d}",
            f"R{y}/{n:03d}",
        ]
    )


def draw_invoice(
    seed: int, *, layout: str | None = None, language: str | None = None, kind: str | None = None
) -> Invoice:
    rng = random.Random(seed)
    layout = layout or rng.choice(LAYOUTS)
    language = language or rng.choice(LANGUAGES)
    style = draw_style(rng, language)
    supplier = draw_supplier(rng, language)
    if kind is None:
        kind = "receipt" if layout == "receipt" else ("credit_note" if rng.random() < 0.12 else "invoice")
    issued = date(2025, 1, 1) + timedelta(days=rng.randint(0, 600))
    due = (
        issued + timedelta(days=rng.choice([0, 14, 15, 30, 30, 30, 45, 60])) if rng.random() < 0.85 else None
    )
    if kind == "receipt":
        due = None
    items = ITEMS[language]
    n_lines = rng.randint(1, 4 if layout == "receipt" else 9)
    foreign_exempt = supplier.country != "BE"
    single_rate = rng.random() < 0.45
    lines = []
    for _ in range(n_lines):
        desc, rate = rng.choice(items)
        if single_rate:
            rate = 21
        if foreign_exempt:
            rate = 0
        qty = (
            Decimal(rng.choice([1, 1, 1, 2, 3, 5, 10, 12, 24]))
            if rng.random() < 0.9
            else Decimal(rng.randint(1, 40)) / 4
        )
        price = (Decimal(rng.randint(150, 250000)) / 100).quantize(CENT)
        if rng.random() < 0.2:
            price = Decimal(rng.randint(2, 900))
        lines.append((desc, qty, price, rate))
    reference = (
        structured_reference(rng)
        if supplier.country == "BE" and kind != "receipt" and rng.random() < 0.6
        else None
    )
    return Invoice(
        layout=layout,
        style=style,
        supplier=supplier,
        kind=kind,
        number=draw_number(rng, issued),
        issued=issued,
        due=due,
        lines=lines,
        reference=reference,
        show_bic=rng.random() < 0.75,
        show_customer_iban=rng.random() < 0.2,
        show_enterprise=rng.random() < 0.4,
        extras={
            "client_no": rng.randint(1000, 99999),
            "order": f"PO{rng.randint(1000, 9999)}",
            "ref_stars": rng.random() < 0.2,
            "delivery": issued - timedelta(days=rng.randint(0, 20)),
            "seed": seed,
            "rng": rng.random(),
        },
    )


# ---- drawing ---------------------------------------------------------------------------------


class Canvas:
    """Text through TextWriter: the base-14 fonts' full glyph sets (€, –), not just Latin-1."""

    def __init__(self, doc: pymupdf.Document, width: float = 595, height: float = 842, font: str = "helv"):
        self.doc = doc
        self.width, self.height = width, height
        self.font = font
        bold = {"helv": "hebo", "tiro": "tibo", "cour": "cobo"}[font]
        self.fonts = {False: pymupdf.Font(font), True: pymupdf.Font(bold)}
        self.writers: dict[tuple, pymupdf.TextWriter] = {}
        self.page = doc.new_page(width=width, height=height)

    def text(
        self,
        x: float,
        y: float,
        s: str,
        size: float = 9,
        bold: bool = False,
        align: str = "left",
        color=(0, 0, 0),
    ) -> float:
        font = self.fonts[bold]
        w = font.text_length(s, fontsize=size)
        if align == "right":
            x -= w
        elif align == "center":
            x -= w / 2
        writer = self.writers.setdefault(color, pymupdf.TextWriter(self.page.rect, color=color))
        writer.append((x, y), s, font=font, fontsize=size)
        return w

    def text_length(self, s: str, size: float = 9) -> float:
        return self.fonts[False].text_length(s, fontsize=size)

    def finish(self) -> None:
        for writer in self.writers.values():
            writer.write_text(self.page)
        self.writers = {}

    def line(self, x0, y0, x1, y1, width=0.5):
        self.page.draw_line((x0, y0), (x1, y1), width=width, color=(0.4, 0.4, 0.4))

    def rect(self, x0, y0, x1, y1):
        self.page.draw_rect((x0, y0, x1, y1), color=(0.5, 0.5, 0.5), width=0.6)


def fmt_iban(iban: str) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def fmt_vat(vat: str, rng: random.Random) -> str:
    if not vat.startswith("BE"):
        return vat
    d = vat[2:]
    return rng.choice(
        [
            f"BE {d[:4]}.{d[4:7]}.{d[7:]}",
            f"BE{d}",
            f"BE {d}",
            f"BE-{d[:4]}.{d[4:7]}.{d[7:]}",
            f"BE {d[:4]} {d[4:7]} {d[7:]}",
        ]
    )


def fmt_ref(ref: str, stars: bool) -> str:
    mark = "***" if stars else "+++"
    return f"{mark}{ref[:3]}/{ref[3:7]}/{ref[7:]}{mark}"


def qty_str(q: Decimal, style: Style) -> str:
    if q == q.to_integral():
        return str(int(q))
    return f"{q.normalize():f}".replace(".", style.decimal)


def render(inv: Invoice) -> bytes:
    rng = random.Random(inv.extras["seed"] * 7919 + 1)
    doc = pymupdf.open()
    font = rng.choice(["helv", "helv", "tiro", "cour"]) if inv.layout != "receipt" else "cour"
    width, height = (227, 600) if inv.layout == "receipt" else (595, 842)
    c = Canvas(doc, width, height, font)
    DRAW[inv.layout](c, inv, rng)
    c.finish()
    return doc.tobytes(garbage=3, deflate=True)


def _words(inv: Invoice, key: str, rng: random.Random) -> str:
    return rng.choice(T[inv.style.language][key])


def _title(inv: Invoice, rng: random.Random) -> str:
    return _words(inv, {"invoice": "invoice", "credit_note": "credit", "receipt": "receipt"}[inv.kind], rng)


def _number_label(inv: Invoice, rng: random.Random) -> str:
    return _words(inv, "credit_number" if inv.kind == "credit_note" else "number", rng)


def _signed(inv: Invoice, value: Decimal) -> Decimal:
    return -value if inv.kind == "credit_note" and inv.style.negative_credit else value


def _supplier_block(
    c: Canvas, inv: Invoice, rng: random.Random, x: float, y: float, *, align="left", with_ids=True
) -> float:
    s = inv.supplier
    t = T[inv.style.language]
    c.text(x, y, s.name, size=rng.choice([13, 15, 17]), bold=True, align=align)
    y += 16
    for line in (s.street, s.city + (" (Deutschland)" if s.country == "DE" else "")):
        c.text(x, y, line, align=align)
        y += 11
    if with_ids:
        c.text(x, y, f"{rng.choice(t['vat'])} {fmt_vat(s.vat, rng)}", align=align)
        y += 11
        if inv.show_enterprise and s.vat.startswith("BE"):
            d = s.vat[2:]
            c.text(x, y, f"{rng.choice(t['enterprise'])} {d[:4]}.{d[4:7]}.{d[7:]}", align=align)
            y += 11
    c.text(x, y, f"{t['phone']} {s.phone}", align=align)
    y += 11
    c.text(x, y, s.email, align=align)
    return y + 11


def _customer_block(c: Canvas, inv: Invoice, rng: random.Random, x: float, y: float, *, label=True) -> float:
    t = T[inv.style.language]
    if label:
        c.text(
            x,
            y,
            rng.choice(t["customer"]) + (":" if rng.random() < 0.5 else ""),
            size=8,
            color=(0.3, 0.3, 0.3),
        )
        y += 12
    c.text(x, y, COMPANY_NAME, bold=True, size=10)
    y += 12
    for line in COMPANY_ADDRESS:
        c.text(x, y, line)
        y += 11
    c.text(x, y, f"{rng.choice(t['vat'])} {fmt_vat(COMPANY_VAT, rng)}")
    y += 11
    if inv.show_customer_iban and rng.random() < 0.5:
        c.text(x, y, f"IBAN {fmt_iban(COMPANY_IBAN)}")
        y += 11
    return y


def _lines_table(
    c: Canvas, inv: Invoice, rng: random.Random, y: float, x0: float = 50, x1: float = 545, with_rate=True
) -> float:
    t = T[inv.style.language]
    st = inv.style
    cols = [x0, x0 + 250, x0 + 310, x0 + 385, x1]  # desc | qty | price | rate | amount(right)
    c.text(cols[0], y, t["desc"], bold=True)
    c.text(cols[1] + 30, y, t["qty"], bold=True, align="right")
    c.text(cols[2] + 60, y, t["price"], bold=True, align="right")
    if with_rate:
        c.text(cols[3] + 40, y, t["rate"], bold=True, align="right")
    c.text(cols[4], y, t["amount"], bold=True, align="right")
    c.line(x0, y + 4, x1, y + 4)
    y += 16
    for desc, qty, price, rate in inv.lines:
        c.text(cols[0], y, desc)
        c.text(cols[1] + 30, y, qty_str(qty, st), align="right")
        c.text(cols[2] + 60, y, st.amount(price, currency=False), align="right")
        if with_rate:
            c.text(cols[3] + 40, y, f"{rate}%", align="right")
        c.text(
            cols[4], y, st.amount(_signed(inv, (qty * price).quantize(CENT)), currency=False), align="right"
        )
        y += 13
    c.line(x0, y - 6, x1, y - 6)
    return y + 6


def _totals_rows(
    c: Canvas,
    inv: Invoice,
    rng: random.Random,
    y: float,
    xl: float = 330,
    xr: float = 545,
    per_rate_style=None,
) -> float:
    t = T[inv.style.language]
    st = inv.style
    c.text(xl, y, rng.choice(t["excl"]), bold=False)
    c.text(xr, y, st.amount(_signed(inv, inv.excl)), align="right")
    y += 13
    per_rate_style = per_rate_style or rng.choice(["on", "plain", "plain"])
    for rate, base, vat in inv.breakdown():
        if per_rate_style == "on":
            label = T[st.language]["vatline"][0].format(
                r=rate, b=st.amount(_signed(inv, base), currency=False)
            )
        else:
            label = T[st.language]["vatline"][1].format(r=rate)
        c.text(xl, y, label)
        c.text(xr, y, st.amount(_signed(inv, vat)), align="right")
        y += 13
    if len(inv.breakdown()) > 1 or rng.random() < 0.4:
        c.text(xl, y, rng.choice(t["vattotal"]))
        c.text(xr, y, st.amount(_signed(inv, inv.vat)), align="right")
        y += 13
    c.line(xl, y - 8, xr, y - 8)
    y += 3
    c.text(xl, y, rng.choice(t["incl"]), bold=True, size=10)
    c.text(xr, y, st.amount(_signed(inv, inv.incl)), bold=True, size=10, align="right")
    return y + 18


def _vat_table(c: Canvas, inv: Invoice, rng: random.Random, y: float, x0: float = 50) -> float:
    t = T[inv.style.language]
    st = inv.style
    heads = [
        t["rate"],
        t["base"],
        "TVA"
        if st.language == "fr"
        else ("BTW" if st.language == "nl" else ("VAT" if st.language == "en" else "MwSt")),
    ]
    xs = [x0, x0 + 120, x0 + 200]
    c.text(xs[0], y, heads[0], bold=True)
    c.text(xs[1], y, heads[1], bold=True, align="right")
    c.text(xs[2], y, heads[2], bold=True, align="right")
    y += 13
    for rate, base, vat in inv.breakdown():
        c.text(xs[0], y, f"{rate}%")
        c.text(xs[1], y, st.amount(_signed(inv, base), currency=False), align="right")
        c.text(xs[2], y, st.amount(_signed(inv, vat), currency=False), align="right")
        y += 12
    return y + 6


def _payment_block(c: Canvas, inv: Invoice, rng: random.Random, x: float, y: float) -> float:
    t = T[inv.style.language]
    s = inv.supplier
    bank = f"{rng.choice(t['bank'])}: {fmt_iban(s.iban) if rng.random() < 0.8 else s.iban}"
    if rng.random() < 0.5 and bank.startswith("IBAN") is False and not bank.startswith("IBAN"):
        bank = bank.replace(": ", ": IBAN ", 1)
    if inv.show_bic:
        bank += f"   BIC: {s.bic}" if rng.random() < 0.5 else f" - BIC {s.bic}"
    c.text(x, y, bank)
    y += 12
    if inv.reference:
        c.text(
            x,
            y,
            f"{rng.choice(t['ref'])}: {fmt_ref(inv.reference, inv.extras['ref_stars'])}",
            bold=rng.random() < 0.5,
        )
        y += 12
    if inv.show_customer_iban:
        c.text(x, y, t["debit"].format(iban=fmt_iban(COMPANY_IBAN)), size=8)
        y += 12
    return y


def _meta_lines(
    c: Canvas, inv: Invoice, rng: random.Random, x: float, y: float, *, value_x: float | None = None
) -> float:
    t = T[inv.style.language]
    st = inv.style
    rows = [(_number_label(inv, rng), inv.number), (rng.choice(t["date"]), st.date(inv.issued))]
    if inv.due:
        rows.append((rng.choice(t["due"]), st.date(inv.due)))
    if rng.random() < 0.5:
        rows.insert(rng.randint(1, len(rows)), (t["client_no"], str(inv.extras["client_no"])))
    if rng.random() < 0.3:
        rows.append((t["delivery"], st.date(inv.extras["delivery"])))
    if rng.random() < 0.3:
        rows.append((t["order"], inv.extras["order"]))
    for label, value in rows:
        if value_x is None:
            c.text(x, y, f"{label}: {value}")
        else:
            label += ":" if rng.random() < 0.5 else ""
            c.text(x, y, label)
            # A long label pushes its value right rather than running into it.
            c.text(max(value_x, x + c.text_length(label) + 8), y, value, bold=rng.random() < 0.3)
        y += 12
    return y


def draw_classic(c: Canvas, inv: Invoice, rng: random.Random) -> None:
    _supplier_block(c, inv, rng, 50, 60)
    _customer_block(c, inv, rng, 340, 150)
    c.text(50, 250, _title(inv, rng), size=18, bold=True)
    y = _meta_lines(c, inv, rng, 50, 275, value_x=170 if rng.random() < 0.6 else None)
    y = _lines_table(c, inv, rng, max(y + 20, 360))
    y = _totals_rows(c, inv, rng, y + 10)
    y = _payment_block(c, inv, rng, 50, y + 20)
    c.text(50, 800, T[inv.style.language]["terms"], size=7)


def draw_table(c: Canvas, inv: Invoice, rng: random.Random) -> None:
    t = T[inv.style.language]
    st = inv.style
    _customer_block(c, inv, rng, 60, 140, label=rng.random() < 0.5)
    _supplier_block(c, inv, rng, 545, 50, align="right")
    c.text(60, 240, _title(inv, rng), size=16, bold=True)
    heads = [_number_label(inv, rng), rng.choice(t["date"])]
    vals = [inv.number, st.date(inv.issued)]
    if inv.due:
        heads.append(rng.choice(t["due"]))
        vals.append(st.date(inv.due))
    heads.append(t["client_no"])
    vals.append(str(inv.extras["client_no"]))
    xs = [60 + i * 125 for i in range(len(heads))]
    c.rect(55, 252, 545, 290)
    for x, h, v in zip(xs, heads, vals, strict=True):
        c.text(x, 265, h, size=8, bold=True)
        c.text(x, 282, v)
    y = _lines_table(c, inv, rng, 320)
    y = _vat_table(c, inv, rng, y + 10)
    yt = y - 12 * len(inv.breakdown()) - 19
    c.rect(330, yt - 12, 545, yt + 36)
    c.text(340, yt, rng.choice(t["excl"]))
    c.text(535, yt, st.amount(_signed(inv, inv.excl)), align="right")
    c.text(340, yt + 13, rng.choice(t["vattotal"]))
    c.text(535, yt + 13, st.amount(_signed(inv, inv.vat)), align="right")
    c.text(340, yt + 28, rng.choice(t["incl"]), bold=True)
    c.text(535, yt + 28, st.amount(_signed(inv, inv.incl)), bold=True, align="right")
    _payment_block(c, inv, rng, 60, max(y, yt + 40) + 30)
    c.text(60, 810, t["thanks"], size=8)


def draw_footer(c: Canvas, inv: Invoice, rng: random.Random) -> None:
    t = T[inv.style.language]
    s = inv.supplier
    c.text(50, 70, s.name, size=20, bold=True)
    c.text(50, 88, s.email + "  ·  " + s.phone, size=8)
    c.text(545, 70, _title(inv, rng), size=22, bold=True, align="right")
    _customer_block(c, inv, rng, 320, 140)
    _meta_lines(c, inv, rng, 50, 150, value_x=150)
    y = _lines_table(c, inv, rng, 280)
    y = _totals_rows(c, inv, rng, y + 10, per_rate_style="plain")
    if inv.reference:
        c.text(50, y + 20, f"{rng.choice(t['ref'])}: {fmt_ref(inv.reference, inv.extras['ref_stars'])}")
    if inv.show_customer_iban:
        c.text(50, y + 34, t["debit"].format(iban=fmt_iban(COMPANY_IBAN)), size=8)
    c.line(40, 770, 555, 770)
    parts = [s.name, s.street, s.city, f"{rng.choice(t['vat'])} {fmt_vat(s.vat, rng)}"]
    c.text(297, 785, " - ".join(parts), size=7, align="center")
    bank = f"IBAN {fmt_iban(s.iban)}" + (f" - BIC {s.bic}" if inv.show_bic else "")
    c.text(297, 796, bank, size=7, align="center")


def draw_columns(c: Canvas, inv: Invoice, rng: random.Random) -> None:
    t = T[inv.style.language]
    st = inv.style
    _supplier_block(c, inv, rng, 50, 55)
    c.text(380, 60, _title(inv, rng), size=16, bold=True)
    _meta_lines(c, inv, rng, 380, 85, value_x=470)
    _customer_block(c, inv, rng, 50, 200)
    y = _lines_table(c, inv, rng, 310)
    y += 10
    for rate, base, vat in inv.breakdown():
        c.text(300, y, f"{t['base']} {rate}%")
        c.text(545, y, st.amount(_signed(inv, base)), align="right")
        y += 12
        c.text(300, y, f"{T[st.language]['vatline'][1].format(r=rate)}")
        c.text(545, y, st.amount(_signed(inv, vat)), align="right")
        y += 12
    c.text(300, y + 4, rng.choice(t["excl"]))
    c.text(545, y + 4, st.amount(_signed(inv, inv.excl)), align="right")
    c.text(300, y + 17, rng.choice(t["vattotal"]))
    c.text(545, y + 17, st.amount(_signed(inv, inv.vat)), align="right")
    c.text(300, y + 32, rng.choice(t["incl"]), bold=True, size=11)
    c.text(545, y + 32, st.amount(_signed(inv, inv.incl)), bold=True, size=11, align="right")
    _payment_block(c, inv, rng, 50, y + 70)


def draw_modern(c: Canvas, inv: Invoice, rng: random.Random) -> None:
    t = T[inv.style.language]
    st = inv.style
    c.text(545, 70, _title(inv, rng).upper(), size=26, bold=True, align="right")
    c.text(50, 60, inv.supplier.name, size=12, bold=True)
    c.text(50, 74, inv.supplier.street + ", " + inv.supplier.city, size=8)
    c.text(50, 85, f"{rng.choice(t['vat'])} {fmt_vat(inv.supplier.vat, rng)}", size=8)
    c.text(50, 130, rng.choice(t["customer"]).upper(), size=8, bold=True)
    _customer_block(c, inv, rng, 50, 142, label=False)
    y = 130
    rows = [(_number_label(inv, rng), inv.number), (rng.choice(t["date"]), st.date(inv.issued))]
    if inv.due:
        rows.append((rng.choice(t["due"]), st.date(inv.due)))
    for label, value in rows:
        c.text(360, y, label, size=8, bold=True)
        c.text(545, y, value, align="right")
        y += 14
    with_rate = rng.random() < 0.5
    y = _lines_table(c, inv, rng, 260, with_rate=with_rate)
    y = _totals_rows(c, inv, rng, y + 10, xl=360, per_rate_style=None if with_rate else "on")
    bank = f"IBAN {fmt_iban(inv.supplier.iban)}"
    if inv.show_bic:
        bank += f"   BIC {inv.supplier.bic}"
    c.text(50, 760, rng.choice(t["bank"]), size=8, bold=True)
    c.text(50, 772, bank, size=8)
    if inv.reference:
        c.text(50, 784, f"{rng.choice(t['ref'])}: {fmt_ref(inv.reference, inv.extras['ref_stars'])}", size=8)
    if inv.show_customer_iban:
        c.text(50, 796, t["debit"].format(iban=fmt_iban(COMPANY_IBAN)), size=7)


def draw_sentence(c: Canvas, inv: Invoice, rng: random.Random) -> None:
    """A German-style compact header: "Rechnung Nr. X vom d"."""
    t = T[inv.style.language]
    st = inv.style
    _supplier_block(c, inv, rng, 50, 55, with_ids=True)
    _customer_block(c, inv, rng, 50, 170, label=False)
    link = {"fr": "du", "nl": "van", "en": "dated", "de": "vom"}[st.language]
    c.text(
        50, 270, f"{_number_label(inv, rng)} {inv.number} {link} {st.date(inv.issued)}", size=13, bold=True
    )
    y = _lines_table(c, inv, rng, 300)
    y = _totals_rows(c, inv, rng, y + 10)
    if inv.due:
        c.text(50, y + 10, f"{rng.choice(t['due'])}: {st.date(inv.due)}")
    _payment_block(c, inv, rng, 50, y + 26)


def draw_letter(c: Canvas, inv: Invoice, rng: random.Random) -> None:
    """A freelancer's letter: place and date, a title with the number, a paragraph to pay."""
    t = T[inv.style.language]
    st = inv.style
    s = inv.supplier
    c.text(50, 60, s.name, size=14, bold=True)
    c.text(50, 76, f"{s.street} - {s.city}", size=8)
    c.text(50, 87, f"{rng.choice(t['vat'])} {fmt_vat(s.vat, rng)} - {s.email}", size=8)
    _customer_block(c, inv, rng, 330, 130, label=False)
    city = s.city.split(" ", 1)[1]
    c.text(330, 215, t["place_date"].format(city=city, d=st.date(inv.issued)))
    c.text(50, 260, f"{_title(inv, rng)} {inv.number}", size=14, bold=True)
    y = _lines_table(c, inv, rng, 290, with_rate=False)
    y = _totals_rows(c, inv, rng, y + 10, per_rate_style="on")
    keep = "\u2007"  # holds a date or an amount together while wrapping
    sentence = t["pay_sentence"].format(
        amount=(st.amount(inv.incl) if st.currency != "none" else st.amount(inv.incl) + " EUR").replace(
            " ", keep
        ),
        iban=fmt_iban(s.iban),
        bic=s.bic,
    )
    if not inv.show_bic:
        sentence = sentence.replace(f" (BIC {s.bic})", "")
    if inv.due is not None:
        sentence += t["pay_due"].format(due=st.date(inv.due).replace(" ", keep))
    if inv.reference:
        sentence += t["pay_ref"].format(ref=fmt_ref(inv.reference, inv.extras["ref_stars"]))
    else:
        sentence += "."
    # Wrap the paragraph.
    words, line = sentence.split(" "), ""
    y += 20
    for w in words:
        if c.text_length(line + " " + w) > 480:
            c.text(50, y, line.replace(keep, " "))
            y += 12
            line = w
        else:
            line = (line + " " + w).strip()
    c.text(50, y, line.replace(keep, " "))
    if inv.show_customer_iban:
        c.text(50, y + 20, t["debit"].format(iban=fmt_iban(COMPANY_IBAN)), size=8)


def draw_receipt(c: Canvas, inv: Invoice, rng: random.Random) -> None:
    t = T[inv.style.language]
    st = inv.style
    s = inv.supplier
    mid = c.width / 2
    c.text(mid, 30, s.name, size=10, bold=True, align="center")
    c.text(mid, 42, s.street, size=7, align="center")
    c.text(mid, 51, s.city, size=7, align="center")
    c.text(mid, 60, f"{rng.choice(t['vat'])} {fmt_vat(s.vat, rng)}", size=7, align="center")
    c.text(mid, 80, _title(inv, rng), size=9, bold=True, align="center")
    c.text(12, 96, f"{_number_label(inv, rng)}: {inv.number}", size=7)
    c.text(12, 106, f"{rng.choice(t['date'])}: {st.date(inv.issued)}", size=7)
    y = 124
    for desc, qty, price, _rate in inv.lines:
        c.text(12, y, f"{qty_str(qty, st)} x {desc[:18]}", size=7)
        c.text(215, y, st.amount((qty * price).quantize(CENT), currency=False), size=7, align="right")
        y += 10
    y += 6
    c.text(12, y, rng.choice(t["incl"]), size=9, bold=True)
    c.text(215, y, st.amount(inv.incl), size=9, bold=True, align="right")
    y += 16
    c.text(12, y, f"{t['rate']}", size=7)
    c.text(120, y, t["base"], size=7, align="right")
    c.text(
        215,
        y,
        "TVA"
        if st.language == "fr"
        else ("BTW" if st.language == "nl" else "VAT" if st.language == "en" else "MwSt"),
        size=7,
        align="right",
    )
    y += 10
    for rate, base, vat in inv.breakdown():
        c.text(12, y, f"{rate}%", size=7)
        c.text(120, y, st.amount(base, currency=False), size=7, align="right")
        c.text(215, y, st.amount(vat, currency=False), size=7, align="right")
        y += 10
    c.text(12, y + 6, rng.choice(t["excl"]), size=7)
    c.text(215, y + 6, st.amount(inv.excl), size=7, align="right")
    c.text(12, y + 16, rng.choice(t["vattotal"]), size=7)
    c.text(215, y + 16, st.amount(inv.vat), size=7, align="right")
    c.text(mid, y + 40, t["thanks"], size=7, align="center")


DRAW = {
    "classic": draw_classic,
    "table": draw_table,
    "footer": draw_footer,
    "columns": draw_columns,
    "modern": draw_modern,
    "sentence": draw_sentence,
    "letter": draw_letter,
    "receipt": draw_receipt,
}


# ---- scans -----------------------------------------------------------------------------------


def scan(pdf: bytes, seed: int, *, dpi: int = 200) -> bytes:
    """The PDF as a scanner would give it back: an image per page, skewed, noisy, JPEG."""
    rng = random.Random(seed * 31 + 7)
    src = pymupdf.open(stream=pdf, filetype="pdf")
    out = pymupdf.open()
    for page in src:
        pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
        image = Image.frombytes("L", (pix.width, pix.height), pix.samples)
        angle = rng.uniform(-1.5, 1.5)
        image = image.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
        noise = Image.effect_noise(image.size, rng.uniform(20, 45))
        image = Image.blend(image, noise, rng.uniform(0.06, 0.12))
        if rng.random() < 0.5:
            image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.7)))
        buf = io.BytesIO()
        image.save(buf, format="JPEG", quality=rng.randint(55, 80))
        new = out.new_page(width=page.rect.width, height=page.rect.height)
        new.insert_image(new.rect, stream=buf.getvalue())
    return out.tobytes(garbage=3, deflate=True)


# ---- the corpus ------------------------------------------------------------------------------


@dataclass
class Sample:
    seed: int
    pdf: bytes
    truth: dict[str, Any]
    layout: str
    language: str
    scanned: bool
    invoice: Invoice


def generate(
    seed: int,
    *,
    layout: str | None = None,
    language: str | None = None,
    kind: str | None = None,
    scanned: bool = False,
) -> Sample:
    inv = draw_invoice(seed, layout=layout, language=language, kind=kind)
    pdf = render(inv)
    if scanned:
        pdf = scan(pdf, seed)
    return Sample(seed, pdf, inv.truth(), inv.layout, inv.style.language, scanned, inv)


def corpus(n: int, *, start: int = 0, scanned: bool = False) -> list[Sample]:
    """`n` samples cycling through every layout and language, seeds start, start+1, …"""
    out = []
    for i in range(n):
        seed = start + i
        layout = LAYOUTS[i % len(LAYOUTS)]
        language = LANGUAGES[(i // len(LAYOUTS)) % len(LANGUAGES)]
        out.append(generate(seed, layout=layout, language=language, scanned=scanned))
    return out


# ---- the same invoices as e-invoices ---------------------------------------------------------


def _x(value: Any) -> str:
    return html.escape(str(value), quote=False)


def to_ubl(inv: Invoice) -> bytes:
    """The invoice as a Peppol BIS Billing 3.0 UBL Invoice or CreditNote."""
    credit = inv.kind == "credit_note"
    root = "CreditNote" if credit else "Invoice"
    s = inv.supplier
    ns = f"urn:oasis:names:specification:ubl:schema:xsd:{root}-2"
    tax_subtotals = "".join(
        f'<cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">{base}</cbc:TaxableAmount>'
        f'<cbc:TaxAmount currencyID="EUR">{vat}</cbc:TaxAmount><cac:TaxCategory><cbc:ID>{"S" if rate else "Z"}</cbc:ID>'
        f"<cbc:Percent>{rate}</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:TaxSubtotal>"
        for rate, base, vat in inv.breakdown()
    )
    line_tag, qty_tag = (
        ("CreditNoteLine", "CreditedQuantity") if credit else ("InvoiceLine", "InvoicedQuantity")
    )
    lines = "".join(
        f'<cac:{line_tag}><cbc:ID>{i + 1}</cbc:ID><cbc:{qty_tag} unitCode="C62">{qty}</cbc:{qty_tag}>'
        f'<cbc:LineExtensionAmount currencyID="EUR">{(qty * price).quantize(CENT)}</cbc:LineExtensionAmount>'
        f"<cac:Item><cbc:Name>{_x(desc)}</cbc:Name><cac:ClassifiedTaxCategory><cbc:ID>{'S' if rate else 'Z'}</cbc:ID>"
        f"<cbc:Percent>{rate}</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item>"
        f'<cac:Price><cbc:PriceAmount currencyID="EUR">{price}</cbc:PriceAmount></cac:Price></cac:{line_tag}>'
        for i, (desc, qty, price, rate) in enumerate(inv.lines)
    )
    due = "" if credit or inv.due is None else f"<cbc:DueDate>{inv.due.isoformat()}</cbc:DueDate>"
    due_in_means = (
        f"<cbc:PaymentDueDate>{inv.due.isoformat()}</cbc:PaymentDueDate>" if credit and inv.due else ""
    )
    type_code = (
        "<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>"
        if credit
        else "<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>"
    )
    reference = f"<cbc:PaymentID>{fmt_ref(inv.reference, False)}</cbc:PaymentID>" if inv.reference else ""
    bic = (
        f"<cac:FinancialInstitutionBranch><cbc:ID>{inv.supplier.bic}</cbc:ID></cac:FinancialInstitutionBranch>"
        if inv.show_bic
        else ""
    )
    postal, city = s.city.split(" ", 1)
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<{root} xmlns="{ns}" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
<cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
<cbc:ID>{_x(inv.number)}</cbc:ID><cbc:IssueDate>{inv.issued.isoformat()}</cbc:IssueDate>{due}{type_code}
<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode><cbc:BuyerReference>{inv.extras["order"]}</cbc:BuyerReference>
<cac:AccountingSupplierParty><cac:Party><cbc:EndpointID schemeID="9925">{s.vat}</cbc:EndpointID><cac:PartyName><cbc:Name>{_x(s.name)}</cbc:Name></cac:PartyName>
<cac:PostalAddress><cbc:StreetName>{_x(s.street)}</cbc:StreetName><cbc:CityName>{_x(city)}</cbc:CityName><cbc:PostalZone>{postal}</cbc:PostalZone><cac:Country><cbc:IdentificationCode>{s.country}</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
<cac:PartyTaxScheme><cbc:CompanyID>{s.vat}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
<cac:PartyLegalEntity><cbc:RegistrationName>{_x(s.name)}</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party></cac:AccountingSupplierParty>
<cac:AccountingCustomerParty><cac:Party><cbc:EndpointID schemeID="0208">{COMPANY_VAT[2:]}</cbc:EndpointID>
<cac:PostalAddress><cbc:StreetName>{COMPANY_ADDRESS[0]}</cbc:StreetName><cbc:CityName>Bruxelles</cbc:CityName><cbc:PostalZone>1000</cbc:PostalZone><cac:Country><cbc:IdentificationCode>BE</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
<cac:PartyTaxScheme><cbc:CompanyID>{COMPANY_VAT}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
<cac:PartyLegalEntity><cbc:RegistrationName>{COMPANY_NAME}</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party></cac:AccountingCustomerParty>
<cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>{due_in_means}{reference}<cac:PayeeFinancialAccount><cbc:ID>{s.iban}</cbc:ID>{bic}</cac:PayeeFinancialAccount></cac:PaymentMeans>
<cac:TaxTotal><cbc:TaxAmount currencyID="EUR">{inv.vat}</cbc:TaxAmount>{tax_subtotals}</cac:TaxTotal>
<cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="EUR">{inv.excl}</cbc:LineExtensionAmount><cbc:TaxExclusiveAmount currencyID="EUR">{inv.excl}</cbc:TaxExclusiveAmount>
<cbc:TaxInclusiveAmount currencyID="EUR">{inv.incl}</cbc:TaxInclusiveAmount><cbc:PayableAmount currencyID="EUR">{inv.incl}</cbc:PayableAmount></cac:LegalMonetaryTotal>
{lines}
</{root}>"""
    return xml.encode()


def to_cii(inv: Invoice) -> bytes:
    """The invoice as UN/CEFACT CII (Factur-X EN 16931)."""
    s = inv.supplier

    def d(value: date) -> str:
        return f'<udt:DateTimeString format="102">{value.strftime("%Y%m%d")}</udt:DateTimeString>'

    taxes = "".join(
        f"<ram:ApplicableTradeTax><ram:CalculatedAmount>{vat}</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode>"
        f"<ram:BasisAmount>{base}</ram:BasisAmount><ram:CategoryCode>{'S' if rate else 'Z'}</ram:CategoryCode>"
        f"<ram:RateApplicablePercent>{rate}</ram:RateApplicablePercent></ram:ApplicableTradeTax>"
        for rate, base, vat in inv.breakdown()
    )
    items = "".join(
        f"<ram:IncludedSupplyChainTradeLineItem><ram:AssociatedDocumentLineDocument><ram:LineID>{i + 1}</ram:LineID></ram:AssociatedDocumentLineDocument>"
        f"<ram:SpecifiedTradeProduct><ram:Name>{_x(desc)}</ram:Name></ram:SpecifiedTradeProduct>"
        f"<ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>{price}</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>"
        f'<ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="C62">{qty}</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>'
        f"<ram:SpecifiedLineTradeSettlement><ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>{'S' if rate else 'Z'}</ram:CategoryCode>"
        f"<ram:RateApplicablePercent>{rate}</ram:RateApplicablePercent></ram:ApplicableTradeTax>"
        f"<ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>{(qty * price).quantize(CENT)}</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation></ram:SpecifiedLineTradeSettlement>"
        f"</ram:IncludedSupplyChainTradeLineItem>"
        for i, (desc, qty, price, rate) in enumerate(inv.lines)
    )
    terms = (
        f"<ram:SpecifiedTradePaymentTerms><ram:DueDateDateTime>{d(inv.due)}</ram:DueDateDateTime></ram:SpecifiedTradePaymentTerms>"
        if inv.due
        else ""
    )
    reference = (
        f"<ram:PaymentReference>{fmt_ref(inv.reference, False)}</ram:PaymentReference>"
        if inv.reference
        else ""
    )
    bic = (
        f"<ram:PayeeSpecifiedCreditorFinancialInstitution><ram:BICID>{s.bic}</ram:BICID></ram:PayeeSpecifiedCreditorFinancialInstitution>"
        if inv.show_bic
        else ""
    )
    postal, city = s.city.split(" ", 1)
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
<rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>
<rsm:ExchangedDocument><ram:ID>{_x(inv.number)}</ram:ID><ram:TypeCode>{"381" if inv.kind == "credit_note" else "380"}</ram:TypeCode><ram:IssueDateTime>{d(inv.issued)}</ram:IssueDateTime></rsm:ExchangedDocument>
<rsm:SupplyChainTradeTransaction>{items}
<ram:ApplicableHeaderTradeAgreement><ram:SellerTradeParty><ram:Name>{_x(s.name)}</ram:Name>
<ram:PostalTradeAddress><ram:PostcodeCode>{postal}</ram:PostcodeCode><ram:LineOne>{_x(s.street)}</ram:LineOne><ram:CityName>{_x(city)}</ram:CityName><ram:CountryID>{s.country}</ram:CountryID></ram:PostalTradeAddress>
<ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">{s.vat}</ram:ID></ram:SpecifiedTaxRegistration></ram:SellerTradeParty>
<ram:BuyerTradeParty><ram:Name>{COMPANY_NAME}</ram:Name><ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">{COMPANY_VAT}</ram:ID></ram:SpecifiedTaxRegistration></ram:BuyerTradeParty></ram:ApplicableHeaderTradeAgreement>
<ram:ApplicableHeaderTradeDelivery/>
<ram:ApplicableHeaderTradeSettlement>{reference}<ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
<ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>58</ram:TypeCode><ram:PayeePartyCreditorFinancialAccount><ram:IBANID>{s.iban}</ram:IBANID></ram:PayeePartyCreditorFinancialAccount>{bic}</ram:SpecifiedTradeSettlementPaymentMeans>
{taxes}{terms}
<ram:SpecifiedTradeSettlementHeaderMonetarySummation><ram:LineTotalAmount>{inv.excl}</ram:LineTotalAmount><ram:TaxBasisTotalAmount>{inv.excl}</ram:TaxBasisTotalAmount>
<ram:TaxTotalAmount currencyID="EUR">{inv.vat}</ram:TaxTotalAmount><ram:GrandTotalAmount>{inv.incl}</ram:GrandTotalAmount><ram:DuePayableAmount>{inv.incl}</ram:DuePayableAmount></ram:SpecifiedTradeSettlementHeaderMonetarySummation>
</ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>"""
    return xml.encode()
