"""The one interface every chat platform implements, and the notifier built on it.

An adapter translates platform events into ``Incoming`` messages for the dispatcher and
``Reply`` objects into platform messages; it holds no CRM logic. ``start`` returns once the
adapter is receiving (polling, a webhook server, a socket) so that several adapters and the
scheduler share one event loop; ``send`` posts proactively (digests, reminders).
"""

from __future__ import annotations

import logging
from typing import Protocol

from bot.metrics import Metrics
from handlers.kit import Reply

log = logging.getLogger(__name__)


class Adapter(Protocol):
    platform: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, chat_id: str, replies: list[Reply]) -> None:
        """Post to a chat (a channel, a group, or a user's private chat) unprompted."""
        ...


class DeliveryError(Exception):
    """A proactive post could not be delivered (unknown platform, blocked bot, API error)."""


class Notifier:
    """Routes a proactive post to the adapter of its platform; carries the process's metrics
    to the background jobs, which are given the notifier."""

    def __init__(self, adapters: list[Adapter], metrics: Metrics | None = None) -> None:
        self._adapters = {a.platform: a for a in adapters}
        self.metrics = metrics or Metrics()

    @property
    def platforms(self) -> set[str]:
        return set(self._adapters)

    async def send(self, platform: str, chat_id: str, replies: list[Reply]) -> None:
        adapter = self._adapters.get(platform)
        if adapter is None:
            raise DeliveryError(f"no {platform} adapter is running")
        await adapter.send(chat_id, replies)
