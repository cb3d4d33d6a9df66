"""The dashboard of a fiscal year and the cost rubrics, from the sums the ledger import stored.

No request sums ledger lines: a year item holds per account and period the debit and credit sums, so a
dashboard adds up at most accounts × periods cells."""

from collections import defaultdict
from decimal import Decimal

from comptoir_core import keys
from comptoir_core.dashboard import pcmn
from comptoir_core.dashboard.models import (
    PNL_KEYS,
    Dashboard,
    Indicators,
    PeriodFigures,
    Rubric,
    Rubrics,
    UpdatedAt,
    YearSummary,
)
from comptoir_core.errors import NotFound
from comptoir_core.ledger.models import YearFigures
from comptoir_core.ledger.service import money, read_years
from comptoir_core.repository import Repository

ZERO = Decimal("0")

DEFAULT_RUBRICS = Rubrics(
    rubrics=[
        Rubric(key="goods", name_fr="Approvisionnements et marchandises", name_nl="Handelsgoederen en grondstoffen",
               name_en="Goods and supplies", prefixes=["60"]),
        Rubric(key="services", name_fr="Services et biens divers", name_nl="Diensten en diverse goederen",
               name_en="Services and other goods", prefixes=["61"]),
        Rubric(key="remunerations", name_fr="Rémunérations et charges sociales",
               name_nl="Bezoldigingen en sociale lasten", name_en="Remunerations", prefixes=["62"]),
        Rubric(key="depreciation", name_fr="Amortissements", name_nl="Afschrijvingen", name_en="Depreciation",
               prefixes=["630"]),
        Rubric(key="other_operating", name_fr="Autres charges d'exploitation",
               name_nl="Andere bedrijfskosten", name_en="Other operating charges",
               prefixes=["631", "632", "633", "634", "635", "636", "637", "638", "639", "64"]),
        Rubric(key="financial", name_fr="Charges financières", name_nl="Financiële kosten",
               name_en="Financial charges", prefixes=["65"]),
        Rubric(key="non_recurring", name_fr="Charges non récurrentes", name_nl="Niet-recurrente kosten",
               name_en="Non-recurring charges", prefixes=["66"]),
    ]
)  # fmt: skip


def read_rubrics(*, repo: Repository, company_id: str) -> Rubrics:
    item = repo.get(keys.company_pk(company_id), keys.RUBRICS_SK)
    return Rubrics.model_validate({"rubrics": item["rubrics"]}) if item else DEFAULT_RUBRICS


def save_rubrics(*, repo: Repository, company_id: str, rubrics: Rubrics) -> Rubrics:
    repo.put({"pk": keys.company_pk(company_id), "sk": keys.RUBRICS_SK, **rubrics.model_dump(mode="json")})
    return rubrics


def rubric_of(code: str, rubrics: Rubrics) -> str | None:
    """The rubric whose longest prefix starts the account code."""
    best, best_length = None, -1
    for rubric in rubrics.rubrics:
        for prefix in rubric.prefixes:
            if code.startswith(prefix) and len(prefix) > best_length:
                best, best_length = rubric.key, len(prefix)
    return best


def _ordered_periods(year: YearFigures):
    return sorted(year.periods, key=lambda p: (p.start, 0 if p.special == "opening" else 1, p.end))


def _totals(year: YearFigures, period_ids: set[str]):
    for code, per_period in year.sums.items():
        debit = credit = ZERO
        for period_id, (d, c) in per_period.items():
            if period_id in period_ids:
                debit += d
                credit += c
        if debit or credit:
            yield code, debit, credit


def _money_dict(values: dict[str, Decimal]) -> dict[str, Decimal]:
    return {k: money(v) for k, v in values.items()}


def build_dashboard(*, years: list[YearFigures], fiscal_year: str | None, rubrics: Rubrics) -> Dashboard:
    if not years:
        raise NotFound("no ledger has been imported for this company")
    if fiscal_year is None:
        year = years[-1]
    else:
        year = next((y for y in years if y.fiscal_year == fiscal_year), None)
        if year is None:
            raise NotFound(f"no ledger for fiscal year {fiscal_year}")
    data_date = year.data_date
    ordered = [p for p in _ordered_periods(year) if p.start <= data_date]
    every = {p.id for p in ordered}
    totals = list(_totals(year, every))
    indicators = Indicators(
        **_money_dict(pcmn.pnl(totals)),
        liquidity=money(pcmn.liquidity(totals)),
        receivables=year.receivables,
        payables=year.payables,
    )
    breakdown: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for rubric in rubrics.rubrics:
        breakdown[rubric.key] = ZERO
    total = ZERO
    for code, debit, credit in totals:
        if pcmn.in_groups(code, 60, 66):
            breakdown[rubric_of(code, rubrics) or "other"] += debit - credit
            total += debit - credit
    cost_breakdown = {**_money_dict(dict(breakdown)), "total": money(total)}

    months: list[PeriodFigures] = []
    cumulative: set[str] = set()
    regular = []
    for period in ordered:
        cumulative.add(period.id)
        if period.special:
            continue
        regular.append(period)
        months.append(
            _period_figures(
                year,
                label=period.start.strftime("%Y-%m"),
                start=period.start,
                end=period.end,
                ids={period.id},
                until=set(cumulative),
                partial=period.end > data_date,
            )
        )
    planned = [p for p in _ordered_periods(year) if not p.special]
    quarters = []
    for index in range(0, len(regular), 3):
        chunk = regular[index : index + 3]
        planned_chunk = planned[index : index + 3]
        last = chunk[-1]
        until = {
            p.id for p in ordered if (p.start, p.end) <= (last.start, last.end) or p.special == "opening"
        }
        quarters.append(
            _period_figures(
                year,
                label=f"{year.fiscal_year}-Q{index // 3 + 1}",
                start=chunk[0].start,
                end=planned_chunk[-1].end,
                ids={p.id for p in chunk},
                until=until,
                partial=planned_chunk[-1].end > data_date,
            )
        )
    summaries = []
    for other in years:
        ids = {p.id for p in other.periods if p.start <= other.data_date}
        figures = pcmn.pnl(_totals(other, ids))
        summaries.append(
            YearSummary(
                fiscal_year=other.fiscal_year,
                turnover=money(figures["turnover"]),
                operating_result=money(figures["operating_result"]),
                result=money(figures["result"]),
            )
        )
    return Dashboard(
        fiscal_year=year.fiscal_year,
        start=year.start,
        end=year.end,
        partial=data_date < year.end,
        data_until=data_date,
        updated_at=UpdatedAt(ledger=year.updated_at, financial_journals=year.financial_journals),
        indicators=indicators,
        cost_breakdown=cost_breakdown,
        quarters=quarters,
        months=months,
        years=summaries,
    )


def _period_figures(year, *, label, start, end, ids, until, partial) -> PeriodFigures:
    figures = pcmn.pnl(_totals(year, ids))
    return PeriodFigures(
        period=label,
        start=start,
        end=end,
        partial=partial,
        **{k: money(figures[k]) for k in PNL_KEYS},
        liquidity=money(pcmn.liquidity(_totals(year, until))),
    )


def read_dashboard(*, repo: Repository, company_id: str, fiscal_year: str | None) -> Dashboard:
    return build_dashboard(
        years=read_years(repo=repo, company_id=company_id),
        fiscal_year=fiscal_year,
        rubrics=read_rubrics(repo=repo, company_id=company_id),
    )
