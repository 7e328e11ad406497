"""What a handler receives: its command's spec, the rep, the open session and the services.

One ``Context`` per command. ``ask`` is how a handler asks for what is missing: the question's
state goes into the command's own transaction, so a guided flow survives a restart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from handlers.kit.i18n import Translator
from handlers.kit.messages import Button, Incoming, Reply
from handlers.kit.services import Services
from storage.access import Scope
from storage.chat import flows, notices
from storage.models import ROLES, Rep

FLOW_IDLE = timedelta(minutes=15)
PROPOSAL_STEP = "proposal"  # a flow whose answer "yes" runs its prefix as it stands

Handler = Callable[["Context"], "Reply | list[Reply]"]


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

    @property
    def where(self) -> str:
        """The handler's place in the code, for error messages."""
        return f"{self.handler.__module__}.{self.handler.__qualname__}"


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
    preview: bool = False  # the command runs but nothing it writes is kept
    via_flow: bool = False  # completed from a guided flow's question
    ended_flow: bool = False  # this command replaced an unfinished flow
    location: tuple[float, float] | None = None
    literal: str | None = None  # free text after a lone "--", exactly as typed
    scope: Scope | None = None  # whose records this rep may read and change (None: anyone's)
    shared: bool = False  # a group or channel others read: phones, e-mails and notes masked

    @property
    def words(self) -> list[str]:
        return self.args.split()

    def may_change(self, owner_id: int | None) -> bool:
        """Whether this rep may change a record with that owner (to offer the buttons)."""
        return self.scope is None or self.scope.can_change(owner_id)

    def may_read(self, owner_id: int | None) -> bool:
        return self.scope is None or self.scope.can_read(owner_id)

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

    def notify(self, rep_id: int, reply: Reply, *, platform: str | None = None) -> None:
        """Tell another rep (or this one, elsewhere) something, once this command commits.

        ``platform`` limits it to that platform's private chat ("Show in DM"); otherwise it goes
        to every chat the rep is mapped on. The bot process delivers it (``bot.notices``).
        """
        notices.add(self.session, rep_id, reply.to_payload(), self.now, platform)
        self.services.hooks.notices.after_commit(self.session)
