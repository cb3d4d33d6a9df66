"""One settings object, filled from the environment that CDK's stage_config or the local stack sets."""

from functools import lru_cache

from pydantic import Field
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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Validated once per cold start; tests call `get_settings.cache_clear()` after changing the env."""
    return Settings()
