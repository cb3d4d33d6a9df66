"""Writes the Textract responses the tests replay, in the shapes AWS documents for
DetectDocumentText and AnalyzeExpense (Blocks with Geometry and Relationships; ExpenseDocuments
with SummaryFields). There is no AWS account here: the words and boxes come from the text layer
of the corpus invoice the tests scan, which is what Textract would have read off that page; the
expense fields are what AnalyzeExpense (English only) plausibly makes of a French invoice: the
vendor and the total right, the invoice id taken from the wrong line.

    PYTHONPATH=. .venv/bin/python tests/recognition/textract/record.py
"""

import json
import uuid
from decimal import Decimal
from pathlib import Path

import pymupdf

from comptoir_pdf.recognition.values import find_amounts
from tests.recognition.corpus import generate

HERE = Path(__file__).parent
SEED = 4  # a French "modern" invoice
LAYOUT, LANGUAGE = "modern", "fr"


def _geometry(x0, y0, x1, y1, width, height):
    left, top, w, h = x0 / width, y0 / height, (x1 - x0) / width, (y1 - y0) / height
    return {
        "BoundingBox": {
            "Width": round(w, 6),
            "Height": round(h, 6),
            "Left": round(left, 6),
            "Top": round(top, 6),
        },
        "Polygon": [
            {"X": round(left, 6), "Y": round(top, 6)},
            {"X": round(left + w, 6), "Y": round(top, 6)},
            {"X": round(left + w, 6), "Y": round(top + h, 6)},
            {"X": round(left, 6), "Y": round(top + h, 6)},
        ],
    }


def _id(*parts) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "comptoir-textract/" + "/".join(map(str, parts))))


def blocks_for(pdf: bytes) -> tuple[list[dict], dict[str, dict]]:
    page = pymupdf.open(stream=pdf, filetype="pdf")[0]
    width, height = page.rect.width, page.rect.height
    lines: dict[tuple, list] = {}
    for x0, y0, x1, y1, text, block, line, _ in page.get_text("words"):
        lines.setdefault((block, line), []).append((x0, y0, x1, y1, text))
    page_id = _id("page")
    blocks = [
        {
            "BlockType": "PAGE",
            "Id": page_id,
            "Geometry": _geometry(0, 0, width, height, width, height),
            "Relationships": [{"Type": "CHILD", "Ids": []}],
            "Page": 1,
        }
    ]
    by_text: dict[str, dict] = {}
    for n, (_key, words) in enumerate(sorted(lines.items(), key=lambda kv: (kv[1][0][1], kv[1][0][0]))):
        line_id = _id("line", n)
        word_ids = []
        word_blocks = []
        for m, (x0, y0, x1, y1, text) in enumerate(words):
            word_id = _id("word", n, m)
            word_ids.append(word_id)
            word_blocks.append(
                {
                    "BlockType": "WORD",
                    "Id": word_id,
                    "Text": text,
                    "TextType": "PRINTED",
                    "Confidence": 99.2,
                    "Geometry": _geometry(x0, y0, x1, y1, width, height),
                    "Page": 1,
                }
            )
        text = " ".join(w[4] for w in words)
        line_block = {
            "BlockType": "LINE",
            "Id": line_id,
            "Text": text,
            "Confidence": 99.0,
            "Geometry": _geometry(
                min(w[0] for w in words),
                min(w[1] for w in words),
                max(w[2] for w in words),
                max(w[3] for w in words),
                width,
                height,
            ),
            "Relationships": [{"Type": "CHILD", "Ids": word_ids}],
            "Page": 1,
        }
        by_text[text] = line_block
        blocks[0]["Relationships"][0]["Ids"].append(line_id)
        blocks.append(line_block)
        blocks.extend(word_blocks)
    return blocks, by_text


def detection(line: dict, text: str | None = None) -> dict:
    return {"Text": text or line["Text"], "Geometry": line["Geometry"], "Confidence": 95.0}


def main() -> None:
    sample = generate(SEED, layout=LAYOUT, language=LANGUAGE)
    blocks, lines = blocks_for(sample.pdf)
    detect = {"DocumentMetadata": {"Pages": 1}, "Blocks": blocks, "DetectDocumentTextModelVersion": "1.0"}
    (HERE / f"detect-document-text-{SEED}.json").write_text(
        json.dumps(detect, separators=(",", ":"), ensure_ascii=False)
    )

    truth = sample.truth
    name_line = next(line for text, line in lines.items() if text == truth["supplier_name"])
    total = Decimal(truth["total_incl_vat"])
    total_line = next(
        line for text, line in lines.items() if any(abs(m.value) == total for m in find_amounts(text))
    )
    wrong_id_line = next(line for text, line in lines.items() if text.startswith(("Rue", "1000")))
    fields = [
        {
            "Type": {"Text": "VENDOR_NAME", "Confidence": 97.5},
            "ValueDetection": detection(name_line),
            "PageNumber": 1,
        },
        {
            "Type": {"Text": "TOTAL", "Confidence": 96.1},
            "ValueDetection": detection(total_line),
            "PageNumber": 1,
        },
        {
            "Type": {"Text": "INVOICE_RECEIPT_ID", "Confidence": 61.0},
            "ValueDetection": detection(wrong_id_line),
            "PageNumber": 1,
        },
    ]
    expense = {
        "DocumentMetadata": {"Pages": 1},
        "ExpenseDocuments": [
            {"ExpenseIndex": 1, "SummaryFields": fields, "LineItemGroups": [], "Blocks": blocks}
        ],
    }
    (HERE / f"analyze-expense-{SEED}.json").write_text(
        json.dumps(expense, separators=(",", ":"), ensure_ascii=False)
    )
    (HERE / f"truth-{SEED}.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
