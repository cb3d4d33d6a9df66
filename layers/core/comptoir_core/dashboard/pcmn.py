"""The PCMN definitions of the key figures, on sums of debit and credit per account.

Income is credit − debit, charges debit − credit: a credit note or a stock increase lowers them."""

from collections.abc import Iterable
from decimal import Decimal

ZERO = Decimal("0")


def group(code: str) -> int | None:
    """The two-digit group of an account code (60 for 604000), None when it has none."""
    return int(code[:2]) if len(code) >= 2 and code[:2].isdigit() else None


def in_groups(code: str, low: int, high: int) -> bool:
    value = group(code)
    return value is not None and low <= value <= high


def pnl(totals: Iterable[tuple[str, Decimal, Decimal]]) -> dict[str, Decimal]:
    """The P&L keys from (account, debit, credit) totals."""
    income = {"70": ZERO, "70-74": ZERO, "75": ZERO, "76": ZERO, "77": ZERO}
    charges = {"60-64": ZERO, "65": ZERO, "66": ZERO, "67": ZERO}
    for code, debit, credit in totals:
        g = group(code)
        if g is None:
            continue
        if 70 <= g <= 77:
            net = credit - debit
            if g == 70:
                income["70"] += net
            if g <= 74:
                income["70-74"] += net
            elif g in (75, 76, 77):
                income[str(g)] += net
        elif 60 <= g <= 67:
            net = debit - credit
            if g <= 64:
                charges["60-64"] += net
            else:
                charges[str(g)] += net
    operating_result = income["70-74"] - charges["60-64"]
    return {
        "turnover": income["70"],
        "operating_income": income["70-74"],
        "operating_charges": charges["60-64"],
        "operating_result": operating_result,
        "financial_income": income["75"],
        "financial_charges": charges["65"],
        "non_recurring_income": income["76"],
        "non_recurring_charges": charges["66"],
        "result": operating_result + income["75"] - charges["65"] + income["76"] - charges["66"],
        "income_taxes": charges["67"] - income["77"],
    }


def liquidity(totals: Iterable[tuple[str, Decimal, Decimal]]) -> Decimal:
    """The balance (debit − credit) of 55-57: an overdrawn account counts negative."""
    return sum((d - c for code, d, c in totals if in_groups(code, 55, 57)), ZERO)
