"""Payments with approval on: the approvals context's chain (really executed by moto's Step Functions) holds a
payment in the to_approve tab until it is decided; invoice approval keeps unapproved invoices from being paid."""

import pytest

from comptoir_core import wiring
from comptoir_core.payments import service
from tests.functions.conftest import ADMIN, USER, api_for, body
from tests.functions.test_approvals import Worker
from tests.functions.test_payments import OUR_IBAN, invoice, pay

payments_api = api_for("payments")
approvals_api = api_for("approvals")
accounts_api = api_for("accounts")


@pytest.fixture
def resources(executing_resources):
    return executing_resources


@pytest.fixture
def company(demo_companies, accounts_api):
    cid = demo_companies["Demo SRL"]
    answer = accounts_api.call(
        "PUT", f"/companies/{cid}/settings", as_user=ADMIN, body={"settings": {"bank_accounts": [OUR_IBAN]}}
    )
    assert answer.status_code == 200, answer.body
    return cid


def _status(company: str, payment_id: str) -> str:
    return service._get_payment(wiring.repository(), company, payment_id).status.value


def test_a_payment_waits_in_the_to_approve_tab_until_the_other_approver_approves_it(
    company, payments_api, approvals_api, resources
):
    worker = Worker(resources)
    on = approvals_api.call(
        "PUT", f"/companies/{company}/payment-approval", as_user=ADMIN, body={"enabled": True}
    )
    assert on.status_code == 200, on.body
    rule = approvals_api.call(
        "POST",
        f"/companies/{company}/payment-rules",
        as_user=ADMIN,
        body={"users": [{"user": ADMIN, "max_amount": "5000"}, {"user": USER, "max_amount": "5000"}]},
    )
    assert rule.status_code == 201, rule.body

    created = pay(payments_api, company, invoice(company))
    assert created.status_code == 201, created.body
    payment = body(created)
    assert (payment["status"], payment["rule_id"]) == ("to_approve", body(rule)["id"])
    waiting = body(payments_api.call("GET", f"/companies/{company}/payments?tab=to_approve", as_user=ADMIN))
    assert [p["id"] for p in waiting] == [payment["id"]]
    refused = payments_api.call(
        "POST", f"/companies/{company}/sepa-files", as_user=ADMIN, body={"payments": [payment["id"]]}
    )
    assert refused.status_code == 409

    worker.deliver()
    approved = approvals_api.call(
        "POST", f"/companies/{company}/payments/{payment['id']}/approve", as_user=USER, body={}
    )
    assert approved.status_code == 200, approved.body
    worker.deliver(until=lambda: _status(company, payment["id"]) == "to_execute")

    ready = body(payments_api.call("GET", f"/companies/{company}/payments?tab=to_execute", as_user=ADMIN))
    assert [p["id"] for p in ready] == [payment["id"]]
    events = [
        e["event"]
        for e in body(
            payments_api.call("GET", f"/companies/{company}/payments/{payment['id']}", as_user=ADMIN)
        )["audit"]
    ]
    assert events[-1] == "approved"


def test_a_rule_that_does_not_fit_the_amount_is_a_400_and_nothing_is_written(
    company, payments_api, approvals_api
):
    approvals_api.call("PUT", f"/companies/{company}/payment-approval", as_user=ADMIN, body={"enabled": True})
    rule = body(
        approvals_api.call(
            "POST",
            f"/companies/{company}/payment-rules",
            as_user=ADMIN,
            body={"users": [{"user": USER, "max_amount": "50"}]},
        )
    )
    document_id = invoice(company)

    answer = pay(payments_api, company, document_id, rule=rule["id"])

    assert answer.status_code == 400
    assert service._payments_of_document(wiring.repository(), company, document_id) == []


def test_an_invoice_not_approved_while_invoice_approval_is_on_cannot_be_paid(
    company, payments_api, approvals_api
):
    on = approvals_api.call(
        "PUT", f"/companies/{company}/invoice-approval", as_user=ADMIN, body={"enabled": True}
    )
    assert on.status_code == 200, on.body

    refused = pay(payments_api, company, invoice(company))

    assert refused.status_code == 409 and "not approved" in body(refused)["error"]["message"]


def test_a_cancelled_payment_waiting_for_approval_withdraws_its_chain_and_its_amount_cannot_change(
    company, payments_api, approvals_api, resources
):
    worker = Worker(resources)
    approvals_api.call("PUT", f"/companies/{company}/payment-approval", as_user=ADMIN, body={"enabled": True})
    approvals_api.call(
        "POST",
        f"/companies/{company}/payment-rules",
        as_user=ADMIN,
        body={"users": [{"user": ADMIN, "max_amount": "5000"}, {"user": USER, "max_amount": "5000"}]},
    )
    payment = body(pay(payments_api, company, invoice(company)))
    assert payment["status"] == "to_approve"
    worker.deliver()

    changed = payments_api.call(
        "PATCH", f"/companies/{company}/payments/{payment['id']}", as_user=ADMIN, body={"amount": "100.00"}
    )
    cancelled = payments_api.call("DELETE", f"/companies/{company}/payments/{payment['id']}", as_user=ADMIN)

    assert changed.status_code == 409
    assert body(cancelled)["status"] == "cancelled"
    chain = body(approvals_api.call("GET", f"/companies/{company}/payments/{payment['id']}", as_user=ADMIN))
    assert chain["state"] == "withdrawn"
