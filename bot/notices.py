"""Delivering notices (``storage.chat.notices``): to a rep's private chats, soon after the
command that wrote them commits, and again on every sweep until they get through.

A rep's private chats are their Telegram user id (their private chat with the bot) and their
Slack user id (a DM), on the platforms this process runs; or the console when that is the
only adapter. A notice counts as delivered when any of them took it. The logs name the notice
and the rep, never what it says.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.adapters.base import Notifier
from handlers.kit import Reply, Services
from storage import reps
from storage.chat import notices
from storage.models import Notice, Rep

log = logging.getLogger(__name__)
MAX_BATCH_BUTTONS = 5


def private_chats(rep: Rep, platforms: set[str], only: str | None = None) -> list[tuple[str, str]]:
    """Where a rep is reached privately on the running platforms (``only`` that one)."""
    chats: list[tuple[str, str]] = []
    if rep.telegram_user_id and "telegram" in platforms:
        chats.append(("telegram", str(rep.telegram_user_id)))
    if rep.slack_user_id and "slack" in platforms:
        chats.append(("slack", rep.slack_user_id))
    if not chats and platforms == {"console"}:
        chats.append(("console", str(rep.id)))
    return [chat for chat in chats if only is None or chat[0] in (only, "console")]


@dataclass
class _Claimed:
    ids: list[int]  # several when a batch of one rep's notices goes out as one message
    chats: list[tuple[str, str]]
    reply: Reply


def _joined(payloads: list[dict[str, Any]]) -> Reply:
    """One message of a batch's lines under its header, with its first few buttons."""
    replies = [Reply.from_payload(p) for p in payloads]
    buttons = list(dict.fromkeys(b for r in replies for b in r.buttons))[:MAX_BATCH_BUTTONS]
    text = "\n".join([payloads[0].get("batch_header") or "", *(r.text for r in replies)])
    return Reply(text.strip(), buttons=buttons, language=replies[0].language)


class Courier:
    def __init__(self, services: Services, notifier: Notifier) -> None:
        self.services = services
        self.notifier = notifier

    async def deliver(self, now: datetime) -> int:
        """Send the notices due at ``now``; returns how many were delivered."""
        claimed = await asyncio.to_thread(self._claim, now)
        done: list[int] = []
        failures: list[tuple[int, str]] = []
        for item in claimed:
            errors: list[str] = []
            for platform, chat_id in item.chats:
                try:
                    await self.notifier.send(platform, chat_id, [item.reply])
                except Exception as problem:
                    errors.append(f"{platform}: {type(problem).__name__}")
            if item.chats and len(errors) < len(item.chats):
                done += item.ids
            else:
                problem = "; ".join(errors) or "no chat of the rep is reachable"
                failures += [(notice_id, problem) for notice_id in item.ids]
        if claimed:
            await asyncio.to_thread(self._record, done, failures, now)
        return len(done)

    def _claim(self, now: datetime) -> list[_Claimed]:
        platforms = self.notifier.platforms
        with self.services.db.session(write=True) as session:
            due = notices.claim(session, now)
            people = {r.id: r for r in reps.all_reps(session)}
        claimed = []
        batches: dict[tuple[int, str], list[Notice]] = {}
        for notice in due:
            if batch := notice.payload.get("batch"):
                batches.setdefault((notice.rep_id, batch), []).append(notice)
                continue
            rep = people.get(notice.rep_id)
            chats = private_chats(rep, platforms, notice.platform) if rep and rep.active else []
            claimed.append(_Claimed([notice.id or 0], chats, Reply.from_payload(notice.payload)))
        for (rep_id, _batch), group in batches.items():
            rep = people.get(rep_id)
            chats = private_chats(rep, platforms) if rep and rep.active else []
            ids = [n.id or 0 for n in group]
            claimed.append(_Claimed(ids, chats, _joined([n.payload for n in group])))
        return claimed

    def _record(self, done: list[int], failures: list[tuple[int, str]], now: datetime) -> None:
        with self.services.db.session(write=True) as session:
            notices.delivered(session, done)
            for notice_id, error in failures:
                given_up = notices.failed(session, notice_id, now, error)
                if given_up is not None:
                    log.error(
                        "notice #%s to rep #%s given up after %d attempts: %s",
                        notice_id, given_up.rep_id, given_up.attempts, error,
                    )  # fmt: skip
