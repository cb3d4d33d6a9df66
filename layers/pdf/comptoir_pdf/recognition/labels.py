"""The words invoices put before their values, in French, Dutch, English and German.

Patterns match folded text (lower case, no accents). Each has a weight: 1.0 for a label that names
the field alone ("date d'échéance"), less for a generic one ("date", "total"). Where two labels
overlap, the longer wins: "total hors TVA" is not "total", "n° TVA" is not a number label."""

import functools
import re
from dataclasses import dataclass

_NO = r"(?:n[°o]\.?|nr\.?|no\.?|num(?:ero|mer)?\.?|number|#|nummer)"

LABELS: dict[str, list[tuple[str, float]]] = {
    "invoice_number": [
        (rf"(?:facture|avoir|note de credit)\s*{_NO}", 1.0),
        (rf"{_NO}\s*(?:de\s+(?:la\s+)?|d'\s?)?(?:facture|l'avoir|avoir|note de credit)", 1.0),
        (r"factuur\s*(?:nummer|nr\.?|n[°o]\.?)|factuurnummer|factuurnr\.?", 1.0),
        (r"creditnota\s*(?:nummer|nr\.?|n[°o]\.?)|creditnotanummer|creditnotanr\.?", 1.0),
        (r"invoice\s*(?:number|no\.?|n[°o]|#|nr\.?|id)|inv\.?\s*no\.?", 1.0),
        (r"credit\s*note\s*(?:number|no\.?|n[°o]|#)", 1.0),
        (
            r"rechnungs?\s*-?\s*(?:nummer|nr\.?|n[°o]\.?)|rechnungsnummer|gutschrifts?\s*-?\s*(?:nummer|nr\.?)",
            1.0,
        ),
        (r"(?:document|piece|stuk|beleg)\s*-?\s*(?:nr\.?|n[°o]\.?|number|nummer)", 0.7),
        (r"ref\.?\s*(?:de\s+(?:la\s+)?)?facture|factuur\s*ref\.?|invoice\s+ref\.?", 0.9),
        (r"ons\s+kenmerk|notre\s+reference|our\s+reference|unser\s+zeichen", 0.5),
        (rf"(?<![\w'])(?:{_NO})(?=\s*[:.]?\s*[\w/-]*\d)", 0.45),
        (
            r"^(?:facture|factuur|invoice|tax invoice|rechnung|avoir|creditnota|credit note|gutschrift|note de credit)\b(?=\s*[:.]?\s*[a-z]{0,4}[\w/.-]*\d)",
            0.6,
        ),
        (r"\b(?:reference|referentie|ref\.?)(?=\s*[:.]?\s*[a-z]{0,4}[\w/.-]*\d)", 0.35),
        (r"(?<![\w'])(?:numero|nummer|number|n[°o])\s*$", 0.45),
        (r"^(?:reference|referentie|referenz|ref\.?)\s*$", 0.35),
        (
            r"^(?:ticket|kassabon|kasticket|bon|beleg|receipt|quittung|bonnummer)\s*(?:n[°o]\.?|nr\.?|#|no\.?)?(?=\s*[:.]?\s*[a-z]{0,4}[\w/.-]*\d)",
            0.6,
        ),
    ],
    "invoice_date": [
        (r"date\s+(?:de\s+(?:la\s+)?)?(?:facture|facturation|l'avoir|avoir|emission|document)", 1.0),
        (r"factuurdatum|datum\s+(?:factuur|creditnota)|creditnotadatum|factuur\s*datum", 1.0),
        (
            r"invoice\s+date|date\s+of\s+(?:issue|invoice)|issue\s+date|credit\s+note\s+date|date\s+issued",
            1.0,
        ),
        (r"rechnungsdatum|gutschriftsdatum|ausstellungsdatum|belegdatum|datum\s+der\s+rechnung", 1.0),
        (r"emise?\s+le|uitgiftedatum|datum\s+van\s+uitgifte|issued(?:\s+on)?|date\s+of\s+issue", 0.9),
        (r"(?<![\w'])(?:date|datum|dated|du|van|le|vom)(?![\w'])", 0.5),
    ],
    "due_date": [
        (
            r"date\s+d'?\s?echeance|echeance|a\s+payer\s+(?:avant|pour)\s+le|payable\s+(?:avant|pour|au plus tard)(?:\s+le)?|date\s+limite(?:\s+de\s+paiement)?",
            1.0,
        ),
        (
            r"vervaldatum|vervaldag|vervalt\s+op|te\s+betalen\s+(?:voor|tegen|uiterlijk\s+op)|uiterste\s+betaaldatum|betaalbaar\s+(?:voor|tegen|op)",
            1.0,
        ),
        (r"due\s+date|payment\s+due|due\s+(?:by|on)|pay\s+by|payable\s+(?:by|before|on)|date\s+due|due", 1.0),
        (r"falligkeitsdatum|fallig\s+(?:am|bis)|zahlbar\s+bis|zahlungsziel|zahlbar\s+(?:am|spatestens)", 1.0),
        (r"(?<![\w'])(?:avant\s+le|voor|uiterlijk\s+op|by|before|bis\s+zum|bis)(?![\w'])", 0.7),
    ],
    "total_excl_vat": [
        (
            r"total\s+(?:hors\s+t\.?v\.?a\.?|htva|h\.t\.?v?\.?a?|ht|net)|montant\s+(?:htva|hors\s+tva|ht|net)|hors\s+tva|htva|sous[-\s]?total|base\s+imposable|total\s+net",
            1.0,
        ),
        (
            r"tota(?:a)?l\s+(?:excl\.?|exclusief|zonder)\s*(?:btw|tva|vat)?|excl\.?\s+btw|exclusief\s+btw|subtota(?:a)?l|maatstaf\s+van\s+heffing|netto\s*bedrag|bedrag\s+excl\.?(?:\s+btw)?|totaal\s+netto",
            1.0,
        ),
        (
            r"total\s+(?:excl\.?|excluding|before)\s*(?:vat|tax)|net\s+(?:amount|total)|amount\s+excl\.?(?:\s+vat)?|total\s+net|taxable\s+amount",
            1.0,
        ),
        (
            r"nettobetrag|netto\s*summe|summe\s+netto|gesamt\s+netto|zwischensumme|rechnungsbetrag\s+netto|warenwert|gesamtbetrag\s+netto",
            1.0,
        ),
        (r"\b(?:netto|net|ht)\b", 0.4),
    ],
    "vat_amount": [
        (r"(?:montant|total)\s+(?:de\s+la\s+)?t\.?v\.?a\.?|t\.?v\.?a\.?\s+total|total\s+t\.?v\.?a", 1.0),
        (r"(?:totaal\s+)?btw[-\s]?bedrag|totaal\s+btw|bedrag\s+btw|btw\s+totaal", 1.0),
        (r"(?:total\s+)?vat\s+(?:amount|total)|total\s+vat|total\s+tax|tax\s+amount|sales\s+tax", 1.0),
        (r"(?:summe\s+|gesamt\s+)?(?:mwst|ust|mehrwertsteuer|umsatzsteuer)(?:\.|-betrag|betrag)?", 0.8),
        (r"(?<![\w.])(?:t\.?v\.?a|btw|vat|tax)(?![\w.])", 0.7),
    ],
    "total_incl_vat": [
        (
            r"total\s+(?:t\.?t\.?c|tvac|tvc|t\.v\.a\.c|toutes\s+taxes\s+comprises|a\s+payer|general|du|tva\s+comprise|incl\.?\s*(?:tva)?)|(?:montant|solde|net|reste)\s+(?:total\s+)?a\s+payer|montant\s+(?:ttc|tvac)|a\s+payer|ttc|tvac|montant\s+du|solde\s+du|total\s+du",
            1.0,
        ),
        (
            r"tota(?:a)?l\s+(?:incl\.?|inclusief|met)\s*(?:btw)?|(?:totaal\s+|totaal\s+bedrag\s+|bedrag\s+)?te\s+betalen|incl\.?\s+btw|inclusief\s+btw|eindtotaal|totaal\s+bedrag|te\s+voldoen",
            1.0,
        ),
        (
            r"total\s+(?:incl\.?|including|inc\.?)\s*(?:vat|tax)?|total\s+(?:amount\s+)?(?:due|payable|to\s+pay)|amount\s+(?:due|payable|to\s+pay)|balance\s+due|grand\s+total|invoice\s+total|total\s+amount",
            1.0,
        ),
        (
            r"gesamtbetrag|rechnungsbetrag|endbetrag|zu\s+zahlen(?:der\s+betrag)?|zahlbetrag|summe\s+brutto|gesamt\s+brutto|bruttobetrag|gesamtsumme",
            1.0,
        ),
        (r"(?<![\w-])(?:total|totaal|summe|gesamt|montant|bedrag|amount)(?![\w-])", 0.45),
    ],
}

# Labels that look like a field's but name something else; they win where they overlap.
DECOYS = [
    r"(?:n[°o]\.?|numero|num\.?)\s*(?:de\s+)?(?:t\.?v\.?a|tva|client|commande|bon|compte|d'entreprise|entreprise|bce|registre|tel|telephone|fax|gsm|article|ref|reference|dossier|contrat|livraison|order|client)",
    r"(?:btw|ondernemings|klant|order|bestel|lever|rekening|telefoon|artikel|dossier|contract|referentie|bon|klanten)[-\s]?(?:nummer|nr\.?)",
    r"(?:vat|tax|customer|client|order|purchase\s+order|po|account|phone|company|registration|delivery|item|article|reference)\s*(?:number|no\.?|n[°o]|#|id|reg)",
    r"(?:ust|steuer|kunden|bestell|auftrags|liefer|konto|telefon|artikel|handelsregister)[-\s]?(?:id|nummer|nr\.?|nr)",
    r"date\s+de\s+(?:livraison|commande|prestation|paiement|naissance)|leverdatum|leveringsdatum|besteldatum|orderdatum|delivery\s+date|order\s+date|service\s+date|lieferdatum|bestelldatum|leistungsdatum|auftragsdatum",
    r"(?:taux|tarief|rate|satz)\s+(?:de\s+)?(?:tva|btw|vat|mwst)|(?:tva|btw|vat|mwst|ust)[-\s]?(?:nr|nummer|number|no|id|ident|code|regime|tarief|plichtig|stelsel)",
    r"prix\s+unitaire|eenheidsprijs|unit\s+price|einzelpreis|quantite|aantal|quantity|menge|qte|qty",
    r"btw\s+verlegd|autoliquidation|reverse\s+charge",
]

CUSTOMER_LABELS = re.compile(
    r"^(?:client|cliente|klant|customer|bill(?:ed)?\s+to|invoice\s+to|sold\s+to|facture\s+a|facturer\s+a|adresse\s+de\s+facturation|destinataire|"
    r"factuuradres|gefactureerd\s+aan|afnemer|kunde|rechnungsempfanger|rechnungsadresse|empfanger|a\s+l'attention\s+de|ter\s+attentie\s+van|votre\s+societe|uw\s+bedrijf)\b"
)
SUPPLIER_LABELS = re.compile(
    r"^(?:fournisseur|leverancier|supplier|vendor|seller|from|lieferant|verkaufer|emetteur|prestataire|vendeur)\b"
)
PAYMENT_CONTEXT = re.compile(
    r"\b(?:iban|rekening|compte|konto|account|bank|banque|bankverbindung|swift|bic|betaling|paiement|payment|zahlung|virement|overschrijving|uberweisung)"
)
ENTERPRISE_CONTEXT = re.compile(
    r"\b(?:bce|kbo|rpm|rpr|ondernemings|entreprise|enterprise|company\s+n|t\.?v\.?a|btw|vat|ust|tva|n[°o]\s*tva|mwst|handelsregister|rcs|kvk|siret|id)"
)
CREDIT_NOTE_WORDS = re.compile(
    r"\b(?:note\s+de\s+credit|avoir|creditnota\w*|credit\s+nota|credit\s+note|creditnote|gutschrift\w*|rechnungskorrektur|kreditnota)\b"
)
INVOICE_WORDS = re.compile(r"\b(?:facture|factuur|invoice|rechnung|faktura|tax\s+invoice)\b")
RECEIPT_WORDS = re.compile(
    r"\b(?:ticket\s+de\s+caisse|ticket|recu|kasticket|kassaticket|kassabon|bon|receipt|quittung|kassenbon|kassenzettel)\b"
)
LEGAL_FORMS = re.compile(
    r"(?<![\w.])(?:srl|sprl|sa|nv|bv|bvba|cv|cvba|sc|scrl|scs|snc|asbl|vzw|vof|commv|comm\.\s?v|gcv|sas|sarl|eurl|gmbh|ag|kg|ohg|ug|e\.k\.|ltd|limited|llp|plc|inc|llc|b\.v\.|n\.v\.|s\.a\.|s\.r\.l\.|bv\s+bv)(?![\w])",
)


@dataclass(frozen=True)
class LabelHit:
    field: str
    weight: float
    start: int
    end: int


# Whole words only ("ust" is no label inside "August"); the engine backtracks to a longer
# alternative ("exclusief" rather than "excl") when the shorter one would end inside a word.
_COMPILED = {
    name: [(re.compile(rf"(?<![a-z])(?:{p})(?![a-z])"), w) for p, w in patterns]
    for name, patterns in LABELS.items()
}
_DECOYS = [re.compile(p) for p in DECOYS]


def find_labels(folded: str) -> list[LabelHit]:
    """Every field label in a segment's folded text; overlapping hits resolved longest first,
    decoys removing what they cover."""
    return list(_find_labels(folded))


@functools.lru_cache(maxsize=4096)
def _find_labels(folded: str) -> tuple[LabelHit, ...]:
    hits: list[LabelHit] = []
    for name, patterns in _COMPILED.items():
        for pattern, weight in patterns:
            for m in pattern.finditer(folded):
                if m.end() > m.start():
                    hits.append(LabelHit(name, weight, m.start(), m.end()))
    decoys = [(m.start(), m.end()) for p in _DECOYS for m in p.finditer(folded)]
    hits = [h for h in hits if not any(ds <= h.start < de or ds < h.end <= de for ds, de in decoys)]
    hits.sort(key=lambda h: (-(h.end - h.start), -h.weight))
    kept: list[LabelHit] = []
    for h in hits:
        if any(not (h.end <= k.start or h.start >= k.end) for k in kept):
            continue
        kept.append(h)
    return tuple(sorted(kept, key=lambda h: h.start))


# OCR garbles small type ("Rechnungsnummer" read "Nachnungenummer"): a word of an OCR'd page close
# enough to one of these one-word labels is that label, less surely than one read as printed.
FUZZY_WEIGHT = 0.75
FUZZY_VOCABULARY = {
    "invoice_number": (
        "factuurnummer",
        "creditnotanummer",
        "rechnungsnummer",
        "gutschriftsnummer",
    ),
    "invoice_date": (
        "factuurdatum",
        "creditnotadatum",
        "rechnungsdatum",
        "gutschriftsdatum",
        "ausstellungsdatum",
        "uitgiftedatum",
    ),
    "due_date": ("echeance", "vervaldatum", "vervaldag", "falligkeitsdatum", "zahlungsziel"),
}
# Words as close to these name something else ("Lieferdatum" is no "Rechnungsdatum").
FUZZY_DECOYS = (
    "leverdatum",
    "leveringsdatum",
    "besteldatum",
    "orderdatum",
    "lieferdatum",
    "bestelldatum",
    "leistungsdatum",
    "auftragsdatum",
    "btwnummer",
    "klantnummer",
    "klantennummer",
    "bestelnummer",
    "ordernummer",
    "kundennummer",
    "bestellnummer",
    "auftragsnummer",
    "lieferscheinnummer",
    "kontonummer",
    "telefonnummer",
    "ondernemingsnummer",
    "rekeningnummer",
    "artikelnummer",
    "referentie",
    "steuernummer",
    "handelsregister",
    "mwstbetrag",
    "btwbedrag",
    "einzelpreis",
    "eenheidsprijs",
)
_WORD = re.compile(r"[a-z]{7,}")


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or limit + 1 once it is sure to exceed the limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


@functools.lru_cache(maxsize=4096)
def fuzzy_labels(folded: str) -> tuple[LabelHit, ...]:
    """Labels an OCR'd segment holds garbled: a word of seven letters or more within a fifth of a
    label's length in edits (one edit for up to nine letters), nearer to it than to any decoy,
    where no label was found as printed. Weighted FUZZY_WEIGHT."""
    exact = _find_labels(folded)
    decoy_spans = [(m.start(), m.end()) for p in _DECOYS for m in p.finditer(folded)]
    out: list[LabelHit] = []
    for m in _WORD.finditer(folded):
        word = m.group()
        if any(not (m.end() <= h.start or m.start() >= h.end) for h in exact):
            continue
        if any(not (m.end() <= s or m.start() >= e) for s, e in decoy_spans):
            continue
        best: tuple[int, str] | None = None
        for name, words in FUZZY_VOCABULARY.items():
            for label in words:
                limit = max(1, len(label) // 5)
                d = _distance(word, label, limit)
                if d <= limit and (best is None or d < best[0]):
                    best = (d, name)
        if best is None or best[0] == 0:
            continue
        if any(_distance(word, decoy, best[0]) <= best[0] for decoy in FUZZY_DECOYS):
            continue
        out.append(LabelHit(best[1], FUZZY_WEIGHT, m.start(), m.end()))
    return tuple(out)


# Invoice-number labels OCR garbles in their short compound forms ("Reehnungs-Nr.", "Faetuurnr.",
# "Factuumr" with "rn" read as "m", "Facture n" with its "°" lost), weighted FUZZY_WEIGHT.
FUZZY_NUMBER_VOCABULARY = (
    "factuurnr",
    "factuurnummer",
    "creditnotanr",
    "creditnotanummer",
    "rechnungsnr",
    "rechnungsnummer",
    "gutschriftsnr",
    "gutschriftsnummer",
    "invoiceno",
    "invoicenr",
)
FUZZY_NUMBER_DECOYS = (
    "klantnr",
    "klantennr",
    "btwnr",
    "ordernr",
    "bestelnr",
    "kundennr",
    "bestellnr",
    "auftragsnr",
    "lieferscheinnr",
    "ustidnr",
    "steuernr",
    "kontonr",
    "telefonnr",
    "artikelnr",
    "rekeningnr",
    "customerno",
    "accountno",
    "orderno",
)
_NUMBER_ROOTS = ("factuur", "rechnung", "rechnungs", "invoice", "creditnota", "gutschrift", "gutschrifts")
# One edit at most, after the squash: these words are short and near other words.
_COMPOUND = re.compile(r"[a-z]{4,}(?:[\s-]{0,2}[a-z]{2,}){0,1}(?:[\s.-]{0,2}(?:n[ro]|n)(?![a-z])\.?)?")
_LOST_DEGREE = re.compile(r"(?<![a-z])(?:facture|factuur|invoice|avoir|rechnung)\s+n\.?\s*$")


def _ocr_squash(text: str) -> str:
    """Letters only, with the pairs OCR merges into one letter made one ("rn" → "m")."""
    return re.sub(r"[^a-z]", "", text).replace("rn", "m").replace("cl", "d")


@functools.lru_cache(maxsize=4096)
def fuzzy_number_labels(folded: str) -> tuple[LabelHit, ...]:
    """Invoice-number labels an OCR'd segment holds garbled, where no label was read as printed."""
    if any(h.field == "invoice_number" for h in _find_labels(folded)) or fuzzy_labels(folded):
        return ()
    out: list[LabelHit] = []
    lost = _LOST_DEGREE.search(folded)
    if lost:
        return (LabelHit("invoice_number", FUZZY_WEIGHT, lost.start(), lost.end()),)
    for m in _COMPOUND.finditer(folded):
        squashed = _ocr_squash(m.group())
        if len(squashed) < 7:
            continue
        best: int | None = None
        for label in FUZZY_NUMBER_VOCABULARY:
            target = _ocr_squash(label)
            d = _distance(squashed, target, 1)
            if d <= 1 and (best is None or d < best):
                best = d
        if best is None:
            continue
        if min(_distance(squashed, r, 3) for r in _NUMBER_ROOTS) < best:
            continue  # "Factuur" alone is a title, not "Factuurnr."
        if any(_distance(squashed, _ocr_squash(decoy), best) <= best for decoy in FUZZY_NUMBER_DECOYS):
            continue
        out.append(LabelHit("invoice_number", FUZZY_WEIGHT, m.start(), m.end()))
        break
    return tuple(out)
