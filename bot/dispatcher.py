"""One message in, Replies out: authorize, parse, run the handler in one transaction.

Whatever happens inside a handler, the user gets an answer and never a traceback: a usage
problem answers with usage and an example, an ``Abort`` with its reply, anything unexpected
with "nothing was saved" and a short reference that is also in the log next to the traceback.
"""

from __future__ import annotations

import logging
import secrets
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz, process

import handlers  # noqa: F401 - registers every command
from bot.commands import CONFIRM_FLAG, Abort, Context, Usage, command_words, lookup
from bot.i18n import Translator
from bot.messages import Button, Incoming, Reply
from bot.services import Services
from storage import deliveries, reps
from storage.db import Actor
from storage.folding import fold

log = logging.getLogger(__name__)


def split_command(text: str) -> list[str]:
    """Words of a command, without the leading slash or a Telegram "@botname" suffix."""
    words = text.strip().split()
    if not words:
        return []
    head = words[0].lstrip("/")
    words[0] = head.split("@", 1)[0]
    return [w for w in words if w]


def usage_reply(t: Translator, key: str, problem: str | None = None, **values: object) -> Reply:
    lines = [t(problem, **values)] if problem else []
    lines += [
        t("usage.label", usage=t(f"help.{key}.usage")),
        t("usage.example", example=t(f"help.{key}.example")),
    ]
    return Reply("\n".join(lines), buttons=[Button(t("button.help"), f"/help {key}")])


class Dispatcher:
    def __init__(self, services: Services) -> None:
        self.services = services

    async def handle(self, incoming: Incoming) -> list[Reply]:
        t = Translator(self.services.settings.crm_language)
        try:
            return await self._handle(incoming, t)
        except Exception:
            ref = secrets.token_hex(3)
            log.exception(
                "command failed [ref %s] on %s: %r", ref, incoming.platform, incoming.text
            )
            return [Reply(t("error.internal", ref=ref))]

    async def _handle(self, incoming: Incoming, t: Translator) -> list[Reply]:
        words = split_command(incoming.text)
        if not words:
            return []
        spec, used = lookup(words)
        settings = self.services.settings
        db = self.services.db
        write = bool(spec and spec.writes) or incoming.delivery_key is not None
        with db.session(write=write) as session:
            rep = reps.for_platform(session, incoming.platform, incoming.user_id)
            if rep is None or not rep.active:
                if not incoming.is_private:
                    return []  # in groups and channels the bot answers registered reps only
                return [Reply(t("auth.unknown", user_id=incoming.user_id))]
            key = incoming.delivery_key
            if key and not deliveries.claim(session, incoming.platform, key):
                log.info("ignoring repeated delivery %s on %s", key, incoming.platform)
                return []
            t = Translator(rep.language or settings.crm_language)
            if spec is None:
                return [self._unknown(t, words[0])]
            if rep.role not in spec.roles:
                return [Reply(t("auth.role", command=spec.name))]
            now = self.services.clock()
            session.info["actor"] = Actor(rep.id, incoming.platform, now)
            args = words[used:]
            confirmed = CONFIRM_FLAG in args
            tz = ZoneInfo(rep.timezone or settings.crm_timezone)
            ctx = Context(
                spec=spec,
                args=" ".join(a for a in args if a != CONFIRM_FLAG),
                incoming=incoming,
                rep=rep,
                session=session,
                services=self.services,
                t=t,
                now=now,
                tz=tz,
                confirmed=confirmed,
            )
            try:
                result = await spec.handler(ctx)
            except Usage as problem:
                session.rollback()
                return [usage_reply(t, spec.key, problem.problem, **problem.values)]
            except Abort as stop:
                session.rollback()
                return [stop.reply]
        return result if isinstance(result, list) else [result]

    def _unknown(self, t: Translator, word: str) -> Reply:
        best = process.extractOne(fold(word), command_words(), scorer=fuzz.WRatio)
        if best and best[1] >= 60:
            suggestion = lookup([best[0]])[0]
            if suggestion:
                name = suggestion.name
                return Reply(
                    t("unknown.suggest", word=word, command=name),
                    buttons=[Button(t("button.help_on", command=name), f"/help {suggestion.key}")],
                )
        return Reply(t("unknown.none", word=word), buttons=[Button(t("button.help"), "/help")])
