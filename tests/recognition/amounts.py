"""The arithmetic both invoice generators share: what a set of lines owes per VAT rate. Facts of VAT, not a
layout, so the second corpus stays independent of the first where it matters (how invoices look)."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


class VatTotals:
    """Mixed into an invoice model with `lines` of (text, quantity, unit price, VAT rate)."""

    lines: list

    def breakdown(self) -> list[tuple[int, Decimal, Decimal]]:
        """(rate, base, VAT) per rate, highest rate first; VAT rounded half up per rate."""
        bases: dict[int, Decimal] = {}
        for _, qty, price, rate in self.lines:
            bases[rate] = bases.get(rate, Decimal(0)) + (qty * price).quantize(CENT)
        return [
            (rate, base, (base * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP))
            for rate, base in sorted(bases.items(), reverse=True)
        ]

    @property
    def excl(self) -> Decimal:
        return sum((base for _, base, _ in self.breakdown()), Decimal(0))

    @property
    def vat(self) -> Decimal:
        return sum((vat for _, _, vat in self.breakdown()), Decimal(0))

    @property
    def incl(self) -> Decimal:
        return self.excl + self.vat
