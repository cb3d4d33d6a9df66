"""Invoice recognition's AWS side: supplier profiles in the table, Textract as the OCR in AWS.

The recogniser itself is pure and lives in `comptoir_pdf.recognition`."""

from comptoir_core.recognition.profiles import (
    company_identity,
    load_profiles,
    record_correction,
    save_profile,
)
from comptoir_core.recognition.textract import TextractEngine, ocr_engine, textract_engine

__all__ = [
    "TextractEngine",
    "company_identity",
    "load_profiles",
    "ocr_engine",
    "record_correction",
    "save_profile",
    "textract_engine",
]
