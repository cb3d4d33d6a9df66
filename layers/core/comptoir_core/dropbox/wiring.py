"""The Dropbox context's adapters, made from the settings on each use (cheap: no client is built here)."""

import dataclasses
import functools

from comptoir_core import wiring
from comptoir_core.dropbox.config import DropboxConfig, SyncDeps
from comptoir_core.dropbox.webhook import AccountQueue
from comptoir_core.kms import TokenCipher
from comptoir_core.settings import get_settings


def config() -> DropboxConfig:
    settings = get_settings()
    made = DropboxConfig.from_settings(settings)
    if settings.dropbox_app_secret_arn:
        return dataclasses.replace(made, app_secret=_secret(settings.dropbox_app_secret_arn))
    return made


@functools.lru_cache(maxsize=4)
def _secret(arn: str) -> str:
    """The Dropbox app secret from Secrets Manager (never an environment variable in AWS), once a
    container; an empty secret turns the channel off as an empty setting does."""
    from comptoir_core import aws

    return aws.client("secretsmanager").get_secret_value(SecretId=arn).get("SecretString") or ""


def cipher() -> TokenCipher:
    return TokenCipher(get_settings().tokens_key_id)


def account_queue() -> AccountQueue:
    return AccountQueue(get_settings().dropbox_queue_url)


def sync_deps() -> SyncDeps:
    return SyncDeps(
        repo=wiring.repository(),
        blobs=wiring.blob_store(),
        cipher=cipher(),
        config=config(),
        max_bytes=get_settings().max_document_bytes,
    )
