"""Comparing recognised fields with a sample's truth (tests and the benchmark)."""

import re
from typing import Any

from comptoir_pdf.recognition import FIELD_NAMES, KEY_FIELDS
from comptoir_pdf.recognition.values import fold


def same(name: str, expected: Any, got: Any) -> bool:
    if expected in (None, "", []):
        return got in (None, "", [])
    if got is None:
        return False
    if name == "supplier_name":
        return re.sub(r"[^a-z0-9]", "", fold(str(expected))) == re.sub(r"[^a-z0-9]", "", fold(str(got)))
    if name == "vat_breakdown":
        return sorted(expected, key=lambda r: r["rate"]) == sorted(got, key=lambda r: r["rate"])
    return str(expected) == str(got)


def compare(truth: dict[str, Any], fields: dict[str, Any]) -> dict[str, bool]:
    """Field name → right or wrong; `fields` maps names to RecognisedField (or None)."""
    return {
        name: same(name, truth.get(name), getattr(fields.get(name), "value", None)) for name in FIELD_NAMES
    }


def key_fields_right(result: dict[str, bool]) -> bool:
    return all(result[name] for name in KEY_FIELDS)
