"""The payments app through chalice.test.Client under moto: the form, EPC QR codes, SEPA files, the tabs,
the guards of a bank, and every bad input."""

from datetime import UTC, date, datetime, timedelta

import pytest

from comptoir_core import wiring
from comptoir_core.documents import store
from comptoir_core.documents.models import Document, DocumentStatus, FieldSource, FieldValue, Mailbox, Source
from comptoir_core.ids import new_id
from comptoir_core.payments import service
from tests.functions.conftest import ACCOUNTANT, ADMIN, OTHER_ADMIN, USER, api_for, body
from tests.payments.checks import decode_epc, transactions, validate_pain

payments_api = api_for("payments")
accounts_api = api_for("accounts")

OUR_IBAN = "BE15001765432130"
OUR_BIC = "GEBABEBB"
DUPONT = {"supplier_name": "Brasserie Dupont SRL", "supplier_vat": "BE0403170701", "iban": "BE71096123456769"}
LAMBERT = {
    "supplier_name": "Imprimerie Lambert SA",
    "supplier_vat": "BE0202239951",
    "iban": "BE62510007547061",
}
OGM = "+++090/9337/55493+++"
OTHER_IBAN = "BE43068999999501"


@pytest.fixture
def company(demo_companies) -> str:
    return demo_companies["Demo SRL"]


@pytest.fixture
def with_accounts(company, accounts_api):
    answer = accounts_api.call(
        "PUT",
        f"/companies/{company}/settings",
        as_user=ADMIN,
        body={
            "settings": {"bank_accounts": [OTHER_IBAN, {"iban": OUR_IBAN, "bic": OUR_BIC, "default": True}]}
        },
    )
    assert answer.status_code == 200, answer.body
    return company


def invoice(
    company: str,
    *,
    number: str = "F2026-0042",
    total: str = "121.00",
    due: str | None = None,
    reference: str | None = OGM,
    mailbox: Mailbox = Mailbox.purchase,
    **fields,
) -> str:
    """A recognised purchase invoice in the table, as the pipeline leaves it."""
    values = {**DUPONT, "invoice_number": number, "total_incl_vat": total, **fields}
    if due:
        values["due_date"] = due
    if reference:
        values["structured_reference"] = reference.strip("+").replace("/", "")
    document_id = new_id("doc")
    document = Document(
        id=document_id,
        company_id=company,
        mailbox=mailbox,
        status=DocumentStatus.inbox,
        source=Source.upload,
        name=f"{number}.pdf",
        received_at=datetime.now(UTC),
        size=1000,
        original_key=f"incoming/{company}/purchase/{document_id}",
        fields={
            k: FieldValue(value=v, confidence=0.9, source=FieldSource.text) for k, v in values.items() if v
        },
    )
    store.save(repo=wiring.repository(), document=document)
    return document_id


def pay(api, company, document_id, *, as_user=ADMIN, **overrides):
    request = {
        "document": document_id,
        "method": "sepa",
        "amount": "121.00",
        "counterparty": {"name": DUPONT["supplier_name"], "iban": DUPONT["iban"]},
        "communication": {"type": "structured", "value": OGM},
        **overrides,
    }
    return api.call("POST", f"/companies/{company}/payments", as_user=as_user, body=request)


def document_of(company, document_id) -> Document:
    return store.get_document(repo=wiring.repository(), company_id=company, document_id=document_id)


def problems(answer) -> set[str]:
    return {d["field"] for d in body(answer)["error"].get("details") or []}


# ---- settings --------------------------------------------------------------------------------


def test_bank_accounts_take_plain_ibans_and_objects_and_the_first_is_the_default_unless_one_says(
    company, accounts_api
):
    put = accounts_api.call(
        "PUT",
        f"/companies/{company}/settings",
        as_user=ADMIN,
        body={"settings": {"bank_accounts": ["BE43 0689 9999 9501", {"iban": OUR_IBAN, "name": "Main"}]}},
    )
    assert put.status_code == 200, put.body
    accounts = body(put)["settings"]["bank_accounts"]
    assert accounts == [
        {"iban": OTHER_IBAN, "bic": None, "name": None, "default": False},
        {"iban": OUR_IBAN, "bic": None, "name": "Main", "default": False},
    ]
    settings = service.read_company_settings(repo=wiring.repository(), company_id=company)
    assert settings.default_account().iban == OTHER_IBAN

    two_defaults = accounts_api.call(
        "PUT",
        f"/companies/{company}/settings",
        as_user=ADMIN,
        body={
            "settings": {
                "bank_accounts": [{"iban": OUR_IBAN, "default": True}, {"iban": OTHER_IBAN, "default": True}]
            },
            "version": body(put)["version"],
        },
    )
    assert two_defaults.status_code == 400


# ---- the form --------------------------------------------------------------------------------


def test_the_form_is_prefilled_from_the_invoice_with_the_default_account_and_the_due_date(
    with_accounts, payments_api
):
    due = (date.today() + timedelta(days=20)).isoformat()
    document_id = invoice(with_accounts, due=due, bic="GKCCBEBB")

    form = body(
        payments_api.call(
            "GET", f"/companies/{with_accounts}/documents/{document_id}/payment-form", as_user=USER
        )
    )

    assert (form["from_account"], form["amount"], form["execution_date"]) == (OUR_IBAN, "121.00", due)
    assert form["counterparty"] == {"name": "Brasserie Dupont SRL", "iban": DUPONT["iban"], "bic": "GKCCBEBB"}
    assert form["communication"] == {"type": "structured", "value": OGM}
    assert [w["code"] for w in form["warnings"]] == ["first_payment"]


def test_a_past_due_date_is_proposed_as_today_and_a_paid_invoice_shows_its_open_amount(
    with_accounts, payments_api
):
    document_id = invoice(with_accounts, due="2026-01-05", total="300.00")
    assert pay(payments_api, with_accounts, document_id, amount="100.00").status_code == 201

    form = body(
        payments_api.call(
            "GET", f"/companies/{with_accounts}/documents/{document_id}/payment-form", as_user=ADMIN
        )
    )

    assert form["execution_date"] == service.brussels_today().isoformat()
    assert (form["amount"], form["open_amount"]) == ("200.00", "200.00")
    assert {"past_due", "second_payment"} <= {w["code"] for w in form["warnings"]}


def test_the_form_of_an_invoice_without_reference_proposes_its_number_as_free_text(
    with_accounts, payments_api
):
    document_id = invoice(with_accounts, reference=None, number="INV 77")
    form = body(
        payments_api.call(
            "GET", f"/companies/{with_accounts}/documents/{document_id}/payment-form", as_user=ADMIN
        )
    )
    assert form["communication"] == {"type": "unstructured", "value": "INV 77"}


# ---- EPC QR ------------------------------------------------------------------------------------


def test_a_qr_payment_is_executed_at_once_and_its_code_decodes_to_the_same_payment(
    with_accounts, payments_api
):
    document_id = invoice(with_accounts)

    created = pay(
        payments_api,
        with_accounts,
        document_id,
        method="qr",
        counterparty={"name": "Brasserie Dupont SRL", "iban": DUPONT["iban"], "bic": "GKCCBEBB"},
    )
    assert created.status_code == 201, created.body
    payment = body(created)
    assert payment["status"] == "executed"
    png = payments_api.call("GET", f"/companies/{with_accounts}/payments/{payment['id']}/qr", as_user=USER)

    assert png.headers["Content-Type"] == "image/png"
    epc = decode_epc(png.body)
    assert (epc["service"], epc["version"], epc["charset"], epc["identification"], epc["ec_level"]) == (
        "BCD",
        "002",
        "1",
        "SCT",
        "M",
    )
    assert (epc["name"], epc["iban"], epc["bic"], epc["amount"]) == (
        "Brasserie Dupont SRL",
        DUPONT["iban"],
        "GKCCBEBB",
        "EUR121.00",
    )
    assert (epc["reference"], epc["text"]) == ("090933755493", "")
    assert document_of(with_accounts, document_id).payment_status == "paid_by_qr"


def test_a_qr_code_carries_a_free_text_in_the_text_field_and_comes_as_svg_too(with_accounts, payments_api):
    document_id = invoice(with_accounts, reference=None)
    payment = body(
        pay(
            payments_api,
            with_accounts,
            document_id,
            method="qr",
            communication={"type": "unstructured", "value": "Facture F2026-0042 été"},
        )
    )

    epc = decode_epc(
        payments_api.call(
            "GET", f"/companies/{with_accounts}/payments/{payment['id']}/qr", as_user=ADMIN
        ).body
    )
    svg = payments_api.call(
        "GET", f"/companies/{with_accounts}/payments/{payment['id']}/qr?format=svg", as_user=ADMIN
    )

    assert (epc["reference"], epc["text"]) == ("", "Facture F2026-0042 ete")
    assert svg.headers["Content-Type"] == "image/svg+xml" and b"<svg" in svg.body


# ---- SEPA files --------------------------------------------------------------------------------


def _three_invoices_of_two_suppliers(company, api):
    later = (date.today() + timedelta(days=10)).isoformat()
    ids = [
        invoice(company, number="F2026-0042"),
        invoice(company, number="F2026-0043", reference="+++000/0001/01040+++"),
        invoice(company, number="L-1001", reference="RF18 5390 0754 7034", **LAMBERT),
    ]
    payments = [
        body(pay(api, company, ids[0], execution_date=later)),
        body(
            pay(api, company, ids[1], communication={"type": "structured", "value": "+++000/0001/01040+++"})
        ),
        body(
            pay(
                api,
                company,
                ids[2],
                amount="121.00",
                counterparty={"name": "Imprimerie Lambert & Fils à Liège", "iban": LAMBERT["iban"]},
                communication={"type": "structured", "value": "RF18539007547034"},
            )
        ),
    ]
    return ids, payments


def test_three_invoices_of_two_suppliers_go_into_one_file_that_validates_with_structured_remittance(
    with_accounts, payments_api
):
    ids, payments = _three_invoices_of_two_suppliers(with_accounts, payments_api)
    assert [p.get("status") for p in payments] == ["to_execute"] * 3, payments
    tab = body(payments_api.call("GET", f"/companies/{with_accounts}/payments?tab=to_execute", as_user=ADMIN))
    assert {p["id"] for p in tab} == {p["id"] for p in payments}

    created = payments_api.call(
        "POST",
        f"/companies/{with_accounts}/sepa-files",
        as_user=ADMIN,
        body={"payments": [p["id"] for p in payments]},
    )
    assert created.status_code == 201, created.body
    sepa_file = body(created)
    xml = payments_api.call("GET", f"/companies/{with_accounts}/sepa-files/{sepa_file['id']}", as_user=USER)

    assert xml.headers["Content-Type"] == "application/xml"
    assert "attachment" in xml.headers["Content-Disposition"]
    document = validate_pain(xml.body, "001.001.09")
    txs = {t["end_to_end_id"]: t for t in transactions(document, "001.001.09")}
    assert set(txs) == {"F2026-0042", "F2026-0043", "L-1001"}
    assert txs["F2026-0042"]["structured"] == ("SCOR", "BBA", "090933755493")
    assert txs["L-1001"]["structured"] == ("SCOR", "ISO", "RF18539007547034")
    assert all(t["unstructured"] is None for t in txs.values())
    assert txs["L-1001"]["name"] == "Imprimerie Lambert + Fils a Liege"
    assert (txs["L-1001"]["amount"], txs["L-1001"]["currency"], txs["L-1001"]["has_creditor_agent"]) == (
        "121.00",
        "EUR",
        False,
    )
    assert sepa_file["pain_version"] == "001.001.09" and sepa_file["number_of_payments"] == 3
    assert sepa_file["total"] == "363.00" and sepa_file["from_account"]["iban"] == OUR_IBAN
    assert len(sepa_file["execution_dates"]) == 2  # kept per payment

    assert (
        body(payments_api.call("GET", f"/companies/{with_accounts}/payments?tab=to_execute", as_user=ADMIN))
        == []
    )
    executed = body(
        payments_api.call("GET", f"/companies/{with_accounts}/payments?tab=executed", as_user=ADMIN)
    )
    assert {p["sepa_file_id"] for p in executed} == {sepa_file["id"]}
    assert [
        f["id"]
        for f in body(payments_api.call("GET", f"/companies/{with_accounts}/sepa-files", as_user=ADMIN))
    ] == [sepa_file["id"]]
    assert {document_of(with_accounts, d).payment_status for d in ids} == {"in_file"}


def test_a_file_in_version_03_when_asked_with_one_aligned_date_and_a_past_date_becomes_today(
    with_accounts, payments_api
):
    _, payments = _three_invoices_of_two_suppliers(with_accounts, payments_api)

    sepa_file = body(
        payments_api.call(
            "POST",
            f"/companies/{with_accounts}/sepa-files",
            as_user=ADMIN,
            body={
                "payments": [p["id"] for p in payments],
                "pain_version": "001.001.03",
                "execution_date": "2026-01-02",
            },
        )
    )
    xml = payments_api.call(
        "GET", f"/companies/{with_accounts}/sepa-files/{sepa_file['id']}", as_user=ADMIN
    ).body

    document = validate_pain(xml, "001.001.03")
    assert {t["structured"][1] for t in transactions(document, "001.001.03")} == {"BBA", "ISO"}
    assert sepa_file["execution_dates"] == [service.brussels_today().isoformat()]


def test_the_company_setting_chooses_the_default_pain_version(company, accounts_api, payments_api):
    accounts_api.call(
        "PUT",
        f"/companies/{company}/settings",
        as_user=ADMIN,
        body={"settings": {"bank_accounts": [OUR_IBAN], "sepa_pain_version": "001.001.03"}},
    )
    payment = body(pay(payments_api, company, invoice(company)))

    sepa_file = body(
        payments_api.call(
            "POST", f"/companies/{company}/sepa-files", as_user=ADMIN, body={"payments": [payment["id"]]}
        )
    )

    assert sepa_file["pain_version"] == "001.001.03"
    validate_pain(
        payments_api.call("GET", f"/companies/{company}/sepa-files/{sepa_file['id']}", as_user=ADMIN).body,
        "001.001.03",
    )


def test_an_invoice_number_a_bank_would_refuse_or_that_repeats_gives_way_to_the_payment_id(
    with_accounts, payments_api
):
    slashed = body(pay(payments_api, with_accounts, invoice(with_accounts, number="/2026/17")))
    first = body(
        pay(
            payments_api,
            with_accounts,
            invoice(with_accounts, number="A-1", supplier_vat="BE0202239951", iban=LAMBERT["iban"]),
            counterparty={"name": "Lambert", "iban": LAMBERT["iban"]},
        )
    )
    second = body(pay(payments_api, with_accounts, invoice(with_accounts, number="A-1")))

    sepa_file = body(
        payments_api.call(
            "POST",
            f"/companies/{with_accounts}/sepa-files",
            as_user=ADMIN,
            body={"payments": [slashed["id"], first["id"], second["id"]]},
        )
    )

    ids = {p["id"]: p["end_to_end_id"] for p in sepa_file["payments"]}
    assert ids == {p["id"]: p["id"].replace("_", "-") for p in (slashed, first, second)}


def test_a_name_longer_than_70_characters_is_shortened_with_a_visible_warning(with_accounts, payments_api):
    long_name = "Société Coopérative des Brasseurs Artisanaux Réunis de Wallonie et de Bruxelles"
    payment = pay(
        payments_api,
        with_accounts,
        invoice(with_accounts),
        counterparty={"name": long_name, "iban": DUPONT["iban"]},
    )

    assert "name_shortened" in {w["code"] for w in body(payment)["warnings"]}
    sepa_file = body(
        payments_api.call(
            "POST",
            f"/companies/{with_accounts}/sepa-files",
            as_user=ADMIN,
            body={"payments": [body(payment)["id"]]},
        )
    )
    assert "name_shortened" in {w["code"] for w in sepa_file["warnings"]}
    assert len(sepa_file["payments"][0]["counterparty_name"]) <= 70


def test_payments_from_two_accounts_need_one_chosen_for_the_file(with_accounts, payments_api):
    a = body(pay(payments_api, with_accounts, invoice(with_accounts)))
    b = body(
        pay(
            payments_api,
            with_accounts,
            invoice(with_accounts, number="F2"),
            from_account=OTHER_IBAN,
            confirm={"second_payment": True},
        )
    )

    mixed = payments_api.call(
        "POST", f"/companies/{with_accounts}/sepa-files", as_user=ADMIN, body={"payments": [a["id"], b["id"]]}
    )
    chosen = payments_api.call(
        "POST",
        f"/companies/{with_accounts}/sepa-files",
        as_user=ADMIN,
        body={"payments": [a["id"], b["id"]], "from_account": OTHER_IBAN},
    )

    assert mixed.status_code == 400 and problems(mixed) == {"from_account"}
    assert chosen.status_code == 201 and body(chosen)["from_account"]["iban"] == OTHER_IBAN


# ---- a payment is never in two files ---------------------------------------------------------------


def test_a_payment_already_in_a_file_is_a_conflict_for_a_second_file_an_edit_and_a_cancel(
    with_accounts, payments_api
):
    payment = body(pay(payments_api, with_accounts, invoice(with_accounts)))
    first = payments_api.call(
        "POST", f"/companies/{with_accounts}/sepa-files", as_user=ADMIN, body={"payments": [payment["id"]]}
    )
    assert first.status_code == 201

    second = payments_api.call(
        "POST", f"/companies/{with_accounts}/sepa-files", as_user=ADMIN, body={"payments": [payment["id"]]}
    )
    edit = payments_api.call(
        "PATCH",
        f"/companies/{with_accounts}/payments/{payment['id']}",
        as_user=ADMIN,
        body={"amount": "1.00"},
    )
    cancel = payments_api.call(
        "DELETE", f"/companies/{with_accounts}/payments/{payment['id']}", as_user=ADMIN
    )

    assert (second.status_code, edit.status_code, cancel.status_code) == (409, 409, 409)
    assert "already in the SEPA file" in body(second)["error"]["message"]


def test_two_files_made_at_once_with_the_same_payment_one_wins_and_the_other_is_a_conflict(
    with_accounts, payments_api, monkeypatch
):
    payments = [
        body(
            pay(
                payments_api,
                with_accounts,
                invoice(with_accounts, number=f"R-{n}"),
                confirm={"second_payment": True},
            )
        )
        for n in range(2)
    ]
    real_build = service.pain.build
    raced = {}

    def build_while_another_file_takes_the_payment(**kwargs):
        if not raced:
            raced["winner"] = None  # the racing request builds its own file through here too
            raced["winner"] = payments_api.call(
                "POST",
                f"/companies/{with_accounts}/sepa-files",
                as_user=ADMIN,
                body={"payments": [payments[1]["id"]]},
            )
        return real_build(**kwargs)

    monkeypatch.setattr(service.pain, "build", build_while_another_file_takes_the_payment)
    loser = payments_api.call(
        "POST",
        f"/companies/{with_accounts}/sepa-files",
        as_user=ADMIN,
        body={"payments": [p["id"] for p in payments]},
    )

    assert raced["winner"].status_code == 201
    assert loser.status_code == 409
    first = body(
        payments_api.call("GET", f"/companies/{with_accounts}/payments/{payments[0]['id']}", as_user=ADMIN)
    )
    assert (first["status"], first["sepa_file_id"]) == ("to_execute", None)  # released, ready for a new file
    files = body(payments_api.call("GET", f"/companies/{with_accounts}/sepa-files", as_user=ADMIN))
    assert [f["id"] for f in files] == [body(raced["winner"])["id"]]


# ---- the guards ------------------------------------------------------------------------------


def test_an_iban_other_than_the_invoice_s_is_a_conflict_until_confirmed_and_then_audited(
    with_accounts, payments_api
):
    document_id = invoice(with_accounts)
    form = body(
        payments_api.call(
            "GET", f"/companies/{with_accounts}/documents/{document_id}/payment-form", as_user=ADMIN
        )
    )
    assert form["counterparty"]["iban"] == DUPONT["iban"]

    other = {"name": "Brasserie Dupont SRL", "iban": OTHER_IBAN}
    refused = pay(payments_api, with_accounts, document_id, counterparty=other)
    accepted = pay(payments_api, with_accounts, document_id, counterparty=other, confirm={"new_iban": True})

    assert refused.status_code == 409
    assert body(refused)["error"]["details"]["confirm"] == ["new_iban"]
    assert DUPONT["iban"] in body(refused)["error"]["message"]
    assert accepted.status_code == 201
    (confirmed,) = [e for e in body(accepted)["audit"] if e["event"] == "new_iban_confirmed"]
    assert (confirmed["by"], confirmed["detail"]) == (
        ADMIN,
        {"old_iban": DUPONT["iban"], "new_iban": OTHER_IBAN},
    )
    assert confirmed["at"]


def test_an_iban_other_than_the_supplier_was_paid_on_before_is_a_conflict(with_accounts, payments_api):
    assert pay(payments_api, with_accounts, invoice(with_accounts)).status_code == 201
    no_iban_on_it = invoice(with_accounts, number="F2026-0050", iban=None)

    refused = pay(
        payments_api, with_accounts, no_iban_on_it, counterparty={"name": "Dupont", "iban": OTHER_IBAN}
    )

    assert refused.status_code == 409 and body(refused)["error"]["details"]["confirm"] == ["new_iban"]
    form = body(
        payments_api.call(
            "GET", f"/companies/{with_accounts}/documents/{no_iban_on_it}/payment-form", as_user=ADMIN
        )
    )
    assert "first_payment" not in {w["code"] for w in form["warnings"]}


def test_a_supplier_s_first_payment_is_only_a_warning(with_accounts, payments_api):
    created = pay(payments_api, with_accounts, invoice(with_accounts))
    assert created.status_code == 201
    assert "first_payment" in {w["code"] for w in body(created)["warnings"]}


def test_a_second_payment_of_an_invoice_is_a_conflict_until_confirmed(with_accounts, payments_api):
    document_id = invoice(with_accounts, total="200.00")
    assert pay(payments_api, with_accounts, document_id, amount="100.00").status_code == 201

    refused = pay(payments_api, with_accounts, document_id, amount="100.00")
    accepted = pay(
        payments_api, with_accounts, document_id, amount="100.00", confirm={"second_payment": True}
    )

    assert refused.status_code == 409 and body(refused)["error"]["details"]["confirm"] == ["second_payment"]
    assert accepted.status_code == 201
    assert "second_payment_confirmed" in {e["event"] for e in body(accepted)["audit"]}


def test_a_cancelled_payment_no_longer_counts_and_the_invoice_is_open_again(with_accounts, payments_api):
    document_id = invoice(with_accounts)
    payment = body(pay(payments_api, with_accounts, document_id))
    assert document_of(with_accounts, document_id).payment_status == "in_preparation"

    cancelled = payments_api.call(
        "DELETE", f"/companies/{with_accounts}/payments/{payment['id']}", as_user=USER
    )

    assert body(cancelled)["status"] == "cancelled"
    assert document_of(with_accounts, document_id).payment_status is None
    assert pay(payments_api, with_accounts, document_id).status_code == 201


def test_more_than_the_open_amount_is_a_conflict_until_confirmed(with_accounts, payments_api):
    document_id = invoice(with_accounts)

    refused = pay(payments_api, with_accounts, document_id, amount="121.01")
    accepted = pay(payments_api, with_accounts, document_id, amount="121.01", confirm={"over_amount": True})

    assert refused.status_code == 409 and body(refused)["error"]["details"]["confirm"] == ["over_amount"]
    (event,) = [e for e in body(accepted)["audit"] if e["event"] == "over_amount_confirmed"]
    assert event["detail"] == {"open_amount": "121.00", "amount": "121.01"}


def test_a_rejected_invoice_cannot_be_paid(with_accounts, payments_api):
    document_id = invoice(with_accounts)
    document = document_of(with_accounts, document_id)
    store.save(repo=wiring.repository(), document=document.model_copy(update={"approval_status": "rejected"}))

    refused = pay(payments_api, with_accounts, document_id)

    assert refused.status_code == 409 and "rejected" in body(refused)["error"]["message"]
    form = body(
        payments_api.call(
            "GET", f"/companies/{with_accounts}/documents/{document_id}/payment-form", as_user=ADMIN
        )
    )
    assert "not_payable" in {w["code"] for w in form["warnings"]}


def test_a_sales_document_cannot_be_paid(with_accounts, payments_api):
    refused = pay(payments_api, with_accounts, invoice(with_accounts, mailbox=Mailbox.sales))
    assert refused.status_code == 409


# ---- edits and roles ---------------------------------------------------------------------------


def test_a_payment_is_edited_until_it_is_in_a_file_and_its_audit_says_so(with_accounts, payments_api):
    payment = body(pay(payments_api, with_accounts, invoice(with_accounts, total="500.00"), amount="100.00"))
    later = (date.today() + timedelta(days=30)).isoformat()

    edited = payments_api.call(
        "PATCH",
        f"/companies/{with_accounts}/payments/{payment['id']}",
        as_user=USER,
        body={
            "amount": "150.00",
            "execution_date": later,
            "communication": {"type": "unstructured", "value": "acompte"},
        },
    )

    assert edited.status_code == 200, edited.body
    changed = body(edited)
    assert (changed["amount"], changed["execution_date"], changed["communication"]["value"]) == (
        "150.00",
        later,
        "acompte",
    )
    assert [e["event"] for e in changed["audit"]] == ["created", "edited"]


def test_an_accountant_reads_payments_but_does_not_pay(with_accounts, payments_api):
    refused = pay(payments_api, with_accounts, invoice(with_accounts), as_user=ACCOUNTANT)
    assert refused.status_code == 403


def test_the_to_approve_tab_exists_only_while_payment_approval_is_on(with_accounts, payments_api):
    answer = payments_api.call("GET", f"/companies/{with_accounts}/payments?tab=to_approve", as_user=ADMIN)
    assert answer.status_code == 400


def test_another_company_s_payment_and_file_are_404(with_accounts, payments_api):
    payment = body(pay(payments_api, with_accounts, invoice(with_accounts)))
    sepa_file = body(
        payments_api.call(
            "POST",
            f"/companies/{with_accounts}/sepa-files",
            as_user=ADMIN,
            body={"payments": [payment["id"]]},
        )
    )
    paths = [
        f"/companies/{with_accounts}/payments/{payment['id']}",
        f"/companies/{with_accounts}/sepa-files/{sepa_file['id']}",
    ]
    for path in paths:
        assert payments_api.call("GET", path, as_user=OTHER_ADMIN).status_code == 404


# ---- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"counterparty": {"name": "Dupont", "iban": "BE71096123456768"}}, "counterparty.iban"),
        ({"counterparty": {"name": "Dupont", "iban": DUPONT["iban"], "bic": "GKCC"}}, "counterparty.bic"),
        ({"from_account": "BE00123"}, "from_account"),
        ({"amount": "0"}, "amount"),
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "10.001"}, "amount"),
        ({"amount": 10.5}, "amount"),
        ({"communication": {"type": "structured", "value": "+++090/9337/55494+++"}}, "communication"),
        ({"communication": {"type": "structured", "value": "RF19539007547034"}}, "communication"),
        ({"communication": {"type": "unstructured", "value": ""}}, "communication"),
        ({"method": "qr", "execution_date": "2026-12-31"}, ""),
        ({"method": "cash"}, "method"),
        ({"execution_date": "31/12/2026"}, "execution_date"),
    ],
    ids=[
        "iban-check",
        "bic",
        "from-account",
        "zero",
        "negative",
        "three-decimals",
        "float",
        "ogm-check",
        "rf-check",
        "empty-text",
        "qr-with-date",
        "method",
        "date-format",
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(
    with_accounts, payments_api, overrides, field
):
    document_id = invoice(with_accounts)

    answer = pay(payments_api, with_accounts, document_id, **overrides)

    assert answer.status_code == 400, answer.body
    details = body(answer)["error"]["details"]
    assert any(d["field"].startswith(field) for d in details) or any(
        "execution_date" in d["problem"] for d in details
    )
    assert document_of(with_accounts, document_id).payment_status is None


def test_an_account_that_is_not_the_company_s_is_a_400_naming_from_account(with_accounts, payments_api):
    answer = pay(payments_api, with_accounts, invoice(with_accounts), from_account="BE71096123456769")
    assert answer.status_code == 400 and problems(answer) == {"from_account"}


def test_a_past_sepa_date_is_no_error_it_becomes_today(with_accounts, payments_api):
    answer = pay(payments_api, with_accounts, invoice(with_accounts), execution_date="2025-03-01")
    assert answer.status_code == 201
    assert body(answer)["execution_date"] == service.brussels_today().isoformat()


def test_a_file_of_unknown_or_repeated_payments_is_refused(with_accounts, payments_api):
    unknown = payments_api.call(
        "POST",
        f"/companies/{with_accounts}/sepa-files",
        as_user=ADMIN,
        body={"payments": ["pay_01jd0000000000000000000000"]},
    )
    payment = body(pay(payments_api, with_accounts, invoice(with_accounts)))
    repeated = payments_api.call(
        "POST",
        f"/companies/{with_accounts}/sepa-files",
        as_user=ADMIN,
        body={"payments": [payment["id"], payment["id"]]},
    )
    assert (unknown.status_code, repeated.status_code) == (404, 400)


def test_a_qr_payment_goes_in_no_file(with_accounts, payments_api):
    payment = body(pay(payments_api, with_accounts, invoice(with_accounts), method="qr"))
    answer = payments_api.call(
        "POST", f"/companies/{with_accounts}/sepa-files", as_user=ADMIN, body={"payments": [payment["id"]]}
    )
    assert answer.status_code == 409


# ---- the approvals' callbacks --------------------------------------------------------------------


def _waiting(api, company, document_id) -> str:
    """A payment waiting for approval, as the approvals context leaves it."""
    payment_id = body(pay(api, company, document_id))["id"]
    repo = wiring.repository()
    payment = service._get_payment(repo, company, payment_id)
    item = service._to_item(payment.model_copy(update={"status": service.PaymentStatus.to_approve}))
    repo.replace_versioned(item, expected_version=payment.version)
    return payment_id


def test_an_approved_payment_moves_to_the_to_execute_tab_and_a_rejected_one_frees_the_invoice(
    with_accounts, payments_api
):
    repo = wiring.repository()
    approved_id = _waiting(payments_api, with_accounts, invoice(with_accounts))
    rejected_document = invoice(with_accounts, number="F9")
    rejected_id = _waiting(payments_api, with_accounts, rejected_document)

    approved = service.payment_approved(
        repo=repo, company_id=with_accounts, payment_id=approved_id, decided_by="boss@x"
    )
    again = service.payment_approved(repo=repo, company_id=with_accounts, payment_id=approved_id)
    rejected = service.payment_rejected(
        repo=repo, company_id=with_accounts, payment_id=rejected_id, reason="no"
    )

    assert (approved.status, again.status, rejected.status) == ("to_execute", "to_execute", "rejected")
    assert approved.audit[-1].event == "approved" and approved.audit[-1].by == "boss@x"
    assert document_of(with_accounts, rejected_document).payment_status is None


documents_api = api_for("documents")


def test_the_document_view_lists_its_payments_with_the_icon_and_the_done_tick(
    with_accounts, payments_api, documents_api
):
    document_id = invoice(with_accounts, total="200.00")
    before = body(
        documents_api.call("GET", f"/companies/{with_accounts}/documents/{document_id}", as_user=USER)
    )
    assert before["payments"] == {"payment_status": None, "icon": "none", "done": False, "payments": []}
    payment = body(pay(payments_api, with_accounts, document_id, amount="100.00"))

    pending = body(
        documents_api.call("GET", f"/companies/{with_accounts}/documents/{document_id}", as_user=USER)
    )
    payments_api.call(
        "POST", f"/companies/{with_accounts}/sepa-files", as_user=ADMIN, body={"payments": [payment["id"]]}
    )
    done = body(
        documents_api.call("GET", f"/companies/{with_accounts}/documents/{document_id}", as_user=USER)
    )

    assert (pending["payment_status"], pending["payments"]["icon"], pending["payments"]["done"]) == (
        "in_preparation",
        "pending",
        False,
    )
    assert (done["payment_status"], done["payments"]["icon"], done["payments"]["done"]) == (
        "in_file",
        "done",
        True,
    )
    assert [(p["id"], p["status"]) for p in done["payments"]["payments"]] == [(payment["id"], "executed")]
