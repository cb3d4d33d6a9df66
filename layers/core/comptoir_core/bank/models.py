from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class StatementRead(BaseModel):
    account_iban: str | None
    account_number: str
    currency: str
    statement_number: str
    old_balance: Decimal
    new_balance: Decimal
    date: date
    balance_consistent: bool
    computed_new_balance: Decimal | None = None
    movements: int
    already_imported: bool = False


class StatementsImported(BaseModel):
    statements: list[StatementRead]
    created: bool


class AccountRead(BaseModel):
    account_iban: str | None
    account_number: str
    currency: str
    balance: Decimal
    balance_date: date
    statement_number: str
    balance_consistent: bool
    computed_new_balance: Decimal | None = None


class AccountsRead(BaseModel):
    accounts: list[AccountRead]


class DetailRead(BaseModel):
    amount: Decimal
    counterparty_name: str | None = None
    counterparty_iban: str | None = None
    communication_type: str
    communication: str | None = None
    structured_reference: str | None = None


class OpenItemMatch(BaseModel):
    partner: str | None
    reconcile: str | None
    balance: Decimal


class MovementRead(BaseModel):
    id: str
    account_iban: str | None
    account_number: str
    currency: str
    statement_number: str
    date: date
    value_date: date | None
    amount: Decimal
    counterparty_name: str | None
    counterparty_iban: str | None
    counterparty_bic: str | None = None
    communication_type: str
    communication: str | None
    structured_reference: str | None
    transaction_code: str
    r_transaction: str | None = None
    details: list[DetailRead] = Field(default_factory=list)
    document: str | None = None
    open_item: OpenItemMatch | None = None


class MovementsRead(BaseModel):
    movements: list[MovementRead]
    next_cursor: str | None = None


class TransactionsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account: str | None = Field(default=None, max_length=40)
    date_from: date | None = None
    date_to: date | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    q: str | None = Field(default=None, max_length=100)
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=100, ge=1, le=500)
