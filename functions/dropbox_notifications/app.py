"""dropbox_notifications: Dropbox's webhook, public, and nothing else.

Its function may send to the Dropbox queue and read the app secret that signs the notifications; it
reads and writes no table and no bucket (infra: least privilege). It answers at once: which accounts
are linked, and their sync, are the queue worker's (dropbox_webhook's `on_dropbox_account`).
Registered at Dropbox as https://<API domain>/dropbox-notifications/webhook.
"""

from chalice import Chalice, Response

from comptoir_core.api import view
from comptoir_core.dropbox import webhook
from comptoir_core.dropbox import wiring as dropbox_wiring
from comptoir_core.dropbox.models import NotificationAccepted, WebhookChallenge, WebhookNotification
from comptoir_core.observability import metrics, observe
from comptoir_core.openapi_docs import documented, publish_openapi

app = Chalice(app_name="comptoir-dropbox-notifications")
app.register_middleware(observe, "http")
publish_openapi(app, title="Comptoir Dropbox notifications")


@app.route("/webhook", methods=["GET"])
@documented(
    summary="Dropbox checks the webhook URL: the challenge echoed as plain text",
    query=WebhookChallenge,
    answer="text/plain",
    errors=(400,),
)
@view
def webhook_challenge():
    challenge = webhook.challenge_answer((app.current_request.query_params or {}).get("challenge"))
    return Response(
        body=challenge,
        status_code=200,
        headers={"Content-Type": "text/plain", "X-Content-Type-Options": "nosniff"},
    )


@app.route("/webhook", methods=["POST"])
@documented(
    summary="A signed Dropbox notification: its accounts are queued for the sync worker",
    body=WebhookNotification,
    answer=NotificationAccepted,
    errors=(400, 403),
)
@view
def webhook_notification():
    request = app.current_request
    accounts = webhook.accept_notification(
        config=dropbox_wiring.config(),
        queue=dropbox_wiring.account_queue(),
        body=request.raw_body or b"",
        signature=request.headers.get("x-dropbox-signature"),
    )
    metrics.add_metric(name="DropboxNotifications", unit="Count", value=1)
    return Response(
        body=NotificationAccepted(queued=len(accounts)).model_dump(mode="json"),
        status_code=200,
        headers={"Content-Type": "application/json"},
    )
