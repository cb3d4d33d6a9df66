"""Dropbox's webhook: prove the notification is Dropbox's, then hand its accounts to the queue.

Dropbox signs each notification with the app secret (`X-Dropbox-Signature`: hex HMAC-SHA256 of the
raw body) and expects an answer within seconds: the work happens in the queue's worker.
"""

import hashlib
import hmac
import json
import re

from pydantic import ValidationError

from comptoir_core import aws
from comptoir_core.dropbox import records
from comptoir_core.dropbox.config import DropboxConfig
from comptoir_core.dropbox.models import AccountChanged, WebhookNotification
from comptoir_core.errors import Forbidden, Invalid
from comptoir_core.repository import Repository

MAX_CHALLENGE_CHARS = 500
_BATCH = 10  # SQS SendMessageBatch takes at most ten messages
# Accounts of a notification per message (about 50 KB), and such messages per SendMessageBatch (SQS
# takes 256 KB a call): a notification naming 10,000 accounts is three calls.
ACCOUNTS_PER_MESSAGE = 1000
_NOTIFICATION_BATCH = 4
_ACCOUNT_ID = re.compile(r"^dbid:[A-Za-z0-9_-]{1,200}$")


class AccountQueue:
    """The SQS queue of accounts to sync (one message per account)."""

    def __init__(self, queue_url: str):
        self.queue_url = queue_url

    def send(self, account_ids: list[str]) -> None:
        """One message per account: each is synced on its own (the worker's fan-out)."""
        self._send([AccountChanged(account_id=a) for a in account_ids], _BATCH)

    def send_notified(self, account_ids: list[str]) -> None:
        """The accounts of one notification as they came, a thousand to a message (the webhook)."""
        chunks = [
            account_ids[start : start + ACCOUNTS_PER_MESSAGE]
            for start in range(0, len(account_ids), ACCOUNTS_PER_MESSAGE)
        ]
        self._send([AccountChanged(accounts=chunk) for chunk in chunks], _NOTIFICATION_BATCH)

    def _send(self, messages: list[AccountChanged], per_call: int) -> None:
        for start in range(0, len(messages), per_call):
            chunk = messages[start : start + per_call]
            response = aws.client("sqs").send_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "MessageBody": m.model_dump_json(exclude_defaults=True)}
                    for i, m in enumerate(chunk)
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
    """Check the signature, then hand the accounts the notification names (once each, well-formed
    ones only) to the queue in a few messages, whatever their number; returns them. Which of them are
    linked to a company is the worker's question: this function reads nothing (Dropbox disables a
    webhook that answers slowly or fails)."""
    verify_signature(config, body=body, signature=signature)
    try:
        notification = WebhookNotification.model_validate(json.loads(body or b"{}"))
    except (ValueError, ValidationError) as error:
        raise Invalid("not a Dropbox notification") from error
    named = (a for a in notification.list_folder.accounts if isinstance(a, str) and _ACCOUNT_ID.match(a))
    accounts = list(dict.fromkeys(named))
    queue.send_notified(accounts)
    return accounts


def known_accounts(repo: Repository, account_ids: list[str]) -> list[str]:
    """Of the accounts a notification named, those linked to a company (the worker's filter)."""
    return [account for account in account_ids if records.links_of_account(repo, account)]
