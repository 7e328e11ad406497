"""``crm-bot doctor``: is this deployment able to run? One line per check, ok / warn / fail.

Checks the database (it answers), the schema (migrations current), the Telegram and Slack
tokens (getMe, auth.test, through the configured API base URLs), the Telegram webhook (set to
the configured URL, or none when polling) and the clock (the timezone exists; this machine and
the database server agree within ``CLOCK_SKEW``). It runs before the start-up's own migration,
so it reports the schema as it is. Reasons name error types and codes, never a token, a
password or a webhook URL (which may carry a secret path). Exit code 1 when any check fails.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from handlers.kit import Clock, Services, Settings, Translator
from storage import health, migrate
from storage.types import utcnow

CLOCK_SKEW = timedelta(seconds=2)
Level = Literal["ok", "warn", "fail"]


@dataclass
class Finding:
    check: str  # doctor.check.<check>
    level: Level
    reason: str  # doctor.<reason>
    values: dict[str, Any] = field(default_factory=dict)

    def said(self, t: Translator) -> str:
        reason = t(f"doctor.{self.reason}", **self.values)
        return t(
            "doctor.line",
            level=self.level.ljust(4),
            check=t(f"doctor.check.{self.check}"),
            reason=reason,
        )


def examine(services: Services, clock: Clock = utcnow) -> list[Finding]:
    """Every check, in order; the database ones here, the platforms' in one event loop."""
    findings = database_checks(services, clock)
    findings += asyncio.run(platform_checks(services.settings))
    return findings


def run(services: Services, t: Translator, clock: Clock = utcnow) -> int:
    findings = examine(services, clock)
    for finding in findings:
        print(finding.said(t), flush=True)
    return 1 if any(f.level == "fail" for f in findings) else 0


def database_checks(services: Services, clock: Clock) -> list[Finding]:
    db, settings = services.db, services.settings
    engine = "SQLite" if db.is_sqlite else "PostgreSQL"
    zone = _zone(settings)
    try:
        health.ping(db)
    except Exception as problem:
        return [
            Finding(
                "database",
                "fail",
                "db_unreachable",
                {"engine": engine, "error": type(problem).__name__},
            ),
            Finding("schema", "fail", "not_checked"),
            zone or Finding("clock", "ok", "clock_unknown", {"tz": settings.crm_timezone}),
        ]
    found = [Finding("database", "ok", "db_ok", {"engine": engine})]
    current, head = migrate.current(db), migrate.head()
    if current == head:
        found.append(Finding("schema", "ok", "schema_ok", {"revision": head}))
    elif settings.embedded:  # the embedded database is upgraded at start
        found.append(Finding("schema", "warn", "schema_auto", {"revision": current or "-"}))
    else:
        found.append(
            Finding("schema", "fail", "schema_old", {"revision": current or "-", "head": head})
        )
    found.append(zone or _clock(services, clock))
    return found


def _zone(settings: Settings) -> Finding | None:
    try:
        ZoneInfo(settings.crm_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return Finding("clock", "fail", "bad_timezone", {"tz": settings.crm_timezone})
    return None


def _clock(services: Services, clock: Clock) -> Finding:
    tz = services.settings.crm_timezone
    before = time.monotonic()
    ours = clock()
    theirs = health.server_now(services.db)
    if theirs is None:
        return Finding("clock", "ok", "clock_local", {"tz": tz})
    half_trip = timedelta(seconds=(time.monotonic() - before) / 2)
    skew = abs(theirs - (ours + half_trip))
    if skew > CLOCK_SKEW + half_trip:
        return Finding("clock", "warn", "clock_skew", {"tz": tz, "seconds": _seconds(skew)})
    return Finding("clock", "ok", "clock_ok", {"tz": tz})


def _seconds(delta: timedelta) -> str:
    return f"{delta.total_seconds():.1f}"


async def platform_checks(settings: Settings) -> list[Finding]:
    found = await _telegram(settings)
    found.append(await _slack(settings))
    return found


async def _telegram(settings: Settings) -> list[Finding]:
    from telegram import Bot
    from telegram.error import InvalidToken, TelegramError

    if settings.telegram_bot_token is None:
        return [Finding("telegram", "ok", "not_configured")]
    kwargs: dict[str, str] = {}
    if settings.telegram_api_base_url:
        kwargs["base_url"] = settings.telegram_api_base_url.rstrip("/")
    bot = Bot(settings.telegram_bot_token.get_secret_value(), **kwargs)
    try:
        async with bot:  # getMe
            info = await bot.get_webhook_info()
    except InvalidToken:  # its message holds the token: only its type goes out
        return [
            Finding("telegram", "fail", "token_refused"),
            Finding("webhook", "fail", "not_checked"),
        ]
    except TelegramError as problem:
        error = type(problem).__name__
        return [
            Finding("telegram", "fail", "unreachable", {"error": error}),
            Finding("webhook", "fail", "not_checked"),
        ]
    found = [Finding("telegram", "ok", "telegram_ok", {"name": f"@{bot.username}"})]
    wanted = settings.telegram_webhook_url
    if wanted:
        if info.url == wanted:
            level: Level = "warn" if info.last_error_message else "ok"
            reason = "webhook_errors" if info.last_error_message else "webhook_ok"
            found.append(Finding("webhook", level, reason, {"pending": info.pending_update_count}))
        elif not info.url:
            found.append(Finding("webhook", "warn", "webhook_unset"))
        else:
            found.append(Finding("webhook", "fail", "webhook_other"))
    elif info.url:
        found.append(Finding("webhook", "warn", "webhook_while_polling"))
    else:
        found.append(Finding("webhook", "ok", "polling_ok"))
    return found


async def _slack(settings: Settings) -> Finding:
    from slack_sdk.errors import SlackApiError, SlackClientError
    from slack_sdk.web.async_client import AsyncWebClient

    if settings.slack_bot_token is None:
        return Finding("slack", "ok", "not_configured")
    base = settings.slack_api_base_url or AsyncWebClient.BASE_URL
    client = AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=base if base.endswith("/") else f"{base}/",
    )
    try:
        me = await client.auth_test()
    except SlackApiError as problem:
        return Finding(
            "slack", "fail", "slack_refused", {"error": str(problem.response.get("error") or "?")}
        )
    except (SlackClientError, OSError, TimeoutError) as problem:
        return Finding("slack", "fail", "unreachable", {"error": type(problem).__name__})
    finally:
        session = getattr(client, "session", None)
        if session is not None:
            await session.close()
    return Finding("slack", "ok", "slack_ok", {"team": str(me.get("team") or "?")})
