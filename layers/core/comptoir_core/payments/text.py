"""What a bank accepts in a payment's texts and references: the SEPA character set, the Belgian structured
communication, ISO 11649 creditor references, and the end-to-end id.

Pure functions, no AWS: the payment service, the pain.001 writer and the EPC QR code all use them.
"""

import re
import unicodedata

from stdnum import bic as std_bic
from stdnum import iban as std_iban
from stdnum import iso11649

from comptoir_core.documents.fields import structured_reference_digits

# The EPC's basic Latin set, the one every SEPA bank must carry (EPC217-08).
SEPA_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-?:().,'+ ")
NAME_MAX = 70
TEXT_MAX = 140
ID_MAX = 35

# Letters NFKD does not take apart, and signs with a usual stand-in.
_SPECIAL = {
    "&": "+",
    "ß": "ss",
    "Æ": "AE",
    "æ": "ae",
    "Œ": "OE",
    "œ": "oe",
    "Ø": "O",
    "ø": "o",
    "Đ": "D",
    "đ": "d",
    "Ł": "L",
    "ł": "l",
    "€": "EUR",
    "°": "o",
    "@": "(at)",
    "’": "'",
    "‘": "'",
    "«": "'",
    "»": "'",
    "“": "'",
    "”": "'",
    '"': "'",
    "–": "-",
    "—": "-",
    "_": "-",
    "#": "-",
    ";": ",",
    "!": ".",
    "*": ".",
    "\n": " ",
    "\t": " ",
}


def transliterate(text: str) -> str:
    """`text` in the SEPA character set: é → e, & → +, what has no stand-in becomes a space."""
    out = []
    for char in text:
        if char in SEPA_CHARACTERS:
            out.append(char)
            continue
        if char in _SPECIAL:
            out.append(_SPECIAL[char])
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        out.append("".join(c if c in SEPA_CHARACTERS else " " for c in base) or " ")
    return re.sub(r" {2,}", " ", "".join(out)).strip()


def sepa_name(name: str) -> tuple[str, bool]:
    """A name in the SEPA set and at most 70 characters, and whether it had to be shortened."""
    clean = transliterate(name)
    if len(clean) <= NAME_MAX:
        return clean, False
    return clean[:NAME_MAX].rstrip(), True


def sepa_text(text: str) -> str:
    """A free-text communication in the SEPA set (at most 140 characters: longer is refused before)."""
    return transliterate(text)[:TEXT_MAX]


def is_sepa_id(value: str) -> bool:
    """An identifier a bank takes as is: 1 to 35 characters of the SEPA set, no leading, trailing or
    double slash (EPC rules for the end-to-end id), no leading or trailing space."""
    return (
        0 < len(value) <= ID_MAX
        and all(c in SEPA_CHARACTERS for c in value)
        and value == value.strip()
        and not value.startswith("/")
        and not value.endswith("/")
        and "//" not in value
    )


def sepa_id(value: str) -> str:
    """An internal id (`pay_01…`) written in the SEPA set."""
    return value.replace("_", "-")


# ---- the communication ------------------------------------------------------------------------


def belgian_reference(value: str) -> str | None:
    """The 12 digits of a Belgian structured communication (+++123/4567/89002+++), or None."""
    return structured_reference_digits(value)


def format_belgian_reference(digits: str) -> str:
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


def rf_reference(value: str) -> str | None:
    """An ISO 11649 creditor reference in compact form (RF18539007547034), or None."""
    compact = iso11649.compact(value)
    return compact if compact.startswith("RF") and iso11649.is_valid(compact) else None


def structured_kind(value: str) -> str | None:
    """`bba` for a Belgian structured communication, `iso` for an RF reference, None for neither."""
    if belgian_reference(value):
        return "bba"
    if rf_reference(value):
        return "iso"
    return None


def structured_value(value: str) -> str | None:
    """A structured reference in its canonical form: +++ddd/dddd/ddddd+++ or RFnn…, or None if invalid."""
    digits = belgian_reference(value)
    if digits:
        return format_belgian_reference(digits)
    return rf_reference(value)


def reference_for_bank(value: str) -> tuple[str, str]:
    """(issuer, reference) of a valid structured reference as a bank wants it: BBA and its 12 digits,
    or ISO and the RF reference."""
    digits = belgian_reference(value)
    if digits:
        return "BBA", digits
    rf = rf_reference(value)
    if rf:
        return "ISO", rf
    raise ValueError("not a structured reference")


# ---- accounts ---------------------------------------------------------------------------------


def iban_or_none(value: str) -> str | None:
    compact = std_iban.compact(value or "")
    return compact if std_iban.is_valid(compact) else None


def bic_or_none(value: str) -> str | None:
    compact = std_bic.compact(value or "")
    return compact if std_bic.is_valid(compact) else None
