from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class ReportKind(StrEnum):
    trial_balance = "trial_balance"
    income_statement = "income_statement"
    balance_sheet = "balance_sheet"
    aged_receivables = "aged_receivables"
    aged_payables = "aged_payables"
    general_ledger = "general_ledger"
    vat_overview = "vat_overview"


class ReportFormat(StrEnum):
    xlsx = "xlsx"
    pdf = "pdf"


class ReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: ReportKind
    fiscal_year: str = Field(min_length=1, max_length=20)
    period_from: str | None = Field(default=None, max_length=20)
    period_to: str | None = Field(default=None, max_length=20)
    account: str | None = Field(default=None, max_length=20, pattern=r"^[0-9A-Za-z]+$")
    format: ReportFormat
    language: str | None = Field(default=None, pattern="^(fr|nl|en)$")


class ReportRead(BaseModel):
    id: str
    kind: ReportKind
    format: ReportFormat
    fiscal_year: str
    language: str
    status: str  # queued, running, done, failed
    progress: int = 0
    created_at: datetime
    done_at: datetime | None = None
    error: str | None = None
    download_url: str | None = None
    filename: str | None = None


class Column(BaseModel):
    label: str
    kind: str = "text"  # text, money, date
    width: int = 14


class ReportTable(BaseModel):
    """What a renderer draws: a title block, then one table (rows carry an optional style)."""

    title: str
    lines: list[str]  # company, fiscal year and periods, "internal use", "updated at"
    columns: list[Column]
    rows: list[list]
    styles: list[str | None]  # None, "section" or "total", one per row
    footer: str
