"""What recognition takes and gives. Plain dataclasses: the pdf layer needs no pydantic, and the
document item's `FieldValue` reads a `RecognisedField` as is
(`FieldValue.model_validate(field, from_attributes=True)`)."""

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

FIELD_NAMES = (
    "document_type",
    "supplier_name",
    "supplier_vat",
    "customer_vat",
    "invoice_number",
    "invoice_date",
    "due_date",
    "currency",
    "total_excl_vat",
    "vat_amount",
    "total_incl_vat",
    "vat_breakdown",
    "iban",
    "bic",
    "structured_reference",
)
# The fields a document must have right to count as read (issue 6's targets).
KEY_FIELDS = ("supplier_vat", "invoice_number", "invoice_date", "total_incl_vat", "iban")

# "learnt": a value a company taught about a supplier (its profile) that this page does not print.
Source = Literal["xml", "text", "ocr", "textract", "user", "learnt"]
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Word:
    """One word on a page: text and box (x0, y0, x1, y1) in PDF points from the top-left corner."""

    text: str
    page: int  # 1-based
    x0: float
    y0: float
    x1: float
    y1: float
    source: Source = "text"
    # The text block (a table cell, a paragraph) the reader put the word in, and its line there:
    # MuPDF's block/line numbers, Tesseract's block/paragraph/line; -1 when the reader gives none.
    block: int = -1
    line: int = -1

    @property
    def box(self) -> Box:
        return (self.x0, self.y0, self.x1, self.y1)


@dataclass(frozen=True)
class PageWords:
    """The words of one page and its size in points."""

    page: int
    width: float
    height: float
    words: tuple[Word, ...]
    source: Source = "text"
    skew: float = 0.0  # radians, as OCR measured it: rows are read along it
    # What an OCR service said beyond the words (Textract AnalyzeExpense): field name → value text.
    hints: dict[str, str] = field(default_factory=dict)


@dataclass
class RecognisedField:
    value: Any = None  # JSON-ready: amounts decimal strings, dates ISO, VAT BE0…, IBAN compact
    confidence: float = 0.0
    source: Source = "text"
    page: int | None = None
    box: Box | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "confidence": round(self.confidence, 3),
            "source": self.source,
            "page": self.page,
            "box": list(self.box) if self.box else None,
        }


@dataclass
class Recognition:
    fields: dict[str, RecognisedField]
    warnings: list[str] = field(default_factory=list)
    # The words every page gave (text layer or OCR): keep them to learn from a later correction.
    pages: list[PageWords] = field(default_factory=list)

    @property
    def words(self) -> list[Word]:
        return [word for page in self.pages for word in page.words]

    def values(self) -> dict[str, Any]:
        return {name: f.value for name, f in self.fields.items()}


@dataclass(frozen=True)
class CompanyIdentity:
    """The company the documents belong to: its own numbers are never the supplier's."""

    vat: str | None = None
    ibans: list[str] = field(default_factory=list)
    name: str | None = None


@dataclass
class Anchor:
    """Where a supplier prints a field: the label before it (folded text) and the direction of the
    value from the label, or failing a label, the value's box relative to the page (0-1)."""

    label: str | None
    direction: Literal["same", "right", "below"] | None
    page: int
    rel_box: Box


@dataclass
class SupplierProfile:
    """What a company taught recognition about one supplier, keyed by the supplier's VAT number."""

    vat: str
    name: str | None = None
    ibans: list[str] = field(default_factory=list)
    bic: str | None = None
    currency: str | None = None
    anchors: dict[str, Anchor] = field(default_factory=dict)
    corrections: int = 0

    def to_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(asdict(self)))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SupplierProfile":
        anchors = {
            name: Anchor(
                label=a.get("label"),
                direction=a.get("direction"),
                page=int(a.get("page", 1)),
                rel_box=tuple(float(v) for v in a["rel_box"]),
            )
            for name, a in (data.get("anchors") or {}).items()
        }
        return cls(
            vat=data["vat"],
            name=data.get("name"),
            ibans=list(data.get("ibans") or []),
            bic=data.get("bic"),
            currency=data.get("currency"),
            anchors=anchors,
            corrections=int(data.get("corrections", 0)),
        )
