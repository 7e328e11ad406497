"""Configuration from the environment or ``.env`` (names fixed in DESIGN.md).

Secrets are ``SecretStr`` so that printing or logging the settings never shows them.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DB_FILE = "crm.sqlite3"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    crm_database_url: str | None = None
    crm_timezone: str = "Europe/Istanbul"
    crm_language: str = "en"
    crm_phone_region: str = "TR"
    crm_currency: str = "TRY"

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str | None = None
    telegram_webhook_url: str | None = None
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_http_port: int | None = None
    slack_api_base_url: str | None = None

    @property
    def embedded(self) -> bool:
        """True when no database was named: the embedded SQLite file, the only one demo-seeded."""
        return not self.crm_database_url

    @property
    def database_url(self) -> str:
        if self.crm_database_url:
            return self.crm_database_url
        return f"sqlite:///{Path(DEFAULT_DB_FILE).resolve()}"
