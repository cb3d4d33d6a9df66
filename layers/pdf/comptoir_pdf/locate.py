"""Where on its page each recognised field was read, as a fraction of the page: what the document view
outlines over the page image when a field is hovered or focused.

A field recognition placed (page and box in PDF points) is only scaled to its page. A field it did not
place (a value from the e-invoice, a learnt one, a value put together from several places) is looked
for among the page's words, text layer or OCR alike (the words recognition read, so nothing is read
twice): the first run of consecutive words whose letters and digits spell the value as printed (an
amount or a date by its digits, in any of the usual Belgian ways of writing it), the last one for the
totals (they come after the lines). A value found nowhere has no area: the view then says so.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from comptoir_pdf.recognition.model import PageWords

Box = tuple[float, float, float, float]
# Fields whose value is not printed as such (a choice, a list): never looked for.
NOT_PRINTED = frozenset({"document_type", "currency", "vat_breakdown"})
# Totals come last on an invoice: the last place their value is printed is theirs.
LAST_OCCURRENCE = frozenset({"total_excl_vat", "vat_amount", "total_incl_vat"})
MAX_WORDS = 8


@dataclass(frozen=True)
class Area:
    page: int
    box: Box  # x0, y0, x1, y1 as fractions of the page's width and height, from its top-left corner


@dataclass(frozen=True)
class Placed:
    """A field as recognition gave it: its value and, when recognition knew it, where it read it."""

    value: Any
    page: int | None = None
    box: Box | None = None


def field_areas(fields: Mapping[str, Placed], pages: Sequence[PageWords]) -> dict[str, Area]:
    """The area of each field that has one."""
    by_number = {p.page: p for p in pages}
    areas = {}
    for name, field in fields.items():
        area = None
        if field.page is not None and field.box is not None and field.page in by_number:
            area = _scaled(by_number[field.page], field.box)
        elif name not in NOT_PRINTED and field.value not in (None, "", []):
            area = _search(pages, spellings(name, field.value), last=name in LAST_OCCURRENCE)
        if area is not None:
            areas[name] = area
    return areas


def spellings(name: str, value: Any) -> list[tuple[str, bool]]:
    """The ways `value` may be printed, each as (compact text, digits only)."""
    text = str(value).strip()
    amount = _amount(text) if name in LAST_OCCURRENCE else None
    if amount is not None:
        return [(format(amount, "f").replace(".", ""), True)]
    if isinstance(value, date) or re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        year, month, day = text[:10].split("-")
        return [
            (f"{day}{month}{year}", True),
            (f"{day}{month}{year[2:]}", True),
            (f"{year}{month}{day}", True),
        ]
    compact = _letters_digits(text)
    found = [(compact, False)] if compact else []
    if name.endswith("_vat") and compact[:2] == "BE":
        found.append((compact[2:], False))  # printed without its country prefix
    if name == "structured_reference":
        found = [(re.sub(r"\D", "", text), True)]
    return found


def _amount(text: str) -> Decimal | None:
    try:
        amount = abs(Decimal(text)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None
    return amount


def _letters_digits(text: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", text.upper())


def _compact(text: str, digits_only: bool) -> str:
    return re.sub(r"\D", "", text) if digits_only else _letters_digits(text)


def _search(pages: Iterable[PageWords], wanted: list[tuple[str, bool]], *, last: bool) -> Area | None:
    found = None
    for page in pages:
        for target, digits_only in wanted:
            if not target:
                continue
            for run in _runs(page, target, digits_only):
                box = (
                    min(w.x0 for w in run),
                    min(w.y0 for w in run),
                    max(w.x1 for w in run),
                    max(w.y1 for w in run),
                )
                found = _scaled(page, box)
                if not last:
                    return found
    return found


def _runs(page: PageWords, target: str, digits_only: bool):
    """Consecutive words whose compact text is `target`, whole words only (a digit run is not a prefix
    of a longer number)."""
    words = page.words
    for start in range(len(words)):
        spelt = ""
        for end in range(start, min(start + MAX_WORDS, len(words))):
            part = _compact(words[end].text, digits_only)
            if end == start and not part:
                break
            spelt += part
            if spelt == target:
                yield words[start : end + 1]
                break
            if not target.startswith(spelt):
                break


def _scaled(page: PageWords, box: Box) -> Area | None:
    if page.width <= 0 or page.height <= 0:
        return None
    x0, y0, x1, y1 = box

    def clamp(value: float) -> float:
        return round(min(max(value, 0.0), 1.0), 4)

    return Area(
        page=page.page,
        box=(
            clamp(x0 / page.width),
            clamp(y0 / page.height),
            clamp(x1 / page.width),
            clamp(y1 / page.height),
        ),
    )
