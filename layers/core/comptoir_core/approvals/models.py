"""Approvals: the rules that say who approves purchase invoices and payments, and the chains that wait for them.

This module imports nothing of another context: the documents context embeds `ApprovalBlock` in its item.
"""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

UserRef = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=254)]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class Kind(StrEnum):
    invoice = "invoice"
    payment = "payment"


class ChainState(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    expired = "expired"
    withdrawn = "withdrawn"  # the payment was cancelled while it waited


class Mode(StrEnum):
    all = "all"
    any = "any"


class Person(BaseModel):
    id: str
    email: str


# ---- settings -------------------------------------------------------------------------------------


class ApprovalSettings(BaseModel):
    """A company's approval settings (one item)."""

    invoice_enabled: bool = False
    payment_enabled: bool = False
    default_rule_id: str | None = None
    # Approvers waiting longer than this get a reminder (at most once a day); a chain older than the limit ends.
    reminder_days: int = Field(default=3, ge=1, le=60)
    limit_days: int = Field(default=60, ge=1, le=365)


class Toggle(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool
    reminder_days: int | None = Field(default=None, ge=1, le=60)
    limit_days: int | None = Field(default=None, ge=1, le=365)


class ToggleRead(BaseModel):
    enabled: bool
    reminder_days: int
    limit_days: int
    default_rule_id: str | None = None


# ---- rules ---------------------------------------------------------------------------------------


def _non_negative(value: Decimal | None) -> Decimal | None:
    if value is not None and value < 0:
        raise ValueError("an amount cannot be below zero")
    return value


class InvoiceRuleWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    approvers: list[UserRef] = Field(min_length=1, max_length=20)
    suppliers: list[Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)]] = Field(
        default_factory=list, max_length=200
    )
    labels: list[Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]] = Field(
        default_factory=list, max_length=50
    )
    min_amount: Decimal | None = None
    mode: Mode = Mode.all

    _amount = field_validator("min_amount")(_non_negative)


class InvoiceRule(BaseModel):
    id: str
    approvers: list[Person]
    suppliers: list[str] = Field(default_factory=list)
    labels: list[str] = Field(default_factory=list)
    min_amount: Decimal | None = None
    mode: Mode = Mode.all
    default: bool = False

    def matches(self, *, supplier_vat: str | None, labels: list[str], amount: Decimal | None) -> bool:
        if self.suppliers and supplier_vat not in self.suppliers:
            return False
        if self.labels and not set(self.labels) & set(labels):
            return False
        return self.min_amount is None or (amount is not None and amount >= self.min_amount)


class PaymentRuleUserWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user: UserRef
    max_amount: Decimal

    _amount = field_validator("max_amount")(_non_negative)


class PaymentRuleWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    users: list[PaymentRuleUserWrite] = Field(min_length=1, max_length=20)


class PaymentRuleUser(BaseModel):
    user: Person
    max_amount: Decimal


class PaymentRule(BaseModel):
    id: str
    users: list[PaymentRuleUser]

    def fits(self, amount: Decimal) -> bool:
        return all(u.max_amount >= amount for u in self.users)


# ---- chains --------------------------------------------------------------------------------------


class Task(BaseModel):
    """One approval the chain waits for: from one approver, or from any one of a group."""

    index: int
    rule_id: str
    approvers: list[str]
    token: str | None = None
    done: bool = False
    decided_by: str | None = None
    # Set once the decision went back to Step Functions.
    answered: bool = False


class Decision(BaseModel):
    user: Person
    decision: Literal["approve", "reject"]
    comment: str | None = None
    at: datetime


class AuditEvent(BaseModel):
    at: datetime
    event: str  # started, recorded, approved, rejected, reminded, restarted, ended
    by: str | None = None
    detail: str | None = None


class AppliedRule(BaseModel):
    """A rule as it was when the chain started (a later change does not alter a running chain)."""

    id: str
    mode: Mode
    approvers: list[Person]
    default: bool = False
    suppliers: list[str] = Field(default_factory=list)
    labels: list[str] = Field(default_factory=list)
    min_amount: Decimal | None = None
    max_amounts: dict[str, Decimal] = Field(default_factory=dict)


class Chain(BaseModel):
    """The approvals' own record of one invoice's or payment's chain (the task tokens never leave it)."""

    kind: Kind
    company_id: str
    subject_id: str
    name: str  # the execution name: subject and version
    state: ChainState = ChainState.pending
    started_at: datetime
    ended_at: datetime | None = None
    rules: list[AppliedRule]
    tasks: list[Task]
    people: dict[str, str] = Field(default_factory=dict)  # user id → e-mail
    decisions: list[Decision] = Field(default_factory=list)
    audit: list[AuditEvent] = Field(default_factory=list)
    reminded: dict[str, str] = Field(default_factory=dict)  # user id → the day of the last reminder
    amount: Decimal | None = None
    initiator: str | None = None
    version: int = 0

    def pending_users(self) -> list[str]:
        if self.state != ChainState.pending:
            return []
        return list(dict.fromkeys(u for t in self.tasks if not t.done for u in t.approvers))

    def person(self, user_id: str) -> Person:
        return Person(id=user_id, email=self.people.get(user_id, ""))


class ApprovalBlock(BaseModel):
    """What a document view shows of its approval (and the documents item keeps beside approval_status)."""

    pending: list[Person] = Field(default_factory=list)
    decisions: list[Decision] = Field(default_factory=list)
    rules: list[AppliedRule] = Field(default_factory=list)
    audit: list[AuditEvent] = Field(default_factory=list)


class DecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: Comment | None = None


class BulkDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Kind
    ids: list[str] = Field(min_length=1, max_length=100)
    decision: Literal["approve", "reject"]
    comment: Comment | None = None


class BulkResult(BaseModel):
    id: str
    ok: bool
    error: str | None = None


class BulkResults(BaseModel):
    results: list[BulkResult]


class ChainRead(BaseModel):
    kind: Kind
    id: str
    state: ChainState
    approval_status: str | None
    pending: list[Person]
    decisions: list[Decision]
    rules: list[AppliedRule]
    audit: list[AuditEvent]
    amount: Decimal | None = None
    started_at: datetime
    ended_at: datetime | None = None


class PaymentScope(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scope: Literal["mine", "others"] = "mine"


class InvoiceApprovalQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scope: Literal["mine", "others", "all"] = "mine"


class InvoiceApprovalItem(BaseModel):
    """A purchase invoice under approval as the Approvals screen lists it: the document's key fields and
    the chain's state, seen by the caller (`approval_status`, as on the document)."""

    id: str
    name: str
    mailbox: str
    status: str
    supplier_name: str | None = None
    invoice_number: str | None = None
    invoice_date: str | None = None
    amount: Decimal | None = None
    state: ChainState
    approval_status: str | None
    pending: list[Person]
    started_at: datetime
    ended_at: datetime | None = None


class PaymentApprovalOutcome(BaseModel):
    needs_approval: bool
    rule_id: str | None = None
