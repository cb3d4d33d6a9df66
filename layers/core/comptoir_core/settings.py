"""One settings object, filled from the environment that CDK's stage_config or the local stack sets."""

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COMPTOIR_", frozen=True, extra="ignore")

    stage: str = "local"
    table_name: str = Field(min_length=3)
    documents_bucket: str = Field(min_length=3)
    user_pool_id: str = Field(min_length=3)
    user_pool_client_id: str = Field(min_length=1)
    inbound_domain: str = "in.comptoir.local"
    # Scans are read by Textract in AWS when on, by the local OCR otherwise.
    textract_enabled: bool = False
    # Dropbox intake (comptoir_core.dropbox). Empty app key: the channel is off.
    dropbox_app_key: str = ""
    dropbox_app_secret: SecretStr = SecretStr("")
    # In AWS the app secret lives in Secrets Manager: this names it, and it is read on first use.
    dropbox_app_secret_arn: str = ""
    # Where Dropbox sends the browser back after consent: <API domain>/dropbox-webhook/oauth/callback.
    dropbox_redirect_url: str = ""
    # The SQS queue the webhook hands accounts to, and the KMS key the refresh tokens are encrypted with.
    dropbox_queue_url: str = ""
    # The documents worker's queue: a retried document is put back on it.
    documents_queue_url: str = ""
    tokens_key_id: str = ""
    # The approval chain (Step Functions) and the queue its callback tasks and ends arrive on.
    approval_chain_arn: str = ""
    approvals_queue_url: str = ""
    # Dropbox's hosts, as the SDK names them; tests and the local stack point them at a fake.
    dropbox_api_host: str = "api.dropboxapi.com"
    dropbox_content_host: str = "content.dropboxapi.com"
    dropbox_notify_host: str = "notify.dropboxapi.com"
    dropbox_web_host: str = "www.dropbox.com"
    # A PEM bundle to trust instead of the system's (only for a fake Dropbox with its own certificate).
    dropbox_ca_bundle: str | None = None
    # Limits on one document, whatever its channel.
    max_document_mb: int = 50
    max_pages: int = 500
    # Outgoing e-mail (comptoir_core.notifications): the verified SES sender, the portal's origin its links
    # point at, and the support address feedback goes to when the firm named none.
    mail_sender: str = "Comptoir <no-reply@comptoir.local>"
    portal_origin: str = "http://127.0.0.1:8000"
    support_email: str = "support@comptoir.local"

    @property
    def max_document_bytes(self) -> int:
        return self.max_document_mb * 1024 * 1024


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Validated once per cold start; tests call `get_settings.cache_clear()` after changing the env."""
    return Settings()
