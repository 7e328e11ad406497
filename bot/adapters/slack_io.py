"""Slack's way out: where an interaction's answers go, posting them, and the work after an ack.

Split from ``slack`` (the adapter's lifecycle and its middleware) so that the listeners, which
answer, and the adapter, which registers them, depend on this module and never on each other.

- ``Target`` says where one interaction's answers go: its ``response_url``, an ephemeral
  message, a thread, a DM.
- ``Outbox`` renders Replies as Block Kit and posts them; uploads go where the answer went
  (answers only the user sees get their files in a DM); it knows whether a channel is shared
  with another organisation (Slack Connect), where CRM answers are never posted publicly.
- ``Work`` runs what a listener hands over after acknowledging, and waits for it at shutdown.

Every post goes through the retry policy (``retrying``; how it combines with slack_sdk's retry
handlers is in ``slack_send``); blocks Slack refuses (``invalid_blocks``) are sent again as the
message's text alone; an answer that still fails is logged with its delivery key and record.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.adapters.base import DeliveryError
from bot.adapters.retrying import SendPolicy, lost, why
from bot.adapters.slack_blocks import Message, escape, render, section
from bot.adapters.slack_send import (
    FAILURES,
    Unanswered,
    error_code,
    retry_after,
    text_only,
    transient,
)
from bot.metrics import SLACK_SENDS, Metrics
from handlers.kit import Attachment, Member, Reply, Translator

log = logging.getLogger(__name__)

_HOOK = frozenset({"response_url"})  # a post to an interaction's response_url is a send
SHARED_TTL = 600.0  # seconds a channel's Slack Connect status is remembered
T = TypeVar("T")


class Counted(AsyncRetryHandler):
    """Counts every answer of Slack's API (slack_sdk shows each one, 200s too, to its retry
    handlers in turn) and never asks for a retry itself: the handlers after it decide."""

    def __init__(self, metrics: Metrics) -> None:
        super().__init__()
        self.metrics = metrics

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is not None:
            status = response.status_code
            if status == 200 and isinstance(response.body, dict) and not response.body.get("ok"):
                status = 400  # Slack's refusals come as 200 {"ok": false}
            method = request.url.rstrip("/").rsplit("/", 1)[-1].split("?")[0]
            self.metrics.api_answer("slack", method, status, SLACK_SENDS)
        return False


def retry_handlers(metrics: Metrics | None = None) -> list[Any]:
    """Connection resets and 429s (after their Retry-After) are retried by slack_sdk; every
    answer is counted first, when metrics are given."""
    counted = [Counted(metrics)] if metrics is not None else []
    return [
        *counted,
        AsyncConnectionErrorRetryHandler(),
        AsyncRateLimitErrorRetryHandler(max_retry_count=3),
    ]


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


class Outbox:
    def __init__(
        self,
        client: AsyncWebClient,
        default_language: str,
        metrics: Metrics | None = None,
        policy: SendPolicy | None = None,
    ) -> None:
        self.client = client
        self.policy = policy or SendPolicy()
        self.default_language = default_language
        self.metrics = metrics
        self.workspace_url = ""  # learned from auth.test when the adapter starts
        self._shared: dict[str, tuple[float, bool]] = {}

    def translator(self, language: str | None) -> Translator:
        return Translator(language or self.default_language)

    def translator_for(self, rep: Member | None) -> Translator:
        return self.translator(rep.language if rep else None)

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

    async def deliver(
        self,
        target: Target,
        replies: list[Reply],
        *,
        share: str | None = None,
        key: str | None = None,
    ) -> None:
        """The answers to one interaction (``key``: its delivery key). One that still fails
        after its retries is logged with the key and its record, and the others still go."""
        for reply in replies:
            try:
                await self._deliver_one(target, reply, share)
            except FAILURES as problem:
                lost("slack", key, reply, problem)

    async def _deliver_one(self, target: Target, reply: Reply, share: str | None) -> None:
        """A reply in its own language (the dispatcher stamps it), files after its text."""
        for message in render(reply, self.translator(reply.language), share=share):
            await self._post(target, message)
        if reply.attachments:
            await self._upload(target, reply.attachments)

    async def say(self, target: Target, text: str) -> None:
        said = escape(text)
        await self._post(target, {"text": said, "blocks": list(section(said))})

    async def send(self, chat_id: str, replies: list[Reply]) -> None:
        """A proactive post (digest, reminder) to a channel, or to a user id's DM."""
        if await self.is_shared(chat_id if chat_id[:1] in ("C", "G") else None):
            raise DeliveryError(f"{chat_id} is shared with another organisation (Slack Connect)")
        try:
            channel = await self._conversation(chat_id)
            target = Target(user=chat_id, channel=channel, ephemeral=False)
            for reply in replies:
                await self._deliver_one(target, reply, None)
        except FAILURES as problem:
            raise DeliveryError(f"Slack could not post to {chat_id}: {why(problem)}") from problem

    async def _api(self, call: Callable[[], Awaitable[T]]) -> T:
        return await self.policy.run(call, transient, retry_after)

    async def _post(self, target: Target, message: Message) -> None:
        """One message, retried; if Slack refuses its blocks, its text alone, once."""
        try:
            await self._api(partial(self._post_once, target, message))
        except (SlackApiError, Unanswered) as problem:
            plain = text_only(message)
            if error_code(problem) != "invalid_blocks" or plain is None:
                raise
            log.warning("Slack: blocks refused (invalid_blocks); sending the text alone")
            await self._api(partial(self._post_once, target, plain))

    async def _post_once(self, target: Target, message: Message) -> None:
        if target.response_url:
            kind = "ephemeral" if target.ephemeral else "in_channel"
            body = {**message, "response_type": kind, "replace_original": False}
            hook = AsyncWebhookClient(
                target.response_url,
                retry_handlers=retry_handlers(self.metrics),
                **({"timeout": self.policy.timeout} if self.policy.timeout else {}),
            )
            answer = await hook.send_dict(body)
            if self.metrics is not None and answer.status_code != 429:  # 429s: counted above
                self.metrics.api_answer("slack", "response_url", answer.status_code, _HOOK)
            if answer.status_code != 200:
                raise Unanswered(answer.status_code, answer.body or "", dict(answer.headers))
            return
        thread = {"thread_ts": target.thread_ts} if target.thread_ts else {}
        if target.ephemeral and target.channel:
            try:
                await self.client.chat_postEphemeral(
                    channel=target.channel, user=target.user, **thread, **message
                )
                return
            except SlackApiError as problem:  # e.g. not in the channel: say it in the DM
                if transient(problem):
                    raise  # Slack's trouble, not the channel's: the same post again
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
            await self._api(
                partial(
                    self.client.files_upload_v2,
                    channel=channel,
                    content=item.data,
                    filename=item.filename,
                    title=item.title or item.filename,
                    thread_ts=thread,
                )
            )

    async def _conversation(self, chat_id: str) -> str:
        """A channel id for ``chat_id``; a user id means that user's DM with the app."""
        if chat_id[:1] in ("U", "W"):
            opened = await self._api(partial(self.client.conversations_open, users=chat_id))
            return str((opened.get("channel") or {}).get("id") or chat_id)
        return chat_id


class Work:
    """The work listeners hand over after their ack, tracked so that a stop can let it end."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

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


class Who:
    """The rep behind one request's Slack user, resolved once by the adapter's middleware.

    ``known`` is what the database says (looked up before any listener runs, off the event
    loop). A user nobody mapped yet may still be bound by e-mail on first contact, but that
    asks Slack's API, which must never delay an acknowledgement: ``rep()`` does it when the
    listener's work, after its ack, first needs the rep.
    """

    def __init__(
        self,
        user: str,
        known: Member | None,
        first_contact: Callable[[], Awaitable[Member | None]] | None = None,
    ) -> None:
        self.user = user
        self.known = known
        self._first_contact = first_contact if known is None else None

    async def rep(self) -> Member | None:
        if self._first_contact is not None:
            bind, self._first_contact = self._first_contact, None
            self.known = await bind()
        return self.known
