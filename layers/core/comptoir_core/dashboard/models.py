from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

PNL_KEYS = (
    "turnover",
    "operating_income",
    "operating_charges",
    "operating_result",
    "financial_income",
    "financial_charges",
    "non_recurring_income",
    "non_recurring_charges",
    "result",
    "income_taxes",
)


class DashboardQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fiscal_year: str | None = Field(default=None, max_length=20)


class UpdatedAt(BaseModel):
    ledger: datetime
    financial_journals: dict[str, datetime]


class Indicators(BaseModel):
    turnover: Decimal
    operating_income: Decimal
    operating_charges: Decimal
    operating_result: Decimal
    financial_income: Decimal
    financial_charges: Decimal
    non_recurring_income: Decimal
    non_recurring_charges: Decimal
    result: Decimal
    income_taxes: Decimal
    liquidity: Decimal
    receivables: Decimal
    payables: Decimal


class PeriodFigures(BaseModel):
    period: str
    start: date
    end: date
    partial: bool
    turnover: Decimal
    operating_income: Decimal
    operating_charges: Decimal
    operating_result: Decimal
    financial_income: Decimal
    financial_charges: Decimal
    non_recurring_income: Decimal
    non_recurring_charges: Decimal
    result: Decimal
    income_taxes: Decimal
    liquidity: Decimal


class YearSummary(BaseModel):
    fiscal_year: str
    turnover: Decimal
    operating_result: Decimal
    result: Decimal


class Dashboard(BaseModel):
    fiscal_year: str
    start: date
    end: date
    partial: bool
    data_until: date
    updated_at: UpdatedAt
    indicators: Indicators
    cost_breakdown: dict[str, Decimal]
    quarters: list[PeriodFigures]
    months: list[PeriodFigures]
    years: list[YearSummary]


class Rubric(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")
    name_fr: str = Field(min_length=1, max_length=100)
    name_nl: str = Field(min_length=1, max_length=100)
    name_en: str = Field(min_length=1, max_length=100)
    prefixes: list[str] = Field(min_length=1, max_length=100)

    @field_validator("prefixes")
    @classmethod
    def _charge_prefixes(cls, prefixes: list[str]) -> list[str]:
        for prefix in prefixes:
            if not prefix.isdigit() or not prefix.startswith("6") or len(prefix) > 10:
                raise ValueError(f"{prefix!r} is not a prefix of charge accounts (6…)")
        return prefixes


class Rubrics(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rubrics: list[Rubric] = Field(max_length=50)

    @field_validator("rubrics")
    @classmethod
    def _unique(cls, rubrics: list[Rubric]) -> list[Rubric]:
        seen_keys, seen_prefixes = set(), set()
        for rubric in rubrics:
            if rubric.key in seen_keys or rubric.key == "total":
                raise ValueError(f"rubric key {rubric.key!r} is used twice or reserved")
            seen_keys.add(rubric.key)
            for prefix in rubric.prefixes:
                if prefix in seen_prefixes:
                    raise ValueError(f"prefix {prefix} belongs to two rubrics")
                seen_prefixes.add(prefix)
        return rubrics
