"""Slack: a Bolt for Python (async) app beside the other platforms, in the same event loop.

Socket Mode when ``SLACK_APP_TOKEN`` is set (no public URL needed), otherwise HTTP mode: Bolt's
signature check in front of ``POST /slack/events`` on ``SLACK_HTTP_PORT``, for production behind
a load balancer (``GET /healthz`` answers its probes). ``SLACK_API_BASE_URL`` points the Web API
client elsewhere (the tests' fake).

Acknowledge first, always: Bolt runs with ``process_before_response`` so that each listener acks
and returns at once, handing the work to a task this adapter tracks (``drain`` waits for them,
``stop`` lets them finish). The work answers later through ``response_url`` or the Web API.
Slack's own retries are made harmless by the dispatcher's delivery keys (the event id of an
Events API delivery, the trigger id of a command, press or submission), and 429s are retried
by slack_sdk after Retry-After.

What is Slack-specific lives here: who may act (a Slack user mapped to a rep, optionally bound
by e-mail on first contact; only our own workspace), where answers go (ephemeral, thread, DM),
and that CRM answers are never posted publicly into a channel shared with other organisations
(Slack Connect). The listeners are in ``slack_listeners``, rendering in ``slack_blocks``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.context import BoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.adapters.base import DeliveryError
from bot.adapters.slack_blocks import Message, render, section
from bot.dispatcher import Dispatcher
from bot.i18n import Translator
from bot.messages import Attachment, Reply
from bot.services import Services
from storage import reps
from storage.db import Actor
from storage.models import Rep

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
DEFAULT_HTTP_PORT = 3000
SHARED_TTL = 600.0  # seconds a channel's Slack Connect status is remembered
EMAIL_RETRY = 600.0  # seconds before an unmapped user's e-mail is looked up again
STOP_GRACE = 10.0  # seconds ``stop`` waits for work in progress


class SlackSetupError(ValueError):
    """The Slack settings do not describe a way to receive events."""


def retry_handlers() -> list[Any]:
    """Connection resets and 429s (after their Retry-After) are retried by slack_sdk."""
    return [AsyncConnectionErrorRetryHandler(), AsyncRateLimitErrorRetryHandler(max_retry_count=3)]


@dataclass(frozen=True)
class Target:
    """Where the answers to one interaction go."""

    user: str
    channel: str | None = None
    response_url: str | None = None
    ephemeral: bool = True  # only the user sees them
    thread_ts: str | None = None


def is_dm(channel: str | None) -> bool:
    return bool(channel) and str(channel).startswith("D")


class SlackAdapter:
    platform = "slack"

    def __init__(self, services: Services, dispatcher: Dispatcher) -> None:
        from bot.adapters.slack_listeners import register  # it imports Target from here

        settings = services.settings
        if settings.slack_bot_token is None:
            raise SlackSetupError("SLACK_BOT_TOKEN is not set")
        self.services = services
        self.dispatcher = dispatcher
        self.settings = settings
        self.app_token = (
            settings.slack_app_token.get_secret_value() if settings.slack_app_token else None
        )
        secret = settings.slack_signing_secret
        if self.app_token is None and secret is None:
            raise SlackSetupError(
                "Slack needs SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode)"
            )
        self.app = AsyncApp(
            token=settings.slack_bot_token.get_secret_value(),
            signing_secret=secret.get_secret_value() if secret else "",
            process_before_response=True,  # listeners ack and return; the work is a task
            before_authorize=self._only_home_team,  # refused before any auth.test call
            name="crm-bot",
            logger=logging.getLogger("bot.adapters.slack.bolt"),
        )
        # Bolt's own client (each request's client is copied from it): pointed where the settings
        # say, and retrying 429s. Passing our own client instead would make Bolt warn whenever
        # SLACK_BOT_TOKEN is also in the environment, which it always is.
        self.client: AsyncWebClient = self.app.client
        base_url = settings.slack_api_base_url or AsyncWebClient.BASE_URL
        self.client.base_url = base_url if base_url.endswith("/") else f"{base_url}/"
        self.client.retry_handlers = retry_handlers()
        self.team_id: str | None = None
        self.enterprise_id: str | None = None
        self.bot_user_id = ""
        self.workspace_url = ""
        self.port: int | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._shared: dict[str, tuple[float, bool]] = {}
        self._email_checked: dict[str, float] = {}
        self._runner: web.AppRunner | None = None
        self._socket: Any = None
        register(self.app, self)

    # ---- lifecycle

    async def start(self) -> None:
        """Learn who we are (failing fast on a bad token), then start receiving."""
        me = await self.client.auth_test()
        self.team_id = me.get("team_id")
        self.enterprise_id = me.get("enterprise_id")
        self.bot_user_id = str(me.get("user_id") or "")
        self.workspace_url = str(me.get("url") or "")
        if self.app_token:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            self._socket = AsyncSocketModeHandler(self.app, self.app_token, web_client=self.client)
            await self._socket.connect_async()
            log.info("Slack: Socket Mode connected to workspace %s", self.team_id)
            return
        web_app = web.Application()
        web_app.router.add_post(EVENTS_PATH, self._http_events)
        web_app.router.add_get(HEALTH_PATH, self._health)
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        port = self.settings.slack_http_port
        site = web.TCPSite(
            self._runner, self.settings.slack_http_host, DEFAULT_HTTP_PORT if port is None else port
        )
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        log.info("Slack: HTTP mode on port %s%s", self.port, EVENTS_PATH)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        await self.drain(STOP_GRACE)

    async def _http_events(self, request: web.Request) -> web.Response:
        response = await self.app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def _health(self, _request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def _only_home_team(
        self, context: BoltContext, body: dict[str, Any], next: Any
    ) -> BoltResponse | None:
        """Requests from any workspace but the one our token belongs to are refused."""
        if body.get("type") in ("url_verification", "ssl_check"):
            return await next()  # Slack checking the endpoint, on behalf of no workspace
        team, enterprise = context.team_id, context.enterprise_id
        if team == self.team_id or (self.enterprise_id and enterprise == self.enterprise_id):
            return await next()
        log.warning("Slack: refused a request from workspace %s", team)
        if body.get("command"):
            text = Translator(self.settings.crm_language)("slack.foreign_team")
            return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text})
        return BoltResponse(status=200, body="")

    # ---- work after the ack

    def spawn(self, work: Awaitable[None], what: str) -> None:
        task = asyncio.ensure_future(self._guarded(work, what))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guarded(self, work: Awaitable[None], what: str) -> None:
        try:
            await work
        except Exception:
            log.exception("Slack: handling a %s failed", what)

    async def drain(self, timeout: float | None = None) -> None:
        """Wait until the work of every request received so far is done."""
        while self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
            if pending:
                log.warning("Slack: %d requests still in progress at shutdown", len(pending))
                return

    # ---- who may act

    def known_rep(self, user_id: str) -> Rep | None:
        """The active rep mapped to this Slack user id, if any (no API call)."""
        with self.services.db.session() as session:
            rep = reps.for_platform(session, self.platform, user_id)
        return rep if rep is not None and rep.active else None

    async def rep_for(self, user_id: str) -> Rep | None:
        """The active rep mapped to this Slack user, bound by e-mail on first contact if enabled."""
        with self.services.db.session() as session:
            rep = reps.for_platform(session, self.platform, user_id)
        if rep is not None:
            return rep if rep.active else None
        if not self.settings.slack_match_email:
            return None
        checked = self._email_checked.get(user_id)
        if checked is not None and time.monotonic() - checked < EMAIL_RETRY:
            return None
        self._email_checked[user_id] = time.monotonic()
        try:
            found = await self.client.users_info(user=user_id)
        except SlackClientError as problem:
            log.warning("Slack: users.info for %s failed: %s", user_id, problem)
            return None
        user = found.get("user") or {}
        email = (user.get("profile") or {}).get("email")
        if not email or user.get("deleted") or user.get("is_bot"):
            return None
        if user.get("team_id") not in (None, self.team_id):
            return None  # a guest from another organisation (Slack Connect)
        actor = Actor(None, self.platform, self.services.clock())
        with self.services.db.session(write=True, actor=actor) as session:
            rep = reps.bind_slack_by_email(session, email, user_id)
        if rep is not None:
            log.info("Slack: bound user %s to rep %s by e-mail", user_id, rep.id)
        return rep

    def translator(self, rep: Rep | None) -> Translator:
        return Translator((rep.language if rep else None) or self.settings.crm_language)

    async def is_shared(self, channel: str | None, hint: object = None) -> bool:
        """Whether a channel is shared with another organisation (Slack Connect).

        ``hint`` is the payload's own ``is_ext_shared_channel`` when it has one. When Slack
        cannot tell us, the channel counts as shared: customer data is not risked on a guess.
        """
        if not channel or is_dm(channel):
            return False
        if isinstance(hint, bool):
            return hint
        cached = self._shared.get(channel)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        try:
            info = (await self.client.conversations_info(channel=channel)).get("channel") or {}
        except SlackClientError as problem:
            log.warning("Slack: conversations.info for %s failed: %s", channel, problem)
            return True
        shared = bool(info.get("is_ext_shared") or info.get("is_pending_ext_shared"))
        self._shared[channel] = (time.monotonic() + SHARED_TTL, shared)
        return shared

    def permalink(self, channel: str, ts: str, thread_ts: str | None = None) -> str:
        link = f"{self.workspace_url.rstrip('/')}/archives/{channel}/p{ts.replace('.', '')}"
        if thread_ts and thread_ts != ts:
            link += f"?thread_ts={thread_ts}&cid={channel}"
        return link

    # ---- answers

    async def deliver(
        self, target: Target, replies: list[Reply], t: Translator, *, share: str | None = None
    ) -> None:
        for reply in replies:
            for message in render(reply, t, share=share):
                await self._post(target, message)
            if reply.attachments:
                await self._upload(target, reply.attachments)

    async def say(self, target: Target, text: str) -> None:
        await self._post(target, {"text": text, "blocks": list(section(text))})

    async def _post(self, target: Target, message: Message) -> None:
        if target.response_url:
            kind = "ephemeral" if target.ephemeral else "in_channel"
            body = {**message, "response_type": kind, "replace_original": False}
            hook = AsyncWebhookClient(target.response_url, retry_handlers=retry_handlers())
            answer = await hook.send_dict(body)
            if answer.status_code != 200:
                log.warning("Slack: response_url answered %s: %s", answer.status_code, answer.body)
            return
        thread = {"thread_ts": target.thread_ts} if target.thread_ts else {}
        if target.ephemeral and target.channel:
            try:
                await self.client.chat_postEphemeral(
                    channel=target.channel, user=target.user, **thread, **message
                )
                return
            except SlackApiError as problem:  # e.g. not in the channel: say it in the DM
                log.info("Slack: ephemeral in %s failed (%s); using DM", target.channel, problem)
                thread = {}
        channel = target.channel if target.channel and not target.ephemeral else target.user
        await self.client.chat_postMessage(channel=channel, **thread, **message)

    async def _upload(self, target: Target, files: list[Attachment]) -> None:
        """Files go where the answer went; answers only the user sees get theirs in a DM."""
        public = target.channel and not target.ephemeral
        channel = target.channel if public else await self._conversation(target.user)
        thread = target.thread_ts if public else None
        for item in files:
            await self.client.files_upload_v2(
                channel=channel,
                content=item.data,
                filename=item.filename,
                title=item.title or item.filename,
                thread_ts=thread,
            )

    async def _conversation(self, chat_id: str) -> str:
        """A channel id for ``chat_id``; a user id means that user's DM with the app."""
        if chat_id[:1] in ("U", "W"):
            opened = await self.client.conversations_open(users=chat_id)
            return str((opened.get("channel") or {}).get("id") or chat_id)
        return chat_id

    async def send(self, chat_id: str, replies: list[Reply]) -> None:
        """A proactive post (digest, reminder) to a channel, or to a user id's DM."""
        if await self.is_shared(chat_id if chat_id[:1] in ("C", "G") else None):
            raise DeliveryError(f"{chat_id} is shared with another organisation (Slack Connect)")
        try:
            channel = await self._conversation(chat_id)
            t = self.translator(self.known_rep(chat_id))
            await self.deliver(Target(user=chat_id, channel=channel, ephemeral=False), replies, t)
        except SlackClientError as problem:
            raise DeliveryError(f"Slack could not post to {chat_id}: {problem}") from problem
