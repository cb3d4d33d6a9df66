"""Adapters built on first use from the settings, never at import time (moto must be active first)."""

from functools import lru_cache

from comptoir_core.blobs import BlobStore
from comptoir_core.identity import CognitoIdentity
from comptoir_core.repository import Repository
from comptoir_core.settings import get_settings


@lru_cache(maxsize=1)
def repository() -> Repository:
    return Repository(get_settings().table_name)


@lru_cache(maxsize=1)
def blob_store() -> BlobStore:
    return BlobStore(get_settings().documents_bucket)


@lru_cache(maxsize=1)
def identity() -> CognitoIdentity:
    settings = get_settings()
    return CognitoIdentity(user_pool_id=settings.user_pool_id, client_id=settings.user_pool_client_id)


def documents_queue():
    """Sends an SQS body to the documents worker's queue (a retried document)."""
    from comptoir_core import aws

    url = get_settings().documents_queue_url

    def send(body: str) -> None:
        aws.client("sqs").send_message(QueueUrl=url, MessageBody=body)

    return send


def reset() -> None:
    """Forget every adapter and the settings (tests, or the local stack after provisioning)."""
    from comptoir_core import aws, idempotency

    get_settings.cache_clear()
    idempotency.reset()
    for getter in (repository, blob_store, identity):
        getter.cache_clear()
    aws.reset_clients()
