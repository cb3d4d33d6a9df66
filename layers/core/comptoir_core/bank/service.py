"""Bank statements of a company: CODA files imported once, accounts and their balances as the bank stated
them, movements listed, and movements matched to documents and to the ledger's open items."""

import base64
import hashlib
import re
from decimal import Decimal

from comptoir_core import keys
from comptoir_core.bank import coda
from comptoir_core.bank.models import (
    AccountRead,
    AccountsRead,
    DetailRead,
    MovementRead,
    MovementsRead,
    OpenItemMatch,
    StatementRead,
    StatementsImported,
    TransactionsQuery,
)
from comptoir_core.blobs import BlobStore
from comptoir_core.errors import Invalid
from comptoir_core.repository import Repository

MAX_CODA_BYTES = 20 * 1024 * 1024


def import_statements(
    *, repo: Repository, blobs: BlobStore, company_id: str, data: bytes
) -> StatementsImported:
    """Read a CODA file and keep its statements; a statement already there (same account, date and number)
    is named and not added again. `created` is false when nothing was new."""
    if not data:
        raise Invalid("no file came: send the CODA file as the body or as a multipart part")
    if len(data) > MAX_CODA_BYTES:
        raise Invalid("a CODA file is at most 20 MB")
    statements = coda.parse(data)
    pk = keys.company_pk(company_id)
    sha = hashlib.sha256(data).hexdigest()
    answers = []
    created = False
    for statement in statements:
        date = statement.date.isoformat()
        sk = keys.bank_statement_sk(statement.account_number, date, statement.statement_number)
        already = repo.get(pk, sk) is not None
        answers.append(_statement_read(statement, already))
        if already:
            continue
        if not created:
            blobs.put(keys.bank_file_key(company_id, sha), data, content_type="application/octet-stream")
        created = True
        for movement in statement.movements:
            repo.put(_movement_item(pk, statement, movement))
        account_sk = keys.bank_account_sk(statement.account_number)
        current = repo.get(pk, account_sk)
        if current is None or (current["balance_date"], current["statement_number"]) <= (
            date,
            statement.statement_number,
        ):
            repo.put({"pk": pk, "sk": account_sk, **_account_item(statement)})
        # Written last: its presence says the statement is whole.
        repo.put(
            {"pk": pk, "sk": sk, **_statement_read(statement, False).model_dump(mode="json"), "file": sha}
        )
    return StatementsImported(statements=answers, created=created)


def _statement_read(statement: coda.Statement, already: bool) -> StatementRead:
    return StatementRead(
        account_iban=statement.account_iban,
        account_number=statement.account_number,
        currency=statement.currency,
        statement_number=statement.statement_number,
        old_balance=statement.old_balance,
        new_balance=statement.new_balance,
        date=statement.date,
        balance_consistent=statement.balance_consistent,
        computed_new_balance=statement.computed_new_balance,
        movements=len(statement.movements),
        already_imported=already,
    )


def _account_item(statement: coda.Statement) -> dict:
    return AccountRead(
        account_iban=statement.account_iban,
        account_number=statement.account_number,
        currency=statement.currency,
        balance=statement.new_balance,
        balance_date=statement.date,
        statement_number=statement.statement_number,
        balance_consistent=statement.balance_consistent,
        computed_new_balance=statement.computed_new_balance,
    ).model_dump(mode="json")


def _movement_item(pk: str, statement: coda.Statement, movement: coda.Movement) -> dict:
    sk = keys.bank_movement_sk(
        movement.date.isoformat(), statement.account_number, statement.statement_number, movement.sequence
    )
    read = MovementRead(
        id=f"{statement.account_number}#{statement.statement_number}#{movement.sequence}",
        account_iban=statement.account_iban,
        account_number=statement.account_number,
        currency=statement.currency,
        statement_number=statement.statement_number,
        details=[DetailRead(**d.model_dump()) for d in movement.details],
        **movement.model_dump(exclude={"details", "sequence", "bank_reference", "globalisation", "information",
                                       "r_reason"}),
    )  # fmt: skip
    return {"pk": pk, "sk": sk, **read.model_dump(mode="json", exclude={"document", "open_item"})}


def list_accounts(*, repo: Repository, company_id: str) -> AccountsRead:
    items = repo.query(keys.company_pk(company_id), sk_prefix=keys.BANK_ACCOUNT_SK_PREFIX)
    return AccountsRead(
        accounts=[
            AccountRead.model_validate({k: v for k, v in i.items() if k not in ("pk", "sk")}) for i in items
        ]
    )


def _movements(repo: Repository, company_id: str, *, descending: bool = True, sk_before: str | None = None):
    for item in repo.query(
        keys.company_pk(company_id),
        sk_prefix=keys.BANK_MOVEMENT_SK_PREFIX,
        descending=descending,
        sk_before=sk_before,
    ):
        yield (
            item["sk"],
            MovementRead.model_validate({k: v for k, v in item.items() if k not in ("pk", "sk")}),
        )


def _wanted(movement: MovementRead, query: TransactionsQuery) -> bool:
    if query.account and query.account.replace(" ", "").upper() not in (
        (movement.account_iban or "").upper(),
        movement.account_number.upper(),
    ):
        return False
    if query.date_from and movement.date < query.date_from:
        return False
    if query.date_to and movement.date > query.date_to:
        return False
    if query.amount_min is not None and movement.amount < query.amount_min:
        return False
    if query.amount_max is not None and movement.amount > query.amount_max:
        return False
    if query.q:
        haystack = " ".join(
            filter(None, [movement.counterparty_name, movement.communication, movement.counterparty_iban])
        ).lower()
        if query.q.lower() not in haystack:
            return False
    return True


def list_transactions(
    *, repo: Repository, company_id: str, query: TransactionsQuery, documents: list[dict] | None = None,
    open_items: list[dict] | None = None, unmatched_only: bool = False,
) -> MovementsRead:  # fmt: skip
    """Newest first, `limit` a page; with documents given, each movement names the document it matches."""
    matcher = Matcher(documents or [], open_items or [])
    found: list[MovementRead] = []
    next_cursor = None
    sk_before = None
    if query.cursor:
        try:
            sk_before = base64.urlsafe_b64decode(query.cursor.encode()).decode()
        except (ValueError, UnicodeDecodeError):
            sk_before = ""
        if not sk_before.startswith(keys.BANK_MOVEMENT_SK_PREFIX):
            raise Invalid("the cursor is not one this list gave")
    for sk, movement in _movements(repo, company_id, sk_before=sk_before):
        if not _wanted(movement, query):
            continue
        movement.document = matcher.document_of(movement)
        movement.open_item = matcher.open_item_of(movement)
        if unmatched_only and movement.document:
            continue
        found.append(movement)
        if len(found) == query.limit:
            next_cursor = base64.urlsafe_b64encode(sk.encode()).decode()
            break
    return MovementsRead(movements=found, next_cursor=next_cursor)


def _compact(value) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", str(value or "")).upper()


class Matcher:
    """A movement against the documents' recognised fields: the structured reference, an invoice number in
    the communication, or the amount with the counterparty's IBAN; and against the open items."""

    def __init__(self, documents: list[dict], open_items: list[dict]):
        self.by_reference: dict[str, str] = {}
        self.numbers: list[tuple[str, str]] = []
        self.by_amount_iban: dict[tuple[Decimal, str], str] = {}
        for document in documents:
            fields = {name: (f or {}).get("value") for name, f in (document.get("fields") or {}).items()}
            did = document["id"]
            if fields.get("structured_reference"):
                self.by_reference[_compact(fields["structured_reference"])] = did
            number = _compact(fields.get("invoice_number"))
            if len(number) >= 4:
                self.numbers.append((number, did))
            if fields.get("total_incl_vat") and fields.get("iban"):
                try:
                    amount = abs(Decimal(str(fields["total_incl_vat"])))
                except ArithmeticError:
                    continue
                self.by_amount_iban[(amount, _compact(fields["iban"]))] = did
        self.open_items = [g for g in open_items if g.get("open")]

    def document_of(self, movement: MovementRead) -> str | None:
        if movement.structured_reference and movement.structured_reference in self.by_reference:
            return self.by_reference[movement.structured_reference]
        communication = _compact(movement.communication)
        if communication:
            for number, did in self.numbers:
                if number in communication:
                    return did
        if movement.counterparty_iban:
            return self.by_amount_iban.get((abs(movement.amount), _compact(movement.counterparty_iban)))
        return None

    def open_item_of(self, movement: MovementRead) -> OpenItemMatch | None:
        communication = _compact(movement.communication)
        for group in self.open_items:
            balance = Decimal(group["balance"])
            reference = _compact(group.get("reconcile"))
            if (reference and len(reference) >= 4 and reference in communication) or (
                abs(balance) == abs(movement.amount) and (balance > 0) == (movement.amount > 0)
                and movement.counterparty_iban and movement.counterparty_iban == group.get("partner_iban")
            ):  # fmt: skip
                return OpenItemMatch(
                    partner=group.get("partner"), reconcile=group.get("reconcile"), balance=balance
                )
        return None


def list_movements(
    *, repo: Repository, blobs: BlobStore, company_id: str, query: TransactionsQuery, unmatched_only: bool
) -> MovementsRead:
    """The movements with the document and open item each matches; `unmatched_only` keeps those that have
    no document (the missing documents the client is asked for)."""
    from comptoir_core.ledger.history import documents_of, latest_open_items

    return list_transactions(
        repo=repo,
        company_id=company_id,
        query=query,
        documents=documents_of(repo=repo, company_id=company_id),
        open_items=latest_open_items(repo=repo, blobs=blobs, company_id=company_id),
        unmatched_only=unmatched_only,
    )
