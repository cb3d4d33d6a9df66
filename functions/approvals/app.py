"""approvals: invoice and payment approval settings and rules, decisions, the worker that records what the
approval chain (Step Functions) waits for and how it ended, and the reminder schedule. Thin: parse, call,
return."""

import json

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from chalice import Chalice, Rate, Response

from comptoir_core import wiring
from comptoir_core.accounts.modules import Module
from comptoir_core.api import authorizer, caller_in_company, dump, parse_body, parse_query, view
from comptoir_core.approvals import service
from comptoir_core.approvals.models import (
    BulkDecision,
    BulkResults,
    ChainRead,
    DecisionRequest,
    InvoiceApprovalItem,
    InvoiceApprovalQuery,
    InvoiceRule,
    InvoiceRuleWrite,
    Kind,
    PaymentRule,
    PaymentRuleWrite,
    PaymentScope,
    Toggle,
    ToggleRead,
)
from comptoir_core.observability import logger, metrics, observe
from comptoir_core.openapi_docs import documented, publish_openapi
from comptoir_core.settings import get_settings

app = Chalice(app_name="comptoir-approvals")
app.register_middleware(observe, "http")
publish_openapi(app, title="Comptoir approvals")

APPROVALS_QUEUE = "approvals"
_WRITES = {Kind.invoice: InvoiceRuleWrite, Kind.payment: PaymentRuleWrite}


# ---- settings --------------------------------------------------------------------------------------


@app.route("/companies/{cid}/invoice-approval", methods=["GET"], authorizer=authorizer)
@documented(answer=ToggleRead, errors=(404,))
@view
def invoice_approval(cid):
    """Whether invoice approval is on, and its reminder and limit settings."""
    caller = caller_in_company(app.current_request, cid, module=Module.approvals)
    return dump(
        service.get_toggle(repo=wiring.repository(), caller=caller, company_id=cid, kind=Kind.invoice)
    )


@app.route("/companies/{cid}/invoice-approval", methods=["PUT"], authorizer=authorizer)
@documented(body=Toggle, answer=ToggleRead, errors=(400, 403, 404))
@view
def set_invoice_approval(cid):
    """Turn invoice approval on (making the default rule: approved by this admin) or off. Admins."""
    caller = caller_in_company(app.current_request, cid, module=Module.approvals)
    toggle = parse_body(app.current_request, Toggle)
    return dump(
        service.set_toggle(
            repo=wiring.repository(), caller=caller, company_id=cid, kind=Kind.invoice, toggle=toggle
        )
    )


@app.route("/companies/{cid}/payment-approval", methods=["GET"], authorizer=authorizer)
@documented(answer=ToggleRead, errors=(404,))
@view
def payment_approval(cid):
    """Whether payment approval is on."""
    caller = caller_in_company(app.current_request, cid, module=Module.approvals)
    return dump(
        service.get_toggle(repo=wiring.repository(), caller=caller, company_id=cid, kind=Kind.payment)
    )


@app.route("/companies/{cid}/payment-approval", methods=["PUT"], authorizer=authorizer)
@documented(body=Toggle, answer=ToggleRead, errors=(400, 403, 404, 409))
@view
def set_payment_approval(cid):
    """Turn payment approval on or off (409 while payments wait for approval). Admins."""
    caller = caller_in_company(app.current_request, cid, module=Module.approvals)
    toggle = parse_body(app.current_request, Toggle)
    return dump(
        service.set_toggle(
            repo=wiring.repository(), caller=caller, company_id=cid, kind=Kind.payment, toggle=toggle
        )
    )


# ---- rules ---------------------------------------------------------------------------------------


def _list_rules(cid: str, kind: Kind):
    caller = caller_in_company(app.current_request, cid, module=Module.approvals)
    return dump(service.list_rules(repo=wiring.repository(), caller=caller, company_id=cid, kind=kind))


def _create_rule(cid: str, kind: Kind):
    caller = caller_in_company(app.current_request, cid, module=Module.approvals)
    write = parse_body(app.current_request, _WRITES[kind])
    rule = service.create_rule(
        repo=wiring.repository(), caller=caller, company_id=cid, kind=kind, write=write
    )
    return dump(rule, status=201)


def _update_rule(cid: str, kind: Kind, rid: str):
    caller = caller_in_company(app.current_request, cid, module=Module.approvals)
    write = parse_body(app.current_request, _WRITES[kind])
    return dump(
        service.update_rule(
            repo=wiring.repository(), caller=caller, company_id=cid, kind=kind, rule_id=rid, write=write
        )
    )


def _delete_rule(cid: str, kind: Kind, rid: str):
    caller = caller_in_company(app.current_request, cid, module=Module.approvals)
    service.delete_rule(repo=wiring.repository(), caller=caller, company_id=cid, kind=kind, rule_id=rid)
    return Response(body="", status_code=204)


@app.route("/companies/{cid}/invoice-rules", methods=["GET"], authorizer=authorizer)
@documented(answer=list[InvoiceRule], errors=(404,))
@view
def invoice_rules(cid):
    """The company's invoice approval rules."""
    return _list_rules(cid, Kind.invoice)


@app.route("/companies/{cid}/invoice-rules", methods=["POST"], authorizer=authorizer)
@documented(body=InvoiceRuleWrite, answer=InvoiceRule, status=201, errors=(400, 403, 404))
@view
def create_invoice_rule(cid):
    """Add an invoice rule: approvers, optional suppliers and labels, from an amount, all or any. Admins."""
    return _create_rule(cid, Kind.invoice)


@app.route("/companies/{cid}/invoice-rules/{rid}", methods=["PUT"], authorizer=authorizer)
@documented(body=InvoiceRuleWrite, answer=InvoiceRule, errors=(400, 403, 404))
@view
def update_invoice_rule(cid, rid):
    """Change an invoice rule; running chains keep the rules they started with. Admins."""
    return _update_rule(cid, Kind.invoice, rid)


@app.route("/companies/{cid}/invoice-rules/{rid}", methods=["DELETE"], authorizer=authorizer)
@documented(answer=None, status=204, errors=(403, 404, 409))
@view
def delete_invoice_rule(cid, rid):
    """Delete an invoice rule (the default one only while invoice approval is off). Admins."""
    return _delete_rule(cid, Kind.invoice, rid)


@app.route("/companies/{cid}/payment-rules", methods=["GET"], authorizer=authorizer)
@documented(answer=list[PaymentRule], errors=(404,))
@view
def payment_rules(cid):
    """The company's payment approval rules."""
    return _list_rules(cid, Kind.payment)


@app.route("/companies/{cid}/payment-rules", methods=["POST"], authorizer=authorizer)
@documented(body=PaymentRuleWrite, answer=PaymentRule, status=201, errors=(400, 403, 404))
@view
def create_payment_rule(cid):
    """Add a payment rule: users, each with the amount up to which they may approve. Admins."""
    return _create_rule(cid, Kind.payment)


@app.route("/companies/{cid}/payment-rules/{rid}", methods=["PUT"], authorizer=authorizer)
@documented(body=PaymentRuleWrite, answer=PaymentRule, errors=(400, 403, 404))
@view
def update_payment_rule(cid, rid):
    """Change a payment rule. Admins."""
    return _update_rule(cid, Kind.payment, rid)


@app.route("/companies/{cid}/payment-rules/{rid}", methods=["DELETE"], authorizer=authorizer)
@documented(answer=None, status=204, errors=(403, 404))
@view
def delete_payment_rule(cid, rid):
    """Delete a payment rule. Admins."""
    return _delete_rule(cid, Kind.payment, rid)


# ---- decisions -----------------------------------------------------------------------------------


def _decide(cid: str, kind: Kind, subject_id: str, decision: str):
    caller = caller_in_company(app.current_request, cid, module=Module.approvals)
    request = parse_body(app.current_request, DecisionRequest)
    logger.append_keys(subject_id=subject_id)
    read = service.decide(
        repo=wiring.repository(),
        caller=caller,
        company_id=cid,
        kind=kind,
        subject_id=subject_id,
        decision=decision,
        comment=request.comment,
    )
    metrics.add_metric(name=f"Approval{decision.capitalize()}d", unit="Count", value=1)
    return dump(read)


@app.route("/companies/{cid}/documents", methods=["GET"], authorizer=authorizer)
@documented(query=InvoiceApprovalQuery, answer=list[InvoiceApprovalItem], errors=(400, 404))
@view
def invoices_under_approval(cid):
    """Purchase invoices under approval, newest first: waiting for the caller (scope=mine), for others
    only (scope=others), or every one whatever its state (scope=all)."""
    caller = caller_in_company(app.current_request, cid, module=Module.approvals)
    query = parse_query(app.current_request, InvoiceApprovalQuery)
    return dump(
        service.invoices_under_approval(
            repo=wiring.repository(), caller=caller, company_id=cid, scope=query.scope
        )
    )


@app.route("/companies/{cid}/documents/{did}", methods=["GET"], authorizer=authorizer)
@documented(answer=ChainRead, errors=(404,))
@view
def invoice_chain(cid, did):
    """An invoice's approval: who it waits for, the decisions, the rules that applied, its audit trail."""
    caller = caller_in_company(app.current_request, cid, module=Module.approvals)
    return dump(
        service.read_approval(
            repo=wiring.repository(), caller=caller, company_id=cid, kind=Kind.invoice, subject_id=did
        )
    )


@app.route("/companies/{cid}/documents/{did}/approve", methods=["POST"], authorizer=authorizer)
@documented(body=DecisionRequest, answer=ChainRead, errors=(400, 403, 404, 409))
@view
def approve_invoice(cid, did):
    """Approve an invoice waiting for the caller."""
    return _decide(cid, Kind.invoice, did, "approve")


@app.route("/companies/{cid}/documents/{did}/reject", methods=["POST"], authorizer=authorizer)
@documented(body=DecisionRequest, answer=ChainRead, errors=(400, 403, 404, 409))
@view
def reject_invoice(cid, did):
    """Reject an invoice waiting for the caller (a comment is required)."""
    return _decide(cid, Kind.invoice, did, "reject")


@app.route("/companies/{cid}/payments", methods=["GET"], authorizer=authorizer)
@documented(query=PaymentScope, answer=list[ChainRead], errors=(400, 404))
@view
def payments_to_approve(cid):
    """Payments waiting for the caller's approval (scope=mine) or for others' only (scope=others)."""
    caller = caller_in_company(app.current_request, cid, module=Module.approvals)
    query = parse_query(app.current_request, PaymentScope)
    return dump(
        service.payments_to_approve(
            repo=wiring.repository(), caller=caller, company_id=cid, scope=query.scope
        )
    )


@app.route("/companies/{cid}/payments/{pid}", methods=["GET"], authorizer=authorizer)
@documented(answer=ChainRead, errors=(404,))
@view
def payment_chain(cid, pid):
    """A payment's approval and its audit trail."""
    caller = caller_in_company(app.current_request, cid, module=Module.approvals)
    return dump(
        service.read_approval(
            repo=wiring.repository(), caller=caller, company_id=cid, kind=Kind.payment, subject_id=pid
        )
    )


@app.route("/companies/{cid}/payments/{pid}/approve", methods=["POST"], authorizer=authorizer)
@documented(body=DecisionRequest, answer=ChainRead, errors=(400, 403, 404, 409))
@view
def approve_payment(cid, pid):
    """Approve a payment waiting for the caller."""
    return _decide(cid, Kind.payment, pid, "approve")


@app.route("/companies/{cid}/payments/{pid}/reject", methods=["POST"], authorizer=authorizer)
@documented(body=DecisionRequest, answer=ChainRead, errors=(400, 403, 404, 409))
@view
def reject_payment(cid, pid):
    """Reject a payment waiting for the caller (a comment is required)."""
    return _decide(cid, Kind.payment, pid, "reject")


@app.route("/companies/{cid}/decisions", methods=["POST"], authorizer=authorizer)
@documented(body=BulkDecision, answer=BulkResults, errors=(400, 404))
@view
def bulk_decisions(cid):
    """Approve or reject several invoices or payments; each id is answered on its own."""
    caller = caller_in_company(app.current_request, cid, module=Module.approvals)
    request = parse_body(app.current_request, BulkDecision)
    return dump(service.bulk_decide(repo=wiring.repository(), caller=caller, company_id=cid, request=request))


# ---- the chain's messages, and the reminder schedule ----------------------------------------------


def _handle(record) -> None:
    message = json.loads(record.body)
    chain = message.get("chain", {})
    logger.append_keys(company_id=chain.get("company_id"), subject_id=chain.get("subject_id"))
    if message.get("type") == "task":
        service.record_task(repo=wiring.repository(), message=message)
    elif message.get("type") == "ended":
        service.record_end(repo=wiring.repository(), message=message)
    else:
        logger.warning("an approvals message of no known type", extra={"type": message.get("type")})


@app.on_sqs_message(queue=APPROVALS_QUEUE, batch_size=5)
def on_approval_message(event):
    """The chain's callback tasks (record the task token) and ends (write the outcome). Each write is
    conditional and repeatable: a redelivered message changes nothing twice. Failed records go back."""
    return process_partial_response(
        event=event.to_dict(), record_handler=_handle, processor=BatchProcessor(event_type=EventType.SQS)
    )


@app.schedule(Rate(1, unit=Rate.HOURS))
def remind_approvers(event):
    """Hourly: reminders (at most one a day per approver), expired chains, decisions not yet given back."""
    counts = service.sweep(repo=wiring.repository(), settings=get_settings())
    logger.info("approvals sweep", extra=counts)
    return counts
