"""Dropbox's webhook: prove the notification is Dropbox's, then hand its accounts to the queue.

Dropbox signs each notification with the app secret (`X-Dropbox-Signature`: hex HMAC-SHA256 of the
raw body) and expects an answer within seconds: the work happens in the queue's worker.
"""

import hashlib
import hmac
import json

from pydantic import ValidationError

from comptoir_core import aws
from comptoir_core.dropbox.config import DropboxConfig
from comptoir_core.dropbox.models import AccountChanged, WebhookNotification
from comptoir_core.errors import Forbidden, Invalid

MAX_CHALLENGE_CHARS = 500
_BATCH = 10  # SQS SendMessageBatch takes at most ten messages


class AccountQueue:
    """The SQS queue of accounts to sync (one message per account)."""

    def __init__(self, queue_url: str):
        self.queue_url = queue_url

    def send(self, account_ids: list[str]) -> None:
        for start in range(0, len(account_ids), _BATCH):
            chunk = account_ids[start : start + _BATCH]
            response = aws.client("sqs").send_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "MessageBody": AccountChanged(account_id=a).model_dump_json()}
                    for i, a in enumerate(chunk)
                ],
            )
            if response.get("Failed"):
                raise OSError(f"SQS refused {len(response['Failed'])} message(s): {response['Failed'][0]}")


def challenge_answer(challenge: str | None) -> str:
    """Dropbox checks a new webhook URL by asking it to echo `challenge`."""
    if not challenge or len(challenge) > MAX_CHALLENGE_CHARS:
        raise Invalid("the challenge parameter is missing or too long")
    return challenge


def verify_signature(config: DropboxConfig, *, body: bytes, signature: str | None) -> None:
    """Forbidden unless `signature` is the hex HMAC-SHA256 of the raw body under the app secret."""
    if not config.app_secret or not signature:
        raise Forbidden("missing Dropbox signature")
    expected = hmac.new(config.app_secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature.strip().lower()):
        raise Forbidden("wrong Dropbox signature")


def accept_notification(
    *, config: DropboxConfig, queue: AccountQueue, body: bytes, signature: str | None
) -> list[str]:
    """Check the signature, then queue each account the notification names (once); returns them."""
    verify_signature(config, body=body, signature=signature)
    try:
        notification = WebhookNotification.model_validate(json.loads(body or b"{}"))
    except (ValueError, ValidationError) as error:
        raise Invalid("not a Dropbox notification") from error
    accounts = list(dict.fromkeys(notification.list_folder.accounts))
    queue.send(accounts)
    return accounts
