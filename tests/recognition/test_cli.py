"""`comptoir extract FILE [--json] [--company-vat BE0…]`, run as the command it is."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from comptoir_pdf.recognition import FIELD_NAMES
from tests.recognition.corpus import generate

SAMPLES = Path(__file__).parent / "samples"


def extract(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "comptoir_infra.cli", "extract", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def invoice(tmp_path_factory):
    sample = generate(42, layout="table", language="fr")
    path = tmp_path_factory.mktemp("extract") / "invoice.pdf"
    path.write_bytes(sample.pdf)
    return path, sample.truth


def test_json_output_is_one_object_of_every_field_with_value_confidence_and_source(invoice):
    path, truth = invoice

    result = extract(str(path), "--json", "--company-vat", "BE0417497106")

    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert list(out) == ["fields"]
    assert list(out["fields"]) == list(FIELD_NAMES)
    for name, field in out["fields"].items():
        assert set(field) == {"value", "confidence", "source"}
        assert field["value"] == truth[name], name
    assert out["fields"]["total_incl_vat"]["source"] == "text"
    assert isinstance(out["fields"]["total_incl_vat"]["value"], str)
    assert 0 <= out["fields"]["iban"]["confidence"] <= 1


def test_an_absent_field_is_null():
    # The credit note names no BIC and no structured reference.
    out = json.loads(extract(str(SAMPLES / "peppol-credit-note.xml"), "--json").stdout)

    for name in ("bic", "structured_reference"):
        assert out["fields"][name] == {"value": None, "confidence": 0.0, "source": None}
    assert out["fields"]["document_type"]["value"] == "credit_note"


def test_a_ubl_file_is_read_from_its_xml():
    out = json.loads(extract(str(SAMPLES / "peppol-invoice.xml"), "--json").stdout)

    assert out["fields"]["invoice_number"] == {"value": "2026-0142", "confidence": 1.0, "source": "xml"}
    assert out["fields"]["supplier_vat"]["value"] == "BE0202239951"
    assert out["fields"]["structured_reference"]["value"] == "090933755493"


def test_plain_output_names_each_field_with_its_value(invoice):
    path, truth = invoice

    result = extract(str(path), "--company-vat", "BE 0417.497.106")

    assert result.returncode == 0
    line = next(line for line in result.stdout.splitlines() if line.startswith("invoice_number"))
    assert truth["invoice_number"] in line


def test_a_bad_company_vat_or_a_missing_file_is_a_clear_error(tmp_path):
    assert (
        "not a valid VAT number"
        in extract(str(SAMPLES / "peppol-invoice.xml"), "--company-vat", "BE0417497107").stderr
    )
    result = extract(str(tmp_path / "nowhere.pdf"))
    assert result.returncode == 2 and "cannot read" in result.stderr


def test_a_scanned_invoice_is_read_through_ocr(tmp_path):
    sample = generate(21, layout="classic", language="nl", scanned=True)
    path = tmp_path / "scan.pdf"
    path.write_bytes(sample.pdf)

    out = json.loads(extract(str(path), "--json", "--company-vat", "BE0417497106").stdout)

    for name in ("supplier_vat", "invoice_number", "invoice_date", "total_incl_vat", "iban"):
        assert out["fields"][name]["value"] == sample.truth[name], name
    assert out["fields"]["total_incl_vat"]["source"] == "ocr"
