"""What handlers and adapters are given instead of reaching for globals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.settings import Settings
from storage.db import Database
from storage.search import NameIndex
from storage.types import utcnow

Clock = Callable[[], datetime]


@dataclass
class Services:
    db: Database
    settings: Settings
    clock: Clock = utcnow
    index: NameIndex = field(default_factory=NameIndex)
    # Invite link templates per platform, e.g. {"telegram": "https://t.me/crm_bot?start={code}"},
    # filled in by adapters once they know their own bot's name.
    deep_links: dict[str, str] = field(default_factory=dict)
