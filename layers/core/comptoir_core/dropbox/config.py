"""What the Dropbox context needs from the settings, and the sync's dependencies.

Apart from the SDK on purpose: the webhook's code path (check a signature, queue accounts) does not
import the `dropbox` SDK, which costs half a second or more of a cold start.
"""

from __future__ import annotations

from dataclasses import dataclass

from comptoir_core.blobs import BlobStore
from comptoir_core.kms import TokenCipher
from comptoir_core.repository import Repository
from comptoir_core.settings import Settings


@dataclass(frozen=True)
class DropboxConfig:
    app_key: str
    app_secret: str
    redirect_url: str
    api_host: str
    content_host: str
    notify_host: str
    web_host: str
    ca_bundle: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> DropboxConfig:
        return cls(
            app_key=settings.dropbox_app_key,
            app_secret=settings.dropbox_app_secret.get_secret_value(),
            redirect_url=settings.dropbox_redirect_url,
            api_host=settings.dropbox_api_host,
            content_host=settings.dropbox_content_host,
            notify_host=settings.dropbox_notify_host,
            web_host=settings.dropbox_web_host,
            ca_bundle=settings.dropbox_ca_bundle,
        )

    @property
    def enabled(self) -> bool:
        return bool(self.app_key and self.app_secret and self.redirect_url)


@dataclass
class SyncDeps:
    repo: Repository
    blobs: BlobStore
    cipher: TokenCipher
    config: DropboxConfig
    max_bytes: int
