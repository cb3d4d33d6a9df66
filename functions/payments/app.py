"""payments: the payment form of a purchase invoice, payments by EPC QR code or SEPA file, the tabs,
and the SEPA files kept and listed."""

from chalice import Chalice, Response

from comptoir_core import wiring
from comptoir_core.accounts.modules import Module
from comptoir_core.api import authorizer, caller_in_company, dump, parse_body, parse_query, view
from comptoir_core.blobs import content_disposition
from comptoir_core.observability import observe
from comptoir_core.openapi_docs import documented, publish_openapi
from comptoir_core.payments import service
from comptoir_core.payments.models import (
    Payment,
    PaymentCreate,
    PaymentForm,
    PaymentSummary,
    PaymentUpdate,
    QrQuery,
    SepaFile,
    SepaFileCreate,
    TabQuery,
)

app = Chalice(app_name="comptoir-payments")
app.register_middleware(observe, "http")
publish_openapi(app, title="Comptoir payments")
# The QR code leaves as PNG bytes (API Gateway hands them to a request whose Accept names the type).
app.api.binary_types.extend(["image/png"])

COMPANY = "/companies/{cid}"
PAYMENT = COMPANY + "/payments/{pid}"


def _deps() -> dict:
    return {"repo": wiring.repository()}


@app.route(COMPANY + "/documents/{did}/payment-form", methods=["GET"], authorizer=authorizer)
@documented(answer=PaymentForm, errors=(404,))
@view
def payment_form(cid, did):
    """The invoice's payment data, prefilled, with the warnings to read before paying."""
    caller = caller_in_company(app.current_request, cid, module=Module.payments)
    return dump(service.payment_form(**_deps(), caller=caller, company_id=cid, document_id=did))


@app.route(COMPANY + "/payments", methods=["POST"], authorizer=authorizer)
@documented(body=PaymentCreate, answer=Payment, status=201, errors=(400, 403, 404, 409))
@view
def create_payment(cid):
    """Pay an invoice: by EPC QR code now, or later in a SEPA file."""
    caller = caller_in_company(app.current_request, cid, module=Module.payments)
    request = parse_body(app.current_request, PaymentCreate)
    return dump(service.create_payment(**_deps(), caller=caller, company_id=cid, request=request), status=201)


@app.route(COMPANY + "/payments", methods=["GET"], authorizer=authorizer)
@documented(query=TabQuery, answer=list[PaymentSummary], errors=(400, 404))
@view
def list_payments(cid):
    """The payments of one tab: to_approve (while payment approval is on), to_execute, executed."""
    caller = caller_in_company(app.current_request, cid, module=Module.payments)
    query = parse_query(app.current_request, TabQuery)
    return dump(service.list_payments(**_deps(), caller=caller, company_id=cid, tab=query.tab))


@app.route(PAYMENT, methods=["GET"], authorizer=authorizer)
@documented(answer=Payment, errors=(404,))
@view
def read_payment(cid, pid):
    """One payment, with its audit."""
    caller = caller_in_company(app.current_request, cid, module=Module.payments)
    return dump(service.read_payment(**_deps(), caller=caller, company_id=cid, payment_id=pid))


@app.route(PAYMENT, methods=["PATCH"], authorizer=authorizer)
@documented(body=PaymentUpdate, answer=Payment, errors=(400, 403, 404, 409))
@view
def update_payment(cid, pid):
    """Change a payment not yet in a file."""
    caller = caller_in_company(app.current_request, cid, module=Module.payments)
    update = parse_body(app.current_request, PaymentUpdate)
    return dump(
        service.update_payment(**_deps(), caller=caller, company_id=cid, payment_id=pid, update=update)
    )


@app.route(PAYMENT, methods=["DELETE"], authorizer=authorizer)
@documented(answer=Payment, errors=(403, 404, 409))
@view
def cancel_payment(cid, pid):
    """Cancel a payment not yet in a file."""
    caller = caller_in_company(app.current_request, cid, module=Module.payments)
    return dump(service.cancel_payment(**_deps(), caller=caller, company_id=cid, payment_id=pid))


@app.route(PAYMENT + "/qr", methods=["GET"], authorizer=authorizer)
@documented(query=QrQuery, answer="image/png", errors=(400, 404, 409))
@view
def payment_qr(cid, pid):
    """The EPC QR code of a payment by QR (PNG, or SVG with ?format=svg)."""
    caller = caller_in_company(app.current_request, cid, module=Module.payments)
    query = parse_query(app.current_request, QrQuery)
    body = service.payment_qr(**_deps(), caller=caller, company_id=cid, payment_id=pid, fmt=query.format)
    content_type = "image/svg+xml" if query.format == "svg" else "image/png"
    return Response(
        body=body if query.format == "png" else body.decode("utf-8"),
        status_code=200,
        headers={
            "Content-Type": content_type,
            "Content-Disposition": content_disposition(f"payment-{pid}.{query.format}", "inline"),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@app.route(COMPANY + "/sepa-files", methods=["POST"], authorizer=authorizer)
@documented(body=SepaFileCreate, answer=SepaFile, status=201, errors=(400, 403, 404, 409))
@view
def create_sepa_file(cid):
    """Put payments to execute into one pain.001 file for the bank."""
    caller = caller_in_company(app.current_request, cid, module=Module.payments)
    request = parse_body(app.current_request, SepaFileCreate)
    sepa_file = service.create_sepa_file(
        **_deps(), blobs=wiring.blob_store(), caller=caller, company_id=cid, request=request
    )
    return dump(sepa_file, status=201)


@app.route(COMPANY + "/sepa-files", methods=["GET"], authorizer=authorizer)
@documented(answer=list[SepaFile], errors=(404,))
@view
def list_sepa_files(cid):
    """Every SEPA file of the company, newest first, with what it holds."""
    caller = caller_in_company(app.current_request, cid, module=Module.payments)
    return dump(service.list_sepa_files(**_deps(), caller=caller, company_id=cid))


@app.route(COMPANY + "/sepa-files/{fid}", methods=["GET"], authorizer=authorizer)
@documented(answer="application/xml", errors=(404,))
@view
def read_sepa_file(cid, fid):
    """The pain.001 XML of one file, to download and hand to the bank."""
    caller = caller_in_company(app.current_request, cid, module=Module.payments)
    sepa_file, xml = service.read_sepa_file(
        **_deps(), blobs=wiring.blob_store(), caller=caller, company_id=cid, file_id=fid
    )
    return Response(
        body=xml.decode("utf-8"),
        status_code=200,
        headers={
            "Content-Type": "application/xml",
            "Content-Disposition": content_disposition(f"{sepa_file.message_id}.xml"),
            "X-Content-Type-Options": "nosniff",
        },
    )
