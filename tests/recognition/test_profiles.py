"""Supplier profiles in the table: a correction is recorded, the next invoice of that supplier benefits."""

import pytest

from comptoir_core import keys, wiring
from comptoir_core.accounts import service
from comptoir_core.accounts.models import CompanySettings
from comptoir_core.recognition import company_identity, load_profiles, record_correction
from comptoir_core.tenancy import Caller, Role
from comptoir_pdf.recognition import recognise
from tests.recognition.corpus import COMPANY_IBAN
from tests.recognition.test_learning import SUPPLIER_VAT, lepel_invoice


@pytest.fixture
def company(resources):
    repo = wiring.repository()
    firm = service.create_firm(repo=repo, name="Fiduciaire Test")
    made = service.create_company(repo=repo, firm=firm, name="Demo SRL", vat_number="BE0417497106")
    service.add_member(repo=repo, company=made, user_id="u-admin", role=Role.admin)
    service.update_company_settings(
        repo=repo,
        caller=Caller(user_id="u-admin", email="admin@test.be"),
        company_id=made.id,
        settings=CompanySettings(bank_accounts=["BE71 0961 2345 6769"]),
        expected_version=None,
    )
    return made


def test_a_correction_recorded_under_the_company_teaches_the_next_invoice_of_that_supplier(company):
    repo = wiring.repository()
    identity = company_identity(repo=repo, company_id=company.id)
    assert (identity.vat, identity.name, identity.ibans) == ("BE0417497106", "Demo SRL", [COMPANY_IBAN])
    first = recognise(lepel_invoice("2026/0042", "12/03/2026", "100,00"), company=identity, ocr=None)
    corrected = {name: f for name, f in first.fields.items()}
    corrected["supplier_name"] = {"value": "De Gouden Lepel", "source": "user"}

    record_correction(
        repo=repo, company_id=company.id, fields=corrected, field_name="supplier_name", words=first.pages
    )

    profiles = load_profiles(repo=repo, company_id=company.id)
    assert list(profiles) == [SUPPLIER_VAT]
    assert (
        repo.get(keys.company_pk(company.id), keys.supplier_profile_sk(SUPPLIER_VAT))["kind"]
        == "supplier_profile"
    )
    nxt = recognise(
        lepel_invoice("2026/0043", "02/04/2026", "250,00"), company=identity, ocr=None, profiles=profiles
    )
    assert nxt.fields["supplier_name"].value == "De Gouden Lepel"


def test_the_words_are_read_again_from_the_pdf_when_they_were_not_kept(company):
    repo = wiring.repository()
    pdf = lepel_invoice("2026/0042", "12/03/2026", "100,00")
    fields = {**recognise(pdf, company=company_identity(repo=repo, company_id=company.id), ocr=None).values()}
    fields["invoice_number"] = "2026/0042"

    profile = record_correction(
        repo=repo, company_id=company.id, fields=fields, field_name="invoice_number", pdf=pdf
    )

    assert profile.anchors["invoice_number"].label == "bestelling:"
    assert (
        load_profiles(repo=repo, company_id=company.id)[SUPPLIER_VAT].anchors["invoice_number"].label
        == "bestelling:"
    )


def test_a_correction_without_a_supplier_vat_teaches_nothing(company):
    repo = wiring.repository()

    assert (
        record_correction(
            repo=repo, company_id=company.id, fields={"supplier_name": "X"}, field_name="supplier_name"
        )
        is None
    )
    assert load_profiles(repo=repo, company_id=company.id) == {}


def test_a_bank_account_that_is_no_iban_is_refused_in_the_settings():
    with pytest.raises(ValueError, match="not a valid IBAN"):
        CompanySettings(bank_accounts=["BE71 0961 2345 6768"])
