"""Slack's side of the conversation: correctly signed HTTP requests to the running adapter.

``slack_running`` starts the fake Web API and the real ``SlackAdapter`` (Bolt AsyncApp behind
its aiohttp server on 127.0.0.1, an ephemeral port); the harness then sends what Slack would
send (slash commands, block actions, options requests, view submissions, shortcuts, Events API
callbacks), each signed with ``SignatureVerifier(secret).generate_signature``, and reads what
the fake API received. Nothing here sleeps: tests wait on the fake's calls or on ``drain``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import time
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from bot.adapters.retrying import SendPolicy
from bot.adapters.slack import SlackAdapter
from bot.dispatcher import Dispatcher
from handlers.kit import Services, Settings
from tests.fakes.slack_api import BOT_TOKEN, FakeSlackApi
from tests.quick_sends import quick

SECRET = "test-signing-secret"


def run(scenario: Coroutine[Any, Any, Any], timeout: float = 30.0) -> Any:
    """Run one async scenario; a hang fails the test instead of blocking the suite."""
    return asyncio.run(asyncio.wait_for(scenario, timeout))


def sign(body: str, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends with a request: its timestamp and the signature over both."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


@dataclass
class Sent:
    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


def block_texts(message: dict[str, Any]) -> str:
    """Every visible text of a message's blocks, one per line (for assertions)."""
    out: list[str] = [str(message.get("text", ""))]
    for block in message.get("blocks", []):
        if "text" in block:
            out.append(block["text"]["text"])
        out += [f["text"] for f in block.get("fields", [])]
        for element in block.get("elements", []):
            if "text" in element:
                out.append(element["text"]["text"])
            out += [o["text"]["text"] for o in element.get("options", [])]
    return "\n".join(out)


def elements(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The interactive elements (buttons, selects) of a message."""
    return [e for b in message.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


def button(message: dict[str, Any], label_part: str) -> dict[str, Any]:
    found = [
        e for e in elements(message) if e["type"] == "button" and label_part in e["text"]["text"]
    ]
    assert found, f"no button with {label_part!r} in {block_texts(message)}"
    return found[0]


def fill(view: dict[str, Any], **answers: str) -> dict[str, Any]:
    """The view as submitted, with ``answers`` by block id in Slack's state format."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input" or block["block_id"] not in answers:
            continue
        element, answer = block["element"], answers[block["block_id"]]
        if element["type"] in ("external_select", "static_select"):
            state = {
                "selected_option": {"text": {"type": "plain_text", "text": answer}, "value": answer}
            }
        elif element["type"] == "datepicker":
            state = {"selected_date": answer}
        else:
            state = {"value": answer}
        values[block["block_id"]] = {element["action_id"]: {"type": element["type"], **state}}
    return {**view, "id": "VSUBMIT", "hash": "h1", "state": {"values": values}}


@dataclass
class SlackHarness:
    fake: FakeSlackApi
    adapter: SlackAdapter
    http: aiohttp.ClientSession
    services: Services

    def __post_init__(self) -> None:
        self._numbers = itertools.count(1)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.adapter.port}/slack/events"

    def signed(self, body: str, timestamp: int | None = None) -> dict[str, str]:
        return sign(body, timestamp)

    async def post(
        self, body: str, *, json_body: bool = False, headers: dict[str, str] | None = None
    ) -> Sent:
        kind = "application/json" if json_body else "application/x-www-form-urlencoded"
        sent = {"Content-Type": kind, **(self.signed(body) if headers is None else headers)}
        async with self.http.post(self.url, data=body.encode(), headers=sent) as response:
            text = await response.text()
        return Sent(response.status, text)

    def _n(self) -> int:
        return next(self._numbers)

    async def command(
        self, text: str, *, user: str = "UREP1", channel: str = "C0SALES", team: str | None = None
    ) -> Sent:
        return await self.post(self.command_body(text, user=user, channel=channel, team=team))

    def command_body(
        self, text: str, *, user: str = "UREP1", channel: str = "C0SALES", team: str | None = None
    ) -> str:
        """A slash command as Slack posts it (form-encoded), with its own trigger id."""
        n = self._n()
        form = {
            "team_id": team or self.fake.team_id,
            "team_domain": "acme-sales",
            "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else "sales",
            "user_id": user,
            "user_name": "someone",
            "command": "/crm",
            "text": text,
            "api_app_id": "A0CRM",
            "response_url": self.fake.response_url(f"cmd{n}"),
            "trigger_id": f"trigger-cmd-{n}",
        }
        return urlencode(form)

    async def interactive(self, payload: dict[str, Any], team: str | None = None) -> Sent:
        payload = {
            "team": {"id": team or self.fake.team_id, "domain": "acme-sales"},
            "api_app_id": "A0CRM",
            "trigger_id": f"trigger-{payload['type']}-{self._n()}",
            **payload,
        }
        return await self.post(urlencode({"payload": json.dumps(payload)}))

    async def press(
        self,
        element: dict[str, Any],
        *,
        user: str = "UREP1",
        channel: str = "C0SALES",
        option: str | None = None,
    ) -> Sent:
        """Press a button (or choose ``option``'s value in a select) of a posted message."""
        action = {"action_id": element["action_id"], "block_id": "b1", "type": element["type"]}
        if element["type"] == "button":
            action["value"] = element["value"]
        else:
            action["selected_option"] = {
                "text": {"type": "plain_text", "text": "x"},
                "value": option,
            }
        return await self.interactive(
            {
                "type": "block_actions",
                "user": {"id": user, "team_id": self.fake.team_id},
                "container": {"type": "message", "channel_id": channel, "is_ephemeral": True},
                "channel": {"id": channel, "name": "sales"},
                "response_url": self.fake.response_url(f"act{self._n()}"),
                "actions": [action],
            }
        )

    async def options(self, typed: str, *, user: str = "UREP1") -> Sent:
        return await self.interactive(
            {
                "type": "block_suggestion",
                "user": {"id": user, "team_id": self.fake.team_id},
                "action_id": "crm_customer",
                "block_id": "customer",
                "value": typed,
                "view": {"id": "VOPEN", "type": "modal", "callback_id": "crm_log"},
            }
        )

    async def submit(self, view: dict[str, Any], *, user: str = "UREP1") -> Sent:
        return await self.interactive(
            {
                "type": "view_submission",
                "user": {"id": user, "team_id": self.fake.team_id},
                "view": view,
            }
        )

    async def shortcut(self, callback_id: str, *, user: str = "UREP1") -> Sent:
        payload = {"type": "shortcut", "callback_id": callback_id, "user": {"id": user}}
        return await self.interactive(payload)

    async def message_shortcut(
        self, message: dict[str, Any], *, user: str = "UREP1", channel: str = "C0SALES"
    ) -> Sent:
        return await self.interactive(
            {
                "type": "message_action",
                "callback_id": "crm_log_message",
                "user": {"id": user},
                "channel": {"id": channel, "name": "sales"},
                "message": message,
                "message_ts": message["ts"],
                "response_url": self.fake.response_url(f"msg{self._n()}"),
            }
        )

    def event_body(
        self, event: dict[str, Any], event_id: str, *, team: str | None = None, **extra: Any
    ) -> str:
        team_id = team or self.fake.team_id
        return json.dumps(
            {
                "token": "legacy",
                "team_id": team_id,
                "api_app_id": "A0CRM",
                "type": "event_callback",
                "event_id": event_id,
                "event_time": 1700000000,
                "event": event,
                "authorizations": [
                    {"team_id": team_id, "user_id": self.fake.bot_user_id, "is_bot": True}
                ],
                **extra,
            }
        )

    async def event(self, body: str, *, retry: int | None = None) -> Sent:
        headers = self.signed(body)
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.post(body, json_body=True, headers=headers)

    async def settled(self) -> None:
        """Wait until the adapter finished the work of every request sent so far."""
        await self.adapter.drain(timeout=10)


def slack_settings(base: Settings, fake: FakeSlackApi, **overrides: Any) -> Settings:
    values = {
        **base.model_dump(),
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SECRET,
        "slack_http_port": 0,
        "slack_http_host": "127.0.0.1",
        "slack_api_base_url": fake.api_url,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@asynccontextmanager
async def slack_running(
    services: Services,
    fake: FakeSlackApi | None = None,
    *,
    policy: SendPolicy | None = None,
    **overrides: Any,
) -> AsyncIterator[SlackHarness]:
    """The fake Slack, and the real adapter started against it in HTTP mode; its sends retry
    without waiting (``policy``: by default ``quick()``)."""
    fake = await (fake or FakeSlackApi()).start()
    svc = dataclasses.replace(
        services, settings=slack_settings(services.settings, fake, **overrides)
    )
    adapter = SlackAdapter(svc, Dispatcher(svc), policy or quick())
    http = aiohttp.ClientSession()
    try:
        await adapter.start()
        yield SlackHarness(fake, adapter, http, svc)
    finally:
        await adapter.stop()
        await http.close()
        await fake.stop()
