"""Learning from corrections, per company and supplier.

`learn` is pure: given the supplier's profile (or None), the document's fields as the user left
them, the name of the field just corrected and the document's words, it returns the profile to
store. `apply_profile` uses a profile on the next invoice of that supplier: its name from the VAT
number, its IBAN, and where it prints a field (the label before the value, or the value's place)."""

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from comptoir_pdf.recognition import values as V
from comptoir_pdf.recognition.layout import PageLayout, Segment, build_layout
from comptoir_pdf.recognition.model import Anchor, PageWords, RecognisedField, SupplierProfile, Word
from comptoir_pdf.recognition.recogniser import read_id

# Fields whose place on the page can be learnt.
ANCHORED = (
    "invoice_number",
    "invoice_date",
    "due_date",
    "total_excl_vat",
    "vat_amount",
    "total_incl_vat",
    "structured_reference",
)
MAX_IBANS = 5


def plain_value(value: Any) -> Any:
    """A field as stored (FieldValue, RecognisedField, {"value": …}) or a bare value → the value."""
    if hasattr(value, "value"):
        return value.value
    if isinstance(value, dict) and "value" in value:
        return value["value"]
    return value


def as_pages(words: list[PageWords] | list[Word] | None) -> list[PageWords]:
    if not words:
        return []
    if isinstance(words[0], PageWords):
        return list(words)  # type: ignore[arg-type]
    by_page: dict[int, list[Word]] = {}
    for w in words:  # type: ignore[union-attr]
        by_page.setdefault(w.page, []).append(w)
    pages = []
    for number, ws in sorted(by_page.items()):
        width = max(595.0, max(w.x1 for w in ws))
        height = max(842.0, max(w.y1 for w in ws))
        pages.append(PageWords(page=number, width=width, height=height, words=tuple(ws), source=ws[0].source))
    return pages


# ---- finding a value on the page -------------------------------------------------------------


def _matches(field: str, seg: Segment, value: Any) -> list[tuple[int, int]]:
    text = seg.text
    if value in (None, ""):
        return []
    try:
        if field in ("invoice_date", "due_date"):
            target = date.fromisoformat(str(value))
            return [(m.start, m.end) for m in V.find_dates(text) if m.value == target]
        if field in ("total_excl_vat", "vat_amount", "total_incl_vat"):
            target = abs(Decimal(str(value)))
            return [(m.start, m.end) for m in V.find_amounts(text) if abs(m.value) == target]
    except (ValueError, InvalidOperation):
        return []
    if field == "structured_reference":
        return [(m.start, m.end) for m in V.find_structured_references(text) if m.value == value]
    if field in ("supplier_vat", "customer_vat"):
        return [(m.start, m.end) for m in V.find_vats(text, enterprise_context=True) if m.value == value]
    if field == "iban":
        return [(m.start, m.end) for m in V.find_ibans(text) if m.value == value]
    if field == "bic":
        return [(m.start, m.end) for m in V.find_bics(text) if m.value == value]
    if field == "supplier_name":
        i = seg.folded.find(V.fold_keep_length(str(value)))
        return [(i, i + len(str(value)))] if i >= 0 else []
    # invoice number and anything else: the token as printed, compared without punctuation case.
    target = re.sub(r"[^0-9a-z]", "", str(value).lower())
    out = []
    for m in re.finditer(r"[A-Za-z0-9][A-Za-z0-9/\-_.#]*", text):
        token = m.group(0).rstrip(".-/_#")
        if target and re.sub(r"[^0-9a-z]", "", token.lower()) == target:
            out.append((m.start(), m.start() + len(token)))
    return out


def locate(layouts: list[PageLayout], field: str, value: Any) -> list[tuple[PageLayout, Segment, int, int]]:
    return [
        (layout, seg, a, b)
        for layout in layouts
        for seg in layout.segments
        for a, b in _matches(field, seg, value)
    ]


def _label_words(folded: str, n: int = 3) -> str | None:
    words = [w for w in re.split(r"\s+", folded.strip(" :.#°-")) if w]
    words = [w for w in words if re.search(r"[a-z]", w) and not re.search(r"\d", w)]
    return " ".join(words[-n:]) if words else None


def anchor_for(layout: PageLayout, seg: Segment, start: int, end: int) -> Anchor:
    box = seg.span_box(start, end)
    rel = (box[0] / layout.width, box[1] / layout.height, box[2] / layout.width, box[3] / layout.height)
    before = seg.folded[:start]
    if re.search(r"[a-z]{2}", before):
        return Anchor(label=_label_words(before), direction="same", page=layout.page, rel_box=rel)
    left = layout.left_of(seg)
    if left is not None and re.search(r"[a-z]{2}", left.folded) and seg.x0 - left.x1 < 0.6 * layout.width:
        return Anchor(label=_label_words(left.folded), direction="right", page=layout.page, rel_box=rel)
    above = layout.above(seg, max_rows=1)
    if above and re.search(r"[a-z]{2}", above[0].folded):
        return Anchor(
            label=_label_words(above[0].folded, 4), direction="below", page=layout.page, rel_box=rel
        )
    return Anchor(label=None, direction=None, page=layout.page, rel_box=rel)


def learn(
    profile: SupplierProfile | None,
    fields: dict[str, Any],
    field_name: str,
    words: list[PageWords] | list[Word] | None,
) -> SupplierProfile:
    """The supplier profile after the user corrected `field_name`; `fields` as corrected."""
    values = {name: plain_value(v) for name, v in fields.items()}
    supplier_vat = values.get("supplier_vat")
    if not supplier_vat:
        raise ValueError("the document has no supplier VAT number to learn under")
    if profile is None or profile.vat != supplier_vat:
        profile = SupplierProfile(vat=supplier_vat)
    else:
        profile = SupplierProfile.from_dict(profile.to_dict())
    profile.corrections += 1
    name = values.get("supplier_name")
    if name and (field_name in ("supplier_name", "supplier_vat") or not profile.name):
        profile.name = str(name)
    iban = values.get("iban")
    if iban and (field_name == "iban" or not profile.ibans) and iban not in profile.ibans:
        profile.ibans = [iban, *profile.ibans][:MAX_IBANS]
    if field_name == "bic" and values.get("bic"):
        profile.bic = values["bic"]
    if field_name == "currency" and values.get("currency"):
        profile.currency = values["currency"]
    if field_name in ANCHORED:
        value = values.get(field_name)
        layouts = [build_layout(p, skew=p.skew) for p in as_pages(words)]
        found = locate(layouts, field_name, value)
        if found:
            # Of several places, the one with a label before it.
            found.sort(key=lambda f: (anchor_for(*f).label is None, f[0].page, f[1].row))
            profile.anchors[field_name] = anchor_for(*found[0])
        elif value in (None, ""):
            profile.anchors.pop(field_name, None)
    return profile


# ---- using a profile -------------------------------------------------------------------------


def _read(field: str, seg: Segment, start: int) -> list[tuple[Any, int, int]]:
    text = seg.text
    if field in ("invoice_date", "due_date"):
        return [(m.value.isoformat(), m.start, m.end) for m in V.find_dates(text) if m.start >= start]
    if field in ("total_excl_vat", "vat_amount", "total_incl_vat"):
        return [
            (V.amount_str(abs(m.value)), m.start, m.end)
            for m in V.find_amounts(text)
            if m.start >= start and m.explicit
        ]
    if field == "structured_reference":
        return [(m.value, m.start, m.end) for m in V.find_structured_references(text) if m.start >= start]
    found = read_id(text, start)
    return [found] if found else []


def _near(anchor: Anchor, layout: PageLayout, box) -> float:
    cx = (box[0] + box[2]) / 2 / layout.width - (anchor.rel_box[0] + anchor.rel_box[2]) / 2
    cy = (box[1] + box[3]) / 2 / layout.height - (anchor.rel_box[1] + anchor.rel_box[3]) / 2
    return (cx * cx + cy * cy) ** 0.5


def find_with_anchor(layouts: list[PageLayout], field: str, anchor: Anchor) -> tuple[Any, int, tuple] | None:
    pages = [lay for lay in layouts if lay.page == anchor.page] or layouts[-1:]
    found: list[tuple[float, Any, int, tuple]] = []
    for layout in pages:
        for seg in layout.segments:
            if anchor.label:
                i = seg.folded.rfind(anchor.label)
                if i < 0:
                    continue
                after = i + len(anchor.label)
                targets: list[tuple[Segment, int]]
                if anchor.direction == "same":
                    targets = [(seg, after)]
                elif anchor.direction == "right":
                    targets = [(s, 0) for s in layout.right_of(seg, 3)]
                else:
                    targets = [(s, 0) for s in layout.below(seg, max_rows=2)]
                for target, start in targets:
                    for value, a, b in _read(field, target, start)[:1]:
                        box = target.span_box(a, b)
                        found.append((_near(anchor, layout, box), value, layout.page, box))
            else:
                for value, a, b in _read(field, seg, 0):
                    box = seg.span_box(a, b)
                    distance = _near(anchor, layout, box)
                    if distance < 0.04:
                        found.append((distance, value, layout.page, box))
    if not found:
        return None
    distance, value, page, box = min(found, key=lambda f: f[0])
    if distance > 0.35:
        return None
    return value, page, box


def apply_profile(
    fields: dict[str, RecognisedField], profile: SupplierProfile, layouts: list[PageLayout], *, source: str
) -> None:
    """Improve `fields` (in place) with what the company taught about this supplier."""
    if profile.name:
        # The taught name where the page prints it; not printed, it is said to be learnt (issue 11),
        # and it never replaces a name the page prints.
        current = fields.get("supplier_name")
        if (
            current is None
            or V.fold(str(current.value or "")) != V.fold(profile.name)
            or current.confidence < 0.95
        ):
            where = locate(layouts, "supplier_name", profile.name)
            if where:
                box = where[0][1].span_box(where[0][2], where[0][3])
                fields["supplier_name"] = RecognisedField(profile.name, 0.95, source, where[0][0].page, box)  # type: ignore[arg-type]
            elif current is None:
                fields["supplier_name"] = RecognisedField(profile.name, 0.85, "learnt")
    if profile.ibans:
        for iban in profile.ibans:
            where = locate(layouts, "iban", iban)
            if where:
                layout, seg, a, b = where[0]
                fields["iban"] = RecognisedField(iban, 0.98, source, layout.page, seg.span_box(a, b))  # type: ignore[arg-type]
                break
    if profile.bic:
        where = locate(layouts, "bic", profile.bic)
        if where:
            layout, seg, a, b = where[0]
            fields["bic"] = RecognisedField(profile.bic, 0.97, source, layout.page, seg.span_box(a, b))  # type: ignore[arg-type]
    if profile.currency and (fields.get("currency") is None or fields["currency"].confidence < 0.9):
        fields["currency"] = RecognisedField(profile.currency, 0.9, "learnt")
    for name, anchor in profile.anchors.items():
        found = find_with_anchor(layouts, name, anchor)
        if found is None:
            continue
        value, page, box = found
        current = fields.get(name)
        confidence = 0.96 if current is not None and current.value == value else 0.93
        fields[name] = RecognisedField(value, confidence, source, page, box)  # type: ignore[arg-type]
