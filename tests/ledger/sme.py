"""A two-year Belgian SME ledger (PCMN) made for the tests, and a separate, simple reference computation.

"Atelier Demo SRL" sells furniture. 2024 is closed; 2025 is open, its data running to 2025-08-20. The books
hold credit notes, a stock variation, an overdrawn second bank account, transfers in transit on 58,
depreciation, a fixed-asset sale, income tax on 67, partial payments and invoices never paid.

The reference below walks the flat lines with string prefixes and nothing of comptoir_core."""

import random
from calendar import monthrange
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

D = Decimal
ZERO = D("0")

CHART = [
    ("100000", "Capital souscrit", "Geplaatst kapitaal"),
    ("140000", "Bénéfice reporté", "Overgedragen winst"),
    ("173000", "Dettes envers établissements de crédit", "Schulden bij kredietinstellingen"),
    ("230000", "Installations, machines et outillage", "Installaties, machines en uitrusting"),
    ("230900", "Amortissements actés sur installations", "Geboekte afschrijvingen installaties"),
    ("340000", "Marchandises", "Handelsgoederen"),
    ("400000", "Clients", "Handelsdebiteuren"),
    ("411000", "TVA à récupérer", "Terug te vorderen btw"),
    ("416000", "Créances diverses", "Diverse vorderingen"),
    ("440000", "Fournisseurs", "Leveranciers"),
    ("450000", "Impôts estimés", "Geraamde belastingen"),
    ("451000", "TVA à payer", "Te betalen btw"),
    ("455000", "Rémunérations", "Bezoldigingen"),
    ("550000", "KBC compte courant", "KBC zichtrekening"),
    ("550100", "Belfius compte courant", "Belfius zichtrekening"),
    ("570000", "Caisse", "Kas"),
    ("580000", "Virements internes", "Interne overboekingen"),
    ("604000", "Achats de marchandises", "Aankopen handelsgoederen"),
    ("609400", "Variation de stock marchandises", "Voorraadwijziging handelsgoederen"),
    ("610000", "Loyers", "Huur"),
    ("612000", "Énergie", "Energie"),
    ("618000", "Rémunérations administrateurs", "Bezoldigingen bestuurders"),
    ("620200", "Rémunérations employés", "Bezoldigingen bedienden"),
    ("630200", "Dotations aux amortissements", "Afschrijvingen"),
    ("640000", "Taxes d'exploitation", "Bedrijfsbelastingen"),
    ("650000", "Charges des dettes", "Kosten van schulden"),
    ("660000", "Charges non récurrentes", "Niet-recurrente kosten"),
    ("670000", "Impôts sur le résultat", "Belastingen op het resultaat"),
    ("700000", "Ventes de marchandises", "Verkopen handelsgoederen"),
    ("740000", "Subsides d'exploitation", "Bedrijfssubsidies"),
    ("750000", "Produits financiers", "Financiële opbrengsten"),
    ("763000", "Plus-values sur réalisation d'actifs", "Meerwaarden op realisatie"),
    ("771000", "Régularisation d'impôts", "Regularisering belastingen"),
]

JOURNALS = [
    ("OUV", "Ouverture", "Opening", "opening"),
    ("VEN", "Ventes", "Verkopen", "sale"),
    ("ACH", "Achats", "Aankopen", "purchase"),
    ("KBC", "KBC", "KBC", "bank"),
    ("BEL", "Belfius", "Belfius", "bank"),
    ("CAI", "Caisse", "Kas", "cash"),
    ("OD", "Opérations diverses", "Diverse verrichtingen", "general"),
]

CUSTOMERS = [
    ("C001", "Maison Dupont SA", "BE0403170701"),
    ("C002", "Hotel Zeezicht BV", "BE0202239951"),
    ("C003", "Café du Coin SRL", "BE0417497106"),
]
SUPPLIERS = [
    ("S001", "Bois & Co SA", "BE0404616494", "BE71096123456769"),
    ("S002", "Electrabel Energie", "BE0403203264", "BE68539007547034"),
    ("S003", "Immo Gent NV", "BE0477472701", "BE62510007547061"),
]


def _period(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


class Books:
    def __init__(self):
        self.entries: list[dict] = []
        self._counter = 0

    def post(self, day: date, journal: str, ref: str, lines: list[tuple], description: str = "",
             due: date | None = None, period: str | None = None) -> None:  # fmt: skip
        """lines: (account, debit, credit[, partner, reconcile])."""
        self._counter += 1
        self.entries.append(
            {
                "id": f"E{self._counter:06d}",
                "date": day.isoformat(),
                "fiscal_year": str(day.year),
                "period": period or _period(day),
                "journal": journal,
                "ref": ref,
                "description": description or ref,
                **({"due_date": due.isoformat()} if due else {}),
                "kind": "unused by the portal",
                "lines": [
                    {
                        "account": line[0],
                        "debit": str(D(line[1]).quantize(D("0.01"))),
                        "credit": str(D(line[2]).quantize(D("0.01"))),
                        **({"partner": line[3]} if len(line) > 3 and line[3] else {}),
                        **({"reconcile": line[4]} if len(line) > 4 and line[4] else {}),
                    }
                    for line in lines
                ],
            }
        )

    # Belgian VAT 21 %: an invoice and its credit note.
    def sale(self, day, number, customer, net, *, credit_note=False, due_days=30):
        vat = (D(net) * D("0.21")).quantize(D("0.01"))
        gross = D(net) + vat
        if credit_note:
            lines = [("700000", net, 0), ("451000", vat, 0), ("400000", 0, gross, customer, number)]
        else:
            lines = [("400000", gross, 0, customer, number), ("700000", 0, net), ("451000", 0, vat)]
        self.post(day, "VEN", number, lines, due=day + timedelta(days=due_days))
        return gross

    def purchase(self, day, number, supplier, account, net, *, credit_note=False, due_days=30):
        vat = (D(net) * D("0.21")).quantize(D("0.01"))
        gross = D(net) + vat
        if credit_note:
            lines = [("440000", gross, 0, supplier, number), (account, 0, net), ("411000", 0, vat)]
        else:
            lines = [(account, net, 0), ("411000", vat, 0), ("440000", 0, gross, supplier, number)]
        self.post(day, "ACH", number, lines, due=day + timedelta(days=due_days))
        return gross

    def receive(self, day, bank, customer, invoice, amount, journal="KBC"):
        self.post(
            day, journal, f"PAY-{invoice}", [(bank, amount, 0), ("400000", 0, amount, customer, invoice)]
        )

    def pay(self, day, bank, supplier, invoice, amount, journal="KBC"):
        self.post(
            day, journal, f"PAY-{invoice}", [("440000", amount, 0, supplier, invoice), (bank, 0, amount)]
        )


def fiscal_year(year: int, state: str) -> dict:
    periods = [
        {"id": f"{year}-00", "name": "Ouverture", "start": f"{year}-01-01", "end": f"{year}-01-01",
         "special": "opening"}
    ]  # fmt: skip
    for month in range(1, 13):
        last = monthrange(year, month)[1]
        periods.append(
            {
                "id": f"{year}-{month:02d}",
                "start": f"{year}-{month:02d}-01",
                "end": f"{year}-{month:02d}-{last}",
            }
        )
    return {
        "id": str(year),
        "start": f"{year}-01-01",
        "end": f"{year}-12-31",
        "state": state,
        "periods": periods,
    }


def build() -> tuple[dict, dict]:
    """The two snapshots: {"2024": snapshot, "2025": snapshot}, and the facts the tests name."""
    y1 = Books()
    y1.post(date(2024, 1, 1), "OUV", "OPEN-2024", [
        ("550000", 60000, 0), ("230000", 40000, 0), ("100000", 0, 100000),
    ], period="2024-00")  # fmt: skip
    # Sales: invoices, a credit note, partial and full payments, one never paid.
    y1.sale(date(2024, 1, 15), "V24-001", "C001", "10000.00")
    y1.sale(date(2024, 2, 10), "V24-002", "C002", "8000.00")
    y1.sale(date(2024, 2, 20), "V24-003", "C002", "1000.00", credit_note=True)  # credit note on V24-003
    y1.sale(date(2024, 6, 5), "V24-004", "C003", "5000.00")
    y1.sale(date(2024, 11, 28), "V24-005", "C001", "7000.00")  # never paid
    y1.receive(date(2024, 2, 14), "550000", "C001", "V24-001", "12100.00")
    y1.receive(date(2024, 3, 12), "550000", "C002", "V24-002", "5000.00")  # partial: 4680 left
    y1.receive(date(2024, 3, 12), "550000", "C002", "V24-003", "-0.00")  # nothing: the credit note stays open
    y1.receive(date(2024, 7, 1), "550000", "C003", "V24-004", "6050.00")
    # Purchases, one supplier credit note, payments (partial, full, none).
    y1.purchase(date(2024, 1, 20), "A24-001", "S001", "604000", "12000.00")
    y1.purchase(date(2024, 1, 31), "A24-002", "S003", "610000", "2000.00")
    y1.purchase(date(2024, 3, 3), "A24-003", "S001", "604000", "500.00", credit_note=True)
    y1.purchase(date(2024, 9, 30), "A24-004", "S002", "612000", "1800.00")
    y1.purchase(date(2024, 12, 15), "A24-005", "S001", "604000", "3000.00")  # unpaid at year end
    y1.pay(date(2024, 2, 19), "550000", "S001", "A24-001", "14520.00")
    y1.pay(date(2024, 2, 5), "550000", "S003", "A24-002", "2420.00")
    y1.pay(date(2024, 10, 20), "550100", "S002", "A24-004", "1000.00", journal="BEL")  # partial; overdraws
    # Transfers: KBC → Belfius through 58, in transit over a month end.
    y1.post(date(2024, 10, 31), "KBC", "TR-01", [("580000", 3000, 0), ("550000", 0, 3000)])
    y1.post(date(2024, 11, 2), "BEL", "TR-01", [("550100", 3000, 0), ("580000", 0, 3000)])
    # Cash, salaries, a director's fee on 618, operating taxes, interest, a subsidy, a fine.
    y1.post(date(2024, 4, 10), "CAI", "CASH-01", [("570000", 500, 0), ("550000", 0, 500)])
    for month in range(1, 13):
        day = date(2024, month, 25)
        y1.post(day, "OD", f"SAL-{month:02d}", [("620200", 3000, 0), ("455000", 0, 3000)])
        y1.post(day, "KBC", f"SALPAY-{month:02d}", [("455000", 3000, 0), ("550000", 0, 3000)])
    y1.post(date(2024, 6, 30), "OD", "ADM-01", [("618000", 6000, 0), ("455000", 0, 6000)])
    y1.post(date(2024, 7, 2), "KBC", "ADMPAY", [("455000", 6000, 0), ("550000", 0, 6000)])
    y1.post(date(2024, 5, 15), "KBC", "TAX-REG", [("640000", 350, 0), ("550000", 0, 350)])
    y1.post(date(2024, 12, 31), "KBC", "INT-24", [("650000", 420, 0), ("750000", 0, 35), ("550000", 0, 385)])
    y1.post(date(2024, 8, 1), "KBC", "SUBS", [("550000", 1500, 0), ("740000", 0, 1500)])
    y1.post(date(2024, 9, 1), "KBC", "FINE", [("660000", 200, 0), ("550000", 0, 200)])
    # Year end: depreciation, a stock increase (lowers charges), income tax.
    y1.post(date(2024, 12, 31), "OD", "DEP-24", [("630200", 8000, 0), ("230900", 0, 8000)])
    y1.post(date(2024, 12, 31), "OD", "STOCK-24", [("340000", 2500, 0), ("609400", 0, 2500)])
    y1.post(date(2024, 12, 31), "OD", "TAX-24", [("670000", 1200, 0), ("450000", 0, 1200)])
    # The zero payment above is a line of 0.00 on both sides; keep only real amounts.
    y1.entries = [e for e in y1.entries if any(D(li["debit"]) or D(li["credit"]) for li in e["lines"])]

    # 2025: the opening restates 2024's balance sheet (the result carried forward on 140000).
    y2 = Books()
    y2._counter = 500000
    opening = _opening_lines(y1.entries)
    y2.post(date(2025, 1, 1), "OUV", "OPEN-2025", opening, period="2025-00")
    y2.receive(date(2025, 1, 20), "550000", "C002", "V24-002", "2000.00")  # another partial payment
    y2.pay(date(2025, 1, 10), "550100", "S001", "A24-005", "3630.00", journal="BEL")
    y2.post(date(2025, 2, 1), "KBC", "TR-02", [("550100", 0, 0), ("550000", 0, 0)])  # dropped below
    y2.sale(date(2025, 2, 3), "V25-001", "C003", "12000.00")
    y2.sale(date(2025, 3, 17), "V25-002", "C001", "4000.00")
    y2.sale(date(2025, 3, 20), "V25-003", "C001", "400.00", credit_note=True)
    y2.sale(date(2025, 7, 30), "V25-004", "C002", "9000.00")  # unpaid at the data date
    y2.receive(date(2025, 3, 3), "550000", "C003", "V25-001", "14520.00")
    y2.receive(date(2025, 4, 18), "550000", "C001", "V25-002", "3000.00")  # partial
    y2.purchase(date(2025, 2, 12), "A25-001", "S001", "604000", "9000.00")
    y2.purchase(date(2025, 5, 31), "A25-002", "S003", "610000", "2000.00")
    y2.purchase(date(2025, 8, 14), "A25-003", "S002", "612000", "1500.00")  # unpaid
    y2.pay(date(2025, 3, 1), "550000", "S001", "A25-001", "5000.00")  # partial
    y2.pay(date(2025, 6, 5), "550100", "S003", "A25-002", "2420.00", journal="BEL")
    for month in range(1, 9):
        day = date(2025, month, 25) if month < 8 else date(2025, 8, 20)
        y2.post(day, "OD", f"SAL25-{month:02d}", [("620200", 3200, 0), ("455000", 0, 3200)])
        y2.post(day, "KBC", f"SALPAY25-{month:02d}", [("455000", 3200, 0), ("550000", 0, 3200)])
    # A fixed-asset sale: cost 10 000, 4 000 depreciated, sold 7 000 → a 1 000 gain on 763.
    y2.post(date(2025, 4, 30), "OD", "SALE-ASSET", [
        ("416000", 7000, 0), ("230900", 4000, 0), ("230000", 0, 10000), ("763000", 0, 1000),
    ])  # fmt: skip
    y2.post(date(2025, 5, 10), "KBC", "SALE-ASSET-PAY", [("550000", 7000, 0), ("416000", 0, 7000)])
    y2.post(date(2025, 5, 20), "KBC", "TAX-PAY", [("450000", 1200, 0), ("550000", 0, 1200)])
    y2.post(date(2025, 6, 30), "OD", "TAX-REG", [("450000", 0, 150), ("771000", 150, 0)][::-1])
    y2.post(date(2025, 6, 30), "OD", "DEP-25H1", [("630200", 4000, 0), ("230900", 0, 4000)])
    y2.post(date(2025, 6, 30), "OD", "STOCK-25H1", [("609400", 800, 0), ("340000", 0, 800)])  # a decrease
    y2.post(date(2025, 7, 31), "KBC", "TR-03", [("580000", 2000, 0), ("550000", 0, 2000)])  # in transit
    y2.entries = [e for e in y2.entries if any(D(li["debit"]) or D(li["credit"]) for li in e["lines"])]
    for entry in y2.entries:  # the tax regularisation: 771 is income, credited
        if entry["ref"] == "TAX-REG" and entry["date"].startswith("2025"):
            entry["lines"] = [
                {"account": "450000", "debit": "150.00", "credit": "0.00"},
                {"account": "771000", "debit": "0.00", "credit": "150.00"},
            ]

    snapshots = {"2024": _snapshot(y1.entries, fiscal_year(2024, "closed")),
                 "2025": _snapshot(y2.entries, fiscal_year(2025, "open"))}  # fmt: skip
    facts = {"data_date_2025": date(2025, 8, 20)}
    return snapshots, facts


def _opening_lines(entries: list[dict]) -> list[tuple]:
    """Balance-sheet balances at year end, open items kept per partner and invoice; the result on 140."""
    balances: dict[str, Decimal] = defaultdict(lambda: ZERO)
    items: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    result = ZERO
    for entry in entries:
        for line in entry["lines"]:
            net = D(line["debit"]) - D(line["credit"])
            code = line["account"]
            if code[0] in "67":
                result += net
            elif code[:2] in ("40", "44"):
                items[(code, line.get("partner"), line.get("reconcile"))] += net
            else:
                balances[code] += net
    balances["140000"] += result
    lines = []
    for (code, partner, reconcile), net in sorted(items.items(), key=lambda kv: str(kv[0])):
        if net:
            lines.append((code, max(net, ZERO), max(-net, ZERO), partner, reconcile))
    for code, net in sorted(balances.items()):
        if net:
            lines.append((code, max(net, ZERO), max(-net, ZERO)))
    return lines


def _snapshot(entries: list[dict], year: dict) -> dict:
    return {
        "company": {"name": "Atelier Demo SRL", "vat": "BE0403019261"},
        "currency": "EUR",
        "software": "an unused key",
        "chart_of_accounts": [
            {"code": c, "name_fr": fr, "name_nl": nl, "class": c[0], "group": c[:2], "type": "x"}
            for c, fr, nl in CHART
        ],
        "journals": [{"code": c, "name_fr": fr, "name_nl": nl, "type": t} for c, fr, nl, t in JOURNALS],
        "fiscal_years": [year],
        "partners": [
            {"id": i, "name": n, "type": "customer", "vat": v, "country": "BE"} for i, n, v in CUSTOMERS
        ]
        + [{"id": i, "name": n, "type": "supplier", "vat": v, "iban": b} for i, n, v, b in SUPPLIERS],
        "entries": entries,
    }


# ---- the reference: flat lines, string prefixes ------------------------------------------------


def flat_lines(snapshot: dict, until: date | None = None):
    for entry in snapshot["entries"]:
        if until is None or date.fromisoformat(entry["date"]) <= until:
            for line in entry["lines"]:
                yield entry, line


def reference_figures(snapshot: dict, *, month: str | None = None, until: date | None = None) -> dict:
    """The key figures as an accountant would add them up, by hand-written prefixes."""

    def net_income(prefixes, lines):  # credit − debit
        return sum(
            (D(li["credit"]) - D(li["debit"]) for _, li in lines if li["account"].startswith(prefixes)), ZERO
        )

    def net_charge(prefixes, lines):  # debit − credit
        return sum(
            (D(li["debit"]) - D(li["credit"]) for _, li in lines if li["account"].startswith(prefixes)), ZERO
        )

    # fmt: skip
    lines = [(e, li) for e, li in flat_lines(snapshot, until) if month is None or e["date"][:7] == month]
    operating_income = net_income(("70", "71", "72", "73", "74"), lines)
    operating_charges = net_charge(("60", "61", "62", "63", "64"), lines)
    financial = net_income(("75",), lines) - net_charge(("65",), lines)
    non_recurring = net_income(("76",), lines) - net_charge(("66",), lines)
    end = until
    if month:
        y, m = int(month[:4]), int(month[5:])
        end = date(y, m, monthrange(y, m)[1])
    liquidity = sum(
        (D(li["debit"]) - D(li["credit"]) for _, li in flat_lines(snapshot, end) if li["account"][:2] in ("55", "56", "57")),
        ZERO,
    )  # fmt: skip
    return {
        "turnover": net_income(("70",), lines),
        "operating_income": operating_income,
        "operating_charges": operating_charges,
        "operating_result": operating_income - operating_charges,
        "financial_income": net_income(("75",), lines),
        "financial_charges": net_charge(("65",), lines),
        "non_recurring_income": net_income(("76",), lines),
        "non_recurring_charges": net_charge(("66",), lines),
        "result": operating_income - operating_charges + financial + non_recurring,
        "income_taxes": net_charge(("67",), lines) - net_income(("77",), lines),
        "liquidity": liquidity,
    }


def reference_open_items(snapshot: dict) -> tuple[Decimal, Decimal]:
    """(receivables, payables): 40 and 44 lines by (partner, reconcile), the groups not at zero."""
    groups: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for _, line in flat_lines(snapshot):
        if line["account"][:2] in ("40", "44"):
            groups[(line["account"][:2], line.get("partner"), line.get("reconcile"))] += D(line["debit"]) - D(
                line["credit"]
            )
    receivables = sum((v for k, v in groups.items() if k[0] == "40" and v != 0), ZERO)
    payables = -sum((v for k, v in groups.items() if k[0] == "44" and v != 0), ZERO)
    return receivables, payables


def big_year(lines_wanted: int, seed: int = 7) -> dict:
    """A year of about `lines_wanted` lines (for the benchmark): sales, purchases and their payments."""
    rng = random.Random(seed)
    books = Books()
    books.post(
        date(2025, 1, 1), "OUV", "OPEN", [("550000", 50000, 0), ("100000", 0, 50000)], period="2025-00"
    )
    number = 0
    lines = 2
    while lines < lines_wanted:
        before = len(books.entries)
        number += 1
        day = date(2025, 1, 1) + timedelta(days=rng.randrange(365))
        net = D(rng.randrange(1000, 500000)) / 100
        if number % 2:
            customer = CUSTOMERS[number % 3][0]
            gross = books.sale(day, f"V{number}", customer, str(net))
            if rng.random() < 0.8:
                books.receive(
                    min(day + timedelta(days=20), date(2025, 12, 31)), "550000", customer, f"V{number}", gross
                )
        else:
            supplier = SUPPLIERS[number % 3][0]
            gross = books.purchase(
                day, f"A{number}", supplier, rng.choice(["604000", "610000", "612000"]), str(net)
            )
            if rng.random() < 0.8:
                books.pay(
                    min(day + timedelta(days=25), date(2025, 12, 31)), "550000", supplier, f"A{number}", gross
                )
        lines += sum(len(e["lines"]) for e in books.entries[before:])
    return _snapshot(books.entries, fiscal_year(2025, "open"))
