"""Bolt listeners: Slack payloads in, ``Incoming`` messages to the dispatcher, answers out.

Every listener acknowledges and returns at once (the ack must reach Slack within 3 seconds
whatever the command costs); the work runs as a task (``slack_io.Work``). Who is asking comes
resolved in ``context["who"]`` (the adapter's middleware): a listener only asks for the rep,
after its ack, because a first contact may still bind the user by e-mail through Slack's API.
The external select's options are the exception, because there the ack *is* the answer:
``/find`` is quick, and only a rep already known gets options.

Translation only, no CRM logic: ``/crm <text>`` is the typed command ``/<text>`` (other words
stay plain, see ``typed``); a DM or an @-mention is the text as written (so plain words may
answer a question the bot asked); an open-ended command (``/crm log``, the card's "Log call")
opens its form; a button carries its command in ``value``; a modal submission is assembled
into a typed command by ``slack_modals``; "Share in channel" re-runs a command that writes
nothing.
"""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.context import BoltContext

from bot.adapters.slack_blocks import (
    COMMAND_ACTION,
    MAX_OPTIONS,
    SHARE_ACTION,
    command_of,
    option,
    plain,
)
from bot.adapters.slack_edit import EDIT_VIEW, edit_submission, edit_target, edit_view
from bot.adapters.slack_io import Outbox, Target, Who, Work, is_dm
from bot.adapters.slack_modals import (
    CUSTOMER_ACTION,
    DEAL_VIEW,
    LOG_VIEW,
    VIEWS,
    Opener,
    Submission,
    deal_view,
    log_view,
    note_view,
    notice_view,
    opener,
    submission,
    task_view,
)
from bot.dispatcher import Dispatcher
from handlers.kit import Incoming, Member, Reply, lookup, split_command

COMMAND = "/crm"
LOG_SHORTCUT = "crm_log_shortcut"
DEAL_SHORTCUT = "crm_deal_shortcut"
NOTE_SHORTCUT = "crm_log_message"
_ID = re.compile(r"#(\d+)\b")

Body = dict[str, Any]


def register(app: AsyncApp, outbox: Outbox, work: Work, dispatcher: Dispatcher) -> Listeners:
    listen = Listeners(outbox, work, dispatcher)
    app.command(COMMAND)(listen.command)
    app.action(re.compile(f"^{COMMAND_ACTION}"))(listen.action)
    app.action(SHARE_ACTION)(listen.share)
    app.options(CUSTOMER_ACTION)(listen.customer_options)
    for view in (*VIEWS, EDIT_VIEW):
        app.view(view)(listen.submit)
    app.shortcut(LOG_SHORTCUT)(listen.log_shortcut)
    app.shortcut(DEAL_SHORTCUT)(listen.deal_shortcut)
    app.shortcut(NOTE_SHORTCUT)(listen.note_shortcut)
    app.event("app_mention")(listen.mention)
    app.event("message")(listen.message)
    return listen


def _metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def _key(kind: str, value: object) -> str | None:
    """The dispatcher's delivery key: the same trigger delivered twice runs once."""
    return f"{kind}:{value}" if value else None


def _said(incoming: Incoming) -> str | None:
    """What names an interaction in the logs: its delivery key, else its trigger or ts."""
    return incoming.delivery_key or incoming.message_id


def typed(text: str) -> str:
    """``/crm`` text as the dispatcher should see it.

    Command words become the typed command (``find acme`` → ``/find acme``); other words stay
    plain, so the core reads them as it reads a chat message: the answer to the question it
    asked this user here, or else a name to look up (``/crm acme``).
    """
    words = split_command(text)
    if not words:
        return "/help"
    if text.startswith("/") or lookup(words)[0] is not None:
        return "/" + text.lstrip("/")
    return text


def reads_only(command: str) -> bool:
    spec, _ = lookup(split_command(command))
    return spec is not None and not spec.writes


def customer_options(replies: list[Reply]) -> list[dict[str, Any]]:
    """``/find``'s answer as select options: the card, or each choice, valued ``#<id>``."""
    found: dict[str, str] = {}
    for reply in replies:
        if reply.card and reply.card.kind == "customer":
            found.setdefault(f"#{reply.card.id}", reply.card.title)
        for choice in reply.choices:
            if ref := _ID.search(choice.command):
                found.setdefault(f"#{ref.group(1)}", choice.label)
    return [option(label, value) for value, label in list(found.items())[:MAX_OPTIONS]]


def _channel(body: Body) -> str | None:
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    return str(channel) if channel else None


def _who(context: BoltContext, user: str) -> Who:
    found = context.get("who")
    return found if isinstance(found, Who) else Who(user, None)


class Listeners:
    def __init__(self, outbox: Outbox, work: Work, dispatcher: Dispatcher) -> None:
        self.outbox = outbox
        self.work = work
        self.dispatcher = dispatcher
        self.bot_user_id = ""  # learned from auth.test when the adapter starts

    async def _dispatch(self, incoming: Incoming) -> list[Reply]:
        return await self.dispatcher.handle(incoming)

    async def _refuse(self, target: Target, user: str) -> None:
        t = self.outbox.translator(None)
        await self.outbox.say(target, t("slack.unknown_user", user_id=user))

    # ---- /crm

    async def command(self, ack: Any, body: Body, context: BoltContext) -> None:
        await ack()
        who = _who(context, str(body["user_id"]))
        self.work.spawn(self._command(body, who), "slash command")

    async def _command(self, body: Body, who: Who) -> None:
        user, channel = who.user, str(body["channel_id"])
        private = is_dm(channel) or body.get("channel_name") == "directmessage"
        target = Target(user, channel, body.get("response_url"), ephemeral=True)
        rep = await who.rep()
        if rep is None:
            return await self._refuse(target, user)
        text = typed(plain(body.get("text") or ""))
        trigger = body.get("trigger_id")
        form = opener(text)
        if form is not None and trigger:
            return await self._open(rep, str(trigger), form, {"channel": channel}, user)
        incoming = Incoming(
            "slack",
            channel,
            user,
            text,
            message_id=trigger,
            is_private=private,
            delivery_key=_key("command", trigger),
        )
        replies = await self._dispatch(incoming)
        shareable = not private and reads_only(text) and not await self.outbox.is_shared(channel)
        await self.outbox.deliver(
            target, replies, share=text if shareable else None, key=_said(incoming)
        )

    # ---- buttons and selects

    async def action(
        self, ack: Any, body: Body, action: dict[str, Any], context: BoltContext
    ) -> None:
        await ack()
        who = _who(context, str(body["user"]["id"]))
        self.work.spawn(self._action(body, who, command_of(action)), "button")

    async def _action(self, body: Body, who: Who, command: str) -> None:
        user, channel = who.user, _channel(body)
        private = is_dm(channel)
        target = Target(user, channel, body.get("response_url"), ephemeral=not private)
        rep = await who.rep()
        if rep is None:
            return await self._refuse(target, user)
        if not command:
            return None
        trigger = body.get("trigger_id")
        form = opener(command)
        if form is not None and trigger:
            return await self._open(rep, str(trigger), form, {"channel": channel or ""}, user)
        if trigger and edit_target(command):
            return await self._edit_form(rep, str(trigger), target, command, channel or user)
        incoming = Incoming(
            "slack",
            channel or user,
            user,
            command,
            message_id=trigger,
            is_private=private,
            is_action=True,
            delivery_key=_key("action", trigger),
        )
        await self.outbox.deliver(target, await self._dispatch(incoming), key=_said(incoming))

    async def share(
        self, ack: Any, body: Body, action: dict[str, Any], context: BoltContext
    ) -> None:
        await ack()
        who = _who(context, str(body["user"]["id"]))
        self.work.spawn(self._share(body, who, command_of(action)), "share")

    async def _share(self, body: Body, who: Who, command: str) -> None:
        """Post a read-only answer publicly: re-run it, never repeat a write."""
        user, channel = who.user, _channel(body)
        quiet = Target(user, channel, body.get("response_url"), ephemeral=True)
        rep = await who.rep()
        if rep is None:
            return await self._refuse(quiet, user)
        t = self.outbox.translator_for(rep)
        if not reads_only(command) or not channel:
            return await self.outbox.say(quiet, t("slack.share_refused"))
        if await self.outbox.is_shared(channel):
            return await self.outbox.say(quiet, t("slack.shared_channel"))
        trigger = body.get("trigger_id")
        incoming = Incoming(
            "slack", channel, user, command, message_id=trigger, is_private=False, is_action=True
        )
        public = Target(user, channel, body.get("response_url"), ephemeral=False)
        await self.outbox.deliver(public, await self._dispatch(incoming), key=_said(incoming))

    async def customer_options(
        self, ack: Any, body: Body, payload: dict[str, Any], context: BoltContext
    ) -> None:
        """The external select's options, from ``/find`` (answered in the ack itself)."""
        who = _who(context, str(body["user"]["id"]))
        user = who.user
        query = plain(str(payload.get("value") or ""))
        if not query or who.known is None:  # no Slack API call before this ack
            return await ack(options=[])
        replies = await self._dispatch(Incoming("slack", user, user, f"/find {query}"))
        await ack(options=customer_options(replies))

    # ---- modals

    async def _customer(self, user: str, customer_id: int) -> tuple[str, str] | None:
        """The initial option for a form opened on a customer: its name from the card."""
        replies = await self._dispatch(Incoming("slack", user, user, f"/customer #{customer_id}"))
        card = next((r.card for r in replies if r.card and r.card.kind == "customer"), None)
        return (card.title, f"#{card.id}") if card else None

    async def _open(self, rep: Member, trigger: str, form: Opener, meta: dict, user: str) -> None:
        t = self.outbox.translator_for(rep)
        customer = await self._customer(user, form.customer_id) if form.customer_id else None
        if form.view == LOG_VIEW:
            view = log_view(t, meta, customer, form.kind)
        elif form.view == DEAL_VIEW:
            view = deal_view(t, meta, customer)
        else:
            view = task_view(t, meta, customer)
        await self.outbox.client.views_open(trigger_id=trigger, view=view)

    async def _edit_form(
        self, rep: Member, trigger: str, target: Target, command: str, channel: str
    ) -> None:
        """The Edit button: the record's fields in a form, or the refusal as an answer."""
        incoming = Incoming("slack", channel, target.user, command, is_private=is_dm(channel),
                            is_action=True)  # fmt: skip
        replies = await self._dispatch(incoming)
        view = edit_view(self.outbox.translator_for(rep), replies[-1], {"channel": channel})
        if view is None:
            return await self.outbox.deliver(target, replies, key=_said(incoming))
        await self.outbox.client.views_open(trigger_id=trigger, view=view)

    async def log_shortcut(self, ack: Any, body: Body, context: BoltContext) -> None:
        await ack()
        who = _who(context, str(body["user"]["id"]))
        self.work.spawn(self._shortcut(body, who, Opener(LOG_VIEW)), "shortcut")

    async def deal_shortcut(self, ack: Any, body: Body, context: BoltContext) -> None:
        await ack()
        who = _who(context, str(body["user"]["id"]))
        self.work.spawn(self._shortcut(body, who, Opener(DEAL_VIEW)), "shortcut")

    async def _shortcut(self, body: Body, who: Who, form: Opener) -> None:
        user, trigger = who.user, str(body["trigger_id"])
        rep = await who.rep()
        if rep is None:
            return await self._notice(trigger, user)
        await self._open(rep, trigger, form, {}, user)

    async def _notice(self, trigger: str, user: str) -> None:
        t = self.outbox.translator(None)
        view = notice_view(t, t("slack.unknown_user", user_id=user))
        await self.outbox.client.views_open(trigger_id=trigger, view=view)

    async def note_shortcut(self, ack: Any, body: Body, context: BoltContext) -> None:
        await ack()
        who = _who(context, str(body["user"]["id"]))
        self.work.spawn(self._note(body, who), "message shortcut")

    async def _note(self, body: Body, who: Who) -> None:
        """ "Log to CRM" on a message: a form with its text, to store it with its permalink."""
        user, trigger = who.user, str(body["trigger_id"])
        rep = await who.rep()
        if rep is None:
            return await self._notice(trigger, user)
        message, channel = body.get("message") or {}, _channel(body) or ""
        ts = str(message.get("ts") or body.get("message_ts") or "")
        link = self.outbox.permalink(channel, ts, message.get("thread_ts")) if ts else ""
        meta = {"channel": channel, "ts": ts, "link": link}
        text = plain(str(message.get("text") or ""))
        view = note_view(self.outbox.translator_for(rep), meta, text)
        await self.outbox.client.views_open(trigger_id=trigger, view=view)

    async def submit(
        self, ack: Any, body: Body, view: dict[str, Any], context: BoltContext
    ) -> None:
        who = _who(context, str(body["user"]["id"]))
        t = self.outbox.translator_for(who.known)
        if view.get("callback_id") == EDIT_VIEW:
            done = edit_submission(view, _metadata(view), t)
        else:
            done = submission(view, t)
        if done.errors:
            return await ack(response_action="errors", errors=done.errors)
        await ack()
        self.work.spawn(self._submitted(body, who, view, done), "form")

    async def _submitted(
        self, body: Body, who: Who, view: dict[str, Any], done: Submission
    ) -> None:
        user, command, meta = who.user, done.command, done.meta
        channel = str(meta.get("channel") or "") or None
        private = channel is None or is_dm(channel)
        target = Target(user, channel, None, ephemeral=not private)
        rep = await who.rep()
        if rep is None:
            return await self._refuse(Target(user), user)
        trigger = body.get("trigger_id") or view.get("id")
        message_id = str(meta.get("ts") or trigger)  # a logged Slack message is stored once
        incoming = Incoming(
            "slack",
            channel or user,
            user,
            command,
            message_id=message_id,
            is_private=private,
            is_action=True,
            delivery_key=_key("view", trigger),
        )
        await self.outbox.deliver(target, await self._dispatch(incoming), key=_said(incoming))

    # ---- events (acknowledged by Bolt before the listener runs)

    async def mention(self, body: Body, event: dict[str, Any], context: BoltContext) -> None:
        if is_dm(event.get("channel")) or event.get("bot_id") or event.get("subtype"):
            return  # a mention in the bot's DM also arrives as a message event
        who = _who(context, str(event["user"]))
        self.work.spawn(self._message(body, who, event, private=False), "mention")

    async def message(self, body: Body, event: dict[str, Any], context: BoltContext) -> None:
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return  # edits, joins, bots and channel chatter are not commands
        who = _who(context, str(event["user"]))
        self.work.spawn(self._message(body, who, event, private=True), "direct message")

    async def _message(self, body: Body, who: Who, event: dict[str, Any], private: bool) -> None:
        user, channel, ts = who.user, str(event["channel"]), str(event["ts"])
        await who.rep()  # binds by e-mail on first contact, if enabled
        text = plain(str(event.get("text") or ""), drop_user=self.bot_user_id) or "/help"
        key = body.get("event_id")
        incoming = Incoming(
            "slack", channel, user, text, message_id=ts, is_private=private, delivery_key=key
        )
        replies = await self._dispatch(incoming)
        if not replies:
            return
        if private:
            target = Target(user, channel, ephemeral=False)
        else:
            shared = await self.outbox.is_shared(channel, body.get("is_ext_shared_channel"))
            thread = str(event.get("thread_ts") or ts)
            target = Target(user, channel, ephemeral=shared, thread_ts=thread)
        await self.outbox.deliver(target, replies, key=_said(incoming))
