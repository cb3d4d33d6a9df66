"""Textract as the OCR engine in AWS: DetectDocumentText gives the words and their boxes, which the
same recogniser reads; AnalyzeExpense (English only, per AWS) adds its summary fields as hints.

The call goes through our boto3 client (default endpoint resolution); textractor's response
parser turns the answer into words, lines and expense fields."""

from typing import Any

from textractor.parsers import response_parser

from comptoir_core import aws
from comptoir_core.settings import get_settings
from comptoir_pdf.recognition import TESSERACT, OcrEngine, PageWords, Word
from comptoir_pdf.recognition.layout import estimate_skew

# AnalyzeExpense summary field types → recognition field names.
EXPENSE_TYPES = {
    "INVOICE_RECEIPT_ID": "invoice_number",
    "INVOICE_RECEIPT_DATE": "invoice_date",
    "DUE_DATE": "due_date",
    "TOTAL": "total_incl_vat",
    "AMOUNT_DUE": "total_incl_vat",
    "SUBTOTAL": "total_excl_vat",
    "TAX": "vat_amount",
    "VENDOR_NAME": "supplier_name",
}


class TextractEngine:
    source = "textract"
    image_format = "jpeg"  # the synchronous API takes images up to 5 MB

    def __init__(self, client: Any = None, *, expense: bool = True):
        self._client = client
        self.expense = expense

    @property
    def client(self):
        return self._client if self._client is not None else aws.client("textract")

    def read_page(self, image: bytes, *, page: int, width: float, height: float, dpi: int) -> PageWords:
        response = self.client.detect_document_text(Document={"Bytes": image})
        hints = self.expense_hints(image) if self.expense else {}
        return words_from_response(response, page=page, width=width, height=height, hints=hints)

    def expense_hints(self, image: bytes) -> dict[str, str]:
        response = self.client.analyze_expense(Document={"Bytes": image})
        return hints_from_expense(response)


def words_from_response(
    response: dict, *, page: int, width: float, height: float, hints: dict[str, str] | None = None
) -> PageWords:
    """A DetectDocumentText answer (one page) → words in PDF points, top-left origin."""
    document = response_parser.parse(response)
    words: list[Word] = []
    lines: list[list[Word]] = []
    for line in document.lines:
        line_words = []
        for w in line.words:
            box = w.bbox
            word = Word(
                w.text,
                page,
                box.x * width,
                box.y * height,
                (box.x + box.width) * width,
                (box.y + box.height) * height,
                "textract",
            )
            line_words.append(word)
        words.extend(line_words)
        lines.append(line_words)
    return PageWords(
        page=page,
        width=width,
        height=height,
        words=tuple(words),
        source="textract",
        skew=estimate_skew(lines),
        hints=hints or {},
    )


def hints_from_expense(response: dict) -> dict[str, str]:
    """AnalyzeExpense's summary fields, the most confident per field."""
    document = response_parser.parse(response)
    best: dict[str, tuple[float, str]] = {}
    for page in document.pages:
        for expense in page.expense_documents:
            for field in expense.summary_fields_list:
                name = EXPENSE_TYPES.get(field.type.text if field.type else "")
                if name is None or field.value is None or not field.value.text:
                    continue
                confidence = float(field.value.confidence or 0)
                if name not in best or confidence > best[name][0]:
                    best[name] = (confidence, field.value.text)
    return {name: text for name, (_, text) in best.items()}


def textract_engine() -> TextractEngine:
    """Textract through the project's boto3 client (made on first use)."""
    return TextractEngine()


def ocr_engine() -> OcrEngine:
    """The OCR the settings choose: Textract when `textract_enabled`, else the local Tesseract."""
    return textract_engine() if get_settings().textract_enabled else TESSERACT
