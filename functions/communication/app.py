"""communication: conversations with the accountant (messages, attachments, what waits for whom) and
"VAT documents OK" per period. Thin: parse, call, return. Every route sits behind the module gate."""

from chalice import Chalice, Cron, Response

from comptoir_core import wiring
from comptoir_core.accounts.modules import Module, require_module
from comptoir_core.api import authorizer, caller_in_company, dump, parse_body, parse_query, view
from comptoir_core.communication import service, vat
from comptoir_core.communication.models import (
    AttachmentLink,
    ConversationPage,
    ConversationQuery,
    ConversationRead,
    ConversationStart,
    ConversationSummary,
    Counter,
    MessageRead,
    MessageWrite,
    UploadForm,
    UploadRequest,
    VatPeriod,
)
from comptoir_core.observability import logger, observe
from comptoir_core.openapi_docs import documented, publish_openapi
from comptoir_core.settings import get_settings
from comptoir_core.uploads import parts_of

app = Chalice(app_name="comptoir-communication")
app.register_middleware(observe, "http")
publish_openapi(app, title="Comptoir communication")
app.api.binary_types.append("multipart/form-data")

CONTENT_TYPES = ["application/json", "multipart/form-data"]
MULTIPART = ("application/json", "multipart/form-data")
CONVERSATIONS = "/companies/{cid}/conversations"
CONVERSATION = CONVERSATIONS + "/{conv}"
VAT_PERIOD = "/companies/{cid}/vat-periods/{period}"


def _caller(cid, conv=None):
    """Membership first, then the module (a company without it has none of these routes), then the
    conversation: one the caller may not read is 404 before anything of the request is read."""
    caller = caller_in_company(app.current_request, cid)
    require_module(repo=wiring.repository(), company_id=cid, module=Module.communication)
    if conv is not None:
        service.check_readable(repo=wiring.repository(), caller=caller, company_id=cid, conversation_id=conv)
    return caller


def _body_and_files(model):
    """A JSON body, or multipart/form-data: its plain fields into `model`, its file parts as attachments."""
    request = app.current_request
    content_type = request.headers.get("content-type", "")
    if content_type.lower().startswith("multipart/form-data"):
        parts = parts_of(content_type, request.raw_body or b"", {})
        return service.parse_form(model, parts.fields), parts.files
    return parse_body(request, model), []


def _deps() -> dict:
    return {"repo": wiring.repository()}


@app.route(CONVERSATIONS, methods=["POST"], authorizer=authorizer, content_types=CONTENT_TYPES)
@documented(
    summary="Start a conversation (JSON, or multipart with `attachments` file parts)",
    body=ConversationStart,
    answer=ConversationRead,
    status=201,
    errors=(400, 404, 413, 415),
    body_media_types=MULTIPART,
)
@view
def start_conversation(cid):
    caller = _caller(cid)
    start, files = _body_and_files(ConversationStart)
    conversation = service.start_conversation(
        **_deps(),
        blobs=wiring.blob_store(),
        caller=caller,
        company_id=cid,
        start=start,
        files=files,
        link_base=get_settings().portal_origin,
    )
    return dump(conversation, status=201)


@app.route(CONVERSATIONS, methods=["GET"], authorizer=authorizer)
@documented(
    summary="The conversations the caller may read, newest first",
    query=ConversationQuery,
    answer=ConversationPage,
    errors=(400, 404),
)
@view
def conversations(cid):
    caller = _caller(cid)
    query = parse_query(app.current_request, ConversationQuery)
    return dump(service.list_conversations(**_deps(), caller=caller, company_id=cid, query=query))


@app.route(CONVERSATION, methods=["GET"], authorizer=authorizer)
@documented(
    summary="One conversation with its messages (opening it reads it)", answer=ConversationRead, errors=(404,)
)
@view
def conversation(cid, conv):
    caller = _caller(cid)
    return dump(service.read_conversation(**_deps(), caller=caller, company_id=cid, conversation_id=conv))


@app.route(CONVERSATION + "/messages", methods=["POST"], authorizer=authorizer, content_types=CONTENT_TYPES)
@documented(
    summary="Write in a conversation (JSON, or multipart with `attachments` file parts)",
    body=MessageWrite,
    answer=MessageRead,
    status=201,
    errors=(400, 404, 409, 413, 415),
    body_media_types=MULTIPART,
)
@view
def add_message(cid, conv):
    caller = _caller(cid, conv)
    write, files = _body_and_files(MessageWrite)
    message = service.add_message(
        **_deps(),
        blobs=wiring.blob_store(),
        caller=caller,
        company_id=cid,
        conversation_id=conv,
        write=write,
        files=files,
        link_base=get_settings().portal_origin,
    )
    return dump(message, status=201)


@app.route(CONVERSATION + "/close", methods=["POST"], authorizer=authorizer)
@documented(
    summary="Close a conversation (its author or an accountant)",
    answer=ConversationSummary,
    errors=(403, 404, 409),
)
@view
def close_conversation(cid, conv):
    caller = _caller(cid)
    return dump(service.close_conversation(**_deps(), caller=caller, company_id=cid, conversation_id=conv))


@app.route(CONVERSATION + "/attachments/uploads", methods=["POST"], authorizer=authorizer)
@documented(
    summary="A presigned upload for an attachment over the API's request limit",
    body=UploadRequest,
    answer=UploadForm,
    status=201,
    errors=(400, 404, 409),
)
@view
def attachment_upload(cid, conv):
    caller = _caller(cid, conv)
    request = parse_body(app.current_request, UploadRequest)
    form = service.create_upload(
        **_deps(),
        blobs=wiring.blob_store(),
        caller=caller,
        company_id=cid,
        conversation_id=conv,
        request=request,
    )
    return dump(form, status=201)


def _attachment_url(cid: str, conv: str, aid: str) -> str:
    """The short-lived download URL of an attachment the caller may read (both download routes)."""
    caller = _caller(cid)  # membership first
    return service.attachment_url(
        **_deps(),
        blobs=wiring.blob_store(),
        caller=caller,
        company_id=cid,
        conversation_id=conv,
        attachment_id=aid,
    )


@app.route(CONVERSATION + "/attachments/{aid}", methods=["GET"], authorizer=authorizer)
@documented(summary="Download an attachment: a redirect to a short-lived URL", status=303, errors=(404,))
@view
def attachment(cid, conv, aid):
    url = _attachment_url(cid, conv, aid)
    return Response(body="", status_code=303, headers={"Location": url, "Cache-Control": "no-store"})


@app.route(CONVERSATION + "/attachments/{aid}/link", methods=["GET"], authorizer=authorizer)
@documented(
    summary="Download an attachment: its short-lived URL as JSON (for a page that cannot follow a redirect)",
    answer=AttachmentLink,
    errors=(404,),
)
@view
def attachment_link(cid, conv, aid):
    url = _attachment_url(cid, conv, aid)
    return dump(AttachmentLink(url=url, expires_in=service.DOWNLOAD_LINK_SECONDS))


@app.route("/companies/{cid}/counter", methods=["GET"], authorizer=authorizer)
@documented(summary="How many conversations wait for the caller", answer=Counter, errors=(404,))
@view
def counter(cid):
    caller = _caller(cid)
    return dump(service.counter(**_deps(), caller=caller, company_id=cid))


# ---- VAT documents OK ----------------------------------------------------------------------------


@app.route("/companies/{cid}/vat-periods", methods=["GET"], authorizer=authorizer)
@documented(summary="The periods declared OK, newest first", answer=list[VatPeriod], errors=(404,))
@view
def vat_periods(cid):
    caller = _caller(cid)
    return dump(vat.list_periods(**_deps(), caller=caller, company_id=cid))


@app.route(VAT_PERIOD, methods=["POST"], authorizer=authorizer)
@documented(
    summary="Every document of the period is in (admins and users)",
    answer=VatPeriod,
    status=201,
    errors=(400, 403, 404, 409),
)
@view
def declare_vat_ok(cid, period):
    caller = _caller(cid)
    ok = vat.declare_ok(
        **_deps(), caller=caller, company_id=cid, period=period, link_base=get_settings().portal_origin
    )
    return dump(ok, status=201)


@app.route(VAT_PERIOD, methods=["DELETE"], authorizer=authorizer)
@documented(
    summary="Take a period's OK back while it is not acknowledged", status=204, errors=(403, 404, 409)
)
@view
def withdraw_vat_ok(cid, period):
    caller = _caller(cid)
    vat.withdraw_ok(**_deps(), caller=caller, company_id=cid, period=period)
    return Response(body="", status_code=204)


@app.route(VAT_PERIOD + "/acknowledge", methods=["POST"], authorizer=authorizer)
@documented(summary="The accountant acknowledges a period's OK", answer=VatPeriod, errors=(403, 404, 409))
@view
def acknowledge_vat_ok(cid, period):
    caller = _caller(cid)
    return dump(vat.acknowledge(**_deps(), caller=caller, company_id=cid, period=period))


# ---- the daily digest ----------------------------------------------------------------------------


@app.schedule(Cron(0, 6, "*", "*", "?", "*"))
def send_digests(event):
    """Every morning (06:00 UTC): the readers who chose the digest get what waited for them, in one e-mail.
    (The local stack runs scheduled handlers every minute.)"""
    from comptoir_core import notifications

    sent = notifications.send_due_digests(repo=wiring.repository())
    logger.info("digests sent", extra={"sent": sent})
    return {"sent": sent}
