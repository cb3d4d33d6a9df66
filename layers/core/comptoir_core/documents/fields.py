"""The invoice fields a user may correct, and the check each correction must pass.

Values are stored in one canonical form: amounts as decimal strings with two decimals, dates ISO,
VAT numbers compact (BE0123456749), IBAN without spaces, the structured reference as its 12 digits.
"""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from stdnum import bic, iban
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError
from stdnum.iso7064 import mod_97_10

from comptoir_core.errors import Invalid

DOCUMENT_TYPES = ("invoice", "credit_note", "receipt", "other")


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise ValueError("a text of 1 to 200 characters")
    return value.strip()


def _vat(value: Any) -> str:
    compact = eu_vat.compact(str(value))
    if not eu_vat.is_valid(compact):
        raise ValueError("a valid VAT number, e.g. BE0123456749 (its check digits do not match)")
    return compact


class Accepted(str):
    """A value accepted with a warning for the user (an IBAN whose bank code the registry lacks)."""

    warning: str

    def __new__(cls, value: str, warning: str):
        made = super().__new__(cls, value)
        made.warning = warning
        return made


def _iban(value: Any) -> str:
    """ISO 13616 (mod 97) and the country's own check, each named when it fails. A number passing both
    whose bank code the registry does not know is accepted, with a warning: banks come and go."""
    compact = iban.compact(str(value))
    if len(compact) < 5 or not compact[:2].isalpha() or not compact[2:4].isdigit():
        raise ValueError("a valid IBAN: two letters, two check digits, then the account number")
    try:
        mod_97_10.validate(compact[4:] + compact[:4])
    except ValidationError:
        raise ValueError("a valid IBAN (its check digits do not match)") from None
    try:
        iban.validate(compact, check_country=False)
    except ValidationError:
        raise ValueError(f"a valid IBAN (not the length or format of an IBAN of {compact[:2]})") from None
    try:
        iban.validate(compact)
    except InvalidChecksum:
        raise ValueError("a valid IBAN (its national check digits do not match)") from None
    except InvalidComponent:
        return Accepted(
            compact,
            f"IBAN {compact}: its check digits are right, but its bank code is unknown "
            "to the bank registry; check it with the supplier",
        )
    except ValidationError:
        raise ValueError(f"a valid IBAN (not the format of an IBAN of {compact[:2]})") from None
    return compact


def _bic(value: Any) -> str:
    compact = bic.compact(str(value))
    if not bic.is_valid(compact):
        raise ValueError("a valid BIC of 8 or 11 characters")
    return compact


def structured_reference_digits(value: str) -> str | None:
    """The 12 digits of a Belgian structured communication (+++123/4567/89002+++), or None if invalid."""
    digits = "".join(c for c in value if c.isdigit())
    if len(digits) != 12 or any(c.isalpha() for c in value):
        return None
    check = int(digits[:10]) % 97 or 97
    return digits if check == int(digits[10:]) else None


def _structured_reference(value: Any) -> str:
    digits = structured_reference_digits(str(value))
    if digits is None:
        raise ValueError("a structured communication of 12 digits whose last two are the first ten mod 97")
    return digits


def _date(value: Any) -> str:
    try:
        parsed = date.fromisoformat(str(value))
    except ValueError:
        raise ValueError("an ISO date, e.g. 2026-11-27") from None
    if not 1990 <= parsed.year <= 2100:
        raise ValueError("a plausible date")
    return parsed.isoformat()


def _amount(value: Any) -> str:
    if isinstance(value, float):
        raise ValueError('an amount as a decimal string, e.g. "1234.56"')
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError('an amount as a decimal string, e.g. "1234.56"') from None
    if not amount.is_finite() or abs(amount) >= Decimal("1e12") or amount != amount.quantize(Decimal("0.01")):
        raise ValueError("an amount with at most two decimals")
    return str(amount.quantize(Decimal("0.01")))


def _currency(value: Any) -> str:
    text = str(value).strip().upper()
    if len(text) != 3 or not text.isalpha():
        raise ValueError("an ISO 4217 currency code, e.g. EUR")
    return text


def _document_type(value: Any) -> str:
    if value not in DOCUMENT_TYPES:
        raise ValueError("one of " + ", ".join(DOCUMENT_TYPES))
    return value


def _vat_breakdown(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list) or len(value) > 10:
        raise ValueError("a list of {rate, base, vat}")
    lines = []
    for line in value:
        if not isinstance(line, dict) or set(line) != {"rate", "base", "vat"}:
            raise ValueError("a list of {rate, base, vat}")
        lines.append(
            {"rate": _amount(line["rate"]), "base": _amount(line["base"]), "vat": _amount(line["vat"])}
        )
    return lines


CHECKS = {
    "document_type": _document_type,
    "supplier_name": _text,
    "supplier_vat": _vat,
    "customer_vat": _vat,
    "invoice_number": _text,
    "invoice_date": _date,
    "due_date": _date,
    "currency": _currency,
    "total_excl_vat": _amount,
    "vat_amount": _amount,
    "total_incl_vat": _amount,
    "vat_breakdown": _vat_breakdown,
    "iban": _iban,
    "bic": _bic,
    "structured_reference": _structured_reference,
}

# The fields a mailbox list shows of each document.
KEY_FIELDS = ("supplier_name", "invoice_number", "invoice_date", "total_incl_vat")


def correction_warnings(checked: dict[str, Any]) -> list[str]:
    """What the checks accepted with a warning (see Accepted)."""
    return [value.warning for value in checked.values() if isinstance(value, Accepted)]


def check_corrections(corrections: dict[str, Any]) -> dict[str, Any]:
    """Every correction in canonical form, or one Invalid listing each field that is wrong and why.
    None clears a field. A value accepted with a warning is an Accepted (a str)."""
    problems, checked = [], {}
    for name, value in corrections.items():
        check = CHECKS.get(name)
        if check is None:
            problems.append({"field": name, "problem": "not a field; the fields are " + ", ".join(CHECKS)})
            continue
        if value is None:
            checked[name] = None
            continue
        try:
            checked[name] = check(value)
        except ValueError as error:
            problems.append({"field": name, "problem": f"must be {error}"})
    if problems:
        raise Invalid("some corrections are not valid", details=problems)
    return checked
