"""The ledger snapshot the firm pushes, and what the portal answers about it.

Keys the portal does not use are ignored (a firm's export carries more); amounts are decimal strings."""

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Account(_Loose):
    code: str = Field(min_length=1, max_length=20)
    name_fr: str | None = None
    name_nl: str | None = None
    name_en: str | None = None
    class_: str | None = Field(default=None, alias="class")
    group: str | None = None

    def name(self, language: str = "fr") -> str:
        return getattr(self, f"name_{language}", None) or self.name_fr or self.name_nl or self.code


class Journal(_Loose):
    code: str = Field(min_length=1, max_length=20)
    name_fr: str | None = None
    name_nl: str | None = None
    type: str = "general"


class Period(_Loose):
    id: str = Field(min_length=1, max_length=20)
    start: date
    end: date
    special: str | None = None


class FiscalYear(_Loose):
    id: str = Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9_.-]+$")
    start: date
    end: date
    state: str = "open"
    as_of: date | None = None
    periods: list[Period] = Field(default_factory=list)


class Partner(_Loose):
    id: str = Field(min_length=1, max_length=60)
    name: str = ""
    type: str | None = None
    vat: str | None = None
    iban: str | None = None


class Line(_Loose):
    account: str
    debit: Decimal = Decimal("0")
    credit: Decimal = Decimal("0")
    partner: str | None = None
    reconcile: str | None = None
    label: str | None = None
    due_date: date | None = None


class Entry(_Loose):
    id: str = Field(min_length=1, max_length=80)
    date: date
    fiscal_year: str
    period: str
    journal: str
    ref: str | None = None
    description: str | None = None
    due_date: date | None = None
    lines: list[Line] = Field(min_length=1)


class LedgerSnapshot(_Loose):
    company: dict | None = None
    currency: str = "EUR"
    as_of: date | None = None
    chart_of_accounts: list[Account] = Field(default_factory=list)
    journals: list[Journal] = Field(default_factory=list)
    fiscal_years: list[FiscalYear] = Field(min_length=1)
    partners: list[Partner] = Field(default_factory=list)
    entries: list[Entry] = Field(default_factory=list)


class LedgerImported(BaseModel):
    fiscal_year: str
    changed: bool
    entries: int
    lines: int
    data_date: date
    updated_at: datetime


class ImportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: str = Field(default="json", pattern="^(json|zip)$")


class ImportRead(BaseModel):
    id: str
    status: str  # waiting_upload, queued (its file received through the API), running, done, failed
    format: str
    progress: int = 0
    created_at: datetime
    url: str | None = None
    fields: dict | None = None
    max_bytes: int | None = None
    fiscal_years: list[LedgerImported] = Field(default_factory=list)
    # CODA files the firm's zip carried beside (or instead of) the books: statements read.
    bank_statements: int = 0
    error: dict | None = None


class PeriodRead(BaseModel):
    id: str
    start: date
    end: date
    special: str | None = None


class YearRead(BaseModel):
    """One imported fiscal year as the portal offers it: its periods (for a report's range) and freshness."""

    fiscal_year: str
    start: date
    end: date
    state: str
    data_date: date
    periods: list[PeriodRead]
    updated_at: datetime


class YearsRead(BaseModel):
    years: list[YearRead]


class YearFigures(BaseModel):
    """What an import computes once for one fiscal year: the dashboard reads only this."""

    fiscal_year: str
    start: date
    end: date
    state: str
    data_date: date
    periods: list[Period]
    # account → period id → [debit, credit]
    sums: dict[str, dict[str, tuple[Decimal, Decimal]]]
    receivables: Decimal
    payables: Decimal
    hash: str
    snapshot_key: str
    updated_at: datetime
    journal_hashes: dict[str, str]
    financial_journals: dict[str, datetime]
    entries: int
    lines: int
