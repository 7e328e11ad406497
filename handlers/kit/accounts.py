"""What a chat adapter may ask of the store, and nothing more.

Adapters hold no CRM logic and import nothing from storage: who a platform user is, binding a
Slack user by e-mail on first contact, and the tokens behind long button commands are all
they need, and they get them here. Every call runs in a worker thread, in its own short
transaction, so no database wait ever stalls the event loop that the adapters and the
scheduler share; what comes back is a plain value, never an ORM row.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass

from handlers.kit.services import Services
from storage import reps
from storage.chat import buttons
from storage.db import Actor
from storage.models import Rep


@dataclass(frozen=True)
class Member:
    """A rep as an adapter sees them."""

    id: int
    name: str
    language: str | None
    active: bool

    @classmethod
    def of(cls, rep: Rep | None) -> Member | None:
        if rep is None or rep.id is None:
            return None
        return cls(rep.id, rep.name, rep.language, rep.active)


class Accounts:
    def __init__(self, services: Services) -> None:
        self.services = services

    async def member(self, platform: str, user_id: str) -> Member | None:
        """The active rep behind a platform user id, if any."""
        found = await asyncio.to_thread(self._member, platform, user_id)
        return found if found is not None and found.active else None

    def _member(self, platform: str, user_id: str) -> Member | None:
        with self.services.db.session() as session:
            return Member.of(reps.for_platform(session, platform, user_id))

    async def bind_slack_by_email(self, user_id: str, email: str) -> Member | None:
        """Link a Slack user to the one unlinked active rep with this e-mail, if exactly one."""
        return await asyncio.to_thread(self._bind, user_id, email)

    def _bind(self, user_id: str, email: str) -> Member | None:
        actor = Actor(None, "slack", self.services.clock())
        with self.services.db.session(write=True, actor=actor) as session:
            return Member.of(reps.bind_slack_by_email(session, email, user_id))

    async def button_tokens(self, commands: Iterable[str]) -> dict[str, str]:
        """A short token for each command (stored once; the same command, the same token)."""
        wanted = list(dict.fromkeys(commands))
        return await asyncio.to_thread(self._tokens, wanted) if wanted else {}

    def _tokens(self, commands: list[str]) -> dict[str, str]:
        with self.services.db.session(write=True) as session:
            return {command: buttons.token_for(session, command) for command in commands}

    async def button_command(self, token: str) -> str | None:
        """The command behind a token, or None when it is unknown (or was pruned)."""
        return await asyncio.to_thread(self._command, token)

    def _command(self, token: str) -> str | None:
        with self.services.db.session() as session:
            return buttons.command_for(session, token)
