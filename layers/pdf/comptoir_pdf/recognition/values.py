"""Reading and checking the values an invoice prints: amounts, dates, VAT numbers, IBANs, BICs,
structured references. Every finder works on a line of text and returns matches with their
character span, so the caller can map a value back to the words (and boxes) it came from."""

import dataclasses
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from stdnum import bic as std_bic
from stdnum import iban as std_iban
from stdnum.be import vat as be_vat
from stdnum.eu import vat as eu_vat


@dataclass(frozen=True)
class Match:
    value: object  # Decimal, date or str
    start: int
    end: int
    explicit: bool = True  # amounts: has decimals or a currency; VAT: has its country prefix
    repaired: bool = False  # VAT, IBAN: OCR's misreading repaired, its check the only evidence


def fold(text: str) -> str:
    """Lower case, no accents, one space: how labels are compared."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text.lower()).strip()


# ---- amounts ---------------------------------------------------------------------------------

CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP"}
CURRENCY_CODES = ("EUR", "USD", "GBP", "CHF", "SEK", "DKK", "PLN", "NOK", "CZK", "JPY")
_CUR = r"(?:€|EUR|USD|GBP|CHF|\$|£)"
_AMOUNT_RE = re.compile(
    r"(?<![\w.,/])"
    r"(?P<sign>[-−–]\s?)?"
    rf"(?:(?P<cur1>{_CUR})\s?)?"
    r"(?P<sign2>[-−–]\s?)?"
    r"(?P<num>\d{1,3}(?:[.,'\u00a0\u202f ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
    rf"(?:\s?(?P<cur2>{_CUR}))?"
    r"(?![\w/]|[.,]\d)"
)


def parse_number(text: str) -> tuple[Decimal, bool] | None:
    """ "1.234,56", "1,234.56", "1 234,56", "1234.5" → (Decimal, has_decimals)."""
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("'", " ").strip()
    seps = [(i, c) for i, c in enumerate(text) if c in ".,"]
    decimals = False
    if seps:
        last_i, last_c = seps[-1]
        tail = text[last_i + 1 :]
        others = {c for _, c in seps[:-1]}
        if len(tail) in (1, 2) and last_c not in others:
            decimals = True
            whole, frac = text[:last_i], tail
        elif len(tail) == 2 and re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", text[:last_i]):
            # "8,948,21": OCR read the decimal point of "8,948.21" as the thousands' comma; groups
            # of three before two last digits are thousands and cents.
            decimals = True
            whole, frac = text[:last_i], tail
        elif len(tail) == 3:
            whole, frac = text, ""
        else:
            return None
        whole = re.sub(r"[., ]", "", whole)
    else:
        whole, frac = text.replace(" ", ""), ""
    if not whole.isdigit():
        return None
    try:
        return Decimal(f"{whole}.{frac}" if frac else whole), decimals
    except InvalidOperation:
        return None


def find_amounts(text: str) -> list[Match]:
    out = []
    for m in _AMOUNT_RE.finditer(text):
        parsed = parse_number(m.group("num"))
        if parsed is None:
            continue
        value, decimals = parsed
        if m.group("sign") or m.group("sign2"):
            value = -value
        currency = m.group("cur1") or m.group("cur2")
        # A number followed by % is a rate, not an amount.
        rest = text[m.end() : m.end() + 2].lstrip()
        if rest.startswith("%"):
            continue
        out.append(Match(value, m.start(), m.end(), explicit=decimals or bool(currency)))
    return out


def find_currency(text: str) -> str | None:
    for symbol, code in CURRENCY_SYMBOLS.items():
        if symbol in text:
            return code
    m = re.search(r"\b(" + "|".join(CURRENCY_CODES) + r")\b", text)
    return m.group(1) if m else None


_RATE_RE = re.compile(r"(?<![\d,.])(\d{1,2}(?:[.,]\d{1,2})?)\s?%")


def find_rates(text: str) -> list[Match]:
    out = []
    for m in _RATE_RE.finditer(text):
        value = Decimal(m.group(1).replace(",", "."))
        if value <= 30:
            out.append(Match(value.normalize() if value != 0 else Decimal(0), m.start(), m.end()))
    return out


def amount_str(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def rate_str(value: Decimal) -> str:
    value = Decimal(value)
    return str(value.quantize(Decimal(1))) if value == value.to_integral() else str(value.normalize())


# ---- dates -----------------------------------------------------------------------------------

MONTHS = {
    1: "janvier janv jan januari january januar janner jaenner",
    2: "fevrier fevr fev feb februari february februar",
    3: "mars mar maart mrt march marz maerz mrz",
    4: "avril avr apr april",
    5: "mai mei may",
    6: "juin jun juni june",
    7: "juillet juil jul juli july",
    8: "aout aug augustus august",
    9: "septembre sept sep september",
    10: "octobre oct okt oktober october",
    11: "novembre nov november",
    12: "decembre dec december dezember dez",
}
_MONTH_WORDS = {word: month for month, words in MONTHS.items() for word in words.split()}
_MONTH_ALT = "|".join(sorted(_MONTH_WORDS, key=len, reverse=True))
_DATE_NUMERIC = re.compile(r"(?<![\d/.\-])(\d{1,2})\s?([/.\-])\s?(\d{1,2})\s?\2\s?(\d{4}|\d{2})(?![\d/])")
_DATE_ISO = re.compile(r"(?<![\d/.\-])(\d{4})-(\d{2})-(\d{2})(?!\d)")
# OCR's misread separator in a numeric date with its four-digit year ("04.03,2024", "04-03.2024").
_DATE_NUMERIC_OCR = re.compile(
    r"(?<![\d/.,\-])(\d{1,2})\s?[/.\-,]\s?(\d{1,2})\s?[/.\-,]\s?((?:19|20)\d\d)(?![\d/.,])"
)
# "4mars 2024": OCR may drop the space between the day and the month.
_DATE_DMY_WORDS = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:er|e|st|nd|rd|th)?\.?\s*({_MONTH_ALT})\.?,?\s+(\d{{4}})(?!\d)"
)
# "May 10,2024": OCR may drop the space after the comma.
_DATE_MDY_WORDS = re.compile(rf"\b({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,\s*|\s+)(\d{{4}})(?!\d)")


def _date(y: int, m: int, d: int) -> date | None:
    if y < 100:
        y += 2000
    try:
        value = date(y, m, d)
    except ValueError:
        return None
    return value if 1990 <= value.year <= 2100 else None


def find_dates(text: str) -> list[Match]:
    """Dates written day first (the Belgian way), ISO, or with the month in words (FR/NL/EN/DE).
    Matching is done on folded text, which keeps the same length for these characters."""
    folded = fold_keep_length(text)
    out: list[Match] = []
    for m in _DATE_ISO.finditer(folded):
        if value := _date(int(m.group(1)), int(m.group(2)), int(m.group(3))):
            out.append(Match(value, m.start(), m.end()))
    for m in _DATE_NUMERIC.finditer(folded):
        if any(o.start <= m.start() < o.end for o in out):
            continue
        d, mo, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
        if value := _date(y, mo, d):
            out.append(Match(value, m.start(), m.end()))
    for m in _DATE_NUMERIC_OCR.finditer(folded):
        if any(o.start < m.end() and m.start() < o.end for o in out):
            continue
        if value := _date(int(m.group(3)), int(m.group(2)), int(m.group(1))):
            out.append(Match(value, m.start(), m.end()))
    for m in _DATE_DMY_WORDS.finditer(folded):
        if value := _date(int(m.group(3)), _MONTH_WORDS[m.group(2)], int(m.group(1))):
            out.append(Match(value, m.start(), m.end()))
    for m in _DATE_MDY_WORDS.finditer(folded):
        if value := _date(int(m.group(3)), _MONTH_WORDS[m.group(1)], int(m.group(2))):
            out.append(Match(value, m.start(), m.end()))
    return sorted(out, key=lambda match: match.start)


_DAY_MONTH_END = re.compile(rf"(?<!\d)(\d{{1,2}})(?:er|e|st|nd|rd|th)?\.?\s+({_MONTH_ALT})\.?,?\s*$")
_MONTH_DAY_END = re.compile(rf"\b({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s*$")
_YEAR_ONLY = re.compile(r"^\s*((?:19|20)\d\d)\s*[.,]?\s*$")


def date_without_year(text: str) -> tuple[int, int, int] | None:
    """A text ending with a day and a month in words and no year ("23 November", "January 20,"):
    (month, day, start), the year being on the next line of a narrow cell."""
    folded = fold_keep_length(text)
    if m := _DAY_MONTH_END.search(folded):
        return _MONTH_WORDS[m.group(2)], int(m.group(1)), m.start()
    if m := _MONTH_DAY_END.search(folded):
        return _MONTH_WORDS[m.group(1)], int(m.group(2)), m.start()
    return None


def year_only(text: str) -> int | None:
    m = _YEAR_ONLY.match(text)
    return int(m.group(1)) if m else None


def fold_keep_length(text: str) -> str:
    out = []
    for c in text:
        base = unicodedata.normalize("NFKD", c)
        base = "".join(b for b in base if not unicodedata.combining(b)) or c
        out.append(base[0].lower() if len(base) >= 1 else c)
    return "".join(out)


# ---- VAT numbers -----------------------------------------------------------------------------

_BE_PREFIX_RE = re.compile(r"\bBE[\s.:\-]{0,3}(?=[\dOILD][\dOILD\s.,]{7})")
# "BE0912774453" as a fax's OCR reads it: the two letters taken for digits ("600912774453").
_BE_MISREAD_RE = re.compile(r"(?<![\w.])[B863][E€C6F03£][\s.:]?([01]\d{3}[.\s]?\d{3}[.\s]?\d{3})(?![\d.])")
# "DE157087163" read "00157087163": its check digit is weak (one in ten), so only by a label.
_DE_MISREAD_RE = re.compile(r"(?<![\w.])[D0O][EC€F£0]\s?(\d{3}\s?\d{3}\s?\d{3})(?![\d.])")
# A foreign number whose digits OCR read partly as letters ("DEB48312447", "DES583624209").
_FOREIGN_MISREAD_RE = re.compile(r"\b(DE|LU)\s?([\dODILSBZG]{8,11})\b")
_FOREIGN_DIGITS = {"DE": 9, "LU": 8}
_AS_ONE = str.maketrans({"(": "1", "|": "1", "!": "1", "[": "1", "]": "1"})
_SPLIT_PREFIX_RE = re.compile(r"\b(B(?= E)|D(?= E)|N(?= L)|F(?= R)|L(?= U)) ([ELRU])(?=\d)")
_FOREIGN_VAT_RE = re.compile(
    r"\b(NL\s?\d{9}\s?B\s?\d{2}|FR\s?[0-9A-Z]{2}\s?\d{3}\s?\d{3}\s?\d{3}|DE\s?\d{3}\s?\d{3}\s?\d{3}|LU\s?\d{8})\b"
)
# An enterprise number without BE, e.g. after "BCE", "KBO", "RPM": 0123.456.749 or 0123 456 749.
_ENTERPRISE_RE = re.compile(r"(?<![\d.])([01]\d{3}[.\s]\d{3}[.\s]\d{3}|[01]\d{9})(?![\d.])")


def normalise_vat(raw: str) -> str | None:
    """ "BE 0123.456.749" → "BE0123456749" when the mod-97 check holds; foreign EU numbers too."""
    raw = raw.upper().replace("O", "0") if raw.upper().startswith("BE") else raw.upper()
    compact = re.sub(r"[\s.\-:]", "", raw)
    if compact.startswith("BE"):
        digits = compact[2:]
        if len(digits) == 9:
            digits = "0" + digits
        return "BE" + digits if be_vat.is_valid(digits) else None
    try:
        return eu_vat.compact(compact) if eu_vat.is_valid(compact) else None
    except Exception:  # noqa: BLE001 (stdnum raises its own family for odd input)
        return None


# Digits OCR takes for one another on a noisy page.
_LOOKALIKE = {"3": "8", "8": "360", "5": "6", "6": "58", "1": "7", "7": "1", "0": "8", "9": "8", "4": "1"}


def _repair_be(digits: str) -> str | None:
    """The one Belgian number one OCR look-alike digit away from `digits` that passes mod 97."""
    found = {
        variant
        for i, c in enumerate(digits)
        for alt in _LOOKALIKE.get(c, "")
        if (variant := digits[:i] + alt + digits[i + 1 :])[0] in "01" and be_vat.is_valid(variant)
    }
    return found.pop() if len(found) == 1 else None


def find_vats(text: str, *, enterprise_context: bool = False, repair: bool = False) -> list[Match]:
    """VAT numbers written with their country prefix; with `enterprise_context` (the line says
    BCE/KBO/TVA/BTW…) also the bare 10 digits of a Belgian enterprise number; with `repair` (OCR
    read it) a BE number one look-alike digit off its check, when only one reading fits."""
    out: list[Match] = []
    upper = text.upper()
    if repair:
        # OCR's space inside the country code ("D E434570916"), moved after it: same length.
        upper = _SPLIT_PREFIX_RE.sub(lambda m: m.group(1) + m.group(2) + " ", upper)
    ibans = find_ibans(text)
    for m in _BE_PREFIX_RE.finditer(upper):
        if any(i.start <= m.start() < i.end for i in ibans):
            continue
        # Up to ten digits, grouped by spaces or dots, O or D read for 0 by OCR repaired.
        digits, ends, i = "", [], m.end()
        while i < len(upper) and len(digits) < 10:
            c = upper[i]
            if c.isdigit() or c in "OILD":
                digits += c.translate(_AS_DIGIT)
                ends.append(i + 1)
            elif c not in " .:,":  # OCR reads a dot as a colon or a comma
                break
            i += 1
        for n in (10, 9):
            if len(digits) >= n and not (len(digits) > n and n == 9):
                candidate = digits[:n] if n == 10 else "0" + digits[:n]
                end = ends[n - 1]
                if end < len(upper) and upper[end].isdigit():
                    continue
                if candidate[0] in "01" and be_vat.is_valid(candidate):
                    out.append(Match("BE" + candidate, m.start(), end))
                    break
        else:
            if repair and len(digits) == 10 and (fixed := _repair_be(digits)):
                # OCR misread one digit, and only one reading passes the check: said, unsure.
                out.append(Match("BE" + fixed, m.start(), ends[9], explicit=False))
    for m in _FOREIGN_VAT_RE.finditer(upper):
        if value := normalise_vat(m.group(1)):
            out.append(Match(value, m.start(), m.end()))
    if repair:
        out.extend(_misread_vats(upper, out, enterprise_context=enterprise_context))
    if enterprise_context:
        for m in _ENTERPRISE_RE.finditer(upper):
            if any(o.start <= m.start() < o.end for o in out):
                continue
            if value := normalise_vat("BE" + m.group(1)):
                out.append(Match(value, m.start(), m.end(), explicit=False))
    return sorted(out, key=lambda match: match.start)


def _misread_vats(upper: str, found: list[Match], *, enterprise_context: bool) -> list[Match]:
    """VAT numbers OCR garbled beyond the usual, read back when their check passes after the
    repair (and only one repair passes): said unsure."""
    out: list[Match] = []
    ibans = find_ibans(upper, repair=True)

    def free(start: int) -> bool:
        return not any(o.start <= start < o.end for o in [*found, *out, *ibans])

    if enterprise_context:
        # Only next to a VAT/enterprise label: twelve digits whose last ten check as a BE number.
        for m in _BE_MISREAD_RE.finditer(upper):
            digits = re.sub(r"[.\s]", "", m.group(1))
            fixed = digits if be_vat.is_valid(digits) else _repair_be(digits)
            if fixed and free(m.start()):
                out.append(Match("BE" + fixed, m.start(), m.end(), explicit=False, repaired=True))
        for m in _DE_MISREAD_RE.finditer(upper):
            if free(m.start()) and (value := normalise_vat("DE" + re.sub(r"\s", "", m.group(1)))):
                out.append(Match(value, m.start(), m.end(), explicit=False, repaired=True))
    ones = upper.translate(_AS_ONE)
    if ones != upper:
        # "BE (047911289": a 1 read as a bracket or a bar, only where that makes a number check.
        for m in find_vats(ones, enterprise_context=enterprise_context):
            if free(m.start) and ones[m.start : m.end] != upper[m.start : m.end]:
                out.append(dataclasses.replace(m, explicit=False, repaired=True))
    for m in _FOREIGN_MISREAD_RE.finditer(upper):
        country, body = m.group(1), m.group(2)
        if body.isdigit() or sum(c.isdigit() for c in body) < 6 or not free(m.start()):
            continue
        want = _FOREIGN_DIGITS[country]
        # A letter among the digits is a digit misread, or a stray mark to drop.
        readings = {body.translate(_AS_DIGIT)} | {
            (body[:i] + body[i + 1 :]).translate(_AS_DIGIT) for i, c in enumerate(body) if not c.isdigit()
        }
        valid = {r for r in readings if len(r) == want and r.isdigit() and normalise_vat(country + r)}
        if len(valid) == 1:
            out.append(Match(country + valid.pop(), m.start(), m.end(), explicit=False, repaired=True))
    return out


# ---- IBAN, BIC -------------------------------------------------------------------------------

# The check digits as OCR may read them ("BES9", "BEOS"): letters that look like digits.
_IBAN_RE = re.compile(r"\b([A-Z]{2}\s?[\dODILSBZG]{2}\s?(?:[A-Z0-9]{4}\s?){2,7}[A-Z0-9]{0,4})")
# An IBAN some of whose characters OCR took for others ("BE37 $630 …"), for `repair`.
_IBAN_LOOSE_RE = re.compile(r"\b([A-Z]{2}[\dODILSBZG$]{2}(?:\s?[A-Z0-9$]{4}){2,7}(?:\s?[A-Z0-9$]{1,4})?)")
_IBAN_LENGTHS = {"BE": 16, "DE": 22, "AT": 20, "DK": 18, "FI": 18, "EE": 20, "LT": 20, "SI": 19, "HR": 21}
# What an OCR'd character may have been, beyond _AS_DIGIT's one reading.
_IBAN_ALTERNATIVES = {"$": "358", "S": "58", "B": "83", "G": "6", "Z": "2"}
# Letters OCR reads for digits.
_AS_DIGIT = str.maketrans({"O": "0", "D": "0", "I": "1", "L": "1", "S": "5", "B": "8", "Z": "2", "G": "6"})
# Countries whose IBAN is all digits after the country code.
_DIGIT_IBANS = (
    "BE",
    "DE",
    "AT",
    "PL",
    "HU",
    "SE",
    "DK",
    "FI",
    "PT",
    "SI",
    "EE",
    "LT",
    "SK",
    "CZ",
    "ES",
    "HR",
)


def normalise_iban(raw: str) -> str | None:
    compact = re.sub(r"\s", "", raw.upper())
    if std_iban.is_valid(compact):
        return compact
    if len(compact) > 4:
        # OCR reads letters for digits: in the check digits always, in the rest where it is all digits.
        rest = compact[4:].translate(_AS_DIGIT) if compact[:2] in _DIGIT_IBANS else compact[4:]
        compact = compact[:2] + compact[2:4].translate(_AS_DIGIT) + rest
    return compact if std_iban.is_valid(compact) else None


def find_ibans(text: str, *, repair: bool = False) -> list[Match]:
    """IBANs whose check holds; with `repair` (OCR read it) also an all-digit IBAN with a non-digit
    ("$630") that passes when it is read as one digit, and only as one (repaired: unsure)."""
    out = []
    upper = text.upper()
    for m in _IBAN_RE.finditer(upper):
        raw = m.group(1).rstrip()
        # The pattern is greedy: drop trailing characters until the checksum holds.
        while len(re.sub(r"\s", "", raw)) >= 15:
            if value := normalise_iban(raw):
                out.append(Match(value, m.start(1), m.start(1) + len(raw)))
                break
            raw = raw[:-1].rstrip()
    if repair:
        for m in _IBAN_LOOSE_RE.finditer(upper):
            if any(o.start <= m.start(1) < o.end for o in out):
                continue
            if (found := _repair_iban(m.group(1))) is not None:
                value, length = found
                out.append(Match(value, m.start(1), m.start(1) + length, explicit=False, repaired=True))
    return sorted(out, key=lambda match: match.start)


# A Belgian account number as printed before IBANs (or an IBAN whose "BE12" OCR lost), after its
# label: 123-4567890-12 or 1234 5678 9012, its last two digits the first ten's mod 97.
_BE_ACCOUNT_RE = re.compile(
    r"\b(?:iban|rekening(?:nummer)?|compte|konto|account|bankrekening)\b\W{0,3}"
    r"(\d{3}-\d{7}-\d{2}|\d{4}\s?\d{4}\s?\d{4})(?![\d/])",
    re.IGNORECASE,
)


def find_be_accounts(text: str) -> list[Match]:
    """Belgian account numbers after an IBAN/account label, as the IBAN they are (unsure: the
    country is taken as Belgium)."""
    out = []
    for m in _BE_ACCOUNT_RE.finditer(text):
        bban = re.sub(r"\D", "", m.group(1))
        if int(bban[10:]) == (int(bban[:10]) % 97 or 97):
            value = "BE" + std_iban.calc_check_digits("BE00" + bban) + bban
            if std_iban.is_valid(value):
                out.append(Match(value, m.start(1), m.end(1), explicit=False, repaired=True))
    return out


def _repair_iban(raw: str) -> tuple[str, int] | None:
    """The one IBAN (of a country whose IBANs are digits) that one of `raw`'s non-digits, read as
    another digit, makes valid, with the length of text it spans; None when none or several pass mod 97."""
    want = _IBAN_LENGTHS.get(raw[:2])
    if want is None:
        return None
    chars, length = [], 0
    for i, c in enumerate(raw):
        if c.isspace():
            continue
        chars.append(c)
        length = i + 1
        if len(chars) == want:
            break
    if len(chars) < want:
        return None
    body = "".join(chars[2:])
    plain = body.translate(_AS_DIGIT)
    if plain.isdigit() and std_iban.is_valid(raw[:2] + plain):
        return raw[:2] + plain, length
    variants = set()
    for i, c in enumerate(body):
        # Only where OCR read a non-digit: a digit taken for another digit could be any of ~20
        # positions, and one of those readings passes mod 97 by chance too often.
        for alt in _IBAN_ALTERNATIVES.get(c, ""):
            variant = (body[:i] + alt + body[i + 1 :]).translate(_AS_DIGIT)
            if variant.isdigit() and std_iban.is_valid(raw[:2] + variant):
                variants.add(raw[:2] + variant)
    return (variants.pop(), length) if len(variants) == 1 else None


_BIC_RE = re.compile(r"\b([A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)\b")


def find_bics(text: str) -> list[Match]:
    out = []
    for m in _BIC_RE.finditer(text):
        if std_bic.is_valid(m.group(1)):
            out.append(Match(m.group(1), m.start(), m.end()))
    return out


# ---- structured reference (OGM/VCS) ----------------------------------------------------------

_REF_RE = re.compile(r"(?:[+*]{2,3}\s?)?(?<!\d)(\d{3})\s?/\s?(\d{4})\s?/\s?(\d{5})(?!\d)(?:\s?[+*]{2,3})?")


def structured_reference_valid(digits: str) -> bool:
    if not re.fullmatch(r"\d{12}", digits):
        return False
    check = int(digits[:10]) % 97 or 97
    return check == int(digits[10:])


def find_structured_references(text: str) -> list[Match]:
    out = []
    for m in _REF_RE.finditer(text):
        digits = m.group(1) + m.group(2) + m.group(3)
        if structured_reference_valid(digits):
            out.append(Match(digits, m.start(), m.end(), explicit="+" in m.group(0) or "*" in m.group(0)))
    return out


def format_structured_reference(digits: str) -> str:
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"
