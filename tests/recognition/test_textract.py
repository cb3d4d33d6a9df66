"""Textract as the OCR in AWS, replayed from recorded responses.

There is no AWS account behind the tests: botocore's Stubber answers the real textract client with
responses recorded in the documented DetectDocumentText / AnalyzeExpense shapes (see
textract/record.py), and checks our requests against the service model."""

import json
from pathlib import Path

import boto3
import pytest
from botocore.stub import ANY, Stubber

from comptoir_core.recognition import TextractEngine, ocr_engine
from comptoir_core.settings import get_settings
from comptoir_pdf.recognition import TESSERACT, recognise
from tests.recognition.corpus import COMPANY, generate
from tests.recognition.scoring import compare

HERE = Path(__file__).parent / "textract"
DETECT = json.loads((HERE / "detect-document-text-4.json").read_text())
EXPENSE = json.loads((HERE / "analyze-expense-4.json").read_text())
TRUTH = json.loads((HERE / "truth-4.json").read_text())


@pytest.fixture
def textract():
    client = boto3.client(
        "textract", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stub:
        yield client, stub


@pytest.fixture(scope="module")
def scanned():
    """The scanned version of the invoice the responses were recorded from."""
    return generate(4, layout="modern", language="fr", scanned=True).pdf


def test_words_from_detect_document_text_are_read_by_the_same_recogniser(textract, scanned):
    client, stub = textract
    stub.add_response("detect_document_text", DETECT, {"Document": {"Bytes": ANY}})

    rec = recognise(scanned, company=COMPANY, ocr=TextractEngine(client, expense=False))

    assert all(compare(TRUTH, rec.fields).values())
    assert {f.source for f in rec.fields.values()} == {"textract"}
    stub.assert_no_pending_responses()


def test_analyze_expense_agreeing_raises_confidence_and_a_wrong_hint_changes_nothing(textract, scanned):
    client, stub = textract
    stub.add_response("detect_document_text", DETECT, {"Document": {"Bytes": ANY}})
    without = recognise(scanned, company=COMPANY, ocr=TextractEngine(client, expense=False))
    stub.add_response("detect_document_text", DETECT, {"Document": {"Bytes": ANY}})
    stub.add_response("analyze_expense", EXPENSE, {"Document": {"Bytes": ANY}})

    rec = recognise(scanned, company=COMPANY, ocr=TextractEngine(client))

    # VENDOR_NAME agrees: more sure. INVOICE_RECEIPT_ID points at the customer's street: ignored.
    assert rec.fields["supplier_name"].value == TRUTH["supplier_name"]
    assert rec.fields["supplier_name"].confidence > without.fields["supplier_name"].confidence
    assert rec.fields["total_incl_vat"].value == TRUTH["total_incl_vat"]
    assert rec.fields["invoice_number"].value == TRUTH["invoice_number"]
    assert rec.fields["invoice_number"].confidence == without.fields["invoice_number"].confidence


def test_the_settings_choose_textract_in_aws_and_tesseract_otherwise(monkeypatch):
    for name, value in {
        "COMPTOIR_TABLE_NAME": "table",
        "COMPTOIR_DOCUMENTS_BUCKET": "bucket",
        "COMPTOIR_USER_POOL_ID": "pool",
        "COMPTOIR_USER_POOL_CLIENT_ID": "client",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("COMPTOIR_TEXTRACT_ENABLED", "true")
    get_settings.cache_clear()
    try:
        assert isinstance(ocr_engine(), TextractEngine)
        monkeypatch.setenv("COMPTOIR_TEXTRACT_ENABLED", "false")
        get_settings.cache_clear()
        assert ocr_engine() is TESSERACT
    finally:
        get_settings.cache_clear()
