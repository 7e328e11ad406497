"""One message in, Replies out: authorize, parse, run the handler in one transaction.

Whatever happens inside a handler, the user gets an answer and never a traceback: a usage
problem answers with usage and an example, an ``Abort`` with its reply, anything unexpected
with "nothing was saved" and a short reference that is also in the log next to the traceback.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from contextvars import ContextVar
from typing import Any
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz, process

from bot import rate_limit
from bot.metrics import NO_COMMAND, Metrics
from bot.worker import ChatOrderedPool
from handlers import invites  # importing any of handlers registers every command
from handlers.kit import (
    CONFIRM_FLAG,
    FLOW_IDLE,
    PREVIEW_FLAG,
    PROPOSAL_STEP,
    SENTENCE,
    Abort,
    Button,
    CommandSpec,
    Context,
    Incoming,
    Reply,
    Services,
    Translator,
    Usage,
    command_words,
    is_keyword,
    lookup,
    meant,
    split_command,
    split_literal,
    usage_reply,
)
from handlers.kit.storable import guard_lengths, refuse_unstorable
from handlers.kit.visibility import scope_for
from handlers.owners_told import tell_owners
from handlers.ownership import refusal
from storage.access import Forbidden, restrict
from storage.audit import WROTE, watch
from storage.chat import deliveries, flows, rates
from storage.chat import settings as chat_settings
from storage.db import Actor
from storage.folding import fold
from storage.guard import refuse_record_writes

log = logging.getLogger(__name__)


def _point(value: object) -> tuple[float, float] | None:
    if isinstance(value, list | tuple) and len(value) == 2:
        return float(value[0]), float(value[1])
    return None


# Commands run off the event loop that the adapters and the scheduler share, on a small pool
# of worker threads (``bot.worker``): a command's database work (up to the busy timeout on a
# locked SQLite file) never stalls a Slack acknowledgement or a Telegram poll, commands of
# different chats run side by side, and one chat's messages run in the order they came.
# Handlers are plain functions: a worker runs them directly, with no event loop of its own.
# The canonical name of the command being run on this thread, for the metrics and the log.
_RUNNING: ContextVar[str] = ContextVar("crm_running_command", default=NO_COMMAND)


class Dispatcher:
    def __init__(self, services: Services, metrics: Metrics | None = None) -> None:
        self.services = services
        self.metrics = metrics or Metrics()
        self.workers = ChatOrderedPool(services.settings.command_workers)

    async def handle(self, incoming: Incoming) -> list[Reply]:
        loop = asyncio.get_running_loop()
        waiting = self.metrics.queue_depth
        started: list[bool] = []  # set by the worker as it takes the message

        def run() -> list[Reply]:
            started.append(True)
            waiting.dec()
            return self._run(incoming, queued)

        queued = time.perf_counter()
        waiting.inc()
        try:
            key = (incoming.platform, incoming.chat_id)
            return await asyncio.wrap_future(self.workers.submit(key, run), loop=loop)
        finally:
            if not started:  # cancelled before the worker took it
                waiting.dec()

    def _run(self, incoming: Incoming, queued: float | None = None) -> list[Reply]:
        t = Translator(self.services.settings.crm_language)
        queued = time.perf_counter() if queued is None else queued
        token = _RUNNING.set(NO_COMMAND)
        try:
            return self._timed(incoming, t, queued)
        finally:
            _RUNNING.reset(token)

    def _timed(self, incoming: Incoming, t: Translator, queued: float) -> list[Reply]:
        """``_handle`` with what the metrics and the log need: its command, time and failure."""
        failed = False
        try:
            replies = self._handle(incoming, t)
        except Exception:
            failed = True
            ref = secrets.token_hex(3)
            log.exception(  # what was typed stays out of the log: it may hold customer data
                "command failed [ref %s] on %s chat %s (delivery %s): /%s",
                ref,
                incoming.platform,
                incoming.chat_id,
                incoming.delivery_key,
                (split_command(incoming.text) or ["?"])[0][:32],
            )
            replies = [Reply(t("error.internal", ref=ref))]
        for reply in replies:  # in the rep's language; those without one, in the CRM's
            reply.language = reply.language or t.language
        command, seconds = _RUNNING.get(), time.perf_counter() - queued
        self.metrics.command_seconds.labels(command).observe(seconds)
        if failed:
            self.metrics.command_errors.labels(command).inc()
        log.info(
            "handled /%s on %s in %.1f ms (delivery %s)",
            command, incoming.platform, seconds * 1000, incoming.delivery_key,
            extra={"command": command, "platform": incoming.platform,
                   "delivery_key": incoming.delivery_key, "duration_ms": round(seconds * 1000, 2),
                   "failed": failed},
        )  # fmt: skip
        return replies

    def _handle(self, incoming: Incoming, t: Translator) -> list[Reply]:
        head, literal = split_literal(incoming.text)
        words = split_command(head)
        if not words and incoming.location is None:
            return []
        spec, used = lookup(words)
        typed = incoming.text.lstrip().startswith("/")
        settings = self.services.settings
        # Plain text may complete a guided flow, a location is stored, a delivery key and the
        # rate counters are written: all these take the write lock up front.
        write = bool(spec and spec.writes) or incoming.delivery_key is not None or not typed
        write = write or rate_limit.limited(settings)
        # A read command may still write (the access log of a card shown), and on SQLite a
        # read transaction that turns into a write while another of our threads writes fails
        # at once with "database is locked": every command takes the process's writer turn.
        # A typed read is counted in its rate by the statement that claims it and finds the
        # rep (PostgreSQL; "every attempt counts", a refusal for the rep's role too).
        counts_read = (
            typed and spec is not None and not spec.writes and rate_limit.limited(settings)
        )
        with self.services.db.session(write=write, turn=True) as session:
            key, platform = incoming.delivery_key, incoming.platform
            now = self.services.clock()
            claimed, rep, counted = deliveries.claimed_rep(
                session, platform, key, incoming.user_id, now if counts_read else None
            )
            if not claimed:
                log.info("ignoring repeated delivery %s on %s", key, platform)
                return []
            if rep is None or not rep.active:
                if len(words) == 2 and words[0].lower() == "start" and incoming.is_private:
                    return [invites.redeem(session, self.services, incoming, words[1], t)]
                if not incoming.is_private:
                    return []  # in groups and channels the bot answers registered reps only
                return [Reply(t("auth.unknown", user_id=incoming.user_id))]
            t = Translator(rep.language or settings.crm_language)
            session.info["actor"] = Actor(rep.id, incoming.platform, now, secrets.token_hex(4))
            where = (incoming.platform, incoming.chat_id, incoming.user_id)
            flow = None if typed else flows.active(session, *where, now)
            location = incoming.location
            if not words and flow is not None and location is not None:
                flows.remember_location(session, flow, location)  # for the flow's command
                return [Reply(t("location.noted"))]
            asked: tuple[str, dict[str, Any]] | None = None  # the question this text answers
            fallback = False  # a command word without a slash: a sentence, if it does not parse
            if not words:  # a shared location on its own
                words = ["location"]
            elif flow is not None and (picked := _picked(flow.data, words)) is not None:
                head, literal = split_literal(picked)  # "2": the second of the last list
                words, typed = split_command(head), True
                flows.clear(session, *where)
            elif flow is not None and flow.step == PROPOSAL_STEP and _agrees(incoming.text):
                head, literal = split_literal(flow.data["prefix"])  # "evet": as [Save]
                words, typed = split_command(head), True
                flows.clear(session, *where)
            elif flow is not None and flow.step not in (flows.PICK, PROPOSAL_STEP):
                # the answer to the flow's question completes its command
                asked = flow.command, dict(flow.data)
                answer = f"{flow.data['prefix']} {incoming.text} {flow.data['suffix']}"
                head, literal = split_literal(answer)
                words = split_command(head)
                location = location or _point(flow.data.get("location"))
                flows.clear(session, *where)
            elif not typed:
                if flow is not None:  # new text leaves the last list or proposal behind
                    flows.clear(session, *where)
                fallback = spec is not None and len(words) > used
                words = words if fallback else [SENTENCE, *words]
            spec, used = lookup(words)
            if spec is None:
                return [self._unknown(t, words)]
            if rep.role not in spec.roles:
                key = "auth.admin_only" if spec.roles == ("admin",) else "auth.role"
                return [Reply(t(key, command=spec.name))]
            # A new write command ends an unfinished flow (read commands leave it be).
            ending = where if typed and spec.writes else None
            busy, ended = rate_limit.count(
                session, settings, rep.id or 0, spec.writes, now, ending, counted
            )
            if busy is not None:
                return [Reply(t(busy, seconds=60 - now.second))]
            if ended is None:
                ended = ending is not None and flows.clear(session, *where)

            def context(spec: CommandSpec, args: list[str]) -> Context:
                return Context(
                    spec=spec,
                    args=" ".join(a for a in args if a not in (CONFIRM_FLAG, PREVIEW_FLAG)),
                    incoming=incoming,
                    rep=rep,
                    session=session,
                    services=self.services,
                    t=t,
                    now=now,
                    tz=ZoneInfo(rep.timezone or settings.crm_timezone),
                    confirmed=CONFIRM_FLAG in args,
                    preview=PREVIEW_FLAG in args,
                    via_flow=asked is not None,
                    ended_flow=bool(ended),
                    location=location,
                    literal=literal,
                    scope=scope_for(session, rep, settings.crm_visibility),
                    shared=not incoming.is_private
                    and not chat_settings.is_internal(session, incoming.platform, incoming.chat_id),
                )

            replies, refused = self._execute(context(spec, words[used:]))
            if refused and fallback:  # "tamam bu iş": not /done's arguments, so a sentence
                reading, _ = lookup([SENTENCE])
                assert reading is not None
                replies, _ = self._execute(context(reading, words))
            elif refused and asked is not None:  # not an answer: ask again, the question open
                command, data = asked
                flows.save(session, *where, command=command, data=data, now=now,
                           expires_at=now + FLOW_IDLE)  # fmt: skip
                replies[-1].text += "\n" + t("flow.still_open")
            if replies and replies[-1].choices:  # so that "2" picks the second entry
                # In the command's session, even after a rollback or under the read-only
                # guard (flows are a side table): a transaction of its own cost a choice list
                # a second BEGIN and COMMIT (six round trips on PostgreSQL).
                commands = [c.command for c in replies[-1].choices]
                flows.offer_choices(session, *where, commands, now=now, expires_at=now + FLOW_IDLE)
        return replies

    def _execute(self, ctx: Context) -> tuple[list[Reply], bool]:
        """Run the handler in the command's session: within the rep's scope (it sees only what
        they may read, and a flush refuses what they may not change), read-only when declared
        so; a stop, a usage problem or a refusal rolls everything back. Also says whether the
        arguments were refused as not the command's (a ``Usage``)."""
        session, spec, t = ctx.session, ctx.spec, ctx.t
        _RUNNING.set(spec.name)
        assert ctx.scope is not None
        restrict(session, ctx.scope)
        if not spec.writes:
            refuse_record_writes(session)  # so that ``writes=False`` cannot lie
        else:
            watch(session)  # its changes, for the owners to be told
        language = t.language
        refused = False
        try:
            refuse_unstorable(ctx.args, ctx.literal)  # before any query sees the text
            guard_lengths(session)
            result = spec.handler(ctx)
            session.flush()  # ownership is checked here, while a refusal can still answer
            if spec.writes and not ctx.preview:
                tell_owners(ctx)
                result = _undoable(ctx, result)
            language = ctx.rep.language or self.services.settings.crm_language  # after /lang
        except Usage as problem:
            self._roll_back(ctx)
            result = usage_reply(t, spec.key, problem.problem, **problem.values)
            refused = True
        except Abort as stop:
            self._roll_back(ctx)
            result = stop.reply
        except Forbidden as denied:
            self._roll_back(ctx)
            result = refusal(session, t, denied, ctx.again(ctx.args))
        replies = result if isinstance(result, list) else [result]
        if ctx.preview:
            self._roll_back(ctx)
            replies = [_previewed(t, ctx, reply) for reply in replies]
        for reply in replies:
            reply.language = reply.language or language
        return replies, refused

    def _roll_back(self, ctx: Context) -> None:
        """Undo the command; its place in the rate count stays (bad input is input too)."""
        ctx.session.rollback()
        if rate_limit.limited(self.services.settings):
            rates.count(ctx.session, ctx.rep.id or 0, ctx.now, ctx.spec.writes)

    def _unknown(self, t: Translator, words: list[str]) -> Reply:
        """What the rep meant: a command that does it by another name, one that does not exist
        yet (said honestly), or one spelt alike."""
        word = words[0]
        spec, missing = meant(words)
        if missing is not None:
            return Reply(t(f"unknown.missing.{missing}", word=word))
        if spec is not None:
            return Reply(
                t("unknown.means", word=word, command=spec.name),
                buttons=[Button(t("button.help_on", command=spec.name), f"/help {spec.key}")],
            )
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


def _previewed(t: Translator, ctx: Context, reply: Reply) -> Reply:
    """What a command would answer, with nothing kept and nothing to press: the records its
    buttons name were never written. The rep edits the example to run it on their own data."""
    typed = f"/{ctx.spec.name} {ctx.args}".strip()
    text = "\n".join([t("help.preview"), reply.text, t("help.preview_edit", command=typed)])
    return Reply(
        text, buttons=[Button(t("button.help_on", command=ctx.spec.name), f"/help {ctx.spec.key}")]
    )


def _picked(data: dict[str, Any], words: list[str]) -> str | None:
    """The command of the list entry a bare number picks ("2"), if it is one."""
    choices = data.get("choices") or []
    if len(words) == 1 and words[0].isdigit() and 1 <= int(words[0]) <= len(choices):
        return str(choices[int(words[0]) - 1])
    return None


def _agrees(text: str) -> bool:
    """ "evet", "ok", "tamam": yes to a proposal."""
    return is_keyword(text.strip(" .!"), "kw.chat.yes") or is_keyword(
        text.strip(" .!"), "kw.chat.ok"
    )


def _undoable(ctx: Context, result: Reply | list[Reply]) -> Reply | list[Reply]:
    """A write answer gets an [Undo] button for its own command, when it changed a record
    (not a question, not /undo itself, not an answer that has its own way back: a merge's
    /unmerge, a deletion's /restore)."""
    replies = result if isinstance(result, list) else [result]
    if not replies or not ctx.session.info.get(WROTE) or ctx.spec.name == "undo":
        return result
    label = ctx.t("button.undo")
    last = replies[-1]
    own_way_back = ("/unmerge", "/restore")
    if all(b.label != label and not b.command.startswith(own_way_back) for b in last.buttons):
        last.buttons.append(Button(label, f"/undo {ctx.session.info['actor'].command}"))
    return result
