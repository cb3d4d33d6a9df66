"""dropbox_webhook: link a company's Dropbox, and the worker that syncs the accounts.

Thin: parse, call one service, return. Dropbox's webhook itself is the app `dropbox_notifications`
(a function that reaches nothing but the queue); the sync runs in the SQS worker here.
The services that talk to Dropbox (linking, sync) are imported where they are used: the official SDK
takes half a second or more to import, and Dropbox's notifications should not wait for it on a cold
start (the webhook itself never calls Dropbox).
"""

import html
import http.cookies

from chalice import Chalice, Response

from comptoir_core import wiring, workers
from comptoir_core.api import authorizer, caller_in_company, dump, view
from comptoir_core.dropbox import webhook
from comptoir_core.dropbox import wiring as dropbox_wiring
from comptoir_core.dropbox.models import (
    AccountChanged,
    CallbackQuery,
    LinkRead,
    LinkStart,
)
from comptoir_core.errors import Invalid
from comptoir_core.observability import logger, metrics, observe
from comptoir_core.openapi_docs import documented, publish_openapi

app = Chalice(app_name="comptoir-dropbox-webhook")
app.register_middleware(observe, "http")
publish_openapi(app, title="Comptoir Dropbox")

DROPBOX_QUEUE = "dropbox-accounts"
# The cookie that binds a link's OAuth state to the browser session that started it.
LINK_COOKIE = "comptoir_dropbox_link"


def _cookie(header: str, name: str) -> str | None:
    jar = http.cookies.SimpleCookie()
    try:
        jar.load(header)
    except http.cookies.CookieError:
        return None
    return jar[name].value if name in jar else None


@app.route("/companies/{cid}/link", methods=["GET"], authorizer=authorizer)
@documented(answer=LinkRead)
@view
def link_status(cid):
    from comptoir_core.dropbox import linking

    caller = caller_in_company(app.current_request, cid)
    return dump(linking.get_link(repo=wiring.repository(), caller=caller, company_id=cid))


@app.route("/companies/{cid}/link", methods=["POST"], authorizer=authorizer)
@documented(answer=LinkStart, status=201, errors=(403, 409))
@view
def start_link(cid):
    from comptoir_core.dropbox import linking

    caller = caller_in_company(app.current_request, cid)
    started = linking.start_link(
        repo=wiring.repository(),
        cipher=dropbox_wiring.cipher(),
        config=dropbox_wiring.config(),
        caller=caller,
        company_id=cid,
    )
    answer = dump(started, status=201)
    # The browser that starts linking keeps this; the callback refuses a browser without it.
    secure = "; Secure" if dropbox_wiring.config().redirect_url.startswith("https://") else ""
    answer.headers["Set-Cookie"] = (
        f"{LINK_COOKIE}={started.browser_binding}; Path=/; Max-Age=900; HttpOnly; SameSite=Lax{secure}"
    )
    return answer


@app.route("/companies/{cid}/link", methods=["DELETE"], authorizer=authorizer)
@documented(answer=LinkRead, errors=(403,))
@view
def unlink(cid):
    from comptoir_core.dropbox import linking

    caller = caller_in_company(app.current_request, cid)
    return dump(
        linking.unlink(
            repo=wiring.repository(),
            cipher=dropbox_wiring.cipher(),
            config=dropbox_wiring.config(),
            caller=caller,
            company_id=cid,
        )
    )


@app.route("/oauth/callback", methods=["GET"])
@documented(query=CallbackQuery, answer="text/html", errors=(400, 404, 409))
@view
def oauth_callback():
    """Where Dropbox sends the browser back. Public: the signed, stored, single-use state vouches."""
    from comptoir_core.dropbox import linking

    try:
        query = CallbackQuery.model_validate(app.current_request.query_params or {})
    except ValueError as error:
        raise Invalid("the callback needs a state") from error
    done = linking.finish_link(
        repo=wiring.repository(),
        cipher=dropbox_wiring.cipher(),
        config=dropbox_wiring.config(),
        query=query,
        browser_binding=_cookie(app.current_request.headers.get("cookie") or "", LINK_COOKIE),
    )
    metrics.add_metric(name="DropboxLinked", unit="Count", value=1)
    # A browser lands here: a page, not JSON. The account's e-mail is Dropbox's data: escaped.
    folders = "".join(f"<li>{html.escape(path)}</li>" for path in done.folders.values())
    page = (
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>Dropbox linked</title>'
        f"<p>Dropbox ({html.escape(done.account_email or 'account')}) is linked. Documents put in these "
        f"folders of the app's Dropbox folder arrive in the matching mailbox:</p><ul>{folders}</ul>"
        "<p>You may close this window.</p></html>"
    )
    return Response(
        body=page,
        status_code=200,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'",
        },
    )


@app.on_sqs_message(queue=DROPBOX_QUEUE, batch_size=5)
def on_dropbox_account(event):
    """One message per account; a record that left files for later goes back to the queue, then its DLQ."""
    from comptoir_core.dropbox import sync

    deps = dropbox_wiring.sync_deps()

    def handle(record) -> None:
        message = AccountChanged.model_validate_json(record.body)
        if message.accounts:  # straight from the webhook: queue again only the accounts linked here
            known = webhook.known_accounts(wiring.repository(), message.accounts)
            dropbox_wiring.account_queue().send(known)
            metrics.add_metric(name="DropboxAccountsNotified", unit="Count", value=len(message.accounts))
            return
        if message.account_id is None:
            return
        logger.append_keys(dropbox_account=message.account_id)
        results = sync.sync_account(deps=deps, account_id=message.account_id)
        imported = sum(len(result.imported) for result in results)
        if imported:
            metrics.add_metric(name="DropboxFilesImported", unit="Count", value=imported)

    return workers.sqs_batch(event, handle)
