"""The command registry and what a handler receives.

A handler is ``async def handler(ctx: Context) -> Reply | list[Reply]`` registered with
``@command("name", writes=..., aliases=...)``. Its usage, example and one-line description
live in the catalog under ``help.<name>`` (spaces become underscores), so adding a command
means touching one handlers/ module, its test and the catalog.

Handlers stop early by raising: ``Usage`` (answer with the command's usage and example) or
``Abort`` (answer with a ready Reply, e.g. a choice list). Either way the dispatcher rolls the
transaction back, so nothing is half-written.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.i18n import Translator
from bot.messages import Button, Incoming, Reply
from storage import flows
from storage.folding import fold
from storage.models import ROLES, Rep

if TYPE_CHECKING:
    from bot.services import Services

CONFIRM_FLAG = "--confirm"
FLOW_IDLE = timedelta(minutes=15)

Handler = Callable[["Context"], Awaitable["Reply | list[Reply]"]]


class Usage(Exception):
    """Missing or malformed arguments; ``problem`` is an optional catalog key said first."""

    def __init__(self, problem: str | None = None, **values: object) -> None:
        super().__init__(problem)
        self.problem = problem
        self.values = values


class Abort(Exception):
    """Stop here and answer with this reply; the transaction is rolled back."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.text)
        self.reply = reply


@dataclass(frozen=True)
class CommandSpec:
    name: str
    handler: Handler
    writes: bool
    aliases: tuple[str, ...] = ()
    roles: tuple[str, ...] = ROLES
    hidden: bool = False  # not listed in /help or platform command menus

    @property
    def key(self) -> str:
        return self.name.replace(" ", "_")


REGISTRY: dict[str, CommandSpec] = {}
_LOOKUP: dict[str, CommandSpec] = {}


def command(
    name: str,
    *,
    writes: bool,
    aliases: tuple[str, ...] = (),
    roles: tuple[str, ...] = ROLES,
    hidden: bool = False,
) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        spec = CommandSpec(name, fn, writes, aliases, roles, hidden)
        REGISTRY[name] = spec
        for word in (name, *aliases):
            _LOOKUP[fold(word)] = spec
        return fn

    return register


def lookup(words: list[str]) -> tuple[CommandSpec | None, int]:
    """The command named by the first one or two words, and how many words it took."""
    if len(words) >= 2 and (spec := _LOOKUP.get(fold(f"{words[0]} {words[1]}"))):
        return spec, 2
    if words and (spec := _LOOKUP.get(fold(words[0]))):
        return spec, 1
    return None, 0


def command_words() -> list[str]:
    return list(_LOOKUP)


@dataclass
class Context:
    spec: CommandSpec
    args: str
    incoming: Incoming
    rep: Rep
    session: Session
    services: Services
    t: Translator
    now: datetime
    tz: ZoneInfo
    confirmed: bool = False
    via_flow: bool = False  # completed from a guided flow's question
    ended_flow: bool = False  # this command replaced an unfinished flow
    location: tuple[float, float] | None = None
    literal: str | None = None  # free text after a lone "--", exactly as typed

    @property
    def words(self) -> list[str]:
        return self.args.split()

    def again(self, args: str) -> str:
        """The typed form of this same command with other arguments (for buttons)."""
        tail = f" -- {self.literal}" if self.literal is not None else ""
        return f"/{self.spec.name} {args}".strip() + tail

    def ask(
        self,
        question: str,
        prefix: str,
        suffix: str = "",
        choices: list[Button] | None = None,
        step: str = "",
    ) -> Reply:
        """Ask for what is missing; the user's next plain message completes the command.

        The state lives in the database (a restart does not lose it), in this command's own
        transaction; the typed answer becomes ``prefix answer suffix``. Buttons offered here are
        complete commands, so a press needs no state at all.
        """
        i = self.incoming
        data = {
            "prefix": prefix,
            "suffix": suffix,
            "step": step,
            "location": list(self.location) if self.location else None,
        }
        flows.save(
            self.session,
            i.platform,
            i.chat_id,
            i.user_id,
            command=self.spec.name,
            data=data,
            now=self.now,
            expires_at=self.now + FLOW_IDLE,
        )
        hint = self.t("flow.hint")
        return Reply(
            f"{question}\n{hint}",
            choices=choices or [],
            buttons=[Button(self.t("button.cancel"), "/cancel")],
        )
