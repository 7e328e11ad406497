"""Slack: a Bolt for Python (async) app beside the other platforms, in the same event loop.

Socket Mode when ``SLACK_APP_TOKEN`` is set (no public URL needed), otherwise HTTP mode: Bolt's
signature check in front of ``POST /slack/events`` on ``SLACK_HTTP_PORT``, for production behind
a load balancer (``GET /healthz`` answers its probes). ``SLACK_API_BASE_URL`` points the Web API
client elsewhere (the tests' fake).

Acknowledge first, always: Bolt runs with ``process_before_response`` so that each listener acks
and returns at once, handing the work to a task (``slack_io.Work``: ``drain`` waits for them,
``stop`` lets them finish). The work answers later through ``response_url`` or the Web API.
Slack's own retries are made harmless by the dispatcher's delivery keys (the event id of an
Events API delivery, the trigger id of a command, press or submission), and 429s are retried
by slack_sdk after Retry-After.

Who may act is decided here, by two Bolt middlewares: requests from any workspace but ours are
refused before authorization, and every request's Slack user is resolved to a rep once, off
the event loop, into ``context["who"]`` (optionally bound by e-mail on first contact, after the
ack). Where answers go (ephemeral, thread, DM, never publicly into a channel shared with other
organisations) is ``slack_io``; the listeners are in ``slack_listeners``, rendering in
``slack_blocks``. The adapter reaches the store only through the kit's ``Accounts``.
"""

from __future__ import annotations

import logging
import time
from functools import partial
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.context import BoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.retrying import SendPolicy
from bot.adapters.slack_io import Outbox, Who, Work, retry_handlers
from bot.adapters.slack_listeners import register
from bot.dispatcher import Dispatcher
from bot.errors import SetupError
from handlers.kit import Accounts, Member, Reply, Services, Translator

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
DEFAULT_HTTP_PORT = 3000
EMAIL_RETRY = 600.0  # seconds before an unmapped user's e-mail is looked up again
STOP_GRACE = 10.0  # seconds ``stop`` waits for work in progress


def user_of(body: dict[str, Any]) -> str | None:
    """The Slack user behind a request: a command, an interaction payload or an event."""
    user = body.get("user_id") or body.get("user") or (body.get("event") or {}).get("user")
    if isinstance(user, dict):
        user = user.get("id")
    return str(user) if user else None


class SlackAdapter:
    platform = "slack"

    def __init__(
        self, services: Services, dispatcher: Dispatcher, policy: SendPolicy | None = None
    ) -> None:
        settings = services.settings
        policy = policy or SendPolicy()
        if settings.slack_bot_token is None:
            raise SetupError("slack.setup.no_token")
        self.services = services
        self.settings = settings
        self.accounts = Accounts(services)
        self.app_token = (
            settings.slack_app_token.get_secret_value() if settings.slack_app_token else None
        )
        secret = settings.slack_signing_secret
        if self.app_token is None and secret is None:
            raise SetupError("slack.setup.no_mode")
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
        self.client.retry_handlers = retry_handlers(dispatcher.metrics)
        if policy.timeout is not None:
            self.client.timeout = policy.timeout  # type: ignore[assignment]
        self.outbox = Outbox(self.client, settings.crm_language, dispatcher.metrics, policy)
        self.work = Work()
        self.team_id: str | None = None
        self.enterprise_id: str | None = None
        self.port: int | None = None
        self._email_checked: dict[str, float] = {}
        self._runner: web.AppRunner | None = None
        self._socket: Any = None
        self.app.use(self._identify)
        self.listeners = register(self.app, self.outbox, self.work, dispatcher)

    # ---- lifecycle

    async def start(self) -> None:
        """Learn who we are (failing fast on a bad token), then start receiving."""
        try:
            me = await self.client.auth_test()
        except SlackApiError as problem:  # a bad or revoked token: say so, without it
            raise SetupError("slack.setup.refused", error=problem.response.get("error")) from None
        except SlackClientError as problem:
            raise SetupError("slack.setup.unreachable", error=type(problem).__name__) from None
        self.team_id = me.get("team_id")
        self.enterprise_id = me.get("enterprise_id")
        self.listeners.bot_user_id = str(me.get("user_id") or "")
        self.outbox.workspace_url = str(me.get("url") or "")
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
        await self.work.drain(STOP_GRACE)

    async def drain(self, timeout: float | None = None) -> None:
        """Wait until the work of every request received so far is done."""
        await self.work.drain(timeout)

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

    async def _identify(self, context: BoltContext, body: dict[str, Any], next: Any) -> Any:
        """Resolve the request's Slack user to a rep once, for every listener (``who``)."""
        user = user_of(body)
        if user is not None:
            known = await self.accounts.member(self.platform, user)
            email = self.settings.slack_match_email
            context["who"] = Who(user, known, partial(self._bind_by_email, user) if email else None)
        return await next()

    async def _bind_by_email(self, user_id: str) -> Member | None:
        """Bind an unmapped user to the rep with their Slack profile's e-mail, if exactly one."""
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
        rep = await self.accounts.bind_slack_by_email(user_id, email)
        if rep is not None:
            log.info("Slack: bound user %s to rep %s by e-mail", user_id, rep.id)
        return rep

    async def send(self, chat_id: str, replies: list[Reply]) -> None:
        """A proactive post (digest, reminder) to a channel, or to a user id's DM."""
        await self.outbox.send(chat_id, replies)
