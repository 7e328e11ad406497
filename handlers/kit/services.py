"""What handlers and adapters are given instead of reaching for globals.

One ``Services`` per process, built by ``bot.app`` and passed down: the database, the
settings, the clock (tests inject their own), the search index, and hooks through which the
process learns of what commands did. A hook is how a command tells the scheduler its
subscriptions changed without handlers knowing that a scheduler exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from handlers.kit.settings import Settings
from storage.db import Database, after_commit
from storage.search import NameIndex
from storage.types import utcnow

Clock = Callable[[], datetime]
Listener = Callable[[], None]


class Hook:
    """Listeners told after a command's transaction commits: not before (they may read what
    it wrote), not at all if it rolls back. They run on the command's thread, so a listener
    that belongs to an event loop hands its work over (``call_soon_threadsafe``)."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def connect(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def disconnect(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def after_commit(self, session: Session) -> None:
        listeners = list(self._listeners)
        if listeners:
            after_commit(session, lambda: [listener() for listener in listeners])


@dataclass
class Hooks:
    subscriptions_changed: Hook = field(default_factory=Hook)  # the scheduler re-derives
    notices: Hook = field(default_factory=Hook)  # a notice was written: deliver it soon


@dataclass
class Services:
    db: Database
    settings: Settings
    clock: Clock = utcnow
    index: NameIndex = field(default_factory=NameIndex)
    # Invite link templates per platform, e.g. {"telegram": "https://t.me/crm_bot?start={code}"},
    # filled in by adapters once they know their own bot's name.
    deep_links: dict[str, str] = field(default_factory=dict)
    hooks: Hooks = field(default_factory=Hooks)
