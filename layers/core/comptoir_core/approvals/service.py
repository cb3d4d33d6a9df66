"""Approvals use cases: settings, rules, starting chains, recording what the chain waits for, decisions,
reminders and expiry.

The chain's logic is here; the state machine (infra/statemachines/approval_chain.asl.json) only holds the
order and the waiting: one SQS callback task per required approval, and a message when it ends. The chain
record (`Chain`) is ours; an invoice's document item mirrors its public part (`approval_status`, `approval`).
"""

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from botocore.exceptions import ClientError

from comptoir_core import aws, keys, notifications
from comptoir_core.approvals.models import (
    AppliedRule,
    ApprovalBlock,
    ApprovalSettings,
    AuditEvent,
    BulkDecision,
    BulkResult,
    BulkResults,
    Chain,
    ChainRead,
    ChainState,
    Decision,
    InvoiceApprovalItem,
    InvoiceRule,
    InvoiceRuleWrite,
    Kind,
    Mode,
    PaymentRule,
    PaymentRuleUser,
    PaymentRuleWrite,
    Person,
    Task,
    Toggle,
    ToggleRead,
)
from comptoir_core.approvals.views import approval_status_for
from comptoir_core.documents import store as documents
from comptoir_core.documents.models import Document, DocumentStatus, Mailbox
from comptoir_core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from comptoir_core.ids import is_valid_id, new_id
from comptoir_core.observability import logger
from comptoir_core.repository import Repository
from comptoir_core.settings import Settings, get_settings
from comptoir_core.tenancy import Caller, Role, authorize

ADMINS = frozenset({Role.admin})
CLIENTS = frozenset({Role.admin, Role.user})
REJECTED = "Rejected"
EXPIRED = "Expired"
_SAVE_TRIES = 8
BULK_AT_ONCE = 4
# The Approvals screen's list: at most this many invoices, newest chains first.
INVOICE_LIST_LIMIT = 200


def now() -> datetime:
    return datetime.now(UTC)


def _audit(event: str, *, by: str | None = None, detail: str | None = None) -> AuditEvent:
    return AuditEvent(at=now(), event=event, by=by, detail=detail)


# ---- people --------------------------------------------------------------------------------------


def members(*, repo: Repository, company_id: str) -> dict[str, tuple[str, Role]]:
    """The company's members: user id → (e-mail, role)."""
    found = {}
    for item in repo.query(keys.company_pk(company_id), sk_prefix="MEMBER#"):
        profile = repo.get(keys.user_pk(item["user_id"]), keys.USER_PROFILE) or {}
        found[item["user_id"]] = (profile.get("email", ""), Role(item["role"]))
    return found


def _resolve(
    refs: list[str], people: dict[str, tuple[str, Role]], *, client_only: bool = True
) -> list[Person]:
    """User ids or e-mails of members into people; an unknown one (or an accountant) is a 400 naming it."""
    by_email = {email.casefold(): uid for uid, (email, _) in people.items()}
    resolved, unknown = [], []
    for ref in refs:
        uid = ref if ref in people else by_email.get(ref.casefold())
        if uid is None or (client_only and people[uid][1] == Role.accountant):
            unknown.append(ref)
        elif uid not in (p.id for p in resolved):
            resolved.append(Person(id=uid, email=people[uid][0]))
    if unknown:
        raise Invalid("these are not admins or users of the company: " + ", ".join(unknown))
    return resolved


# ---- settings ------------------------------------------------------------------------------------


def read_settings(*, repo: Repository, company_id: str) -> ApprovalSettings:
    item = repo.get(keys.company_pk(company_id), keys.APPROVAL_SETTINGS_SK)
    return ApprovalSettings.model_validate(item or {})


def _write_settings(repo: Repository, company_id: str, settings: ApprovalSettings) -> None:
    repo.put(
        {
            "pk": keys.company_pk(company_id),
            "sk": keys.APPROVAL_SETTINGS_SK,
            **settings.model_dump(mode="json"),
        }
    )


def _toggle_read(settings: ApprovalSettings, enabled: bool) -> ToggleRead:
    return ToggleRead(
        enabled=enabled,
        reminder_days=settings.reminder_days,
        limit_days=settings.limit_days,
        default_rule_id=settings.default_rule_id,
    )


def get_toggle(*, repo: Repository, caller: Caller, company_id: str, kind: Kind) -> ToggleRead:
    authorize(repo=repo, caller=caller, company_id=company_id)
    settings = read_settings(repo=repo, company_id=company_id)
    enabled = settings.invoice_enabled if kind == Kind.invoice else settings.payment_enabled
    return _toggle_read(settings, enabled)


def set_toggle(
    *, repo: Repository, caller: Caller, company_id: str, kind: Kind, toggle: Toggle
) -> ToggleRead:
    """Turn invoice or payment approval on or off (admins). Turning invoice approval on makes the default
    rule (approved by this admin) if there is none; payment approval stays on while payments wait."""
    authorize(repo=repo, caller=caller, company_id=company_id, roles=ADMINS)
    settings = read_settings(repo=repo, company_id=company_id)
    changes: dict = {}
    if toggle.reminder_days is not None:
        changes["reminder_days"] = toggle.reminder_days
    if toggle.limit_days is not None:
        changes["limit_days"] = toggle.limit_days
    if kind == Kind.invoice:
        changes["invoice_enabled"] = toggle.enabled
        if toggle.enabled and not _default_rule_exists(repo, company_id, settings):
            rule = InvoiceRule(
                id=new_id("rul"), approvers=[Person(id=caller.user_id, email=caller.email)], default=True
            )
            _put_rule(repo, company_id, Kind.invoice, rule)
            changes["default_rule_id"] = rule.id
    else:
        if not toggle.enabled and settings.payment_enabled:
            waiting = [c for c in _chains(repo, company_id, Kind.payment) if c.state == ChainState.pending]
            if waiting:
                raise Conflict(
                    f"{len(waiting)} payment(s) wait for approval; decide them before turning approval off",
                    details=[c.subject_id for c in waiting],
                )
        changes["payment_enabled"] = toggle.enabled
    settings = settings.model_copy(update=changes)
    _write_settings(repo, company_id, settings)
    return _toggle_read(settings, toggle.enabled)


def _default_rule_exists(repo: Repository, company_id: str, settings: ApprovalSettings) -> bool:
    return bool(
        settings.default_rule_id
        and repo.get(
            keys.company_pk(company_id), keys.approval_rule_sk(Kind.invoice.value, settings.default_rule_id)
        )
    )


def invoice_approval_on(*, repo: Repository, company_id: str) -> bool:
    return read_settings(repo=repo, company_id=company_id).invoice_enabled


# ---- rules ---------------------------------------------------------------------------------------


def _put_rule(repo: Repository, company_id: str, kind: Kind, rule: InvoiceRule | PaymentRule) -> None:
    data = json.loads(rule.model_dump_json(), parse_float=Decimal)
    repo.put(
        {"pk": keys.company_pk(company_id), "sk": keys.approval_rule_sk(Kind(kind).value, rule.id), **data}
    )


def _rules(repo: Repository, company_id: str, kind: Kind) -> list:
    model = InvoiceRule if kind == Kind.invoice else PaymentRule
    items = repo.query(keys.company_pk(company_id), sk_prefix=keys.approval_rule_prefix(Kind(kind).value))
    return [model.model_validate({k: v for k, v in item.items() if k not in ("pk", "sk")}) for item in items]


def _rule(repo: Repository, company_id: str, kind: Kind, rule_id: str):
    if not is_valid_id(rule_id, "rul"):
        raise NotFound("rule not found")
    item = repo.get(keys.company_pk(company_id), keys.approval_rule_sk(Kind(kind).value, rule_id))
    if item is None:
        raise NotFound("rule not found")
    model = InvoiceRule if kind == Kind.invoice else PaymentRule
    return model.model_validate({k: v for k, v in item.items() if k not in ("pk", "sk")})


def list_rules(*, repo: Repository, caller: Caller, company_id: str, kind: Kind) -> list:
    authorize(repo=repo, caller=caller, company_id=company_id)
    return _rules(repo, company_id, kind)


def _build_rule(repo: Repository, company_id: str, kind: Kind, rule_id: str, write, *, default: bool = False):
    people = members(repo=repo, company_id=company_id)
    if kind == Kind.invoice:
        return InvoiceRule(
            id=rule_id,
            approvers=_resolve(write.approvers, people),
            suppliers=[s.replace(" ", "").replace(".", "").upper() for s in write.suppliers],
            labels=write.labels,
            min_amount=write.min_amount,
            mode=write.mode,
            default=default,
        )
    users = _resolve([u.user for u in write.users], people)
    if len(users) != len(write.users):
        raise Invalid("a user appears twice in the rule")
    return PaymentRule(
        id=rule_id,
        users=[
            PaymentRuleUser(user=p, max_amount=u.max_amount) for p, u in zip(users, write.users, strict=True)
        ],
    )


def create_rule(
    *,
    repo: Repository,
    caller: Caller,
    company_id: str,
    kind: Kind,
    write: InvoiceRuleWrite | PaymentRuleWrite,
):
    authorize(repo=repo, caller=caller, company_id=company_id, roles=ADMINS)
    rule = _build_rule(repo, company_id, kind, new_id("rul"), write)
    _put_rule(repo, company_id, kind, rule)
    return rule


def update_rule(
    *,
    repo: Repository,
    caller: Caller,
    company_id: str,
    kind: Kind,
    rule_id: str,
    write: InvoiceRuleWrite | PaymentRuleWrite,
):
    """A change applies to chains started from now on; running chains keep the rules they started with."""
    authorize(repo=repo, caller=caller, company_id=company_id, roles=ADMINS)
    existing = _rule(repo, company_id, kind, rule_id)
    rule = _build_rule(repo, company_id, kind, rule_id, write, default=getattr(existing, "default", False))
    _put_rule(repo, company_id, kind, rule)
    return rule


def delete_rule(*, repo: Repository, caller: Caller, company_id: str, kind: Kind, rule_id: str) -> None:
    authorize(repo=repo, caller=caller, company_id=company_id, roles=ADMINS)
    rule = _rule(repo, company_id, kind, rule_id)
    settings = read_settings(repo=repo, company_id=company_id)
    if kind == Kind.invoice and rule.default and settings.invoice_enabled:
        raise Conflict("the default rule cannot be deleted while invoice approval is on; edit it instead")
    repo.delete(keys.company_pk(company_id), keys.approval_rule_sk(Kind(kind).value, rule_id))


# ---- chain records -------------------------------------------------------------------------------


def _chain_item(chain: Chain) -> dict:
    data = json.loads(chain.model_dump_json(exclude={"version"}), parse_float=Decimal)
    item = {
        "pk": keys.company_pk(chain.company_id),
        "sk": keys.approval_chain_sk(chain.kind, chain.subject_id),
    }
    if chain.state == ChainState.pending:
        item |= keys.pending_chain_gsi1(
            chain.started_at.isoformat(), chain.company_id, chain.kind.value, chain.subject_id
        )
    return {**item, **data}


def _from_item(item: dict) -> Chain:
    return Chain.model_validate({k: v for k, v in item.items() if k not in ("pk", "sk", "gsi1pk", "gsi1sk")})


def read_chain(*, repo: Repository, company_id: str, kind: Kind, subject_id: str) -> Chain | None:
    item = repo.get(keys.company_pk(company_id), keys.approval_chain_sk(Kind(kind).value, subject_id))
    return _from_item(item) if item else None


def _save(repo: Repository, chain: Chain) -> Chain:
    written = repo.replace_versioned(_chain_item(chain), expected_version=chain.version)
    return chain.model_copy(update={"version": int(written["version"])})


def _chains(repo: Repository, company_id: str, kind: Kind) -> list[Chain]:
    items = repo.query(keys.company_pk(company_id), sk_prefix=keys.approval_chain_prefix(Kind(kind).value))
    return [_from_item(item) for item in items]


def pending_count(*, repo: Repository, company_id: str) -> int:
    """How many invoice and payment chains of the company wait for a decision (the firm's view)."""
    return sum(
        1 for kind in Kind for chain in _chains(repo, company_id, kind) if chain.state == ChainState.pending
    )


def _change(repo: Repository, company_id: str, kind: Kind, subject_id: str, change) -> Chain:
    """Read the chain, apply `change(chain) -> Chain | None`, write it if changed; again if someone else won."""
    for _ in range(_SAVE_TRIES):
        chain = read_chain(repo=repo, company_id=company_id, kind=kind, subject_id=subject_id)
        if chain is None:
            raise NotFound("no approval for this " + ("document" if kind == Kind.invoice else "payment"))
        changed = change(chain)
        if changed is None:
            return chain
        try:
            return _save(repo, changed)
        except Conflict:
            continue
    raise Conflict("the approval changed meanwhile; try again")


def block_of(chain: Chain) -> ApprovalBlock:
    return ApprovalBlock(
        pending=[chain.person(uid) for uid in chain.pending_users()],
        decisions=chain.decisions,
        rules=chain.rules,
        audit=chain.audit,
    )


def _mirror(repo: Repository, chain: Chain) -> None:
    """Show an invoice's chain on its document (the lists and the view read it there)."""
    if chain.kind != Kind.invoice:
        return
    for _ in range(_SAVE_TRIES):
        document = documents.get_document(
            repo=repo, company_id=chain.company_id, document_id=chain.subject_id
        )
        changed = document.model_copy(
            update={"approval_status": chain.state.value, "approval": block_of(chain)}
        )
        try:
            documents.save(repo=repo, document=changed)
            return
        except Conflict:
            continue
    raise Conflict("the document changed meanwhile")


# ---- starting ------------------------------------------------------------------------------------


def _amount(document: Document) -> Decimal | None:
    try:
        value = document.field_value("total_incl_vat")
        return Decimal(str(value)) if value is not None else None
    except (InvalidOperation, ValueError):
        return None


def invoice_tasks(rules: list[InvoiceRule], document: Document) -> tuple[list[InvoiceRule], list[Task]]:
    """The rules that apply to an invoice (every matching one; the default one when none does), and the
    approvals they require: one per approver of an all-rule, one for the group of an any-rule."""
    supplier = document.field_value("supplier_vat")
    amount = _amount(document)
    applied = [
        r
        for r in rules
        if not r.default and r.matches(supplier_vat=supplier, labels=document.labels, amount=amount)
    ]
    if not applied:
        applied = [r for r in rules if r.default]
    tasks: list[Task] = []
    seen: set[tuple[str, ...]] = set()
    for rule in applied:
        groups = (
            [[p.id] for p in rule.approvers] if rule.mode == Mode.all else [[p.id for p in rule.approvers]]
        )
        for group in groups:
            if tuple(sorted(group)) in seen:
                continue
            seen.add(tuple(sorted(group)))
            tasks.append(Task(index=len(tasks), rule_id=rule.id, approvers=group))
    return applied, tasks


def start_invoice_chain(
    *, repo: Repository, settings: Settings, document: Document, restarted_from: Chain | None = None
) -> Document:
    """Start the chain of a purchase invoice that entered the Purchase box, if invoice approval is on.
    Idempotent: the execution name is the document's id and version at start, so a duplicate event starts
    nothing new. Returns the document as written."""
    if document.mailbox != Mailbox.purchase or document.status != DocumentStatus.inbox:
        return document
    if not invoice_approval_on(repo=repo, company_id=document.company_id):
        return document
    existing = read_chain(
        repo=repo, company_id=document.company_id, kind=Kind.invoice, subject_id=document.id
    )
    if existing is not None and existing.state != ChainState.pending:
        return document
    if existing is None:
        rules, tasks = invoice_tasks(_rules(repo, document.company_id, Kind.invoice), document)
        if not tasks:
            return document
        people = members(repo=repo, company_id=document.company_id)
        chain = Chain(
            kind=Kind.invoice,
            company_id=document.company_id,
            subject_id=document.id,
            name=f"inv-{document.id}-v{document.version}",
            started_at=now(),
            rules=[_applied(r) for r in rules],
            tasks=tasks,
            people={uid: email for uid, (email, _) in people.items()},
            audit=[
                *(restarted_from.audit if restarted_from else []),
                *(
                    [_audit("restarted", detail="a correction changed the supplier or the amount")]
                    if restarted_from
                    else []
                ),
                _audit("started", detail="rules " + ", ".join(r.id for r in rules)),
            ],
            amount=_amount(document),
        )
        try:
            existing = _save(repo, chain)
            _tell(repo, settings, existing, notifications.Kind.approval_waiting, existing.pending_users())
        except Conflict:
            existing = read_chain(
                repo=repo, company_id=document.company_id, kind=Kind.invoice, subject_id=document.id
            )
    _start_execution(settings, existing)
    _mirror(repo, existing)
    return documents.get_document(repo=repo, company_id=document.company_id, document_id=document.id)


def _applied(rule: InvoiceRule | PaymentRule) -> AppliedRule:
    if isinstance(rule, InvoiceRule):
        return AppliedRule(
            id=rule.id,
            mode=rule.mode,
            approvers=rule.approvers,
            default=rule.default,
            suppliers=rule.suppliers,
            labels=rule.labels,
            min_amount=rule.min_amount,
        )
    return AppliedRule(
        id=rule.id,
        mode=Mode.all,
        approvers=[u.user for u in rule.users],
        max_amounts={u.user.id: u.max_amount for u in rule.users},
    )


def _start_execution(settings: Settings, chain: Chain) -> None:
    """StartExecution under the chain's name; a second start of the same name is the same execution."""
    payload = {
        "chain": {
            "kind": chain.kind.value,
            "company_id": chain.company_id,
            "subject_id": chain.subject_id,
            "name": chain.name,
        },
        "tasks": [{"index": t.index, "approvers": t.approvers} for t in chain.tasks],
    }
    try:
        aws.client("stepfunctions").start_execution(
            stateMachineArn=settings.approval_chain_arn, name=chain.name, input=json.dumps(payload)
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ExecutionAlreadyExists":
            raise


def restart_invoice_chain(*, repo: Repository, settings: Settings, document: Document) -> Document:
    """A correction changed the supplier or the amount: before any decision, the chain starts again with
    the rules as they are now; after one, it goes on."""
    chain = read_chain(repo=repo, company_id=document.company_id, kind=Kind.invoice, subject_id=document.id)
    if chain is None or chain.state != ChainState.pending or chain.decisions:
        return document
    _stop_execution(settings, chain)
    repo.delete(keys.company_pk(document.company_id), keys.approval_chain_sk(Kind.invoice.value, document.id))
    return start_invoice_chain(repo=repo, settings=settings, document=document, restarted_from=chain)


def _stop_execution(settings: Settings, chain: Chain) -> None:
    arn = settings.approval_chain_arn.replace(":stateMachine:", ":execution:") + f":{chain.name}"
    try:
        aws.client("stepfunctions").stop_execution(executionArn=arn, cause="restarted after a correction")
    except ClientError:
        logger.warning("the chain to restart was not running", extra={"chain": chain.name})


def request_payment_approval(
    *,
    repo: Repository,
    settings: Settings,
    company_id: str,
    payment_id: str,
    amount: Decimal,
    initiator_user_id: str,
    rule_id: str | None,
):
    """Pick the payment's rule and start its chain when it needs one. The initiator's request counts as
    their approval when they are in the rule; an initiator who alone forms the rule skips approval."""
    from comptoir_core.approvals.models import PaymentApprovalOutcome

    approval = read_settings(repo=repo, company_id=company_id)
    if not approval.payment_enabled:
        return PaymentApprovalOutcome(needs_approval=False, rule_id=None)
    rules: list[PaymentRule] = _rules(repo, company_id, Kind.payment)
    if rule_id is not None:
        rule = next((r for r in rules if r.id == rule_id), None)
        if rule is None:
            raise Invalid("no payment rule with this id")
        if not rule.fits(amount):
            raise Invalid(f"the rule {rule_id} does not allow a payment of {amount}: pick a rule that fits")
    else:
        fitting = [r for r in rules if r.fits(amount)]
        if not fitting:
            raise Invalid(f"no payment rule allows a payment of {amount}")
        # The initiator alone, then the fewest others to ask.
        fitting.sort(key=lambda r: len([u for u in r.users if u.user.id != initiator_user_id]))
        rule = fitting[0]
    others = [u.user.id for u in rule.users if u.user.id != initiator_user_id]
    if not others:
        return PaymentApprovalOutcome(needs_approval=False, rule_id=rule.id)
    people = members(repo=repo, company_id=company_id)
    decisions = []
    if initiator_user_id in {u.user.id for u in rule.users}:
        decisions.append(
            Decision(
                user=Person(id=initiator_user_id, email=people.get(initiator_user_id, ("", None))[0]),
                decision="approve",
                comment="initiated the payment",
                at=now(),
            )
        )
    chain = Chain(
        kind=Kind.payment,
        company_id=company_id,
        subject_id=payment_id,
        name=f"pay-{payment_id}-v1",
        started_at=now(),
        rules=[_applied(rule)],
        tasks=[Task(index=i, rule_id=rule.id, approvers=[uid]) for i, uid in enumerate(others)],
        people={uid: email for uid, (email, _) in people.items()},
        decisions=decisions,
        audit=[_audit("started", by=people.get(initiator_user_id, ("", None))[0], detail=f"rule {rule.id}")],
        amount=amount,
        initiator=initiator_user_id,
    )
    try:
        chain = _save(repo, chain)
    except Conflict:
        chain = read_chain(repo=repo, company_id=company_id, kind=Kind.payment, subject_id=payment_id)
    _start_execution(settings, chain)
    return PaymentApprovalOutcome(needs_approval=True, rule_id=rule.id)


def withdraw_payment_approval(
    *, repo: Repository, settings: Settings, company_id: str, payment_id: str, by: str
) -> None:
    """The payment was cancelled or changed while it waited: its chain ends `withdrawn` (nothing to tell
    payments back) and its execution stops. Nothing happens for a payment without a pending chain."""

    def withdraw(chain: Chain) -> Chain | None:
        if chain.state != ChainState.pending:
            return None
        return chain.model_copy(
            update={
                "state": ChainState.withdrawn,
                "ended_at": now(),
                "audit": [*chain.audit, _audit("ended", by=by, detail=ChainState.withdrawn.value)],
            }
        )

    if read_chain(repo=repo, company_id=company_id, kind=Kind.payment, subject_id=payment_id) is None:
        return
    chain = _change(repo, company_id, Kind.payment, payment_id, withdraw)
    if chain.state == ChainState.withdrawn:
        _stop_execution(settings, chain)


# ---- guards other contexts call ----------------------------------------------------------------


def missing_for_send(*, repo: Repository, document: Document) -> str | None:
    """Why an invoice cannot be sent yet while approval applies to it (None: it can)."""
    if document.approval_status is None:
        if document.mailbox == Mailbox.purchase and invoice_approval_on(
            repo=repo, company_id=document.company_id
        ):
            return "its approval has not started yet"
        return None
    if document.approval_status == ChainState.approved.value:
        return None
    if document.approval_status == ChainState.pending.value:
        waiting = ", ".join(p.email or p.id for p in (document.approval.pending if document.approval else []))
        return f"it waits for the approval of {waiting}"
    return f"it is {document.approval_status}"


def ensure_invoice_payable(*, repo: Repository, company_id: str, document_id: str) -> None:
    """Conflict for a rejected invoice, or one not approved while invoice approval is on."""
    document = documents.get_document(repo=repo, company_id=company_id, document_id=document_id)
    if document.approval_status == ChainState.rejected.value:
        raise Conflict("this invoice was rejected; it cannot be paid")
    if (
        invoice_approval_on(repo=repo, company_id=company_id)
        and document.mailbox == Mailbox.purchase
        and document.approval_status != ChainState.approved.value
    ):
        raise Conflict(f"this invoice is not approved: {missing_for_send(repo=repo, document=document)}")


# ---- the worker: what the chain waits for, and how it ended --------------------------------------


def record_task(*, repo: Repository, message: dict) -> None:
    """A callback task of the chain: keep its token with the approval it stands for. Redelivered, it
    writes the same again; if the approval was already decided, the decision goes back at once."""
    chain_ref, task_ref, token = message["chain"], message["task"], message["token"]
    kind, company_id, subject_id = Kind(chain_ref["kind"]), chain_ref["company_id"], chain_ref["subject_id"]

    def keep(chain: Chain) -> Chain | None:
        if chain.name != chain_ref["name"]:
            return None  # a restarted chain's old task
        task = chain.tasks[task_ref["index"]]
        if task.token == token:
            return None
        tasks = list(chain.tasks)
        tasks[task.index] = task.model_copy(update={"token": token, "answered": False})
        who = ", ".join(chain.people.get(u, u) for u in task.approvers)
        return chain.model_copy(
            update={"tasks": tasks, "audit": [*chain.audit, _audit("waiting", detail=who)]}
        )

    chain = _change(repo, company_id, kind, subject_id, keep)
    task = chain.tasks[task_ref["index"]]
    if chain.name == chain_ref["name"] and task.done and not task.answered:
        _answer(repo, chain, [task])


def record_end(*, repo: Repository, message: dict) -> Chain:
    """The chain ended (approved, rejected or expired): write the outcome, show it, tell payments."""
    chain_ref, outcome = message["chain"], ChainState(message["outcome"])
    kind, company_id, subject_id = Kind(chain_ref["kind"]), chain_ref["company_id"], chain_ref["subject_id"]

    def end(chain: Chain) -> Chain | None:
        if chain.name != chain_ref["name"] or chain.ended_at is not None:
            return None
        return chain.model_copy(
            update={
                "state": outcome,
                "ended_at": now(),
                "audit": [*chain.audit, _audit("ended", detail=outcome.value)],
            }
        )

    chain = _change(repo, company_id, kind, subject_id, end)
    if chain.name != chain_ref["name"]:
        return chain
    _mirror(repo, chain)
    if kind == Kind.payment:
        _tell_payments(repo, chain)
    elif chain.state == ChainState.rejected:
        # The company's admins and users hear of it (not the one who rejected, who knows).
        deciders = {d.user.id for d in chain.decisions}
        people = members(repo=repo, company_id=company_id).items()
        told = [uid for uid, (_, role) in people if uid not in deciders and role != Role.accountant]
        reason = next((d.comment for d in reversed(chain.decisions) if d.decision == "reject"), "") or ""
        by = chain.decisions[-1].user.email if chain.decisions else ""
        _tell(repo, get_settings(), chain, notifications.Kind.invoice_rejected, told, reason=reason, by=by)
    return chain


def _tell(repo: Repository, settings: Settings, chain: Chain, kind, recipients: list[str], **extra) -> None:
    """E-mail the people of a chain in their own language (comptoir_core.notifications). Best effort: the
    approval is recorded whatever the mail service says, and a failure is logged, never raised."""
    if not recipients:
        return
    company = repo.get(keys.company_pk(chain.company_id), keys.COMPANY_PROFILE) or {}
    page = f"doc/{chain.subject_id}" if chain.kind == Kind.invoice else "box/purchase"
    context = {
        "company": company.get("name", ""),
        "document": chain.subject_id,
        "link": f"{settings.portal_origin}/c/{chain.company_id}/{page}",
        **extra,
    }
    try:
        notifications.notify(repo=repo, kind=kind, recipients=recipients, context=context)
    except Exception:
        logger.exception("an approval e-mail was not sent", extra={"kind": str(kind)})


def _tell_payments(repo: Repository, chain: Chain) -> None:
    from comptoir_core.payments import service as payments

    by = chain.decisions[-1].user.email if chain.decisions else None
    if chain.state == ChainState.approved:
        payments.payment_approved(
            repo=repo, company_id=chain.company_id, payment_id=chain.subject_id, decided_by=by
        )
    else:
        reason = next((d.comment for d in reversed(chain.decisions) if d.decision == "reject"), None)
        payments.payment_rejected(
            repo=repo,
            company_id=chain.company_id,
            payment_id=chain.subject_id,
            decided_by=by,
            reason=reason or chain.state.value,
        )


# ---- decisions -----------------------------------------------------------------------------------


def decide(
    *,
    repo: Repository,
    caller: Caller,
    company_id: str,
    kind: Kind,
    subject_id: str,
    decision: str,
    comment: str | None,
) -> ChainRead:
    """A pending approver approves or rejects. Recorded first (the reason kept in the table, as
    SendTaskFailure loses its cause), then the chain is told through the task tokens."""
    membership = authorize(repo=repo, caller=caller, company_id=company_id)
    if decision == "reject" and not (comment or "").strip():
        raise Invalid("a rejection needs a comment")
    if kind == Kind.invoice:
        documents.get_document(repo=repo, company_id=company_id, document_id=subject_id)  # 404 if absent
    answered: list[Task] = []

    def record(chain: Chain) -> Chain:
        answered.clear()
        if chain.state != ChainState.pending:
            raise Conflict(f"this approval is already {chain.state.value}")
        mine = [t for t in chain.tasks if not t.done and caller.user_id in t.approvers]
        if not mine:
            if any(d.user.id == caller.user_id for d in chain.decisions):
                raise Conflict("you already decided")
            raise Forbidden("you are not an approver waited for here")
        tasks = list(chain.tasks)
        for task in mine:
            tasks[task.index] = task.model_copy(update={"done": True, "decided_by": caller.user_id})
            answered.append(tasks[task.index])
        made = Decision(
            user=Person(id=caller.user_id, email=caller.email), decision=decision, comment=comment, at=now()
        )
        return chain.model_copy(
            update={
                "tasks": tasks,
                "decisions": [*chain.decisions, made],
                "audit": [*chain.audit, _audit(f"{decision}d", by=caller.email, detail=comment)],
            }
        )

    chain = _change(repo, company_id, kind, subject_id, record)
    _mirror(repo, chain)
    _answer(repo, chain, [t for t in answered if t.token])
    return read_of(chain, viewer=caller.user_id, role=membership.role)


def _answer(repo: Repository, chain: Chain, tasks: list[Task]) -> None:
    """Give the decided tasks back to Step Functions: success for an approval, failure for a rejection.
    A task counts as answered once Step Functions took it, or said nothing waits for it any more; any
    other failure leaves it unanswered for the worker's redelivery or the scheduled sweep to try again."""
    client = aws.client("stepfunctions")
    rejected = any(d.decision == "reject" for d in chain.decisions)
    indexes = set()
    for task in tasks:
        try:
            if rejected:
                client.send_task_failure(taskToken=task.token, error=REJECTED, cause="rejected")
            else:
                client.send_task_success(taskToken=task.token, output=json.dumps({"by": task.decided_by}))
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code not in ("TaskTimedOut", "InvalidToken"):
                raise
            # The execution ended already (a rejection elsewhere, a stop): nothing waits for this one.
            logger.warning("a task token was not taken", extra={"error": code})
        indexes.add(task.index)

    def mark(current: Chain) -> Chain | None:
        updated = [
            t.model_copy(update={"answered": True}) if t.index in indexes else t for t in current.tasks
        ]
        return current.model_copy(update={"tasks": updated})

    if indexes:
        _change(repo, chain.company_id, chain.kind, chain.subject_id, mark)


def bulk_decide(*, repo: Repository, caller: Caller, company_id: str, request: BulkDecision) -> BulkResults:
    """Each id decided on its own (a few at once: each is a handful of table and Step Functions calls);
    one refused leaves the others done. Answers in the order asked."""
    authorize(repo=repo, caller=caller, company_id=company_id)

    def one(subject_id: str) -> BulkResult:
        try:
            decide(
                repo=repo,
                caller=caller,
                company_id=company_id,
                kind=request.kind,
                subject_id=subject_id,
                decision=request.decision,
                comment=request.comment,
            )
            return BulkResult(id=subject_id, ok=True)
        except DomainError as error:
            return BulkResult(id=subject_id, ok=False, error=f"{error.code}: {error.message}")

    with ThreadPoolExecutor(max_workers=BULK_AT_ONCE) as pool:
        return BulkResults(results=list(pool.map(one, dict.fromkeys(request.ids))))


def read_of(chain: Chain, *, viewer: str, role: Role) -> ChainRead:
    block = block_of(chain)
    return ChainRead(
        kind=chain.kind,
        id=chain.subject_id,
        state=chain.state,
        approval_status=approval_status_for(chain.state.value, block, viewer=viewer, role=role),
        pending=block.pending,
        decisions=chain.decisions,
        rules=chain.rules,
        audit=chain.audit,
        amount=chain.amount,
        started_at=chain.started_at,
        ended_at=chain.ended_at,
    )


def read_approval(
    *, repo: Repository, caller: Caller, company_id: str, kind: Kind, subject_id: str
) -> ChainRead:
    membership = authorize(repo=repo, caller=caller, company_id=company_id)
    chain = read_chain(repo=repo, company_id=company_id, kind=kind, subject_id=subject_id)
    if chain is None:
        raise NotFound("no approval for this " + kind.value)
    return read_of(chain, viewer=caller.user_id, role=membership.role)


def payments_to_approve(*, repo: Repository, caller: Caller, company_id: str, scope: str) -> list[ChainRead]:
    """Payments waiting for the caller (`mine`) or for others only (`others`)."""
    membership = authorize(repo=repo, caller=caller, company_id=company_id)
    found = []
    for chain in _chains(repo, company_id, Kind.payment):
        if chain.state != ChainState.pending:
            continue
        mine = membership.role != Role.accountant and caller.user_id in chain.pending_users()
        if mine == (scope == "mine"):
            found.append(read_of(chain, viewer=caller.user_id, role=membership.role))
    return found


def _text_or_none(value) -> str | None:
    return None if value in (None, "") else str(value)


def invoices_under_approval(
    *, repo: Repository, caller: Caller, company_id: str, scope: str
) -> list[InvoiceApprovalItem]:
    """Purchase invoices with an approval chain, newest first: those waiting for the caller (`mine`; never
    an accountant), those waiting for others only (`others`), or every one, whatever its state (`all`).
    A deleted document is left out."""
    membership = authorize(repo=repo, caller=caller, company_id=company_id)
    chains = sorted(_chains(repo, company_id, Kind.invoice), key=lambda c: c.started_at, reverse=True)
    found: list[InvoiceApprovalItem] = []
    for chain in chains:
        mine = membership.role != Role.accountant and caller.user_id in chain.pending_users()
        if (scope == "mine" and not mine) or (
            scope == "others" and (mine or chain.state != ChainState.pending)
        ):
            continue
        try:
            document = documents.get_document(repo=repo, company_id=company_id, document_id=chain.subject_id)
        except NotFound:
            continue
        if document.status == DocumentStatus.deleted:
            continue
        read = read_of(chain, viewer=caller.user_id, role=membership.role)
        found.append(
            InvoiceApprovalItem(
                id=document.id,
                name=document.name,
                mailbox=document.mailbox.value,
                status=document.status.value,
                supplier_name=_text_or_none(document.field_value("supplier_name")),
                invoice_number=_text_or_none(document.field_value("invoice_number")),
                invoice_date=_text_or_none(document.field_value("invoice_date")),
                amount=chain.amount if chain.amount is not None else _amount(document),
                state=chain.state,
                approval_status=read.approval_status,
                pending=read.pending,
                started_at=chain.started_at,
                ended_at=chain.ended_at,
            )
        )
        if len(found) >= INVOICE_LIST_LIMIT:
            break
    return found


# ---- after a restart of the local stack -------------------------------------------------------------


def resume_chains(*, repo: Repository, settings: Settings) -> int:
    """Start again, under a new name, every chain still pending whose execution is gone (the local stack
    restored its table, not its running executions). Decisions already made are given back as soon as
    the new execution's tasks arrive; the others wait as before."""
    resumed = 0
    for item in list(repo.query(keys.PENDING_CHAINS_GSI1PK, index=keys.GSI1)):
        kind, company_id, subject_id = Kind(item["kind"]), item["company_id"], item["subject_id"]

        def renamed(chain: Chain) -> Chain | None:
            if chain.state != ChainState.pending:
                return None
            base = chain.name.split("-r", 1)[0]
            return chain.model_copy(
                update={
                    "name": f"{base}-r{int(now().timestamp())}",
                    "tasks": [t.model_copy(update={"token": None, "answered": False}) for t in chain.tasks],
                    "audit": [*chain.audit, _audit("resumed", detail="the local stack restarted")],
                }
            )

        chain = _change(repo, company_id, kind, subject_id, renamed)
        if chain.state == ChainState.pending:
            _start_execution(settings, chain)
            resumed += 1
    return resumed


# ---- reminders and expiry --------------------------------------------------------------------------


def sweep(*, repo: Repository, settings: Settings, at: datetime | None = None) -> dict[str, int]:
    """The scheduled run: remind approvers waiting longer than their company's setting (once a day at
    most), end chains older than their limit, and give back any decision the chain did not get."""
    at = at or now()
    today = at.date().isoformat()
    counts = {"reminded": 0, "expired": 0, "answered": 0}
    company_settings: dict[str, ApprovalSettings] = {}
    for item in list(repo.query(keys.PENDING_CHAINS_GSI1PK, index=keys.GSI1)):
        chain = read_chain(
            repo=repo, company_id=item["company_id"], kind=Kind(item["kind"]), subject_id=item["subject_id"]
        )
        if chain is None or chain.state != ChainState.pending:
            continue
        if chain.company_id not in company_settings:
            company_settings[chain.company_id] = read_settings(repo=repo, company_id=chain.company_id)
        limits = company_settings[chain.company_id]
        unanswered = [t for t in chain.tasks if t.done and t.token and not t.answered]
        if unanswered:
            _answer(repo, chain, unanswered)
            counts["answered"] += len(unanswered)
        if at - chain.started_at > timedelta(days=limits.limit_days):
            counts["expired"] += _expire(repo, chain)
            continue
        if at - chain.started_at > timedelta(days=limits.reminder_days):
            counts["reminded"] += _remind(repo, settings, chain, today)
    return counts


def _expire(repo: Repository, chain: Chain) -> int:
    """Fail one waiting task with Expired: the chain's Catch ends it `expired` and the worker writes it."""
    waiting = [t for t in chain.tasks if not t.done and t.token]
    if not waiting:
        return 0
    try:
        aws.client("stepfunctions").send_task_failure(
            taskToken=waiting[0].token, error=EXPIRED, cause="expired"
        )
    except ClientError as error:
        logger.warning("an expired chain's token was not taken", extra={"error": str(error)})
        return 0
    return 1


def _remind(repo: Repository, settings: Settings, chain: Chain, today: str) -> int:
    due = [uid for uid in chain.pending_users() if chain.reminded.get(uid) != today]
    if not due:
        return 0
    _tell(repo, settings, chain, notifications.Kind.approval_reminder, due)

    def note(current: Chain) -> Chain:
        return current.model_copy(
            update={
                "reminded": {**current.reminded, **dict.fromkeys(due, today)},
                "audit": [
                    *current.audit,
                    _audit("reminded", detail=", ".join(current.people.get(u, u) for u in due)),
                ],
            }
        )

    chain = _change(repo, chain.company_id, chain.kind, chain.subject_id, note)
    _mirror(repo, chain)
    return len(due)
