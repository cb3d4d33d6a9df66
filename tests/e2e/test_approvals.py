"""Approvals over HTTP on the local stack, the approval chain executed by the embedded Step Functions:
a rule "supplier X from 1,000 € needs A and B", a rejection and the send it forbids, a bulk approval,
and payment approval. One stack for the module: turning approval on would change what other modules see.
"""

import pytest

from tests.e2e.conftest import start_stack, wait_for
from tests.samples import invoice_pdf

ADMIN = "admin@demo.comptoir.local"
USER = "user@demo.comptoir.local"
ACCOUNTANT = "accountant@demo.comptoir.local"
SUPPLIER_X = "BE0403170701"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = start_stack(tmp_path_factory.mktemp("approvals") / "data")
    yield running
    if running.process.poll() is None:
        running.stop()


@pytest.fixture(scope="module")
def demo(stack):
    tokens = {email: stack.login(email)["id_token"] for email in (ADMIN, USER, ACCOUNTANT)}
    company = stack.request("GET", "/accounts/companies", token=tokens[ADMIN]).json()[0]["id"]
    on = stack.request(
        "PUT", f"/approvals/companies/{company}/invoice-approval", token=tokens[ADMIN], body={"enabled": True}
    )
    assert on.status == 200, on.body
    rule = stack.request(
        "POST",
        f"/approvals/companies/{company}/invoice-rules",
        token=tokens[ADMIN],
        body={"approvers": [ADMIN, USER], "suppliers": [SUPPLIER_X], "min_amount": "1000.00"},
    )
    assert rule.status == 201, rule.body
    return company, tokens, rule.json()


def upload_invoice(stack, company, token, number: str, incl: str = "1.500,00") -> str:
    uploaded = stack.request(
        "POST",
        f"/documents/companies/{company}/mailboxes/purchase/documents?filename={number}.pdf",
        token=token,
        raw=invoice_pdf(supplier_vat=SUPPLIER_X, number=number, incl=incl),
        content_type="application/pdf",
    )
    assert uploaded.status == 202, uploaded.body
    return uploaded.json()["documents"][0]


def status_of(stack, company, token, did):
    return (
        stack.request("GET", f"/documents/companies/{company}/documents/{did}", token=token)
        .json()
        .get("approval_status")
    )


def waits_for(stack, company, token, did, expected: str):
    return wait_for(lambda: status_of(stack, company, token, did) == expected)


def decide(stack, company, token, did, decision, comment=None):
    return stack.request(
        "POST",
        f"/approvals/companies/{company}/documents/{did}/{decision}",
        token=token,
        body={"comment": comment} if comment else {},
    )


def test_an_invoice_of_x_over_1000_waits_for_a_and_b_and_once_both_approved_it_can_be_sent(stack, demo):
    company, tokens, rule = demo
    did = upload_invoice(stack, company, tokens[ADMIN], "X-1")

    assert waits_for(stack, company, tokens[ADMIN], did, "to_approve_by_me")
    assert status_of(stack, company, tokens[USER], did) == "to_approve_by_me"
    assert status_of(stack, company, tokens[ACCOUNTANT], did) == "to_approve_by_others"
    view = stack.request("GET", f"/documents/companies/{company}/documents/{did}", token=tokens[USER]).json()
    assert {p["email"] for p in view["approval"]["pending"]} == {ADMIN, USER}
    assert [r["id"] for r in view["approval"]["rules"]] == [rule["id"]]
    mine = stack.request(
        "GET", f"/documents/companies/{company}/mailboxes/purchase?approval=mine", token=tokens[USER]
    ).json()["documents"]
    assert did in [d["id"] for d in mine]
    early = stack.request(
        "POST", f"/documents/companies/{company}/send", token=tokens[USER], body={"ids": [did]}
    )
    assert early.status == 409 and ADMIN in early.body.decode()

    assert decide(stack, company, tokens[ADMIN], did, "approve").status == 200
    assert status_of(stack, company, tokens[ADMIN], did) == "to_approve_by_others"
    assert decide(stack, company, tokens[ADMIN], did, "approve").status == 409  # twice
    assert decide(stack, company, tokens[ACCOUNTANT], did, "approve").status == 403
    assert decide(stack, company, tokens[USER], did, "approve").status == 200

    assert waits_for(stack, company, tokens[USER], did, "approved")
    decisions = stack.request(
        "GET", f"/documents/companies/{company}/documents/{did}", token=tokens[USER]
    ).json()["approval"]["decisions"]
    assert [(d["user"]["email"], d["decision"]) for d in decisions] == [(ADMIN, "approve"), (USER, "approve")]
    sent = stack.request(
        "POST", f"/documents/companies/{company}/send", token=tokens[USER], body={"ids": [did]}
    )
    assert sent.status == 200, sent.body


def test_an_invoice_rejected_by_a_is_rejected_and_sending_it_is_a_conflict(stack, demo):
    company, tokens, _ = demo
    did = upload_invoice(stack, company, tokens[ADMIN], "X-2")
    assert waits_for(stack, company, tokens[ADMIN], did, "to_approve_by_me")

    assert decide(stack, company, tokens[ADMIN], did, "reject").status == 400  # no comment
    rejected = decide(stack, company, tokens[ADMIN], did, "reject", "not our order")
    assert rejected.status == 200, rejected.body

    assert waits_for(stack, company, tokens[USER], did, "rejected")
    sent = stack.request(
        "POST", f"/documents/companies/{company}/send", token=tokens[ADMIN], body={"ids": [did]}
    )
    assert sent.status == 409
    assert sent.json()["error"]["details"] == [{"id": did, "missing": "it is rejected"}]
    path = f"/documents/companies/{company}/documents/{did}"
    labelled = stack.request("POST", f"{path}/labels", token=tokens[ADMIN], body={"add": ["later"]})
    assert labelled.status == 409  # a rejected invoice can only be opened or deleted
    assert stack.request("DELETE", path, token=tokens[ADMIN]).status == 200


def test_three_invoices_approved_in_bulk_by_both_approvers_are_approved(stack, demo):
    company, tokens, _ = demo
    ids = [upload_invoice(stack, company, tokens[USER], f"X-B{n}") for n in range(3)]
    for did in ids:
        assert waits_for(stack, company, tokens[USER], did, "to_approve_by_me")

    for approver in (ADMIN, USER):
        answer = stack.request(
            "POST",
            f"/approvals/companies/{company}/decisions",
            token=tokens[approver],
            body={"kind": "invoice", "ids": ids, "decision": "approve"},
        )
        assert answer.status == 200, answer.body
        assert answer.json()["results"] == [{"id": did, "ok": True, "error": None} for did in ids]

    for did in ids:
        assert waits_for(stack, company, tokens[ACCOUNTANT], did, "approved")


OTHER_SUPPLIER = "BE0123456749"  # covered by no rule but the default one: the admin approves it alone
SUPPLIER_IBAN = "BE71096123456769"
OUR_IBAN = "BE15001765432130"


def approved_invoice(stack, company, tokens, number: str) -> str:
    did = stack.request(
        "POST",
        f"/documents/companies/{company}/mailboxes/purchase/documents?filename={number}.pdf",
        token=tokens[ADMIN],
        raw=invoice_pdf(supplier_vat=OTHER_SUPPLIER, number=number, incl="1.500,00"),
        content_type="application/pdf",
    ).json()["documents"][0]
    assert waits_for(stack, company, tokens[ADMIN], did, "to_approve_by_me")
    assert status_of(stack, company, tokens[USER], did) == "to_approve_by_others"
    assert decide(stack, company, tokens[ADMIN], did, "approve").status == 200
    assert waits_for(stack, company, tokens[ADMIN], did, "approved")
    return did


def pay(stack, company, token, did, rule_id):
    return stack.request(
        "POST",
        f"/payments/companies/{company}/payments",
        token=token,
        body={
            "document": did,
            "method": "sepa",
            "amount": "1500.00",
            "counterparty": {"name": "Brasserie Dupont SRL", "iban": SUPPLIER_IBAN},
            "rule": rule_id,
        },
    )


def payment_status(stack, company, token, pid):
    return stack.request("GET", f"/payments/companies/{company}/payments/{pid}", token=token).json()["status"]


def test_a_payment_on_a_rule_of_admin_and_user_waits_for_the_user_and_on_the_admin_s_alone_skips_approval(
    stack, demo
):
    company, tokens, _ = demo
    accounts = stack.request(
        "PUT",
        f"/accounts/companies/{company}/settings",
        token=tokens[ADMIN],
        body={"settings": {"bank_accounts": [OUR_IBAN]}},
    )
    assert accounts.status == 200, accounts.body
    on = stack.request(
        "PUT", f"/approvals/companies/{company}/payment-approval", token=tokens[ADMIN], body={"enabled": True}
    )
    assert on.status == 200, on.body
    both, admin_alone = (
        stack.request(
            "POST",
            f"/approvals/companies/{company}/payment-rules",
            token=tokens[ADMIN],
            body={"users": users},
        ).json()["id"]
        for users in (
            [{"user": ADMIN, "max_amount": "5000.00"}, {"user": USER, "max_amount": "5000.00"}],
            [{"user": ADMIN, "max_amount": "5000.00"}],
        )
    )

    paid = pay(stack, company, tokens[ADMIN], approved_invoice(stack, company, tokens, "P-1"), both)
    assert paid.status == 201, paid.body
    pid = paid.json()["id"]
    assert paid.json()["status"] == "to_approve"
    mine = stack.request(
        "GET", f"/approvals/companies/{company}/payments?scope=mine", token=tokens[USER]
    ).json()
    assert [p["id"] for p in mine] == [pid]
    assert [d["user"]["email"] for d in mine[0]["decisions"]] == [ADMIN]  # the initiator's own approval
    others = stack.request(
        "GET", f"/approvals/companies/{company}/payments?scope=others", token=tokens[ADMIN]
    )
    assert [p["id"] for p in others.json()] == [pid]
    off = stack.request(
        "PUT",
        f"/approvals/companies/{company}/payment-approval",
        token=tokens[ADMIN],
        body={"enabled": False},
    )
    assert off.status == 409

    approved = stack.request(
        "POST", f"/approvals/companies/{company}/payments/{pid}/approve", token=tokens[USER], body={}
    )
    assert approved.status == 200, approved.body
    assert wait_for(lambda: payment_status(stack, company, tokens[ADMIN], pid) == "to_execute")

    alone = pay(stack, company, tokens[ADMIN], approved_invoice(stack, company, tokens, "P-2"), admin_alone)
    assert alone.status == 201, alone.body
    assert alone.json()["status"] == "to_execute"


def test_a_chain_waiting_when_the_stack_stops_goes_on_after_the_restart(stack, demo):
    """Last in the module: it stops the module's stack. The table comes back from the snapshot, the running
    executions do not: `comptoir up` starts the pending chains again, keeping the decisions made."""
    company, tokens, _ = demo
    did = upload_invoice(stack, company, tokens[ADMIN], "X-R")
    assert waits_for(stack, company, tokens[ADMIN], did, "to_approve_by_me")
    assert decide(stack, company, tokens[ADMIN], did, "approve").status == 200
    stack.stop()

    again = start_stack(stack.data_dir)
    try:
        user = again.login(USER)["id_token"]
        assert status_of(again, company, user, did) == "to_approve_by_me"
        assert decide(again, company, user, did, "approve").status == 200
        assert waits_for(again, company, user, did, "approved")
        audit = again.request("GET", f"/approvals/companies/{company}/documents/{did}", token=user).json()[
            "audit"
        ]
        assert "resumed" in [a["event"] for a in audit]
    finally:
        again.stop()
