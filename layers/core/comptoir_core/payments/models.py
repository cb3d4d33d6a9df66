"""Payments: what the form proposes, what a payment is, what a SEPA file holds."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from comptoir_core.payments import text


class Method(StrEnum):
    sepa = "sepa"  # pay later: the payment goes into a pain.001 file for the bank
    qr = "qr"  # pay now: an EPC QR code the banking app scans


class PaymentStatus(StrEnum):
    to_approve = "to_approve"
    to_execute = "to_execute"
    executed = "executed"
    cancelled = "cancelled"
    rejected = "rejected"


# Statuses of a payment that counts against its invoice (the guard on second payments).
LIVE_STATUSES = frozenset({PaymentStatus.to_approve, PaymentStatus.to_execute, PaymentStatus.executed})


class Tab(StrEnum):
    to_approve = "to_approve"
    to_execute = "to_execute"
    executed = "executed"


class DocumentPaymentStatus(StrEnum):
    """`payment_status` on the document."""

    in_preparation = "in_preparation"
    in_file = "in_file"
    paid_by_qr = "paid_by_qr"


class PainVersion(StrEnum):
    v09 = "001.001.09"
    v03 = "001.001.03"


def _iban(value: Any) -> str:
    checked = text.iban_or_none(str(value)) if isinstance(value, str) else None
    if checked is None:
        raise ValueError("not a valid IBAN (its check digits do not match)")
    return checked


def _bic(value: Any) -> str:
    checked = text.bic_or_none(str(value)) if isinstance(value, str) else None
    if checked is None:
        raise ValueError("not a valid BIC (8 or 11 characters)")
    return checked


def _amount(value: Any) -> Decimal:
    if isinstance(value, float | bool):
        raise ValueError('an amount as a decimal string, e.g. "1234.56"')
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError('an amount as a decimal string, e.g. "1234.56"') from None
    if not amount.is_finite():
        raise ValueError("a finite amount")
    if amount <= 0:
        raise ValueError("an amount above zero")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("an amount with at most two decimals")
    if amount > Decimal("999999999.99"):
        raise ValueError("an amount of at most 999999999.99")
    return amount.quantize(Decimal("0.01"))


Iban = Annotated[str, BeforeValidator(_iban)]
Bic = Annotated[str, BeforeValidator(_bic)]
Amount = Annotated[Decimal, BeforeValidator(_amount)]


class Counterparty(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    iban: Iban
    bic: Bic | None = None


class Communication(BaseModel):
    """`none`; `unstructured` (a free text of up to 140 characters); `structured` (a Belgian structured
    communication checked mod 97, or an ISO 11649 RF reference), kept in its canonical form."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["none", "unstructured", "structured"] = "none"
    value: str | None = Field(default=None, max_length=140)

    @model_validator(mode="after")
    def _check(self):
        if self.type == "none":
            if self.value:
                raise ValueError("a communication of type none has no value")
            self.value = None
        elif self.type == "unstructured":
            if not self.value or not self.value.strip():
                raise ValueError("an unstructured communication needs a text")
            self.value = self.value.strip()
            if text.structured_kind(self.value):
                # A structured reference never travels as free text.
                self.type = "structured"
                self.value = text.structured_value(self.value)
        else:
            canonical = text.structured_value(self.value or "")
            if canonical is None:
                raise ValueError(
                    "not a valid structured reference: a Belgian +++123/4567/89002+++ whose last two digits "
                    "are the first ten mod 97, or an ISO 11649 RF reference"
                )
            self.value = canonical
        return self


class Confirmations(BaseModel):
    """What the user confirmed knowingly, so a guard lets the payment through."""

    model_config = ConfigDict(extra="forbid")
    new_iban: bool = False
    second_payment: bool = False
    over_amount: bool = False


class PaymentWarning(BaseModel):
    code: str
    message: str


class PaymentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    document: str = Field(min_length=1, max_length=40)
    method: Method
    from_account: Iban | None = None
    amount: Amount
    execution_date: date | None = None
    counterparty: Counterparty
    communication: Communication = Field(default_factory=Communication)
    rule: str | None = Field(default=None, max_length=40)
    confirm: Confirmations = Field(default_factory=Confirmations)

    @model_validator(mode="after")
    def _qr_has_no_account_nor_date(self):
        if self.method == Method.qr:
            if self.execution_date is not None:
                raise ValueError("execution_date: a QR payment is paid now; it has no execution date")
            if self.from_account is not None:
                raise ValueError("from_account: a QR payment is paid from the payer's banking app")
        return self


class PaymentUpdate(BaseModel):
    """A change to a payment not yet in a file; absent keys stay as they are."""

    model_config = ConfigDict(extra="forbid")
    from_account: Iban | None = None
    amount: Amount | None = None
    execution_date: date | None = None
    counterparty: Counterparty | None = None
    communication: Communication | None = None
    confirm: Confirmations = Field(default_factory=Confirmations)


class Account(BaseModel):
    iban: str
    bic: str | None = None
    name: str | None = None


class PaymentForm(BaseModel):
    """The POST's keys, prefilled from the invoice, and what the user should know before paying."""

    document: str
    method: Method = Method.sepa
    from_account: str | None = None
    accounts: list[Account] = Field(default_factory=list)
    amount: Decimal | None = None
    open_amount: Decimal | None = None
    execution_date: date
    counterparty: dict[str, str | None]
    communication: Communication
    warnings: list[PaymentWarning] = Field(default_factory=list)


class AuditEvent(BaseModel):
    at: datetime
    by: str | None = None
    event: str  # created, new_iban_confirmed, second_payment_confirmed, over_amount_confirmed, edited, …
    detail: dict[str, str] = Field(default_factory=dict)


class Payment(BaseModel):
    id: str
    company_id: str
    document_id: str
    method: Method
    status: PaymentStatus
    from_account: Account | None = None
    amount: Decimal
    currency: str = "EUR"
    execution_date: date | None = None
    counterparty: Counterparty
    communication: Communication
    supplier_vat: str | None = None
    invoice_number: str | None = None
    rule_id: str | None = None
    sepa_file_id: str | None = None
    end_to_end_id: str | None = None
    warnings: list[PaymentWarning] = Field(default_factory=list)
    audit: list[AuditEvent] = Field(default_factory=list)
    created_at: datetime
    created_by: str
    executed_at: datetime | None = None
    version: int = 0


class PaymentSummary(BaseModel):
    """A payment as a list shows it, and as the document view lists its payments."""

    id: str
    document_id: str
    method: Method
    status: PaymentStatus
    amount: Decimal
    execution_date: date | None = None
    counterparty_name: str
    counterparty_iban: str
    communication: Communication
    sepa_file_id: str | None = None
    created_at: datetime
    executed_at: datetime | None = None

    @classmethod
    def of(cls, payment: Payment) -> "PaymentSummary":
        return cls(
            id=payment.id,
            document_id=payment.document_id,
            method=payment.method,
            status=payment.status,
            amount=payment.amount,
            execution_date=payment.execution_date,
            counterparty_name=payment.counterparty.name,
            counterparty_iban=payment.counterparty.iban,
            communication=payment.communication,
            sepa_file_id=payment.sepa_file_id,
            created_at=payment.created_at,
            executed_at=payment.executed_at,
        )


class DocumentPayments(BaseModel):
    """What the document view shows of its payments: the status, the icon's state, the done tick."""

    payment_status: DocumentPaymentStatus | None = None
    icon: Literal["none", "pending", "done"] = "none"
    done: bool = False
    payments: list[PaymentSummary] = Field(default_factory=list)


class PaymentList(BaseModel):
    payments: list[PaymentSummary]


class TabQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tab: Tab = Tab.to_execute


class QrQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: Literal["png", "svg"] = "png"


class SepaFileCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    payments: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(min_length=1, max_length=5000)
    from_account: Iban | None = None
    # One date for every payment of the file; without it each keeps its own (a past date becomes today).
    execution_date: date | None = None
    pain_version: PainVersion | None = None

    @model_validator(mode="after")
    def _each_once(self):
        if len(set(self.payments)) != len(self.payments):
            raise ValueError("payments: each payment once")
        return self


class SepaFilePayment(BaseModel):
    id: str
    document_id: str
    end_to_end_id: str
    counterparty_name: str
    counterparty_iban: str
    amount: Decimal
    execution_date: date
    communication: Communication


class SepaFile(BaseModel):
    id: str
    company_id: str
    message_id: str
    pain_version: PainVersion
    from_account: Account
    created_at: datetime
    created_by: str
    number_of_payments: int
    total: Decimal
    execution_dates: list[date]
    payments: list[SepaFilePayment]
    warnings: list[PaymentWarning] = Field(default_factory=list)
    size: int
    sha256: str


class SepaFileSummary(BaseModel):
    id: str
    pain_version: PainVersion
    from_account: Account
    created_at: datetime
    created_by: str
    number_of_payments: int
    total: Decimal
    execution_dates: list[date]

    @classmethod
    def of(cls, file: SepaFile) -> "SepaFileSummary":
        return cls(**file.model_dump(include=set(cls.model_fields)))


class SepaFileList(BaseModel):
    files: list[SepaFileSummary]
