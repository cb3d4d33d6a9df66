"""Importing a fiscal year of the firm's ledger, and reading what the import computed.

An import is checked whole before anything is written (every refused line is reported), then the
normalised year goes to S3 under a name made of its content hash and one table item switches to it:
a refused import applies nothing, and the same snapshot sent again changes nothing.

The figures are computed here, once: per account and period the debit and credit sums, the open items
(customer lines on 40, supplier lines on 44 grouped by partner and reconciliation key) and the
receivables and payables they add up to. The dashboard reads only these."""

import base64
import gzip
import hashlib
import json
import zlib
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal

from comptoir_core import keys
from comptoir_core.blobs import BlobStore
from comptoir_core.errors import Invalid, NotFound
from comptoir_core.ledger.models import (
    Entry,
    LedgerImported,
    LedgerSnapshot,
    PeriodRead,
    YearFigures,
    YearRead,
    YearsRead,
)
from comptoir_core.repository import Repository

ZERO = Decimal("0")
CENT = Decimal("0.01")
FINANCIAL_JOURNAL_TYPES = ("bank", "cash")
MAX_PROBLEMS = 200


def money(value: Decimal) -> Decimal:
    return (value + ZERO).quantize(CENT)


def is_customer_account(code: str) -> bool:
    return code.startswith("40")


def is_supplier_account(code: str) -> bool:
    return code.startswith("44")


# ---- checking ------------------------------------------------------------------------------------


def check_year(snapshot: LedgerSnapshot, fiscal_year: str) -> None:
    """Every refused line, named by entry id and line number (1-based), in one Invalid; else nothing."""
    problems: list[dict] = []

    def refuse(index: int, entry: Entry, line: int | None, problem: str) -> None:
        if len(problems) < MAX_PROBLEMS:
            where = {"entry": entry.id, "entry_index": index}
            if line is not None:
                where["line"] = line
            problems.append({**where, "problem": problem})

    years = {fy.id: fy for fy in snapshot.fiscal_years}
    year = years.get(fiscal_year)
    if year is None:
        raise Invalid(f"fiscal_years names no fiscal year {fiscal_year}")
    if year.start > year.end:
        raise Invalid(f"fiscal year {fiscal_year} ends before it starts")
    periods = {p.id: p for p in year.periods}
    accounts = {a.code for a in snapshot.chart_of_accounts}
    journals = {j.code for j in snapshot.journals}
    partners = {p.id for p in snapshot.partners}
    seen: set[str] = set()
    for index, entry in enumerate(snapshot.entries):
        if entry.fiscal_year != fiscal_year:
            refuse(index, entry, None, f"fiscal year {entry.fiscal_year} is not {fiscal_year}, the one sent")
            continue
        if entry.id in seen:
            refuse(index, entry, None, "this entry id appears twice")
        seen.add(entry.id)
        period = periods.get(entry.period)
        if period is None:
            refuse(index, entry, None, f"unknown period {entry.period}")
        elif not (period.start <= entry.date <= period.end):
            refuse(index, entry, None, f"date {entry.date} is outside period {entry.period}")
        if entry.journal not in journals:
            refuse(index, entry, None, f"unknown journal {entry.journal}")
        debit = credit = ZERO
        for number, line in enumerate(entry.lines, start=1):
            if line.account not in accounts:
                refuse(index, entry, number, f"unknown account {line.account}")
            if line.debit < 0 or line.credit < 0:
                refuse(index, entry, number, "an amount is negative (amounts are ≥ 0)")
            if line.partner is not None and line.partner not in partners:
                refuse(index, entry, number, f"unknown partner {line.partner}")
            debit += line.debit
            credit += line.credit
        if debit != credit:
            refuse(index, entry, None, f"unbalanced: debit {debit} ≠ credit {credit}")
    if problems:
        raise Invalid(
            f"the ledger was refused: {len(problems)} problem(s), nothing applied", details=problems
        )


# ---- computing -----------------------------------------------------------------------------------


def year_content(snapshot: LedgerSnapshot, fiscal_year: str) -> dict:
    """The normalised year (JSON-ready): what is stored and hashed."""
    year = next(fy for fy in snapshot.fiscal_years if fy.id == fiscal_year)
    entries = sorted(
        (e for e in snapshot.entries if e.fiscal_year == fiscal_year), key=lambda e: (e.date, e.id)
    )
    return {
        "currency": snapshot.currency,
        "fiscal_year": year.model_dump(mode="json"),
        "as_of": (year.as_of or snapshot.as_of).isoformat() if (year.as_of or snapshot.as_of) else None,
        "chart_of_accounts": [a.model_dump(mode="json", by_alias=True) for a in snapshot.chart_of_accounts],
        "journals": [j.model_dump(mode="json") for j in snapshot.journals],
        "partners": [p.model_dump(mode="json") for p in snapshot.partners],
        "entries": [_entry_json(e) for e in entries],
    }


def _entry_json(entry: Entry) -> dict:
    data = entry.model_dump(mode="json")
    for line in data["lines"]:
        line["debit"] = str(money(Decimal(line["debit"])))
        line["credit"] = str(money(Decimal(line["credit"])))
    return data


def content_hash(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def open_items(content: dict) -> list[dict]:
    """Customer (40) and supplier (44) lines grouped by (partner, reconcile); a group not at zero is open.

    Each group: kind, partner, reconcile, account, balance (debit − credit), open (bool), lines."""
    groups: dict[tuple, dict] = {}
    for entry in content["entries"]:
        for number, line in enumerate(entry["lines"], start=1):
            code = line["account"]
            kind = (
                "customer" if is_customer_account(code) else "supplier" if is_supplier_account(code) else None
            )
            if kind is None:
                continue
            key = (kind, line.get("partner"), line.get("reconcile"))
            group = groups.setdefault(
                key,
                {
                    "kind": kind,
                    "partner": line.get("partner"),
                    "reconcile": line.get("reconcile"),
                    "account": code,
                    "balance": ZERO,
                    "lines": [],
                },
            )
            group["balance"] += Decimal(line["debit"]) - Decimal(line["credit"])
            group["lines"].append(
                {
                    "entry": entry["id"],
                    "line": number,
                    "date": entry["date"],
                    "journal": entry["journal"],
                    "ref": entry.get("ref"),
                    "description": line.get("label") or entry.get("description"),
                    "debit": line["debit"],
                    "credit": line["credit"],
                    "due_date": line.get("due_date") or entry.get("due_date"),
                }
            )
    result = []
    for group in groups.values():
        group["open"] = group["balance"] != 0
        group["balance"] = str(money(group["balance"]))
        result.append(group)
    return result


def compute_figures(content: dict) -> tuple[dict, Decimal, Decimal, date]:
    """(sums account → period → [debit, credit], receivables, payables, data date) of a normalised year."""
    sums: dict[str, dict[str, list[Decimal]]] = defaultdict(dict)
    last = None
    for entry in content["entries"]:
        period = entry["period"]
        for line in entry["lines"]:
            cell = sums[line["account"]].setdefault(period, [ZERO, ZERO])
            cell[0] += Decimal(line["debit"])
            cell[1] += Decimal(line["credit"])
        last = entry["date"] if last is None or entry["date"] > last else last
    receivables = payables = ZERO
    for group in open_items(content):
        if group["open"]:
            if group["kind"] == "customer":
                receivables += Decimal(group["balance"])
            else:
                payables -= Decimal(group["balance"])
    year = content["fiscal_year"]
    data_date = date.fromisoformat(content["as_of"] or last or year["start"])
    return sums, money(receivables), money(payables), data_date


# ---- storing -------------------------------------------------------------------------------------


def import_year(
    *, repo: Repository, blobs: BlobStore, company_id: str, fiscal_year: str, snapshot: LedgerSnapshot
) -> LedgerImported:
    """Check, compute and store one fiscal year; the same snapshot again changes nothing."""
    check_year(snapshot, fiscal_year)
    content = year_content(snapshot, fiscal_year)
    digest = content_hash(content)
    previous = read_year(repo=repo, company_id=company_id, fiscal_year=fiscal_year, missing_ok=True)
    lines = sum(len(e["lines"]) for e in content["entries"])
    if previous is not None and previous.hash == digest:
        return LedgerImported(
            fiscal_year=fiscal_year,
            changed=False,
            entries=previous.entries,
            lines=previous.lines,
            data_date=previous.data_date,
            updated_at=previous.updated_at,
        )
    now = datetime.now(UTC).replace(microsecond=0)
    sums, receivables, payables, data_date = compute_figures(content)
    journal_types = {j["code"]: j["type"] for j in content["journals"]}
    journal_hashes = _journal_hashes(content)
    financial = {}
    for code, kind in journal_types.items():
        if kind in FINANCIAL_JOURNAL_TYPES:
            unchanged = previous is not None and previous.journal_hashes.get(code) == journal_hashes.get(code)
            kept = previous.financial_journals.get(code) if unchanged and previous else None
            financial[code] = kept or now
    snapshot_key = keys.ledger_snapshot_key(company_id, f"{fiscal_year}-{digest}")
    stored = {**content, "open_items": open_items(content)}
    blobs.put(
        snapshot_key,
        gzip.compress(json.dumps(stored, default=str, separators=(",", ":")).encode(), compresslevel=5),
        content_type="application/gzip",
    )
    year = content["fiscal_year"]
    figures = YearFigures(
        fiscal_year=fiscal_year,
        start=year["start"],
        end=year["end"],
        state=year["state"],
        data_date=data_date,
        periods=year["periods"],
        sums={a: {p: (v[0], v[1]) for p, v in periods.items()} for a, periods in sums.items()},
        receivables=receivables,
        payables=payables,
        hash=digest,
        snapshot_key=snapshot_key,
        updated_at=now,
        journal_hashes=journal_hashes,
        financial_journals=financial,
        entries=len(content["entries"]),
        lines=lines,
    )
    # One item switches the year to the new snapshot: a reader sees the old year or the new one.
    repo.put(_year_item(company_id, figures))
    return LedgerImported(
        fiscal_year=fiscal_year,
        changed=True,
        entries=figures.entries,
        lines=lines,
        data_date=data_date,
        updated_at=now,
    )


def _journal_hashes(content: dict) -> dict[str, str]:
    by_journal: dict[str, hashlib._Hash] = {}
    for entry in content["entries"]:
        digest = by_journal.setdefault(entry["journal"], hashlib.sha256())
        digest.update(json.dumps(entry, sort_keys=True).encode())
    return {code: digest.hexdigest() for code, digest in by_journal.items()}


def _year_item(company_id: str, figures: YearFigures) -> dict:
    data = figures.model_dump(mode="json", exclude={"sums"})
    sums = {a: {p: [str(v[0]), str(v[1])] for p, v in per.items()} for a, per in figures.sums.items()}
    return {
        "pk": keys.company_pk(company_id),
        "sk": keys.ledger_year_sk(figures.fiscal_year),
        **data,
        # Compressed, as text: a string attribute (the local stack's snapshot is JSON, with no bytes).
        "sums": base64.b64encode(zlib.compress(json.dumps(sums, separators=(",", ":")).encode())).decode(),
    }


def _figures_of(item: dict) -> YearFigures:
    sums = json.loads(zlib.decompress(base64.b64decode(item["sums"])))
    data = {k: v for k, v in item.items() if k not in ("pk", "sk", "sums")}
    return YearFigures.model_validate({**data, "sums": sums})


def read_year(
    *, repo: Repository, company_id: str, fiscal_year: str, missing_ok: bool = False
) -> YearFigures | None:
    item = repo.get(keys.company_pk(company_id), keys.ledger_year_sk(fiscal_year))
    if item is None:
        if missing_ok:
            return None
        raise NotFound(f"no ledger for fiscal year {fiscal_year}")
    return _figures_of(item)


def read_years(*, repo: Repository, company_id: str) -> list[YearFigures]:
    """Every imported fiscal year, by start date."""
    items = repo.query(keys.company_pk(company_id), sk_prefix=keys.LEDGER_YEAR_SK_PREFIX)
    return sorted((_figures_of(item) for item in items), key=lambda y: y.start)


def list_years(*, repo: Repository, company_id: str) -> YearsRead:
    """The imported fiscal years, oldest first, each with its periods in order (an opening period first)."""
    return YearsRead(
        years=[
            YearRead(
                fiscal_year=year.fiscal_year,
                start=year.start,
                end=year.end,
                state=year.state,
                data_date=year.data_date,
                updated_at=year.updated_at,
                periods=[
                    PeriodRead(id=p.id, start=p.start, end=p.end, special=p.special)
                    for p in sorted(
                        year.periods, key=lambda p: (p.start, 0 if p.special == "opening" else 1, p.end)
                    )
                ],
            )
            for year in read_years(repo=repo, company_id=company_id)
        ]
    )


def read_content(*, blobs: BlobStore, figures: YearFigures) -> dict:
    """The normalised year with its open items, as stored at import."""
    return json.loads(gzip.decompress(blobs.get(figures.snapshot_key)))
