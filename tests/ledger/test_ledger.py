"""Importing the two-year SME ledger and reading the dashboard: every figure is checked against the
reference in tests/ledger/sme.py (flat lines, string prefixes), never against the code under test."""

import copy
from datetime import date
from decimal import Decimal

import pytest

from comptoir_core import wiring
from comptoir_core.dashboard.models import Rubric, Rubrics
from comptoir_core.dashboard.service import read_dashboard, save_rubrics
from comptoir_core.errors import Invalid
from comptoir_core.ledger.models import LedgerSnapshot
from comptoir_core.ledger.service import import_year, read_year
from tests.ledger import sme

COMPANY = "co_01jd0000000000000000000000"


@pytest.fixture(scope="module")
def books():
    return sme.build()


@pytest.fixture
def imported(resources, books):
    snapshots, _ = books
    repo, blobs = wiring.repository(), wiring.blob_store()
    for fy, snapshot in snapshots.items():
        import_year(
            repo=repo, blobs=blobs, company_id=COMPANY, fiscal_year=fy,
            snapshot=LedgerSnapshot.model_validate(snapshot),
        )  # fmt: skip
    return snapshots


def _push(snapshot, fy="2025"):
    return import_year(
        repo=wiring.repository(), blobs=wiring.blob_store(), company_id=COMPANY, fiscal_year=fy,
        snapshot=LedgerSnapshot.model_validate(snapshot),
    )  # fmt: skip


def _dashboard(fy):
    return read_dashboard(repo=wiring.repository(), company_id=COMPANY, fiscal_year=fy)


KEYS = ("turnover", "operating_income", "operating_charges", "operating_result", "financial_income",
        "financial_charges", "non_recurring_income", "non_recurring_charges", "result", "income_taxes",
        "liquidity")  # fmt: skip


@pytest.mark.parametrize("fy", ["2024", "2025"])
def test_the_year_indicators_equal_the_reference(imported, fy):
    dashboard = _dashboard(fy)
    expected = sme.reference_figures(imported[fy])
    receivables, payables = sme.reference_open_items(imported[fy])

    indicators = dashboard.indicators.model_dump()
    assert {k: indicators[k] for k in KEYS} == expected
    assert (indicators["receivables"], indicators["payables"]) == (receivables, payables)


@pytest.mark.parametrize("fy", ["2024", "2025"])
def test_every_month_equals_the_reference_month(imported, fy):
    dashboard = _dashboard(fy)

    for month in dashboard.months:
        expected = sme.reference_figures(imported[fy], month=month.period)
        got = month.model_dump()
        assert {k: got[k] for k in KEYS} == expected, month.period


def test_a_quarter_adds_its_months_and_takes_liquidity_at_its_last_day(imported):
    dashboard = _dashboard("2024")
    q4 = dashboard.quarters[3]
    months = [sme.reference_figures(imported["2024"], month=m) for m in ("2024-10", "2024-11", "2024-12")]

    assert q4.period == "2024-Q4"
    assert q4.turnover == sum(m["turnover"] for m in months)
    assert q4.liquidity == sme.reference_figures(imported["2024"], until=date(2024, 12, 31))["liquidity"]


def test_the_closed_year_is_whole_and_the_open_year_stops_at_its_data_date(imported, books):
    _, facts = books
    closed, current = _dashboard("2024"), _dashboard("2025")

    assert (closed.partial, closed.data_until, len(closed.months), len(closed.quarters)) == (
        False, date(2024, 12, 31), 12, 4,
    )  # fmt: skip
    assert current.partial is True and current.data_until == facts["data_date_2025"]
    assert [m.period for m in current.months][-1] == "2025-08" and current.months[-1].partial
    assert not current.months[-2].partial
    assert [q.period for q in current.quarters] == ["2025-Q1", "2025-Q2", "2025-Q3"]
    assert current.quarters[-1].partial and not current.quarters[0].partial


def test_the_latest_year_is_the_default_and_years_list_both(imported):
    dashboard = _dashboard(None)

    assert dashboard.fiscal_year == "2025"
    assert [(y.fiscal_year, y.turnover) for y in dashboard.years] == [
        ("2024", sme.reference_figures(imported["2024"])["turnover"]),
        ("2025", sme.reference_figures(imported["2025"])["turnover"]),
    ]


def test_the_overdraft_counts_negative_and_money_in_transit_on_58_is_not_liquid(imported):
    october = next(m for m in _dashboard("2024").months if m.period == "2024-10")
    reference = sme.reference_figures(imported["2024"], until=date(2024, 10, 31))

    # Belfius is overdrawn by 1 000 and 3 000 travel on 58 from KBC at the end of October.
    assert october.liquidity == reference["liquidity"]
    kbc_and_cash = sum(
        Decimal(li["debit"]) - Decimal(li["credit"])
        for e, li in sme.flat_lines(imported["2024"], date(2024, 10, 31))
        if li["account"] in ("550000", "570000")
    )
    assert october.liquidity == kbc_and_cash - Decimal("1000.00")


def test_a_stock_increase_and_credit_notes_lower_what_they_belong_to(imported):
    december = next(m for m in _dashboard("2024").months if m.period == "2024-12")
    # December: purchase A24-005 3 000 on 604, salary 3 000, depreciation 8 000, stock +2 500 (609 credit).
    assert december.operating_charges == Decimal("3000") + Decimal("3000") + Decimal("8000") - Decimal("2500")
    february = next(m for m in _dashboard("2024").months if m.period == "2024-02")
    assert february.turnover == Decimal("8000.00") - Decimal("1000.00")


def test_income_tax_on_67_stays_outside_the_result_and_77_lowers_it(imported):
    closed, current = _dashboard("2024"), _dashboard("2025")

    assert closed.indicators.income_taxes == Decimal("1200.00")
    assert current.indicators.income_taxes == Decimal("-150.00")
    assert closed.cost_breakdown["total"] == (
        closed.indicators.operating_charges
        + closed.indicators.financial_charges
        + closed.indicators.non_recurring_charges
    )


def test_two_openings_are_never_added_together(imported):
    # 2025's liquidity starts from its own opening, which restates 2024's closing balance.
    january = _dashboard("2025").months[0]
    assert january.liquidity == sme.reference_figures(imported["2025"], until=date(2025, 1, 31))["liquidity"]


def test_the_default_rubrics_follow_the_pcmn_and_618_is_a_service(imported):
    breakdown = _dashboard("2024").cost_breakdown

    assert breakdown["services"] == Decimal("2000") + Decimal("1800") + Decimal("6000")
    assert breakdown["goods"] == Decimal("12000") - Decimal("500") + Decimal("3000") - Decimal("2500")
    assert breakdown["depreciation"] == Decimal("8000.00")
    assert breakdown["other_operating"] == Decimal("350.00")
    assert breakdown["financial"] == Decimal("420.00") and breakdown["non_recurring"] == Decimal("200.00")


def test_the_longest_rubric_prefix_wins(imported):
    rubrics = Rubrics(rubrics=[
        Rubric(key="all_services", name_fr="s", name_nl="s", name_en="s", prefixes=["61"]),
        Rubric(key="directors", name_fr="d", name_nl="d", name_en="d", prefixes=["618"]),
    ])  # fmt: skip
    save_rubrics(repo=wiring.repository(), company_id=COMPANY, rubrics=rubrics)

    breakdown = _dashboard("2024").cost_breakdown
    assert breakdown["directors"] == Decimal("6000.00")
    assert breakdown["all_services"] == Decimal("3800.00")
    assert breakdown["other"] == breakdown["total"] - Decimal("9800.00")


def test_sending_the_same_snapshot_again_changes_nothing(imported):
    before = read_year(repo=wiring.repository(), company_id=COMPANY, fiscal_year="2025")

    again = _push(imported["2025"])

    after = read_year(repo=wiring.repository(), company_id=COMPANY, fiscal_year="2025")
    assert again.changed is False
    assert after.updated_at == before.updated_at and after.snapshot_key == before.snapshot_key


def test_a_changed_bank_journal_is_stamped_and_an_unchanged_one_keeps_its_stamp(imported):
    before = read_year(repo=wiring.repository(), company_id=COMPANY, fiscal_year="2025")
    changed = copy.deepcopy(imported["2025"])
    changed["entries"].append({
        "id": "NEW-1", "date": "2025-08-20", "fiscal_year": "2025", "period": "2025-08", "journal": "KBC",
        "lines": [{"account": "650000", "debit": "5.00", "credit": "0"},
                  {"account": "550000", "debit": "0", "credit": "5.00"}],
    })  # fmt: skip
    import time

    time.sleep(1.1)
    assert _push(changed).changed is True

    after = read_year(repo=wiring.repository(), company_id=COMPANY, fiscal_year="2025")
    assert after.financial_journals["KBC"] > before.financial_journals["KBC"]
    assert after.financial_journals["BEL"] == before.financial_journals["BEL"]
    assert after.updated_at > before.updated_at


def _refused(snapshot, fy="2025"):
    with pytest.raises(Invalid) as caught:
        _push(snapshot, fy)
    return caught.value


def test_an_unbalanced_entry_is_refused_naming_it_and_nothing_is_applied(imported):
    bad = copy.deepcopy(imported["2025"])
    bad["entries"][3]["lines"][0]["debit"] = "1.00"
    bad["entries"][5]["lines"][1]["account"] = "999999"
    before = read_year(repo=wiring.repository(), company_id=COMPANY, fiscal_year="2025")

    error = _refused(bad)

    assert {(d["entry"], d.get("line")) for d in error.details} == {
        (bad["entries"][3]["id"], None), (bad["entries"][5]["id"], 2),
    }  # fmt: skip
    assert any("unbalanced" in d["problem"] for d in error.details)
    assert any("unknown account 999999" in d["problem"] for d in error.details)
    after = read_year(repo=wiring.repository(), company_id=COMPANY, fiscal_year="2025")
    assert after.hash == before.hash


def test_an_unknown_period_or_journal_and_a_negative_amount_are_refused(imported):
    bad = copy.deepcopy(imported["2025"])
    bad["entries"][1]["period"] = "2025-13"
    bad["entries"][2]["journal"] = "XXX"
    bad["entries"][4]["lines"][0]["debit"] = "-10.00"
    bad["entries"][4]["lines"][1]["credit"] = "-10.00"

    problems = [d["problem"] for d in _refused(bad).details]

    assert "unknown period 2025-13" in problems
    assert "unknown journal XXX" in problems
    assert sum("negative" in p for p in problems) == 2


def test_an_entry_of_another_fiscal_year_is_refused(imported):
    bad = copy.deepcopy(imported["2025"])
    bad["entries"][0]["fiscal_year"] = "2024"
    assert "not 2025" in _refused(bad).details[0]["problem"]


def test_what_an_import_stores_is_plain_json_for_the_local_stacks_snapshot(imported):
    import json

    import boto3

    items = boto3.client("dynamodb").scan(TableName=wiring.repository().table_name)["Items"]

    ledger_items = [i for i in items if i["sk"]["S"].startswith("LEDGER#")]
    assert ledger_items and json.dumps(ledger_items)
