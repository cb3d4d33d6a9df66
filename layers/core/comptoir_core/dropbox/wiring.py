"""The Dropbox context's adapters, made from the settings on each use (cheap: no client is built here)."""

from comptoir_core import wiring
from comptoir_core.dropbox.config import DropboxConfig, SyncDeps
from comptoir_core.dropbox.webhook import AccountQueue
from comptoir_core.kms import TokenCipher
from comptoir_core.settings import get_settings


def config() -> DropboxConfig:
    return DropboxConfig.from_settings(get_settings())


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
