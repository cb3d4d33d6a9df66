"""Which rules apply to an invoice and what they require, which payment rules fit, and how an approval
looks to its reader: pure functions, no AWS."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from comptoir_core.approvals.models import (
    ApprovalBlock,
    InvoiceRule,
    InvoiceRuleWrite,
    Mode,
    PaymentRule,
    PaymentRuleUser,
    PaymentRuleWrite,
    Person,
)
from comptoir_core.approvals.service import invoice_tasks
from comptoir_core.approvals.views import approval_filter_matches, approval_status_for
from comptoir_core.documents.models import Document, DocumentStatus, FieldSource, FieldValue, Mailbox, Source

A, B, C = (Person(id=f"u-{n}", email=f"{n}@demo.be") for n in "abc")
X = "BE0403170701"


def invoice(supplier: str | None = X, total: str | None = "1500.00", labels=()) -> Document:
    fields = {"supplier_vat": supplier, "total_incl_vat": total}
    return Document(
        id="doc_01jd0000000000000000000000",
        company_id="co_01jd0000000000000000000000",
        mailbox=Mailbox.purchase,
        status=DocumentStatus.inbox,
        source=Source.upload,
        name="f.pdf",
        received_at=datetime.now(UTC),
        size=1,
        original_key="k",
        labels=list(labels),
        fields={k: FieldValue(value=v, source=FieldSource.text) for k, v in fields.items() if v is not None},
    )


DEFAULT = InvoiceRule(id="rul_default", approvers=[A], default=True)
X_FROM_1000 = InvoiceRule(id="rul_x", approvers=[A, B], suppliers=[X], min_amount=Decimal(1000))
ANY_LABELLED = InvoiceRule(id="rul_any", approvers=[B, C], labels=["it"], mode=Mode.any)


def test_a_rule_of_supplier_x_from_1000_requires_each_of_its_approvers():
    applied, tasks = invoice_tasks([DEFAULT, X_FROM_1000], invoice())

    assert [r.id for r in applied] == ["rul_x"]
    assert [t.approvers for t in tasks] == [[A.id], [B.id]]


@pytest.mark.parametrize(
    "document", [invoice(total="999.99"), invoice(supplier="BE0123456749"), invoice(total=None)]
)
def test_the_default_rule_applies_when_no_other_does(document):
    applied, tasks = invoice_tasks([DEFAULT, X_FROM_1000], document)

    assert [r.id for r in applied] == ["rul_default"]
    assert [t.approvers for t in tasks] == [[A.id]]


def test_every_matching_rule_applies_and_an_any_rule_is_one_approval_of_its_group():
    applied, tasks = invoice_tasks([DEFAULT, X_FROM_1000, ANY_LABELLED], invoice(labels=["it"]))

    assert [r.id for r in applied] == ["rul_x", "rul_any"]
    assert [t.approvers for t in tasks] == [[A.id], [B.id], [B.id, C.id]]
    assert [t.index for t in tasks] == [0, 1, 2]


def test_an_approver_in_two_all_rules_is_asked_once():
    twice = InvoiceRule(id="rul_b", approvers=[B], suppliers=[X])

    _, tasks = invoice_tasks([X_FROM_1000, twice], invoice())

    assert [t.approvers for t in tasks] == [[A.id], [B.id]]


def test_a_payment_rule_fits_when_each_user_may_approve_the_amount():
    rule = PaymentRule(
        id="rul_p",
        users=[
            PaymentRuleUser(user=A, max_amount=Decimal(5000)),
            PaymentRuleUser(user=B, max_amount=Decimal(1000)),
        ],
    )

    assert rule.fits(Decimal("1000.00"))
    assert not rule.fits(Decimal("1000.01"))


def test_amounts_below_zero_are_refused_in_rules():
    with pytest.raises(ValueError):
        InvoiceRuleWrite(approvers=["a@demo.be"], min_amount="-0.01")
    with pytest.raises(ValueError):
        PaymentRuleWrite(users=[{"user": "a@demo.be", "max_amount": "-5"}])


PENDING_A = ApprovalBlock(pending=[A])


@pytest.mark.parametrize(
    "state,viewer,role,seen",
    [
        ("pending", A.id, "admin", "to_approve_by_me"),
        ("pending", B.id, "user", "to_approve_by_others"),
        ("pending", A.id, "accountant", "to_approve_by_others"),  # never by_me for an accountant
        ("approved", A.id, "admin", "approved"),
        ("rejected", B.id, "accountant", "rejected"),
        ("expired", B.id, "user", "expired"),
        (None, A.id, "admin", None),
    ],
)
def test_the_status_is_the_one_its_reader_sees(state, viewer, role, seen):
    assert approval_status_for(state, PENDING_A, viewer=viewer, role=role) == seen


def test_the_list_filter_names_the_reader_s_states():
    assert approval_filter_matches("mine", "to_approve_by_me")
    assert approval_filter_matches("others", "to_approve_by_others")
    assert not approval_filter_matches("mine", "to_approve_by_others")
    assert approval_filter_matches("approved", "approved")
    assert approval_filter_matches(None, None)
    assert not approval_filter_matches("rejected", None)
