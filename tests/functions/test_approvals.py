"""approvals through chalice.test.Client, with the approval chain really executed by moto's Step Functions.

The documents pipeline runs on real invoice PDFs; the chain's SQS messages are delivered to the approvals
worker by `deliver` below, as Lambda's event source mapping would.
"""

import time
from datetime import timedelta

import boto3
import pytest
from chalice.test import Client

from comptoir_core import wiring
from comptoir_core.approvals import service
from comptoir_core.settings import get_settings
from comptoir_infra.local.apps import load_app_module
from comptoir_infra.spec import APPROVALS_QUEUE, SPEC
from tests.conftest import REGION
from tests.functions.conftest import ACCOUNTANT, ADMIN, OTHER_ADMIN, USER, api_for, body
from tests.samples import invoice_pdf

approvals_api = api_for("approvals")
SUPPLIER = "BE0403170701"


@pytest.fixture
def resources(executing_resources):
    return executing_resources


@pytest.fixture
def company(demo_companies):
    return demo_companies["Demo SRL"]


@pytest.fixture
def users(demo_companies):
    return {
        email: uid
        for uid, (email, _) in service.members(
            repo=wiring.repository(), company_id=company_of(demo_companies)
        ).items()
    }


def company_of(demo_companies):
    return demo_companies["Demo SRL"]


class Worker:
    """The approvals queue delivered to its handler; `kill_after_recording` makes the next delivery die
    after the worker wrote what it received, before the message is acknowledged."""

    def __init__(self, resources):
        self.sqs = boto3.client("sqs")
        self.url = resources.queue_urls[APPROVALS_QUEUE]
        self.client = Client(load_app_module(SPEC.app("approvals")).app)
        self.in_flight: list[dict] = []

    def redeliver_in_flight(self) -> None:
        """What the visibility timeout does to messages a dead worker never acknowledged."""
        for message in self.in_flight:
            self.sqs.change_message_visibility(
                QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
        self.in_flight = []

    def deliver(self, *, until=None, timeout_s: float = 20) -> None:
        """Deliver messages until `until()` is true (or, without one, until the queue stays empty)."""
        deadline = time.monotonic() + timeout_s
        quiet_since = None
        while time.monotonic() < deadline:
            if until is not None and until():
                return
            received = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=5).get("Messages", [])
            if not received:
                if until is None:
                    quiet_since = quiet_since or time.monotonic()
                    if time.monotonic() - quiet_since > 1.0:
                        return
                time.sleep(0.05)
                continue
            quiet_since = None
            event = self.client.events.generate_sqs_event(
                queue_name=APPROVALS_QUEUE, message_bodies=[m["Body"] for m in received]
            )
            self.in_flight = received
            answer = self.client.lambda_.invoke("on_approval_message", event).payload
            self.in_flight = []
            failed = {f["itemIdentifier"] for f in answer.get("batchItemFailures", [])}
            assert not failed, answer
            for message in received:
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
        if until is not None:
            assert until(), "the chain did not get there"


@pytest.fixture
def worker(resources):
    return Worker(resources)


def call(api, method, path, as_user=ADMIN, body_=None):
    return api.call(method, path, as_user=as_user, body=body_)


@pytest.fixture
def invoice(documents_api, company, pump):
    """Upload an invoice PDF to Purchase and run the pipeline; its id."""

    def upload(*, supplier_vat=SUPPLIER, incl="1.500,00", number="F-1") -> str:
        response = documents_api.call(
            "POST",
            f"/companies/{company}/mailboxes/purchase/documents?filename={number}.pdf",
            as_user=ADMIN,
            raw=invoice_pdf(supplier_vat=supplier_vat, incl=incl, number=number),
            content_type="application/pdf",
        )
        assert response.status_code == 202, response.body
        assert all(answer == {"batchItemFailures": []} for answer in pump())
        return body(response)["documents"][0]

    return upload


def document(documents_api, company, did, as_user=ADMIN):
    return body(documents_api.call("GET", f"/companies/{company}/documents/{did}", as_user=as_user))


def approval_on(approvals_api, company, users, *, approvers=(ADMIN, USER), mode="all"):
    assert (
        call(
            approvals_api, "PUT", f"/companies/{company}/invoice-approval", body_={"enabled": True}
        ).status_code
        == 200
    )
    rule = call(
        approvals_api,
        "POST",
        f"/companies/{company}/invoice-rules",
        body_={"approvers": list(approvers), "suppliers": [SUPPLIER], "min_amount": "1000.00", "mode": mode},
    )
    assert rule.status_code == 201, rule.body
    return body(rule)


def test_an_invoice_of_the_rules_supplier_waits_for_a_and_b_then_is_approved(
    approvals_api, documents_api, company, users, invoice, worker
):
    rule = approval_on(approvals_api, company, users)
    did = invoice()
    worker.deliver(
        until=lambda: all(
            t.token
            for t in service.read_chain(
                repo=wiring.repository(), company_id=company, kind="invoice", subject_id=did
            ).tasks
        )
    )

    assert document(documents_api, company, did)["approval_status"] == "to_approve_by_me"
    assert document(documents_api, company, did, USER)["approval_status"] == "to_approve_by_me"
    seen_by_accountant = document(documents_api, company, did, ACCOUNTANT)
    assert seen_by_accountant["approval_status"] == "to_approve_by_others"
    assert [r["id"] for r in seen_by_accountant["approval"]["rules"]] == [rule["id"]]

    assert (
        call(approvals_api, "POST", f"/companies/{company}/documents/{did}/approve", body_={}).status_code
        == 200
    )
    assert document(documents_api, company, did, USER)["approval_status"] == "to_approve_by_me"
    assert document(documents_api, company, did)["approval_status"] == "to_approve_by_others"
    assert (
        call(approvals_api, "POST", f"/companies/{company}/documents/{did}/approve", USER, {}).status_code
        == 200
    )
    worker.deliver(until=lambda: document(documents_api, company, did)["approval_status"] == "approved")

    sent = documents_api.call("POST", f"/companies/{company}/send", as_user=USER, body={"ids": [did]})
    assert sent.status_code == 200, sent.body


class WorkerKilled(BaseException):
    """The process dies: no handler catches this, the batch is never acknowledged."""


def test_a_worker_killed_between_recording_a_task_and_answering_it_completes_the_chain_on_redelivery(
    approvals_api, documents_api, company, invoice, worker, resources, monkeypatch
):
    approval_on(approvals_api, company, None)
    did = invoice()
    # Both approvers decide before the worker saw the chain's tasks: the worker is the one to answer them.
    assert (
        call(approvals_api, "POST", f"/companies/{company}/documents/{did}/approve", body_={}).status_code
        == 200
    )
    assert (
        call(approvals_api, "POST", f"/companies/{company}/documents/{did}/approve", USER, {}).status_code
        == 200
    )

    def killed(*args, **kwargs):
        raise WorkerKilled

    with monkeypatch.context() as patch:
        patch.setattr(service, "_answer", killed)
        with pytest.raises(WorkerKilled):
            worker.deliver(until=lambda: False, timeout_s=10)
    chain = service.read_chain(repo=wiring.repository(), company_id=company, kind="invoice", subject_id=did)
    assert chain.state == "pending"
    assert any(t.token and t.done and not t.answered for t in chain.tasks), "recorded, not answered"

    worker.redeliver_in_flight()
    worker.deliver(until=lambda: document(documents_api, company, did)["approval_status"] == "approved")

    chain = service.read_chain(repo=wiring.repository(), company_id=company, kind="invoice", subject_id=did)
    assert [a.event for a in chain.audit][-1] == "ended"
    assert all(t.answered for t in chain.tasks)


def chain_of(company, did, kind="invoice"):
    return service.read_chain(repo=wiring.repository(), company_id=company, kind=kind, subject_id=did)


def tokens_recorded(company, did):
    return lambda: all(t.token for t in chain_of(company, did).tasks)


def test_an_any_rule_is_approved_by_the_first_of_its_approvers(
    approvals_api, documents_api, company, invoice, worker
):
    approval_on(approvals_api, company, None, mode="any")
    did = invoice()
    worker.deliver(until=tokens_recorded(company, did))

    assert (
        call(approvals_api, "POST", f"/companies/{company}/documents/{did}/approve", USER, {}).status_code
        == 200
    )
    worker.deliver(until=lambda: document(documents_api, company, did)["approval_status"] == "approved")

    assert (
        call(approvals_api, "POST", f"/companies/{company}/documents/{did}/approve", body_={}).status_code
        == 409
    )


def test_bad_decisions_and_rules_are_refused_with_their_reason(
    approvals_api, documents_api, company, demo_companies, invoice, worker
):
    approval_on(approvals_api, company, None)
    did = invoice()
    base = f"/companies/{company}"

    no_comment = call(approvals_api, "POST", f"{base}/documents/{did}/reject", body_={"comment": "  "})
    by_accountant = call(approvals_api, "POST", f"{base}/documents/{did}/approve", ACCOUNTANT, {})
    stranger = call(approvals_api, "POST", f"{base}/documents/{did}/approve", OTHER_ADMIN, {})
    unknown_approver = call(
        approvals_api, "POST", f"{base}/invoice-rules", body_={"approvers": ["nobody@x.be"]}
    )
    accountant_approver = call(
        approvals_api, "POST", f"{base}/invoice-rules", body_={"approvers": [ACCOUNTANT]}
    )
    below_zero = call(
        approvals_api, "POST", f"{base}/payment-rules", body_={"users": [{"user": ADMIN, "max_amount": "-1"}]}
    )
    by_user = call(approvals_api, "POST", f"{base}/invoice-rules", USER, {"approvers": [USER]})

    assert (no_comment.status_code, body(no_comment)["error"]["message"]) == (
        400,
        "a rejection needs a comment",
    )
    assert by_accountant.status_code == 403
    assert stranger.status_code == 404
    assert unknown_approver.status_code == 400 and "nobody@x.be" in body(unknown_approver)["error"]["message"]
    assert accountant_approver.status_code == 400
    assert below_zero.status_code == 400
    assert by_user.status_code == 403
    assert chain_of(company, did).decisions == []


def test_another_company_s_document_is_not_found_even_for_an_approver(
    approvals_api, documents_api, company, demo_companies, invoice
):
    approval_on(approvals_api, company, None)
    did = invoice()
    other = demo_companies["Other BV"]
    call(approvals_api, "PUT", f"/companies/{other}/invoice-approval", OTHER_ADMIN, {"enabled": True})

    answer = call(approvals_api, "POST", f"/companies/{other}/documents/{did}/approve", OTHER_ADMIN, {})

    assert answer.status_code == 404


def test_the_default_rule_made_when_approval_is_turned_on_cannot_be_deleted_while_it_is_on(
    approvals_api, company
):
    on = body(call(approvals_api, "PUT", f"/companies/{company}/invoice-approval", body_={"enabled": True}))
    rules = body(call(approvals_api, "GET", f"/companies/{company}/invoice-rules", USER))
    (default,) = rules
    assert default["id"] == on["default_rule_id"] and default["default"] is True
    assert [p["email"] for p in default["approvers"]] == [ADMIN]

    refused = call(approvals_api, "DELETE", f"/companies/{company}/invoice-rules/{default['id']}")
    edited = call(
        approvals_api,
        "PUT",
        f"/companies/{company}/invoice-rules/{default['id']}",
        body_={"approvers": [USER]},
    )
    call(approvals_api, "PUT", f"/companies/{company}/invoice-approval", body_={"enabled": False})
    deleted = call(approvals_api, "DELETE", f"/companies/{company}/invoice-rules/{default['id']}")

    assert refused.status_code == 409
    assert body(edited)["approvers"][0]["email"] == USER and body(edited)["default"] is True
    assert deleted.status_code == 204


def test_a_correction_of_the_amount_before_any_decision_restarts_the_chain_with_the_rules_that_fit_now(
    approvals_api, documents_api, company, invoice, worker
):
    rule = approval_on(approvals_api, company, None)
    did = invoice(incl="500,00")  # below the rule's 1,000: the default rule (the admin) applies
    assert [r.default for r in chain_of(company, did).rules] == [True]

    corrected = documents_api.call(
        "PATCH",
        f"/companies/{company}/documents/{did}/fields",
        as_user=USER,
        body={"fields": {"total_incl_vat": "1500.00"}},
    )
    assert corrected.status_code == 200, corrected.body
    restarted = chain_of(company, did)
    assert [r.id for r in restarted.rules] == [rule["id"]]
    assert "restarted" in [a.event for a in restarted.audit]
    worker.deliver(until=tokens_recorded(company, did))  # the old chain's task is ignored
    assert document(documents_api, company, did, USER)["approval_status"] == "to_approve_by_me"

    assert (
        call(approvals_api, "POST", f"/companies/{company}/documents/{did}/approve", USER, {}).status_code
        == 200
    )
    documents_api.call(
        "PATCH",
        f"/companies/{company}/documents/{did}/fields",
        as_user=USER,
        body={"fields": {"total_incl_vat": "400.00"}},
    )
    assert chain_of(company, did).name == restarted.name  # after a decision it goes on


def test_a_duplicate_start_is_the_same_execution(company, approvals_api, documents_api, invoice, resources):
    approval_on(approvals_api, company, None)
    did = invoice()
    doc = service.documents.get_document(repo=wiring.repository(), company_id=company, document_id=did)

    service.start_invoice_chain(repo=wiring.repository(), settings=get_settings(), document=doc)

    stepfunctions = boto3.client("stepfunctions")
    arn = resources.state_machine_arns["approval-chain"]
    assert [e["name"] for e in stepfunctions.list_executions(stateMachineArn=arn)["executions"]] == [
        chain_of(company, did).name
    ]


def test_approvers_waiting_too_long_are_reminded_once_a_day_and_an_old_chain_ends_expired(
    approvals_api, documents_api, company, invoice, worker
):
    from moto.ses.models import ses_backends

    from comptoir_infra.local.provision import ACCOUNT_ID

    approval_on(approvals_api, company, None)
    did = invoice()
    worker.deliver(until=tokens_recorded(company, did))
    outbox = ses_backends[ACCOUNT_ID][REGION].sent_messages
    # Starting the chain told both approvers that an invoice waits for them.
    assert sorted(m.destinations["ToAddresses"][0] for m in outbox) == sorted([ADMIN, USER])
    waiting = len(outbox)
    started = chain_of(company, did).started_at

    early = service.sweep(repo=wiring.repository(), settings=get_settings(), at=started + timedelta(days=2))
    # Reminders are once a calendar day: the later sweeps run at 01:00 and 02:00 of one day, whatever the
    # hour the chain started (at 23:30, "four days and one hour later" would be the next day).
    late_at = (started + timedelta(days=4)).replace(hour=1, minute=0)
    late = service.sweep(repo=wiring.repository(), settings=get_settings(), at=late_at)
    again = service.sweep(repo=wiring.repository(), settings=get_settings(), at=late_at + timedelta(hours=1))

    assert (early["reminded"], late["reminded"], again["reminded"]) == (0, 2, 0)
    assert sorted(m.destinations["ToAddresses"][0] for m in outbox[waiting:]) == sorted([ADMIN, USER])
    assert "reminded" in [a.event for a in chain_of(company, did).audit]

    service.sweep(repo=wiring.repository(), settings=get_settings(), at=started + timedelta(days=61))
    worker.deliver(until=lambda: document(documents_api, company, did)["approval_status"] == "expired")
    assert chain_of(company, did).audit[-1].detail == "expired"


def test_payment_rules_pick_the_fitting_one_refuse_one_that_does_not_fit_and_a_withdrawn_payment_leaves_the_list(
    approvals_api, company, users, worker
):
    from decimal import Decimal

    from comptoir_core.approvals import payments
    from comptoir_core.errors import Invalid

    base = f"/companies/{company}"
    call(approvals_api, "PUT", f"{base}/payment-approval", body_={"enabled": True})
    small = body(
        call(
            approvals_api,
            "POST",
            f"{base}/payment-rules",
            body_={"users": [{"user": USER, "max_amount": "100"}]},
        )
    )
    both = body(
        call(
            approvals_api,
            "POST",
            f"{base}/payment-rules",
            body_={"users": [{"user": ADMIN, "max_amount": "5000"}, {"user": USER, "max_amount": "5000"}]},
        )
    )
    ask = dict(repo=wiring.repository(), company_id=company, initiator_user_id=users[ADMIN])

    with pytest.raises(Invalid):
        payments.request_payment_approval(
            **ask, payment_id="pay_1", amount=Decimal(1500), rule_id=small["id"]
        )
    picked = payments.request_payment_approval(**ask, payment_id="pay_2", amount=Decimal(1500), rule_id=None)
    assert (picked.needs_approval, picked.rule_id) == (True, both["id"])
    worker.deliver(until=lambda: all(t.token for t in chain_of(company, "pay_2", "payment").tasks))
    waiting = body(call(approvals_api, "GET", f"{base}/payments?scope=mine", USER))
    assert [p["id"] for p in waiting] == ["pay_2"]

    payments.withdraw_payment_approval(
        repo=wiring.repository(), company_id=company, payment_id="pay_2", by=ADMIN
    )

    assert body(call(approvals_api, "GET", f"{base}/payments?scope=mine", USER)) == []
    assert chain_of(company, "pay_2", "payment").state == "withdrawn"
    assert call(approvals_api, "POST", f"{base}/payments/pay_2/approve", USER, {}).status_code == 409
    assert call(approvals_api, "PUT", f"{base}/payment-approval", body_={"enabled": False}).status_code == 200


def test_a_rejection_is_e_mailed_with_its_reason_to_the_company_but_not_to_the_one_who_rejected(
    approvals_api, documents_api, company, invoice, worker
):
    from moto.ses.models import ses_backends

    from comptoir_infra.local.provision import ACCOUNT_ID

    approval_on(approvals_api, company, None, mode="any")
    did = invoice()
    worker.deliver(until=tokens_recorded(company, did))
    outbox = ses_backends[ACCOUNT_ID][REGION].sent_messages
    before = len(outbox)

    rejected = call(
        approvals_api,
        "POST",
        f"/companies/{company}/documents/{did}/reject",
        USER,
        {"comment": "Pas commandé par nous"},
    )
    assert rejected.status_code == 200, rejected.body
    worker.deliver(until=lambda: document(documents_api, company, did)["approval_status"] == "rejected")

    told = outbox[before:]
    assert [m.destinations["ToAddresses"][0] for m in told] == [ADMIN]
    assert "Pas commandé par nous" in told[0].body


def test_the_firm_view_counts_the_approvals_that_wait_in_a_company(
    approvals_api, accounts_api, company, invoice, worker
):
    def firm_line():
        companies = body(accounts_api.call("GET", "/firm/companies", as_user=ACCOUNTANT))
        return next(line for line in companies if line["id"] == company)

    approval_on(approvals_api, company, None)
    assert firm_line()["approvals_pending"] == 0

    invoice()

    assert firm_line()["approvals_pending"] == 1


def test_the_approvals_list_gives_each_reader_the_invoices_waiting_for_them_then_every_one_with_its_state(
    approvals_api, documents_api, company, demo_companies, invoice, worker
):
    approval_on(approvals_api, company, None, approvers=(USER,))
    waiting = invoice(number="F-LIST-1")
    decided = invoice(number="F-LIST-2")
    worker.deliver(until=lambda: tokens_recorded(company, waiting)() and tokens_recorded(company, decided)())
    rejected = call(
        approvals_api,
        "POST",
        f"/companies/{company}/documents/{decided}/reject",
        USER,
        {"comment": "not ours"},
    )
    assert rejected.status_code == 200, rejected.body
    worker.deliver(until=lambda: chain_of(company, decided).state == "rejected")

    def listed(as_user, scope):
        answer = call(approvals_api, "GET", f"/companies/{company}/documents?scope={scope}", as_user)
        assert answer.status_code == 200, answer.body
        return {item["id"]: item for item in body(answer)}

    mine = listed(USER, "mine")
    assert list(mine) == [waiting]
    assert mine[waiting]["approval_status"] == "to_approve_by_me"
    assert (mine[waiting]["amount"], mine[waiting]["invoice_number"]) == ("1500.00", "F-LIST-1")
    assert [p["email"] for p in mine[waiting]["pending"]] == [USER]
    assert listed(ADMIN, "mine") == {}
    assert list(listed(ADMIN, "others")) == [waiting]
    every = listed(ADMIN, "all")
    assert {i: every[i]["approval_status"] for i in every} == {
        waiting: "to_approve_by_others",
        decided: "rejected",
    }
    # An accountant never approves: nothing is theirs, and the company's are the others'.
    assert listed(ACCOUNTANT, "mine") == {} and list(listed(ACCOUNTANT, "others")) == [waiting]

    stranger = call(approvals_api, "GET", f"/companies/{company}/documents?scope=all", OTHER_ADMIN)
    bad_scope = call(approvals_api, "GET", f"/companies/{company}/documents?scope=everything", USER)
    assert stranger.status_code == 404
    assert bad_scope.status_code == 400
