"""Payments use cases: the form from an invoice, payments by EPC QR code or in SEPA files, the tabs, and the
guards a bank would want (a new IBAN, a second payment, more than the open amount, an unpayable invoice).

Every function checks the caller's membership and role first. Every state change is a conditional write:
a payment is never in two files, and two clicks never both win.
"""

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from comptoir_core import keys
from comptoir_core.accounts.models import BankAccount, CompanySettings
from comptoir_core.accounts.service import read_company, read_company_settings
from comptoir_core.blobs import BlobStore
from comptoir_core.documents import store as documents
from comptoir_core.documents.models import Document, DocumentStatus, Mailbox
from comptoir_core.errors import Conflict, Invalid, NotFound
from comptoir_core.ids import is_valid_id, new_id
from comptoir_core.payments import epc, pain, text
from comptoir_core.payments.models import (
    LIVE_STATUSES,
    Account,
    AuditEvent,
    Communication,
    DocumentPayments,
    DocumentPaymentStatus,
    Method,
    Payment,
    PaymentCreate,
    PaymentForm,
    PaymentStatus,
    PaymentSummary,
    PaymentUpdate,
    PaymentWarning,
    SepaFile,
    SepaFileCreate,
    SepaFilePayment,
    Tab,
)
from comptoir_core.repository import Item, Repository
from comptoir_core.tenancy import Caller, Role, authorize

PAYERS = frozenset({Role.admin, Role.user})
BRUSSELS = ZoneInfo("Europe/Brussels")
# Documents that can be paid: a purchase invoice that is in its box, sent, or booked.
PAYABLE_STATUSES = frozenset({DocumentStatus.inbox, DocumentStatus.in_processing, DocumentStatus.processed})
# Payments claimed for a file per transaction (DynamoDB takes at most 100 writes in one).
CLAIM_CHUNK = 100


def brussels_today() -> date:
    """Payment dates are Brussels dates."""
    return datetime.now(BRUSSELS).date()


def now() -> datetime:
    return datetime.now(UTC)


# ---- storage ---------------------------------------------------------------------------------


def _to_item(payment: Payment) -> Item:
    data = json.loads(payment.model_dump_json(exclude={"version"}), parse_float=Decimal)
    return {
        "pk": keys.company_pk(payment.company_id),
        "sk": keys.payment_sk(payment.id),
        "kind": "payment",
        **data,
    }


def _from_item(item: Item) -> Payment:
    return Payment.model_validate({k: v for k, v in item.items() if k not in ("pk", "sk", "kind")})


def _get_payment(repo: Repository, company_id: str, payment_id: str) -> Payment:
    if not is_valid_id(payment_id, "pay"):
        raise NotFound("payment not found")
    item = repo.get(keys.company_pk(company_id), keys.payment_sk(payment_id))
    if item is None:
        raise NotFound("payment not found")
    return _from_item(item)


def _payments_of_document(
    repo: Repository, company_id: str, document_id: str, known: dict[str, Payment] | None = None
) -> list[Payment]:
    """The document's payments; those in `known` (just written) are not read again."""
    prefix = keys.document_payment_prefix(document_id)
    out = []
    for index in repo.query(keys.company_pk(company_id), sk_prefix=prefix):
        if known and index["payment_id"] in known:
            out.append(known[index["payment_id"]])
            continue
        item = repo.get(keys.company_pk(company_id), keys.payment_sk(index["payment_id"]))
        if item is not None:
            out.append(_from_item(item))
    return sorted(out, key=lambda p: p.id)


def _company_payments(repo: Repository, company_id: str) -> Iterable[Payment]:
    for item in repo.query(keys.company_pk(company_id), sk_prefix=keys.PAYMENT_SK_PREFIX, descending=True):
        yield _from_item(item)


def _payee_ibans(repo: Repository, company_id: str, supplier_vat: str) -> list[str]:
    prefix = keys.payee_iban_prefix(supplier_vat)
    return [item["iban"] for item in repo.query(keys.company_pk(company_id), sk_prefix=prefix)]


def _index_items(payment: Payment) -> list[Item]:
    """What is written beside a payment: its place among its document's payments, and the IBAN it pays
    the supplier on (the history the new-IBAN guard compares with)."""
    pk = keys.company_pk(payment.company_id)
    items: list[Item] = [
        {
            "pk": pk,
            "sk": keys.document_payment_prefix(payment.document_id) + payment.id,
            "kind": "document_payment",
            "payment_id": payment.id,
        }
    ]
    if payment.supplier_vat:
        items.append(
            {
                "pk": pk,
                "sk": keys.payee_iban_prefix(payment.supplier_vat) + payment.counterparty.iban,
                "kind": "payee_iban",
                "iban": payment.counterparty.iban,
                "payment_id": payment.id,
            }
        )
    return items


def _document_status(payments: list[Payment]) -> DocumentPaymentStatus | None:
    live = [p for p in payments if p.status in LIVE_STATUSES]
    if any(p.method == Method.qr and p.status == PaymentStatus.executed for p in live):
        return DocumentPaymentStatus.paid_by_qr
    if any(p.sepa_file_id for p in live):
        return DocumentPaymentStatus.in_file
    if live:
        return DocumentPaymentStatus.in_preparation
    return None


def _with_status(document: Document, payments: list[Payment]) -> Document:
    status = _document_status(payments)
    return document.model_copy(update={"payment_status": status.value if status else None})


def _refresh_document(
    repo: Repository,
    company_id: str,
    document_id: str,
    known: dict[str, Payment] | None = None,
    attempts: int = 5,
) -> None:
    """Set the document's payment_status from its payments (a versioned write, retried if it raced)."""
    for attempt in range(attempts):
        document = documents.get_document(repo=repo, company_id=company_id, document_id=document_id)
        updated = _with_status(document, _payments_of_document(repo, company_id, document_id, known))
        if updated.payment_status == document.payment_status:
            return
        try:
            documents.save(repo=repo, document=updated)
            return
        except Conflict:
            if attempt == attempts - 1:
                raise


def _write(repo: Repository, payment: Payment, *, expected: int, document: Document | None = None) -> Payment:
    """The payment, its index items and (when given) its document, in one transaction."""
    writes: list[tuple[Item, int | None]] = [(_to_item(payment), expected)]
    writes += [(item, None) for item in _index_items(payment)]
    if document is not None:
        writes.append((documents.to_item(document), document.version))
    written = repo.write_all(writes)
    return payment.model_copy(update={"version": int(written[0]["version"])})


# ---- the company's accounts and the invoice ------------------------------------------------------


def _account(account: BankAccount) -> Account:
    return Account(iban=account.iban, bic=account.bic, name=account.name)


def _from_account(settings: CompanySettings, iban: str | None, *, field: str = "from_account") -> Account:
    if not settings.bank_accounts:
        raise Invalid(
            "the company has no bank account in its settings; add one under bank_accounts",
            details=[{"field": field, "problem": "no bank account to pay from"}],
        )
    if iban is None:
        return _account(settings.default_account())
    account = next((a for a in settings.bank_accounts if a.iban == iban), None)
    if account is None:
        raise Invalid(
            "this account is not one of the company's",
            details=[{"field": field, "problem": "must be one of the IBANs in the company's bank_accounts"}],
        )
    return _account(account)


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except ArithmeticError:
        return None


def _open_amount(
    document: Document, payments: list[Payment], *, excluding: str | None = None
) -> Decimal | None:
    total = _decimal(document.field_value("total_incl_vat"))
    if total is None:
        return None
    paid = sum((p.amount for p in payments if p.status in LIVE_STATUSES and p.id != excluding), Decimal(0))
    return max(total - paid, Decimal(0)).quantize(Decimal("0.01"))


def _ensure_payable(repo: Repository, company_id: str, document: Document) -> None:
    if document.mailbox != Mailbox.purchase:
        raise Conflict("only purchase invoices are paid here")
    if document.status not in PAYABLE_STATUSES:
        raise Conflict(f"this document cannot be paid while it is {document.status.value}")
    if document.approval_status == "rejected":
        raise Conflict("this invoice was rejected; it cannot be paid")
    approvals = _approvals_service()
    if approvals is not None:
        approvals.ensure_invoice_payable(repo=repo, company_id=company_id, document_id=document.id)


def _approvals_service():
    """The approvals context's invoice check, once it is there (it is built beside this one)."""
    try:
        from comptoir_core.approvals import service
    except ImportError:
        return None
    return service if hasattr(service, "ensure_invoice_payable") else None


def _approvals_payments():
    try:
        from comptoir_core.approvals import payments
    except ImportError:
        return None
    return payments if hasattr(payments, "request_payment_approval") else None


def _payment_approval_on(repo: Repository, company_id: str) -> bool:
    approvals = _approvals_payments()
    check = getattr(approvals, "payment_approval_enabled", None) if approvals else None
    return bool(check and check(repo=repo, company_id=company_id))


def _past_or_today(value: date | None) -> date:
    today = brussels_today()
    return today if value is None or value < today else value


# ---- the guards ----------------------------------------------------------------------------------


def _earlier_invoice_ibans(
    repo: Repository, company_id: str, document: Document, supplier_vat: str
) -> list[str]:
    """The IBANs the supplier's other invoices at this company carry, newest first."""
    out = []
    for other in documents.company_documents(repo=repo, company_id=company_id):
        if other.id == document.id or other.status == DocumentStatus.deleted:
            continue
        if other.field_value("supplier_vat") == supplier_vat:
            iban = text.iban_or_none(other.field_value("iban") or "")
            if iban and iban not in out:
                out.append(iban)
    return out


def _guards(
    repo: Repository,
    *,
    company_id: str,
    document: Document,
    payments: list[Payment],
    iban: str,
    amount: Decimal,
    excluding: str | None = None,
) -> tuple[list[PaymentWarning], dict[str, dict[str, str]]]:
    """What the user should know, and what needs a confirmation: {confirmation: audit detail}."""
    warnings: list[PaymentWarning] = []
    needs: dict[str, dict[str, str]] = {}
    invoice_iban = text.iban_or_none(document.field_value("iban") or "")
    supplier_vat = document.field_value("supplier_vat")
    paid_on = _payee_ibans(repo, company_id, supplier_vat) if supplier_vat else []
    history = list(paid_on)
    if supplier_vat:
        history += [
            i for i in _earlier_invoice_ibans(repo, company_id, document, supplier_vat) if i not in history
        ]
    old = None
    if invoice_iban and iban != invoice_iban:
        old = invoice_iban
        reason = f"the IBAN {iban} is not the one this invoice carries ({invoice_iban})"
    elif history and iban not in history:
        old = history[0]
        reason = (
            f"the IBAN {iban} is not one this supplier was paid on or printed before ({', '.join(history)})"
        )
    if old:
        warnings.append(PaymentWarning(code="new_iban", message=reason + "; confirm it with the supplier"))
        needs["new_iban"] = {"old_iban": old, "new_iban": iban}
    if not paid_on:
        warnings.append(
            PaymentWarning(
                code="first_payment",
                message="the first payment to this supplier at this company: check the IBAN"
                if supplier_vat
                else "the invoice names no supplier VAT number: the IBAN cannot be compared with earlier ones",
            )
        )
    if not invoice_iban:
        warnings.append(PaymentWarning(code="no_invoice_iban", message="the invoice carries no IBAN"))
    live = [p for p in payments if p.status in LIVE_STATUSES and p.id != excluding]
    if live:
        warnings.append(
            PaymentWarning(
                code="second_payment",
                message=f"this invoice already has {len(live)} payment(s): {', '.join(p.id for p in live)}",
            )
        )
        needs["second_payment"] = {"earlier": ",".join(p.id for p in live)}
    open_amount = _open_amount(document, payments, excluding=excluding)
    if open_amount is None:
        warnings.append(PaymentWarning(code="no_total", message="the invoice's total is unknown"))
    elif amount > open_amount:
        warnings.append(
            PaymentWarning(
                code="over_amount", message=f"{amount} is more than the invoice's open amount {open_amount}"
            )
        )
        needs["over_amount"] = {"open_amount": str(open_amount), "amount": str(amount)}
    return warnings, needs


def _confirmations(needs: dict[str, dict[str, str]], confirm, warnings, caller: Caller) -> list[AuditEvent]:
    missing = [name for name in needs if not getattr(confirm, name)]
    if missing:
        raise Conflict(
            "this payment needs your confirmation: "
            + "; ".join(w.message for w in warnings if w.code in missing)
            + ". Send it again with confirm: {"
            + ", ".join(f'"{name}": true' for name in missing)
            + "}",
            details={"confirm": missing, "warnings": [w.model_dump() for w in warnings if w.code in missing]},
        )
    at = now()
    return [
        AuditEvent(at=at, by=caller.email, event=f"{name}_confirmed", detail=detail)
        for name, detail in needs.items()
    ]


def _name_warning(name: str) -> list[PaymentWarning]:
    clean, shortened = text.sepa_name(name)
    if not shortened:
        return []
    return [
        PaymentWarning(
            code="name_shortened",
            message=f"the name is longer than 70 characters in the bank's character set; it travels as {clean!r}",
        )
    ]


# ---- the form ------------------------------------------------------------------------------------


def payment_form(*, repo: Repository, caller: Caller, company_id: str, document_id: str) -> PaymentForm:
    authorize(repo=repo, caller=caller, company_id=company_id)
    document = documents.get_document(repo=repo, company_id=company_id, document_id=document_id)
    warnings: list[PaymentWarning] = []
    try:
        _ensure_payable(repo, company_id, document)
    except Conflict as error:
        warnings.append(PaymentWarning(code="not_payable", message=error.message))
    settings = read_company_settings(repo=repo, company_id=company_id)
    default = settings.default_account()
    if default is None:
        warnings.append(
            PaymentWarning(code="no_bank_account", message="the company has no bank account in its settings")
        )
    payments = _payments_of_document(repo, company_id, document_id)
    open_amount = _open_amount(document, payments)
    due = _date_or_none(document.field_value("due_date"))
    today = brussels_today()
    if due is not None and due < today:
        warnings.append(
            PaymentWarning(code="past_due", message=f"the due date {due} is past; proposed today")
        )
    iban = text.iban_or_none(document.field_value("iban") or "")
    if iban:
        more, _ = _guards(
            repo,
            company_id=company_id,
            document=document,
            payments=payments,
            iban=iban,
            amount=open_amount or Decimal(0),
        )
        warnings += more
    else:
        warnings.append(
            PaymentWarning(code="no_invoice_iban", message="the invoice carries no IBAN: enter one")
        )
        if any(p.status in LIVE_STATUSES for p in payments):
            warnings.append(
                PaymentWarning(code="second_payment", message="this invoice already has a payment")
            )
    name = document.field_value("supplier_name") or ""
    warnings += _name_warning(name)
    reference = document.field_value("structured_reference")
    communication = Communication()
    if reference and text.structured_value(str(reference)):
        communication = Communication(type="structured", value=str(reference))
    elif document.field_value("invoice_number"):
        communication = Communication(
            type="unstructured", value=str(document.field_value("invoice_number"))[:140]
        )
    return PaymentForm(
        document=document.id,
        from_account=default.iban if default else None,
        accounts=[_account(a) for a in settings.bank_accounts],
        amount=open_amount if open_amount else None,
        open_amount=open_amount,
        execution_date=today if due is None or due < today else due,
        counterparty={"name": name, "iban": iban, "bic": text.bic_or_none(document.field_value("bic") or "")},
        communication=communication,
        warnings=_unique(warnings),
    )


def _unique(warnings: list[PaymentWarning]) -> list[PaymentWarning]:
    seen, out = set(), []
    for warning in warnings:
        if warning.code not in seen:
            seen.add(warning.code)
            out.append(warning)
    return out


def _date_or_none(value) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


# ---- payments ------------------------------------------------------------------------------------


def create_payment(*, repo: Repository, caller: Caller, company_id: str, request: PaymentCreate) -> Payment:
    authorize(repo=repo, caller=caller, company_id=company_id, roles=PAYERS)
    document = documents.get_document(repo=repo, company_id=company_id, document_id=request.document)
    _ensure_payable(repo, company_id, document)
    settings = read_company_settings(repo=repo, company_id=company_id)
    from_account = _from_account(settings, request.from_account) if request.method == Method.sepa else None
    payments = _payments_of_document(repo, company_id, document.id)
    warnings, needs = _guards(
        repo,
        company_id=company_id,
        document=document,
        payments=payments,
        iban=request.counterparty.iban,
        amount=request.amount,
    )
    audit = _confirmations(needs, request.confirm, warnings, caller)
    warnings += _name_warning(request.counterparty.name)
    payment_id = new_id("pay")
    at = now()
    status = PaymentStatus.executed if request.method == Method.qr else PaymentStatus.to_execute
    rule_id = None
    if request.method == Method.sepa:
        status, rule_id = _approval(repo, company_id, payment_id, request, caller)
    payment = Payment(
        id=payment_id,
        company_id=company_id,
        document_id=document.id,
        method=request.method,
        status=status,
        from_account=from_account,
        amount=request.amount,
        execution_date=_past_or_today(request.execution_date) if request.method == Method.sepa else None,
        counterparty=request.counterparty,
        communication=request.communication,
        supplier_vat=document.field_value("supplier_vat"),
        invoice_number=_str_or_none(document.field_value("invoice_number")),
        rule_id=rule_id,
        warnings=_unique(warnings),
        audit=[
            AuditEvent(
                at=at,
                by=caller.email,
                event="created",
                detail={
                    "method": request.method.value,
                    "amount": str(request.amount),
                    "status": status.value,
                },
            ),
            *audit,
        ],
        created_at=at,
        created_by=caller.email,
        executed_at=at if status == PaymentStatus.executed else None,
    )
    return _write(repo, payment, expected=0, document=_with_status(document, [*payments, payment]))


def _str_or_none(value) -> str | None:
    return str(value) if value not in (None, "") else None


def _approval(
    repo: Repository, company_id: str, payment_id: str, request: PaymentCreate, caller: Caller
) -> tuple[PaymentStatus, str | None]:
    """Whether the payment waits for approval (payment approval on, and the initiator may not approve it
    alone): the approvals context decides, and raises Invalid when the chosen rule does not fit."""
    approvals = _approvals_payments()
    if approvals is None:
        return PaymentStatus.to_execute, None
    outcome = approvals.request_payment_approval(
        repo=repo,
        company_id=company_id,
        payment_id=payment_id,
        amount=request.amount,
        initiator_user_id=caller.user_id,
        rule_id=request.rule,
    )
    status = PaymentStatus.to_approve if outcome.needs_approval else PaymentStatus.to_execute
    return status, outcome.rule_id


def read_payment(*, repo: Repository, caller: Caller, company_id: str, payment_id: str) -> Payment:
    authorize(repo=repo, caller=caller, company_id=company_id)
    return _get_payment(repo, company_id, payment_id)


def list_payments(*, repo: Repository, caller: Caller, company_id: str, tab: Tab) -> list[PaymentSummary]:
    authorize(repo=repo, caller=caller, company_id=company_id)
    if tab == Tab.to_approve and not _payment_approval_on(repo, company_id):
        raise Invalid("payment approval is off: the tabs are to_execute and executed")
    return [PaymentSummary.of(p) for p in _company_payments(repo, company_id) if p.status.value == tab.value]


def _editable(repo: Repository, caller: Caller, company_id: str, payment_id: str) -> Payment:
    authorize(repo=repo, caller=caller, company_id=company_id, roles=PAYERS)
    payment = _get_payment(repo, company_id, payment_id)
    if payment.sepa_file_id:
        raise Conflict(f"this payment is in the SEPA file {payment.sepa_file_id}; it cannot change any more")
    if payment.status not in (PaymentStatus.to_approve, PaymentStatus.to_execute):
        raise Conflict(f"this payment is {payment.status.value}; it cannot change any more")
    return payment


def update_payment(
    *, repo: Repository, caller: Caller, company_id: str, payment_id: str, update: PaymentUpdate
) -> Payment:
    payment = _editable(repo, caller, company_id, payment_id)
    changes = update.model_dump(exclude_unset=True, exclude={"confirm"})
    if not changes:
        raise Invalid("nothing to change")
    if (
        payment.status == PaymentStatus.to_approve
        and update.amount is not None
        and update.amount != payment.amount
    ):
        raise Conflict("this payment waits for approval of its amount; cancel it and make a new one")
    document = documents.get_document(repo=repo, company_id=company_id, document_id=payment.document_id)
    _ensure_payable(repo, company_id, document)
    settings = read_company_settings(repo=repo, company_id=company_id)
    counterparty = update.counterparty or payment.counterparty
    amount = update.amount or payment.amount
    warnings, needs = _guards(
        repo,
        company_id=company_id,
        document=document,
        payments=_payments_of_document(repo, company_id, document.id),
        iban=counterparty.iban,
        amount=amount,
        excluding=payment.id,
    )
    if counterparty.iban == payment.counterparty.iban:
        needs.pop("new_iban", None)  # confirmed (or not needed) when the payment was made
    if amount <= payment.amount:
        needs.pop("over_amount", None)
    needs.pop("second_payment", None)  # the payment exists already: confirmed when it was made
    audit = _confirmations(needs, update.confirm, warnings, caller)
    fields: dict = {
        "counterparty": counterparty,
        "amount": amount,
        "communication": update.communication or payment.communication,
        "warnings": _unique(warnings + _name_warning(counterparty.name)),
    }
    if update.from_account is not None:
        fields["from_account"] = _from_account(settings, update.from_account)
    if update.execution_date is not None:
        if payment.method == Method.qr:
            raise Invalid(
                "a QR payment has no execution date",
                details=[{"field": "execution_date", "problem": "a QR payment is paid now"}],
            )
        fields["execution_date"] = _past_or_today(update.execution_date)
    edited = AuditEvent(
        at=now(), by=caller.email, event="edited", detail={k: _audit_value(v) for k, v in changes.items()}
    )
    changed = payment.model_copy(update={**fields, "audit": [*payment.audit, edited, *audit]})
    return _write(repo, changed, expected=payment.version)


def _audit_value(value) -> str:
    return json.dumps(value, default=str, separators=(",", ":"))[:300]


def cancel_payment(*, repo: Repository, caller: Caller, company_id: str, payment_id: str) -> Payment:
    payment = _editable(repo, caller, company_id, payment_id)
    cancelled = payment.model_copy(
        update={
            "status": PaymentStatus.cancelled,
            "audit": [*payment.audit, AuditEvent(at=now(), by=caller.email, event="cancelled")],
        }
    )
    cancelled = _write(repo, cancelled, expected=payment.version)
    if payment.status == PaymentStatus.to_approve:
        approvals = _approvals_payments()
        withdraw = getattr(approvals, "withdraw_payment_approval", None) if approvals else None
        if withdraw:  # its chain ends `withdrawn` and leaves the approvers' lists
            withdraw(repo=repo, company_id=company_id, payment_id=payment.id, by=caller.email)
    _refresh_document(repo, company_id, payment.document_id)
    return cancelled


def payment_qr(*, repo: Repository, caller: Caller, company_id: str, payment_id: str, fmt: str) -> bytes:
    authorize(repo=repo, caller=caller, company_id=company_id)
    payment = _get_payment(repo, company_id, payment_id)
    if payment.method != Method.qr:
        raise NotFound("this payment is paid by SEPA file; it has no QR code")
    if payment.status not in (PaymentStatus.executed,):
        raise Conflict(f"this payment is {payment.status.value}")
    return epc.render(epc.epc_qr(qr_payload(payment)), fmt)


def qr_payload(payment: Payment) -> bytes:
    communication = payment.communication
    return epc.epc_payload(
        name=text.sepa_name(payment.counterparty.name)[0],
        iban=payment.counterparty.iban,
        bic=payment.counterparty.bic,
        amount=payment.amount,
        reference=communication.value if communication.type == "structured" else None,
        free_text=text.sepa_text(communication.value) if communication.type == "unstructured" else None,
    )


def document_payments(*, repo: Repository, company_id: str, document_id: str) -> DocumentPayments:
    """What the document view shows of its payments (the caller is checked by the documents context)."""
    payments = _payments_of_document(repo, company_id, document_id)
    status = _document_status(payments)
    done = any(p.status == PaymentStatus.executed for p in payments)
    return DocumentPayments(
        payment_status=status,
        icon="done" if done else "pending" if status else "none",
        done=done,
        payments=[PaymentSummary.of(p) for p in payments],
    )


# ---- the approvals' callbacks (their worker calls these when a payment's chain ends) ------------


def payment_approved(
    *, repo: Repository, company_id: str, payment_id: str, decided_by: str | None = None
) -> Payment:
    """The chain approved the payment: it goes to the to_execute tab. Idempotent."""
    payment = _get_payment(repo, company_id, payment_id)
    if payment.status != PaymentStatus.to_approve:
        return payment
    approved = payment.model_copy(
        update={
            "status": PaymentStatus.to_execute,
            "audit": [*payment.audit, AuditEvent(at=now(), by=decided_by, event="approved")],
        }
    )
    return _write(repo, approved, expected=payment.version)


def payment_rejected(
    *,
    repo: Repository,
    company_id: str,
    payment_id: str,
    decided_by: str | None = None,
    reason: str | None = None,
) -> Payment:
    """The chain rejected the payment (or it expired): it leaves the tabs and the invoice is open again.
    Idempotent."""
    payment = _get_payment(repo, company_id, payment_id)
    if payment.status != PaymentStatus.to_approve:
        return payment
    rejected = payment.model_copy(
        update={
            "status": PaymentStatus.rejected,
            "audit": [
                *payment.audit,
                AuditEvent(
                    at=now(), by=decided_by, event="rejected", detail={"reason": reason} if reason else {}
                ),
            ],
        }
    )
    rejected = _write(repo, rejected, expected=payment.version)
    _refresh_document(repo, company_id, payment.document_id)
    return rejected


# ---- SEPA files ----------------------------------------------------------------------------------


def _end_to_end_ids(payments: list[Payment]) -> dict[str, str]:
    """The invoice number when a bank takes it as is and it is unique in the file, else the payment id."""
    numbers = [p.invoice_number for p in payments if p.invoice_number]
    out = {}
    for payment in payments:
        number = payment.invoice_number
        if number and text.is_sepa_id(number) and numbers.count(number) == 1:
            out[payment.id] = number
        else:
            out[payment.id] = text.sepa_id(payment.id)
    taken = list(out.values())
    for payment_id, value in out.items():  # an invoice number equal to another payment's id
        if taken.count(value) > 1:
            out[payment_id] = text.sepa_id(payment_id)
    return out


def create_sepa_file(
    *, repo: Repository, blobs: BlobStore, caller: Caller, company_id: str, request: SepaFileCreate
) -> SepaFile:
    authorize(repo=repo, caller=caller, company_id=company_id, roles=PAYERS)
    payments = [_get_payment(repo, company_id, pid) for pid in request.payments]
    for payment in payments:
        if payment.sepa_file_id:
            raise Conflict(f"the payment {payment.id} is already in the SEPA file {payment.sepa_file_id}")
        if payment.method != Method.sepa:
            raise Conflict(f"the payment {payment.id} is paid by QR code; it goes in no file")
        if payment.status != PaymentStatus.to_execute:
            raise Conflict(f"the payment {payment.id} is {payment.status.value}, not to_execute")
    settings = read_company_settings(repo=repo, company_id=company_id)
    if request.from_account is not None:
        debtor_account = _from_account(settings, request.from_account)
    else:
        accounts = {p.from_account.iban for p in payments if p.from_account}
        if len(accounts) > 1:
            raise Invalid(
                "these payments are from several accounts: a file pays from one; choose from_account",
                details=[{"field": "from_account", "problem": "one debtor account per file"}],
            )
        debtor_account = _from_account(settings, accounts.pop() if accounts else None)
    version = (request.pain_version.value if request.pain_version else None) or settings.sepa_pain_version
    company = read_company(repo=repo, company_id=company_id)
    debtor_name, debtor_shortened = text.sepa_name(company.name)
    warnings = _name_warning(company.name) if debtor_shortened else []
    file_id = new_id("sf")
    message_id = text.sepa_id(file_id)
    at = now()
    end_to_end = _end_to_end_ids(payments)
    held: list[SepaFilePayment] = []
    transfers: list[pain.Transfer] = []
    for payment in payments:
        day = _past_or_today(request.execution_date or payment.execution_date)
        name, shortened = text.sepa_name(payment.counterparty.name)
        if shortened:
            warnings.append(
                PaymentWarning(code="name_shortened", message=f"{payment.id}: the name travels as {name!r}")
            )
        communication = payment.communication
        transfers.append(
            pain.Transfer(
                end_to_end_id=end_to_end[payment.id],
                name=name,
                iban=payment.counterparty.iban,
                bic=payment.counterparty.bic,
                amount=payment.amount,
                execution_date=day,
                reference=communication.value if communication.type == "structured" else None,
                free_text=text.sepa_text(communication.value)
                if communication.type == "unstructured"
                else None,
            )
        )
        held.append(
            SepaFilePayment(
                id=payment.id,
                document_id=payment.document_id,
                end_to_end_id=end_to_end[payment.id],
                counterparty_name=name,
                counterparty_iban=payment.counterparty.iban,
                amount=payment.amount,
                execution_date=day,
                communication=communication,
            )
        )
    xml = pain.build(
        version=version,
        message_id=message_id,
        created_at=at.astimezone(BRUSSELS),
        debtor=pain.Debtor(name=debtor_name, iban=debtor_account.iban, bic=debtor_account.bic),
        transfers=transfers,
    )
    sepa_file = SepaFile(
        id=file_id,
        company_id=company_id,
        message_id=message_id,
        pain_version=version,
        from_account=debtor_account,
        created_at=at,
        created_by=caller.email,
        number_of_payments=len(payments),
        total=sum((p.amount for p in payments), Decimal(0)),
        execution_dates=sorted({p.execution_date for p in held}),
        payments=held,
        warnings=_unique(warnings) if len(warnings) < 2 else warnings,
        size=len(xml),
        sha256=hashlib.sha256(xml).hexdigest(),
    )
    by_id = {p.id: p for p in held}
    claimed = [
        payment.model_copy(
            update={
                "status": PaymentStatus.executed,
                "sepa_file_id": file_id,
                "end_to_end_id": end_to_end[payment.id],
                "from_account": debtor_account,
                "execution_date": by_id[payment.id].execution_date,
                "executed_at": at,
                "audit": [
                    *payment.audit,
                    AuditEvent(
                        at=at, by=caller.email, event="in_file", detail={"file": file_id, "pain": version}
                    ),
                ],
            }
        )
        for payment in payments
    ]
    _claim(repo, payments, claimed, file_id)
    try:
        blobs.put(keys.sepa_file_object_key(company_id, file_id), xml, content_type="application/xml")
        repo.create(_file_item(sepa_file))
    except Exception:
        _release(repo, company_id, [p.id for p in payments], file_id)
        raise
    known = {p.id: p for p in claimed}
    for document_id in dict.fromkeys(p.document_id for p in payments):
        _refresh_document(repo, company_id, document_id, known)
    return sepa_file


def _claim(repo: Repository, before: list[Payment], claimed: list[Payment], file_id: str) -> None:
    """Put each payment in the file, on the condition that nobody changed it since it was read: all of
    them, or none (a concurrent file or edit makes this one a Conflict, and what was claimed is released)."""
    done: list[str] = []
    for start in range(0, len(claimed), CLAIM_CHUNK):
        chunk = list(
            zip(before[start : start + CLAIM_CHUNK], claimed[start : start + CLAIM_CHUNK], strict=True)
        )
        try:
            repo.write_all([(_to_item(new), old.version) for old, new in chunk])
        except Conflict:
            _release(repo, claimed[0].company_id, done, file_id)
            raise Conflict(
                "some of these payments changed or went into another file meanwhile; reload the tab"
            ) from None
        done += [new.id for _, new in chunk]


def _release(repo: Repository, company_id: str, payment_ids: list[str], file_id: str) -> None:
    """Undo a claim: the payments this file took go back to to_execute."""
    for payment_id in payment_ids:
        payment = _get_payment(repo, company_id, payment_id)
        if payment.sepa_file_id != file_id:
            continue
        released = payment.model_copy(
            update={
                "status": PaymentStatus.to_execute,
                "sepa_file_id": None,
                "end_to_end_id": None,
                "executed_at": None,
                "audit": [*payment.audit, AuditEvent(at=now(), event="released", detail={"file": file_id})],
            }
        )
        repo.replace_versioned(_to_item(released), expected_version=payment.version)


def _file_item(sepa_file: SepaFile) -> Item:
    data = json.loads(sepa_file.model_dump_json(), parse_float=Decimal)
    return {
        "pk": keys.company_pk(sepa_file.company_id),
        "sk": keys.sepa_file_sk(sepa_file.id),
        "kind": "sepa_file",
        **data,
    }


def list_sepa_files(*, repo: Repository, caller: Caller, company_id: str) -> list[SepaFile]:
    authorize(repo=repo, caller=caller, company_id=company_id)
    items = repo.query(keys.company_pk(company_id), sk_prefix=keys.SEPA_FILE_SK_PREFIX, descending=True)
    return [
        SepaFile.model_validate({k: v for k, v in i.items() if k not in ("pk", "sk", "kind")}) for i in items
    ]


def read_sepa_file(
    *, repo: Repository, blobs: BlobStore, caller: Caller, company_id: str, file_id: str
) -> tuple[SepaFile, bytes]:
    authorize(repo=repo, caller=caller, company_id=company_id)
    if not is_valid_id(file_id, "sf"):
        raise NotFound("SEPA file not found")
    item = repo.get(keys.company_pk(company_id), keys.sepa_file_sk(file_id))
    if item is None:
        raise NotFound("SEPA file not found")
    sepa_file = SepaFile.model_validate({k: v for k, v in item.items() if k not in ("pk", "sk", "kind")})
    return sepa_file, blobs.get(keys.sepa_file_object_key(company_id, file_id))


class DocumentWithPayments(Document):
    """A document as its view shows it: with its payments (status, icon, done tick, the list)."""

    payments: DocumentPayments


def with_payments(*, repo: Repository, document: Document) -> DocumentWithPayments:
    """The documents view's one call into payments: the document, plus what it shows of its payments."""
    payments = document_payments(repo=repo, company_id=document.company_id, document_id=document.id)
    return DocumentWithPayments(**dict(document), payments=payments)
