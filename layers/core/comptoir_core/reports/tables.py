"""Each report kind as a ReportTable, in the reader's language (fr, nl, en)."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from comptoir_core.dashboard import pcmn
from comptoir_core.errors import Invalid
from comptoir_core.ledger.models import YearFigures
from comptoir_core.ledger.service import money
from comptoir_core.reports.models import Column, ReportCreate, ReportKind, ReportTable

ZERO = Decimal("0")

WORDS = {
    "trial_balance": ("Balance générale", "Proef- en saldibalans", "Trial balance"),
    "income_statement": ("Compte de résultats", "Resultatenrekening", "Income statement"),
    "balance_sheet": ("Bilan", "Balans", "Balance sheet"),
    "aged_receivables": ("Balance âgée clients", "Ouderdomsbalans klanten", "Aged receivables"),
    "aged_payables": ("Balance âgée fournisseurs", "Ouderdomsbalans leveranciers", "Aged payables"),
    "general_ledger": ("Grand livre", "Grootboek", "General ledger"),
    "vat_overview": ("Aperçu TVA", "Btw-overzicht", "VAT overview"),
    "internal": ("Document à usage interne — non officiel", "Intern document — niet officieel",
                 "For internal use only — not an official statement"),
    "updated": ("Comptabilité mise à jour le", "Boekhouding bijgewerkt op", "Books updated at"),
    "fiscal_year": ("Exercice", "Boekjaar", "Fiscal year"),
    "periods": ("Périodes", "Periodes", "Periods"),
    "data_until": ("Données jusqu'au", "Gegevens tot", "Data until"),
    "account": ("Compte", "Rekening", "Account"),
    "name": ("Libellé", "Omschrijving", "Name"),
    "debit": ("Débit", "Debet", "Debit"),
    "credit": ("Crédit", "Credit", "Credit"),
    "balance": ("Solde", "Saldo", "Balance"),
    "amount": ("Montant", "Bedrag", "Amount"),
    "total": ("Total", "Totaal", "Total"),
    "partner": ("Partenaire", "Relatie", "Partner"),
    "reference": ("Référence", "Referentie", "Reference"),
    "date": ("Date", "Datum", "Date"),
    "due_date": ("Échéance", "Vervaldag", "Due date"),
    "not_due": ("Non échu", "Niet vervallen", "Not due"),
    "d30": ("1-30 j", "1-30 d", "1-30 d"),
    "d60": ("31-60 j", "31-60 d", "31-60 d"),
    "d90": ("61-90 j", "61-90 d", "61-90 d"),
    "d90p": ("> 90 j", "> 90 d", "> 90 d"),
    "journal": ("Journal", "Dagboek", "Journal"),
    "description": ("Description", "Omschrijving", "Description"),
    "period": ("Période", "Periode", "Period"),
    "vat_deductible": ("TVA déductible (411)", "Aftrekbare btw (411)", "VAT recoverable (411)"),
    "vat_due": ("TVA due (451)", "Verschuldigde btw (451)", "VAT due (451)"),
    "vat_balance": ("Solde à payer", "Te betalen saldo", "Balance to pay"),
    "page": ("Comptoir", "Comptoir", "Comptoir"),
    "assets": ("ACTIF", "ACTIVA", "ASSETS"),
    "liabilities": ("PASSIF", "PASSIVA", "EQUITY AND LIABILITIES"),
    "year_result": ("Résultat de l'exercice (non affecté)", "Resultaat van het boekjaar (niet verwerkt)",
                    "Result of the year (not appropriated)"),
}  # fmt: skip

LANGUAGES = ("fr", "nl", "en")

# The PCMN income statement: (label fr, nl, en), groups or 3-digit prefixes, income (+1) or charge (-1).
INCOME_STATEMENT = [
    ("section", ("I. Produits d'exploitation", "I. Bedrijfsopbrengsten", "I. Operating income"), None, 1),
    ("line", ("70 Chiffre d'affaires", "70 Omzet", "70 Turnover"), ("70",), 1),
    ("line", ("71 Variation des stocks", "71 Voorraadwijziging", "71 Change in stocks"), ("71",), 1),
    ("line", ("72 Production immobilisée", "72 Geproduceerde vaste activa", "72 Own work capitalised"), ("72",), 1),
    ("line", ("73-74 Autres produits d'exploitation", "73-74 Andere bedrijfsopbrengsten", "73-74 Other operating income"), ("73", "74"), 1),
    ("total", ("Total produits d'exploitation (70-74)", "Totaal bedrijfsopbrengsten (70-74)", "Total operating income (70-74)"), ("70", "71", "72", "73", "74"), 1),
    ("section", ("II. Charges d'exploitation", "II. Bedrijfskosten", "II. Operating charges"), None, -1),
    ("line", ("60 Approvisionnements et marchandises", "60 Handelsgoederen, grond- en hulpstoffen", "60 Goods and supplies"), ("60",), -1),
    ("line", ("61 Services et biens divers", "61 Diensten en diverse goederen", "61 Services and other goods"), ("61",), -1),
    ("line", ("62 Rémunérations et charges sociales", "62 Bezoldigingen en sociale lasten", "62 Remunerations"), ("62",), -1),
    ("line", ("630 Amortissements", "630 Afschrijvingen", "630 Depreciation"), ("630",), -1),
    ("line", ("631-634 Réductions de valeur", "631-634 Waardeverminderingen", "631-634 Write-downs"), ("631", "632", "633", "634"), -1),
    ("line", ("635-639 Provisions", "635-639 Voorzieningen", "635-639 Provisions"), ("635", "636", "637", "638", "639"), -1),
    ("line", ("64 Autres charges d'exploitation", "64 Andere bedrijfskosten", "64 Other operating charges"), ("64",), -1),
    ("total", ("Total charges d'exploitation (60-64)", "Totaal bedrijfskosten (60-64)", "Total operating charges (60-64)"), ("60", "61", "62", "63", "64"), -1),
    ("result", ("Résultat d'exploitation", "Bedrijfsresultaat", "Operating result"), "operating_result", 1),
    ("line", ("75 Produits financiers", "75 Financiële opbrengsten", "75 Financial income"), ("75",), 1),
    ("line", ("65 Charges financières", "65 Financiële kosten", "65 Financial charges"), ("65",), -1),
    ("line", ("76 Produits non récurrents", "76 Niet-recurrente opbrengsten", "76 Non-recurring income"), ("76",), 1),
    ("line", ("66 Charges non récurrentes", "66 Niet-recurrente kosten", "66 Non-recurring charges"), ("66",), -1),
    ("result", ("Résultat avant impôts", "Resultaat vóór belastingen", "Result before taxes"), "result", 1),
    ("line", ("67/77 Impôts sur le résultat", "67/77 Belastingen op het resultaat", "67/77 Income taxes"), "taxes", -1),
    ("result", ("Résultat de l'exercice", "Resultaat van het boekjaar", "Result of the year"), "after_taxes", 1),
]  # fmt: skip

BALANCE_SHEET = [
    ("assets", ("20-28 Actifs immobilisés", "20-28 Vaste activa", "20-28 Fixed assets"), ("20", "21", "22", "23", "24", "25", "26", "27", "28")),
    ("assets", ("29 Créances à plus d'un an", "29 Vorderingen op meer dan één jaar", "29 Receivables after one year"), ("29",)),
    ("assets", ("3 Stocks et commandes en cours", "3 Voorraden en bestellingen", "3 Stocks and contracts"), ("3",)),
    ("assets", ("40-41 Créances à un an au plus", "40-41 Vorderingen op ten hoogste één jaar", "40-41 Receivables within one year"), ("40", "41")),
    ("assets", ("50-53 Placements de trésorerie", "50-53 Geldbeleggingen", "50-53 Current investments"), ("50", "51", "52", "53")),
    ("assets", ("54-58 Valeurs disponibles", "54-58 Liquide middelen", "54-58 Cash at bank and in hand"), ("54", "55", "56", "57", "58")),
    ("assets", ("490/491 Comptes de régularisation", "490/491 Overlopende rekeningen", "490/491 Deferred charges and accrued income"), ("490", "491")),
    ("liabilities", ("10-15 Capitaux propres", "10-15 Eigen vermogen", "10-15 Equity"), ("10", "11", "12", "13", "14", "15")),
    ("liabilities", ("16 Provisions et impôts différés", "16 Voorzieningen en uitgestelde belastingen", "16 Provisions"), ("16",)),
    ("liabilities", ("17 Dettes à plus d'un an", "17 Schulden op meer dan één jaar", "17 Debts after one year"), ("17",)),
    ("liabilities", ("42-48 Dettes à un an au plus", "42-48 Schulden op ten hoogste één jaar", "42-48 Debts within one year"), ("42", "43", "44", "45", "46", "47", "48")),
    ("liabilities", ("492/493 Comptes de régularisation", "492/493 Overlopende rekeningen", "492/493 Accrued charges and deferred income"), ("492", "493")),
]  # fmt: skip


def word(key: str, language: str) -> str:
    return WORDS[key][LANGUAGES.index(language)]


def _periods(year: YearFigures, request: ReportCreate) -> list:
    ordered = sorted(year.periods, key=lambda p: (p.start, 0 if p.special == "opening" else 1, p.end))
    ids = [p.id for p in ordered]
    for name in ("period_from", "period_to"):
        value = getattr(request, name)
        if value is not None and value not in ids:
            raise Invalid(f"{name}: unknown period {value} in fiscal year {year.fiscal_year}")
    low = ids.index(request.period_from) if request.period_from else 0
    high = ids.index(request.period_to) if request.period_to else len(ids) - 1
    if low > high:
        raise Invalid("period_from comes after period_to")
    return [p for p in ordered[low : high + 1] if p.start <= year.data_date]


def _totals(year: YearFigures, period_ids: set[str]) -> dict[str, tuple[Decimal, Decimal]]:
    out = {}
    for code, per in year.sums.items():
        debit = sum((v[0] for p, v in per.items() if p in period_ids), ZERO)
        credit = sum((v[1] for p, v in per.items() if p in period_ids), ZERO)
        if debit or credit:
            out[code] = (debit, credit)
    return out


def _starts(code: str, prefixes) -> bool:
    return any(code.startswith(p) for p in prefixes)


def build_table(
    *, request: ReportCreate, year: YearFigures, content: dict, company_name: str, language: str
) -> ReportTable:
    periods = _periods(year, request)
    period_ids = {p.id for p in periods}
    names = {a["code"]: (a.get(f"name_{language}") or a.get("name_fr") or a.get("name_nl") or "")
             for a in content["chart_of_accounts"]}  # fmt: skip
    w = lambda key: word(key, language)  # noqa: E731
    lines = [
        company_name,
        f"{w('fiscal_year')} {year.fiscal_year} ({year.start} – {year.end}) · {w('periods')} "
        f"{periods[0].id if periods else '-'} – {periods[-1].id if periods else '-'} · {w('data_until')} {year.data_date}",
        f"{w('updated')} {year.updated_at.isoformat()}",
        w("internal"),
    ]
    footer = f"{w('internal')} · {w('updated')} {year.updated_at.isoformat()}"
    kind = request.kind
    totals = _totals(year, period_ids)
    rows: list[list] = []
    styles: list[str | None] = []

    def add(row, style=None):
        rows.append(row)
        styles.append(style)

    if kind == ReportKind.trial_balance:
        columns = [Column(label=w("account"), width=10), Column(label=w("name"), width=40),
                   Column(label=w("debit"), kind="money"), Column(label=w("credit"), kind="money"),
                   Column(label=w("balance"), kind="money")]  # fmt: skip
        sum_d = sum_c = ZERO
        for code in sorted(totals):
            d, c = totals[code]
            add([code, names.get(code, ""), money(d), money(c), money(d - c)])
            sum_d, sum_c = sum_d + d, sum_c + c
        add([w("total"), "", money(sum_d), money(sum_c), money(sum_d - sum_c)], "total")
    elif kind == ReportKind.income_statement:
        columns = [Column(label=w("name"), width=60), Column(label=w("amount"), kind="money")]
        flat = [(code, d, c) for code, (d, c) in totals.items()]
        figures = pcmn.pnl(flat)
        for style, labels, what, sign in INCOME_STATEMENT:
            label = labels[LANGUAGES.index(language)]
            if style == "section":
                add([label, None], "section")
                continue
            if what == "taxes":
                value = figures["income_taxes"]
            elif what == "after_taxes":
                value = figures["result"] - figures["income_taxes"]
            elif isinstance(what, str):
                value = figures[what]
            else:
                net = sum((d - c for code, d, c in flat if _starts(code, what)), ZERO)
                value = -net if sign > 0 else net
            add([label, money(value)], "total" if style in ("total", "result") else None)
    elif kind == ReportKind.balance_sheet:
        columns = [Column(label=w("name"), width=60), Column(label=w("amount"), kind="money")]
        every = _totals(
            year, {p.id for p in year.periods if p.start <= (periods[-1].end if periods else year.end)}
        )
        flat = [(code, d, c) for code, (d, c) in every.items()]
        for side in ("assets", "liabilities"):
            add([w(side), None], "section")
            side_total = ZERO
            for row_side, labels, prefixes in BALANCE_SHEET:
                if row_side != side:
                    continue
                net = sum((d - c for code, d, c in flat if _starts(code, prefixes)), ZERO)
                value = net if side == "assets" else -net
                side_total += value
                add([labels[LANGUAGES.index(language)], money(value)])
            if side == "liabilities":
                pnl = pcmn.pnl(flat)
                result = pnl["result"] - pnl["income_taxes"]
                side_total += result
                add([w("year_result"), money(result)])
            add([f"{w('total')} {w(side)}", money(side_total)], "total")
    elif kind in (ReportKind.aged_receivables, ReportKind.aged_payables):
        wanted = "customer" if kind == ReportKind.aged_receivables else "supplier"
        columns = [Column(label=w("partner"), width=30), Column(label=w("reference"), width=16),
                   Column(label=w("date"), kind="date", width=11), Column(label=w("due_date"), kind="date", width=11),
                   Column(label=w("not_due"), kind="money"), Column(label=w("d30"), kind="money"),
                   Column(label=w("d60"), kind="money"), Column(label=w("d90"), kind="money"),
                   Column(label=w("d90p"), kind="money"), Column(label=w("total"), kind="money")]  # fmt: skip
        partners = {p["id"]: p.get("name") or p["id"] for p in content["partners"]}
        buckets_total = [ZERO] * 6
        groups = [g for g in content["open_items"] if g["open"] and g["kind"] == wanted]
        for group in sorted(
            groups, key=lambda g: (partners.get(g["partner"] or "", ""), g["reconcile"] or "")
        ):
            amount = Decimal(group["balance"]) * (1 if wanted == "customer" else -1)
            first = min(group["lines"], key=lambda li: li["date"])
            due = (
                max((li["due_date"] for li in group["lines"] if li.get("due_date")), default=None)
                or first["date"]
            )
            late = (year.data_date - date.fromisoformat(due)).days
            bucket = 0 if late <= 0 else 1 if late <= 30 else 2 if late <= 60 else 3 if late <= 90 else 4
            cells = [ZERO] * 5
            cells[bucket] = amount
            for i in range(5):
                buckets_total[i] += cells[i]
            buckets_total[5] += amount
            add([partners.get(group["partner"] or "", group["partner"] or ""), group["reconcile"] or first["ref"] or "",
                 date.fromisoformat(first["date"]), date.fromisoformat(due), *[money(c) for c in cells], money(amount)])  # fmt: skip
        add([w("total"), "", None, None, *[money(c) for c in buckets_total]], "total")
    elif kind == ReportKind.general_ledger:
        columns = [Column(label=w("date"), kind="date", width=11), Column(label=w("journal"), width=8),
                   Column(label=w("reference"), width=16), Column(label=w("description"), width=36),
                   Column(label=w("debit"), kind="money"), Column(label=w("credit"), kind="money"),
                   Column(label=w("balance"), kind="money")]  # fmt: skip
        prefix = request.account or ""
        by_account: dict[str, list] = defaultdict(list)
        for entry in content["entries"]:
            if entry["period"] not in period_ids:
                continue
            for line in entry["lines"]:
                if line["account"].startswith(prefix):
                    by_account[line["account"]].append((entry, line))
        for code in sorted(by_account):
            add([None, code, names.get(code, ""), None, None, None, None], "section")
            balance = sum_d = sum_c = ZERO
            for entry, line in by_account[code]:
                d, c = Decimal(line["debit"]), Decimal(line["credit"])
                balance += d - c
                sum_d, sum_c = sum_d + d, sum_c + c
                add([date.fromisoformat(entry["date"]), entry["journal"], entry.get("ref") or "",
                     line.get("label") or entry.get("description") or "", money(d), money(c), money(balance)])  # fmt: skip
            add(
                [None, None, f"{w('total')} {code}", None, money(sum_d), money(sum_c), money(balance)],
                "total",
            )
    else:  # vat_overview
        columns = [Column(label=w("period"), width=12), Column(label=w("vat_deductible"), kind="money", width=20),
                   Column(label=w("vat_due"), kind="money", width=20),
                   Column(label=w("vat_balance"), kind="money", width=20)]  # fmt: skip
        sums = [ZERO, ZERO]
        for period in periods:
            part = _totals(year, {period.id})
            deductible = sum((d - c for code, (d, c) in part.items() if code.startswith("411")), ZERO)
            due = sum((c - d for code, (d, c) in part.items() if code.startswith("451")), ZERO)
            sums = [sums[0] + deductible, sums[1] + due]
            add([period.id, money(deductible), money(due), money(due - deductible)])
        add([w("total"), money(sums[0]), money(sums[1]), money(sums[1] - sums[0])], "total")
    return ReportTable(
        title=word(kind.value, language),
        lines=lines,
        columns=columns,
        rows=rows,
        styles=styles,
        footer=footer,
    )
