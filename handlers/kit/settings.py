"""Configuration from the environment or ``.env`` (names fixed in DESIGN.md).

Secrets are ``SecretStr`` so that printing or logging the settings never shows them.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DB_FILE = "crm.sqlite3"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    crm_database_url: str | None = None
    crm_timezone: str = "Europe/Istanbul"
    crm_language: str = "en"
    crm_phone_region: str = "TR"
    crm_currency: str = "TRY"
    # A deal amount below this (in the currency's major unit) is questioned before it is saved
    # ("2 TL?"), handlers/money.py; 0 turns the question off.
    crm_small_amount: Decimal = Decimal(100)
    crm_visibility: Literal["team", "own", "all"] = "team"  # handlers/kit/visibility.py
    crm_invite_hours: int = 24  # how long an invite may be redeemed
    crm_retention_years: int = 0  # purge interactions of customers inactive that long (0: off)
    crm_retention_apply: bool = False  # until set, the daily job only logs what it would purge
    crm_rate_commands_per_minute: int = 120  # per rep, in chat (0: no limit); imports and the
    crm_rate_writes_per_minute: int = 30  # CLI are not limited

    # Digests and reminders (bot/scheduler.py; README "Digests and reminders").
    crm_commit_probability: int = 60  # forecast: open stages at least this likely are "committed"
    crm_digest_time: str = "08:30"  # HH:MM, the default of /subscribe digest
    crm_working_days: str = "mon-fri"  # digests (unless "daily") and reminders run on these
    crm_workday_start: str = "09:00"  # overdue reminders reach a rep only within working hours,
    crm_workday_end: str = "18:00"  # in their own timezone
    crm_digest_grace_hours: float = 6.0  # a send missed by less is made up; by more, skipped
    crm_digest_close_overdue_days: int = 14  # open deal past its expected close by more
    crm_digest_stale_days: int = 14  # open deal with no activity for more than this
    crm_digest_lead_contact_days: int = 3  # lead not contacted within this
    crm_digest_won_low_pct: int = 50  # won below this % of the estimated amount
    crm_digest_won_high_pct: int = 125  # won above this % of the estimated amount
    crm_digest_max_open_tasks: int = 20  # rep with more open tasks than this
    crm_digest_task_age_days: int = 30  # task open for longer than this
    crm_digest_items_per_rule: int = 5  # attention items listed per rule (the rest counted)
    crm_scheduler_sweep_minutes: int = 1  # reminder scan, retries, catch-up and re-sync

    # Operations (bot/ops_http.py, bot/logs.py; README "Operations").
    crm_http_port: int | None = None  # set: /healthz and /metrics are served on this port
    crm_http_host: str = "127.0.0.1"  # this machine only by default; a container sets 0.0.0.0
    crm_log_format: Literal["text", "json"] = "text"  # json: one JSON object per line
    # threads running commands of different chats; unset: ``command_workers`` decides
    crm_workers: int | None = Field(None, ge=1, le=64)
    crm_log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str | None = None
    telegram_webhook_url: str | None = None  # set: webhook mode (public HTTPS URL of this bot)
    telegram_webhook_listen: str = "0.0.0.0"  # the webhook server listens here,
    telegram_webhook_port: int = 8443  # behind the TLS proxy that TELEGRAM_WEBHOOK_URL names
    telegram_webhook_secret: SecretStr | None = None  # default: derived from the bot token
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_http_port: int | None = None
    slack_api_base_url: str | None = None
    slack_http_host: str = "0.0.0.0"  # HTTP mode listens here (all interfaces by default)
    slack_match_email: bool = False  # bind an unmapped Slack user to the rep with their e-mail

    @property
    def embedded(self) -> bool:
        """True when no database was named: the embedded SQLite file, the only one demo-seeded."""
        return not self.crm_database_url

    @property
    def database_url(self) -> str:
        if self.crm_database_url:
            return self.crm_database_url
        return f"sqlite:///{Path(DEFAULT_DB_FILE).resolve()}"

    @property
    def command_workers(self) -> int:
        """``CRM_WORKERS``, or by engine: 4 on PostgreSQL, 1 on SQLite.

        Why 1 on SQLite: there every command takes the process's writer turn
        (``storage.db``), so more threads ran nothing side by side and only fought over the
        turn and the interpreter lock: 200 reps × 5 commands cost 4.9-5.4 ms of CPU a command
        with 4 workers against 3.5-4.0 ms with 1, and were answered p99 3.9-4.4 s against
        2.6-3.1 s (``bench/bench_burst.py``, 20,000 customers, 2 cores)."""
        if self.crm_workers is not None:
            return self.crm_workers
        return 1 if self.database_url.startswith("sqlite") else 4
