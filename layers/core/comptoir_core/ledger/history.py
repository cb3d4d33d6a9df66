"""Histories of suppliers, customers and accounts, from the stored snapshots, with the archive's documents
linked to their ledger entries by invoice number and partner VAT."""

import re
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from comptoir_core.blobs import BlobStore
from comptoir_core.errors import Invalid
from comptoir_core.ledger.service import (
    ZERO,
    is_customer_account,
    is_supplier_account,
    read_content,
    read_years,
)
from comptoir_core.repository import Repository

PAGE = 100


class HistoryQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    partner: str | None = Field(default=None, max_length=60)
    account: str | None = Field(default=None, max_length=20, pattern=r"^[0-9A-Za-z]+$")
    status: str = Field(default="open", pattern="^(open|all)$")
    date_from: date | None = None
    date_to: date | None = None
    q: str | None = Field(default=None, max_length=100)
    cursor: str | None = Field(default=None, pattern=r"^[0-9]{1,7}$")
    limit: int = Field(default=PAGE, ge=1, le=500)


class HistoryLine(BaseModel):
    date: date
    fiscal_year: str
    journal: str
    entry: str
    reference: str | None
    description: str | None
    account: str
    partner: str | None
    partner_name: str | None
    debit: Decimal
    credit: Decimal
    amount: Decimal
    open_amount: Decimal | None
    reconcile: str | None
    due_date: date | None
    document: str | None
    has_document: bool
    can_pay: bool


class HistoryRead(BaseModel):
    lines: list[HistoryLine]
    next_cursor: str | None = None
    updated_at: str | None = None


def _compact(value) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", str(value or "")).upper()


def documents_of(*, repo: Repository, company_id: str) -> list[dict]:
    """The company's documents that still count (deleted and retired ones do not), as JSON."""
    from comptoir_core.documents import store  # the documents context owns the item's shape

    documents = (d.model_dump(mode="json") for d in store.company_documents(repo=repo, company_id=company_id))
    return [d for d in documents if d["status"] not in ("deleted", "split", "merged", "failed")]


def document_index(documents: list[dict]) -> dict[tuple[str, str], dict]:
    """(partner VAT, invoice number) → document item, both compacted; a supplier's or a customer's VAT."""
    index = {}
    for document in documents:
        fields = {name: (f or {}).get("value") for name, f in (document.get("fields") or {}).items()}
        number = _compact(fields.get("invoice_number"))
        if not number:
            continue
        for vat_field in ("supplier_vat", "customer_vat"):
            if fields.get(vat_field):
                index[(_compact(fields[vat_field]), number)] = document
    return index


def latest_open_items(*, repo: Repository, blobs: BlobStore, company_id: str) -> list[dict]:
    """The open items of the latest imported year, each with its partner's name and IBAN."""
    years = read_years(repo=repo, company_id=company_id)
    if not years:
        return []
    content = read_content(blobs=blobs, figures=years[-1])
    partners = {p["id"]: p for p in content["partners"]}
    groups = []
    for group in content["open_items"]:
        partner = partners.get(group["partner"] or "", {})
        groups.append(
            {
                **group,
                "partner_iban": _compact(partner.get("iban")) or None,
                "partner_name": partner.get("name"),
            }
        )
    return groups


def read_history(
    *, repo: Repository, blobs: BlobStore, company_id: str, kind: str, query: HistoryQuery
) -> HistoryRead:
    """kind: suppliers (44), customers (40) or accounts (any, `account` a prefix)."""
    years = read_years(repo=repo, company_id=company_id)
    if not years:
        return HistoryRead(lines=[])
    index = document_index(documents_of(repo=repo, company_id=company_id))
    rows: list[HistoryLine] = []
    chosen = years[-1:] if query.status == "open" else years
    for position, figures in enumerate(chosen):
        content = read_content(blobs=blobs, figures=figures)
        rows.extend(_rows(content, figures.fiscal_year, kind, query, index, first=position == 0))
    rows.sort(key=lambda r: (r.date, r.entry), reverse=True)
    start = int(query.cursor or 0)
    page = rows[start : start + query.limit]
    more = start + query.limit < len(rows)
    return HistoryRead(
        lines=page,
        next_cursor=str(start + query.limit) if more else None,
        updated_at=years[-1].updated_at.isoformat(),
    )


def _rows(content: dict, fiscal_year: str, kind: str, query: HistoryQuery, index, *, first: bool):
    partners = {p["id"]: p for p in content["partners"]}
    journal_types = {j["code"]: j["type"] for j in content["journals"]}
    open_groups = {(g["kind"], g["partner"], g["reconcile"]): g for g in content["open_items"]}
    needle = (query.q or "").lower()
    for entry in content["entries"]:
        journal_type = journal_types.get(entry["journal"], "general")
        if journal_type == "opening" and not first and query.status == "all":
            continue  # a later year's opening restates what the earlier years already show
        day = date.fromisoformat(entry["date"])
        if (query.date_from and day < query.date_from) or (query.date_to and day > query.date_to):
            continue
        for line in entry["lines"]:
            code = line["account"]
            if kind == "suppliers" and not is_supplier_account(code):
                continue
            if kind == "customers" and not is_customer_account(code):
                continue
            if query.account and not code.startswith(query.account):
                continue
            partner_id = line.get("partner")
            if query.partner and partner_id != query.partner:
                continue
            partner = partners.get(partner_id or "", {})
            group_kind = (
                "supplier" if is_supplier_account(code) else "customer" if is_customer_account(code) else None
            )
            group = open_groups.get((group_kind, partner_id, line.get("reconcile"))) if group_kind else None
            is_open = bool(group and group["open"])
            if query.status == "open" and kind != "accounts" and not is_open:
                continue
            description = line.get("label") or entry.get("description")
            if (
                needle
                and needle
                not in " ".join(filter(None, [entry.get("ref"), description, partner.get("name")])).lower()
            ):
                continue
            document = None
            if journal_type in ("purchase", "sale") and partner.get("vat") and entry.get("ref"):
                document = index.get((_compact(partner["vat"]), _compact(entry["ref"])))
            debit, credit = Decimal(line["debit"]), Decimal(line["credit"])
            open_amount = Decimal(group["balance"]) if is_open else None
            yield HistoryLine(
                date=day,
                fiscal_year=fiscal_year,
                journal=entry["journal"],
                entry=entry["id"],
                reference=entry.get("ref"),
                description=description,
                account=code,
                partner=partner_id,
                partner_name=partner.get("name"),
                debit=debit,
                credit=credit,
                amount=debit - credit,
                open_amount=open_amount,
                reconcile=line.get("reconcile"),
                due_date=line.get("due_date") or entry.get("due_date"),
                document=document["id"] if document else None,
                has_document=document is not None,
                # An open supplier invoice the company owes, with its image: the payments form can take it.
                can_pay=bool(
                    is_open and group_kind == "supplier" and open_amount is not None and open_amount < ZERO
                    and credit > ZERO and document is not None and document.get("payment_status") != "paid"
                ),
            )  # fmt: skip


def check_kind(kind: str) -> str:
    if kind not in ("suppliers", "customers", "accounts"):
        raise Invalid("the history is of suppliers, customers or accounts")
    return kind
