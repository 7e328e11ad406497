"""Helpers for the scheduler, digest and reminder tests: a recording adapter and set-up data."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.adapters.base import DeliveryError, Notifier
from handlers.kit import Reply, Services
from storage.models import Interaction, Rep, RunLedger, Subscription

IST = ZoneInfo("Europe/Istanbul")


class Recorder:
    """A fake chat platform implementing the ``Adapter`` protocol: records what it is sent.

    ``fail`` makes the next sends raise ``DeliveryError`` (as a blocked bot or an API error
    would); ``posted`` is set on every successful send, for tests that wait on the real
    scheduler.
    """

    def __init__(self, platform: str = "telegram", fail: int = 0) -> None:
        self.platform = platform
        self.fail = fail
        self.sent: list[tuple[str, list[Reply]]] = []
        self.posted = asyncio.Event()

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send(self, chat_id: str, replies: list[Reply]) -> None:
        if self.fail:
            self.fail -= 1
            raise DeliveryError(f"{self.platform} said no")
        self.sent.append((chat_id, replies))
        self.posted.set()

    def texts(self, chat_id: str | None = None) -> list[str]:
        return [r.text for chat, replies in self.sent if chat_id in (None, chat) for r in replies]


def local(day: str, hhmm: str, tz: ZoneInfo = IST) -> datetime:
    """An instant given as a local date and time: local("2026-11-24", "08:30")."""
    naive = datetime.fromisoformat(f"{day}T{hhmm}")
    return naive.replace(tzinfo=tz).astimezone(UTC)


def subscribe(services: Services, creator: Rep, **fields: Any) -> Subscription:
    values: dict[str, Any] = {
        "platform": "telegram",
        "chat_id": "-1001",
        "kind": "digest",
        "at_time": "08:30",
        "timezone": "Europe/Istanbul",
        "scope": "team",
        "scope_rep_id": creator.id,
        "created_by_id": creator.id,
        "created_at": services.clock() - timedelta(days=30),
    }
    values.update(fields)
    with services.db.session(write=True) as s:
        sub = Subscription(**values)
        s.add(sub)
        s.flush()
        return sub


def interaction(services: Services, customer_id: int, at: datetime, rep: Rep | None = None) -> None:
    with services.db.session(write=True) as s:
        s.add(
            Interaction(
                kind="call",
                summary="talked",
                occurred_at=at,
                created_at=at,
                customer_id=customer_id,
                rep_id=rep.id if rep else None,
            )
        )


def ledger_rows(services: Services, job: str | None = None) -> list[RunLedger]:
    with Session(services.db.engine) as s:
        query = select(RunLedger).order_by(col(RunLedger.id))
        if job:
            query = query.where(RunLedger.job == job)
        return list(s.exec(query))


def notifier(*adapters: Recorder) -> Notifier:
    return Notifier(list(adapters))
