"""``crm-bot doctor`` against the real database (SQLite or PostgreSQL) and the fake Telegram
and Slack APIs: each check's good case and its failing one, never a token in the output."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime, timedelta

from pydantic import SecretStr

from bot import doctor
from bot.app import build_services
from handlers.kit import Services, Settings, Translator
from storage import health, migrate
from storage.types import utcnow
from tests.conftest import MOVED_CLOCK
from tests.fakes.slack_api import BOT_TOKEN, FakeSlackApi
from tests.fakes.telegram_api import FakeBotAPI
from tests.telegram_harness import TOKEN

HOOK = "https://crm.example.com/telegram/hook"


def lines(findings: list[doctor.Finding], language: str = "en") -> dict[str, str]:
    t = Translator(language)
    return {f.check: f.said(t) for f in findings}


def test_a_sound_database_passes_and_the_exit_code_is_zero(services, crm_bot) -> None:
    done = crm_bot("doctor", db=services.settings.crm_database_url)
    assert done.returncode == 0, done.stdout
    said = done.stdout.splitlines()
    assert said[0].startswith("ok   database: ")
    assert said[1].startswith(f"ok   schema: current (revision {migrate.head()}")
    # The doctor is right to warn when this process's clock is moved (a CI run) and the
    # database is a server whose clock is not.
    skewed = MOVED_CLOCK and not services.db.is_sqlite
    assert said[2].startswith(f"{'warn' if skewed else 'ok  '} clock: timezone Europe/Istanbul")
    assert "ok   Telegram: not configured" in said and "ok   Slack: not configured" in said


def test_an_unreachable_database_fails_in_the_reps_language(services, crm_bot, monkeypatch):
    monkeypatch.setenv("CRM_LANGUAGE", "tr")
    done = crm_bot("doctor", db="postgresql+psycopg://crm:s3cretpw@127.0.0.1:1/crm")
    assert done.returncode == 1
    assert "fail veritabanı: PostgreSQL veritabanına ulaşılamıyor (OperationalError)" in done.stdout
    assert "fail şema: denetlenmedi" in done.stdout
    assert "s3cretpw" not in done.stdout + done.stderr


def test_a_schema_behind_fails(tmp_path, crm_bot) -> None:
    done = crm_bot("doctor", db=f"sqlite:///{tmp_path}/never-upgraded.db")
    assert done.returncode == 1
    assert f"fail schema: at revision -, the code needs {migrate.head()}" in done.stdout


def test_a_bad_timezone_fails_and_a_skewed_clock_warns(services) -> None:
    bad = dataclasses.replace(
        services, settings=services.settings.model_copy(update={"crm_timezone": "Mars/Base"})
    )
    assert lines(doctor.database_checks(bad, services.clock))["clock"].startswith(
        'fail clock: unknown timezone "Mars/Base"'
    )

    def server_clock() -> datetime:
        """The database server's clock (this process's may be moved by the test run)."""
        return health.server_now(services.db) or utcnow()

    fast = doctor.database_checks(services, lambda: server_clock() + timedelta(seconds=30))
    clock = lines(fast)["clock"]
    if services.db.is_sqlite:  # no server clock to differ from
        assert clock.startswith("ok   clock: ") and "SQLite" in clock
    else:
        assert clock.startswith("warn clock: ") and "differ by 30." in clock
        in_step = lines(doctor.database_checks(services, server_clock))["clock"]
        assert in_step.startswith("ok   clock: ") and "agree" in in_step


def with_platforms(services: Services, **update: object) -> Services:
    return dataclasses.replace(services, settings=services.settings.model_copy(update=update))


def test_tokens_and_webhook_against_the_fake_apis(services) -> None:
    async def scenario() -> list[dict[str, str]]:
        telegram = FakeBotAPI(TOKEN)
        base = await telegram.start()
        slack = await FakeSlackApi().start()
        try:
            good = with_platforms(
                services,
                telegram_bot_token=SecretStr(TOKEN),
                telegram_api_base_url=base,
                slack_bot_token=SecretStr(BOT_TOKEN),
                slack_api_base_url=slack.api_url,
            )
            polling = lines(await doctor.platform_checks(good.settings))
            telegram.webhook_url = HOOK
            hooked = good.settings.model_copy(update={"telegram_webhook_url": HOOK})
            webhook = lines(await doctor.platform_checks(hooked))
            other = hooked.model_copy(update={"telegram_webhook_url": HOOK + "-other"})
            moved = lines(await doctor.platform_checks(other))
            wrong = good.settings.model_copy(
                update={
                    "telegram_bot_token": SecretStr("123456:WRONG-token-nobody-issued-ever"),
                    "slack_bot_token": SecretStr("not-the-fake-bot-token"),
                }
            )
            refused = lines(await doctor.platform_checks(wrong))
        finally:
            await telegram.stop()
            await slack.stop()
        return [polling, webhook, moved, refused]

    polling, webhook, moved, refused = asyncio.run(scenario())
    assert polling["telegram"] == "ok   Telegram: the token works (@crm_test_bot)"
    assert polling["webhook"] == "ok   Telegram webhook: none set; the bot polls"
    assert polling["slack"] == "ok   Slack: the token works (workspace Acme Sales)"
    assert webhook["webhook"].startswith("ok   Telegram webhook: set to TELEGRAM_WEBHOOK_URL")
    assert moved["webhook"].startswith("fail Telegram webhook: set to another URL")
    assert (
        refused["telegram"] == "fail Telegram: the bot token was refused; check TELEGRAM_BOT_TOKEN"
    )
    assert refused["slack"].startswith("fail Slack: the bot token was refused (invalid_auth)")
    everything = "".join(v for said in (polling, webhook, moved, refused) for v in said.values())
    assert TOKEN not in everything and "WRONG-token" not in everything and HOOK not in everything


def test_doctor_never_starts_the_bot_or_migrates(tmp_path, crm_bot) -> None:
    url = f"sqlite:///{tmp_path}/x.db"
    crm_bot("doctor", db=url)
    again = crm_bot("doctor", db=url)  # still behind: doctor looked, it did not upgrade
    assert "fail schema" in again.stdout
    services = build_services(
        Settings(_env_file=None, crm_database_url=url)  # type: ignore[call-arg]
    )
    try:
        assert migrate.current(services.db) is None
    finally:
        services.db.dispose()
