"""A fake Telegram Bot API on 127.0.0.1 for driving the real python-telegram-bot stack.

It answers ``POST /bot<token>/<method>`` like Telegram does (``{"ok": true, "result": ...}``),
queues updates that ``getUpdates`` hands out honouring ``offset``, records every call, and can
be told to fail the next calls of a method (429 with retry_after, 403 for a blocked bot, 500,
400, 401), to answer the next calls late (``stall_next``: longer than a test client's short
timeout), or to answer every getUpdates with 409 as Telegram does when another process polls
the same bot (``conflict``).
Tests wait for calls with ``wait_for`` (an asyncio condition), never by sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BLOCKED = {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
CONFLICT = {
    "ok": False,
    "error_code": 409,
    "description": "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
}
WEBHOOK_SET = {
    "ok": False,
    "error_code": 409,
    "description": "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first",
}
BOT = {"id": 7000001, "is_bot": True, "first_name": "CRM", "username": "crm_test_bot"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    result: Any = None

    @property
    def result_id(self) -> int:
        """The message id the fake gave the message this call sent."""
        return int(self.result["message_id"])

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    @property
    def keyboard(self) -> list[list[dict[str, str]]]:
        markup = self.params.get("reply_markup") or {}
        return markup.get("inline_keyboard", [])

    @property
    def buttons(self) -> list[dict[str, str]]:
        return [button for row in self.keyboard for button in row]


class FakeBotAPI:
    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.failures: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self.blocked_chats: set[int] = set()
        self.stalls: dict[str, list[float]] = {}
        self.gates: dict[int, asyncio.Event] = {}  # a held chat's sends wait for its release
        self.held: list[int] = []  # the chat of each send that has waited at a gate
        self.conflict = False  # another process polls this bot: getUpdates answers 409
        self.webhook_set = False  # getUpdates answers 409 too, until deleteWebhook
        self._changed = asyncio.Condition()
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(100)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.webhook_url = ""  # what getWebhookInfo reports (tests set it)
        self.closing = False  # set while an adapter stops: pending long polls return at once

    # -- server --------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"http://127.0.0.1:{self.port}/bot"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params, files = await _read(request)
        if method == "getUpdates":
            if self.conflict:
                return web.json_response(CONFLICT, status=409)
            if self.webhook_set:
                return web.json_response(WEBHOOK_SET, status=409)
            return web.json_response({"ok": True, "result": await self._result(method, params)})
        if self.stalls.get(method):
            await asyncio.sleep(self.stalls[method].pop(0))  # the client has given up by now
        call = Call(method, params, files)
        chat_id = params.get("chat_id")
        gate = self.gates.get(int(chat_id)) if chat_id is not None else None
        if gate is not None:
            async with self._changed:
                self.held.append(int(chat_id))
                self._changed.notify_all()
            await gate.wait()
        if self.failures.get(method):
            status, body = self.failures[method].pop(0)
        elif chat_id is not None and int(chat_id) in self.blocked_chats:
            status, body = 403, BLOCKED
        else:
            call.result = await self._result(method, params)
            status, body = 200, {"ok": True, "result": call.result}
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        return web.json_response(body, status=status)

    async def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT
        if method == "getUpdates":
            return await self._get_updates(
                int(params.get("offset") or 0), float(params.get("timeout") or 0)
            )
        if method in {"sendMessage", "sendPhoto", "sendDocument"}:
            return self._message(params)
        if method == "editMessageText":
            return self._message(params, message_id=int(params["message_id"]))
        if method == "deleteWebhook":
            self.webhook_set = False
        if method == "getWebhookInfo":
            return {
                "url": self.webhook_url,
                "has_custom_certificate": False,
                "pending_update_count": 0,
            }
        return True  # answerCallbackQuery, setMyCommands, setWebhook, deleteWebhook, ...

    async def _get_updates(self, offset: int, timeout: float) -> list[dict[str, Any]]:
        """Long polling, as Telegram does: wait for an update, at most a second at a time."""
        async with self._changed:
            if timeout and not self._pending(offset) and not self.closing:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: self.closing or bool(self._pending(offset))),
                        min(timeout, 1.0),
                    )
        return self._pending(offset)

    async def release_pollers(self) -> None:
        async with self._changed:
            self.closing = True
            self._changed.notify_all()

    def _pending(self, offset: int) -> list[dict[str, Any]]:
        return [u for u in self.updates if u["update_id"] >= offset]

    def _message(self, params: dict[str, Any], message_id: int | None = None) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        result = {
            "message_id": message_id or next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": BOT,
        }
        if "text" in params:
            result["text"] = params["text"]
        return result

    # -- scripting -----------------------------------------------------------------------
    async def push(self, update: dict[str, Any], copies: int = 1) -> int:
        """Queue an update (``copies`` > 1: Telegram delivering the very same one again)."""
        update_id = update.setdefault("update_id", next(self._update_ids))
        async with self._changed:
            self.updates.extend([update] * copies)
            self._changed.notify_all()
        return update_id

    async def say(self, user_id: int, text: str, chat_id: int | None = None, **extra: Any) -> int:
        chat = chat_id if chat_id is not None else user_id
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private" if chat > 0 else "group"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Rep"},
            **extra,
        }
        if text:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return await self.push({"message": message})

    async def press(self, user_id: int, data: str, message: dict[str, Any]) -> int:
        query = {
            "id": str(next(self._message_ids)),
            "chat_instance": "1",
            "data": data,
            "from": {"id": user_id, "is_bot": False, "first_name": "Rep"},
            "message": message,
        }
        return await self.push({"callback_query": query})

    def fail_next(self, method: str, status: int, body: dict[str, Any], times: int = 1) -> None:
        self.failures.setdefault(method, []).extend([(status, body)] * times)

    def stall_next(self, method: str, seconds: float, times: int = 1) -> None:
        """The next calls of ``method`` are answered only after ``seconds``."""
        self.stalls.setdefault(method, []).extend([seconds] * times)

    def hold(self, chat_id: int) -> None:
        """Answer nothing sent to ``chat_id`` until ``release``: its sends stay in flight."""
        self.gates[chat_id] = asyncio.Event()

    def release(self, chat_id: int) -> None:
        self.gates.pop(chat_id).set()

    async def wait_held(self, chat_id: int, timeout: float = 10.0) -> None:
        """Until a send to ``chat_id`` waits at its gate."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: chat_id in self.held), timeout)

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """The first ``count`` calls of ``method``, once that many have arrived."""
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.of(method)) >= count), timeout
            )
        return self.of(method)[:count]


JSON_FIELDS = {"reply_markup", "commands", "allowed_updates", "scope"}


async def _read(request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
    """PTB posts form fields (JSON-encoded where structured); files come as multipart."""
    if request.content_type == "application/json":
        return await request.json(), {}
    params: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    for key, value in (await request.post()).items():
        if hasattr(value, "file"):
            files[key] = value.file.read()
        else:
            params[key] = json.loads(value) if key in JSON_FIELDS else value
    return params, files
