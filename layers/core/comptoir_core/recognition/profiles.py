"""Supplier profiles: one item per (company, supplier VAT), what corrections taught recognition."""

import json
from datetime import UTC, datetime
from typing import Any

from comptoir_core import keys
from comptoir_core.accounts.service import read_company, read_company_settings
from comptoir_core.repository import Repository
from comptoir_pdf.recognition import (
    FIELD_NAMES,
    CompanyIdentity,
    OcrEngine,
    PageWords,
    SupplierProfile,
    Word,
    document_words,
    learn,
)

# Corrections of these fields teach something; others (document type, …) do not.
LEARNT_FIELDS = frozenset(FIELD_NAMES) - {"document_type", "customer_vat", "vat_breakdown"}


def company_identity(*, repo: Repository, company_id: str) -> CompanyIdentity:
    """The company's own VAT number, name and bank accounts: never taken as a supplier's."""
    company = read_company(repo=repo, company_id=company_id)
    settings = read_company_settings(repo=repo, company_id=company_id)
    return CompanyIdentity(vat=company.vat_number, ibans=settings.ibans, name=company.name)


def load_profiles(*, repo: Repository, company_id: str) -> dict[str, SupplierProfile]:
    """Every supplier profile of the company, keyed by supplier VAT (one Query)."""
    out = {}
    for item in repo.query(keys.company_pk(company_id), sk_prefix=keys.SUPPLIER_PROFILE_SK_PREFIX):
        profile = SupplierProfile.from_dict(json.loads(item["profile"]))
        out[profile.vat] = profile
    return out


def load_profile(*, repo: Repository, company_id: str, supplier_vat: str) -> SupplierProfile | None:
    item = repo.get(keys.company_pk(company_id), keys.supplier_profile_sk(supplier_vat))
    return SupplierProfile.from_dict(json.loads(item["profile"])) if item else None


def save_profile(*, repo: Repository, company_id: str, profile: SupplierProfile) -> None:
    repo.put(
        {
            "pk": keys.company_pk(company_id),
            "sk": keys.supplier_profile_sk(profile.vat),
            "kind": "supplier_profile",
            "supplier_vat": profile.vat,
            # JSON text: the anchors hold floats, which the table would want as Decimals.
            "profile": json.dumps(profile.to_dict(), separators=(",", ":")),
            "updated_at": datetime.now(UTC).isoformat(),
        }
    )


def record_correction(
    *,
    repo: Repository,
    company_id: str,
    fields: dict[str, Any],
    field_name: str,
    words: list[PageWords] | list[Word] | None = None,
    pdf: bytes | None = None,
    ocr: OcrEngine | None = None,
) -> SupplierProfile | None:
    """Learn from a user's correction of `field_name` on a document whose fields are now `fields`
    (FieldValue objects, dicts with "value", or bare values). The document's words come as kept by
    the pipeline (`words`, see comptoir_pdf.recognition.pages_from_json) or are read again from
    `pdf` (its text layer; scans need `ocr`). Returns the stored profile, or None when there is
    nothing to learn (no supplier VAT number, or a field that teaches nothing)."""
    if field_name not in LEARNT_FIELDS:
        return None
    supplier_vat = _plain(fields.get("supplier_vat"))
    if not supplier_vat:
        return None
    if words is None and pdf is not None:
        words = document_words(pdf, ocr=ocr)
    current = load_profile(repo=repo, company_id=company_id, supplier_vat=supplier_vat)
    profile = learn(current, fields, field_name, words)
    save_profile(repo=repo, company_id=company_id, profile=profile)
    return profile


def _plain(value: Any) -> Any:
    if hasattr(value, "value"):
        return value.value
    if isinstance(value, dict):
        return value.get("value")
    return value
