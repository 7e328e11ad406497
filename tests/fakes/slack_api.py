"""A fake Slack Web API, response_url endpoint, file-upload host and Socket Mode server.

The real ``slack_sdk`` clients are pointed at it (``base_url=<fake>/api/``, response URLs and
upload URLs on the fake), so the adapter's real code paths run unchanged. Every request is
recorded as a ``Call``; tests wait for calls with ``wait_for`` (an ``asyncio.Condition``, never a
sleep), make methods fail (``fail_next``: e.g. a 429 with Retry-After) or answer slowly
(``hold``: the method waits until the test sets the returned event; ``stall_next``: the next
call is answered only after a delay longer than a test client's short timeout).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

BOT_TOKEN = "xoxb-fake"  # short: nothing like a real token
APP_TOKEN = "xapp-fake"


@dataclass
class Call:
    method: str  # a Web API method, or "response_url", "upload", "socket_ack"
    args: dict[str, Any]
    token: str = ""
    status: int = 200
    path: str = ""


@dataclass
class _Failure:
    status: int
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeSlackApi:
    team_id: str = "T0HOME"
    bot_user_id: str = "UCRMBOT"
    workspace_url: str = "https://acme-sales.slack.com/"
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # users.info answers
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)  # conversations.info
    calls: list[Call] = field(default_factory=list)
    url: str = ""

    def __post_init__(self) -> None:
        self._failures: dict[str, list[_Failure]] = {}
        self._holds: dict[str, asyncio.Event] = {}
        self._stalls: dict[str, list[float]] = {}
        self._changed: asyncio.Condition | None = None
        self._runner: web.AppRunner | None = None
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_open: asyncio.Event | None = None
        self._numbers = itertools.count(1)

    # ---- lifecycle

    async def start(self) -> FakeSlackApi:
        self._changed = asyncio.Condition()
        self._socket_open = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{name}", self._response_url)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return self

    async def stop(self) -> None:
        for ws in self._sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.url}/response/{name}"

    # ---- test controls

    def fail_next(
        self,
        method: str,
        status: int = 429,
        headers: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        """The next call of ``method`` fails this way (default: rate limited, retry at once)."""
        failure = _Failure(
            status,
            {"Retry-After": "0"} if headers is None else headers,
            body or {"ok": False, "error": "ratelimited"},
        )
        self._failures.setdefault(method, []).append(failure)

    def stall_next(self, method: str, seconds: float) -> None:
        """The next call of ``method`` is answered only after ``seconds`` (then uselessly)."""
        self._stalls.setdefault(method, []).append(seconds)

    def hold(self, method: str) -> asyncio.Event:
        """Calls of ``method`` are answered only once the returned event is set."""
        return self._holds.setdefault(method, asyncio.Event())

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def methods(self) -> list[str]:
        return [c.method for c in self.calls]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until ``method`` was called ``count`` times (a condition, not a sleep)."""
        assert self._changed is not None
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.of(method)) >= count), timeout
            )
        return self.of(method)

    async def socket_send(self, envelope: dict[str, Any], timeout: float = 5.0) -> None:
        """Deliver a Socket Mode envelope to the connected app."""
        assert self._socket_open is not None
        await asyncio.wait_for(self._socket_open.wait(), timeout)
        await self._sockets[-1].send_str(json.dumps(envelope))

    # ---- handlers

    async def _record(self, call: Call) -> None:
        assert self._changed is not None
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await _args(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth else str(args.get("token", ""))
        if method in self._holds:
            await self._holds[method].wait()
        if self._stalls.get(method):
            delay = self._stalls[method].pop(0)
            await self._record(Call(method, args, token, 0))  # status 0: the client gave up
            await asyncio.sleep(delay)
            return web.json_response({"ok": False, "error": "too_late"})
        failures = self._failures.get(method)
        if failures:
            failure = failures.pop(0)
            await self._record(Call(method, args, token, failure.status))
            return web.json_response(failure.body, status=failure.status, headers=failure.headers)
        await self._record(Call(method, args, token))
        wanted = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
        if token != wanted:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response(self._answer(method, args))

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        n = next(self._numbers)
        ts = f"{1700000000 + n}.000100"
        if method == "auth.test":
            return {
                "ok": True,
                "url": self.workspace_url,
                "team": "Acme Sales",
                "user": "crm",
                "team_id": self.team_id,
                "user_id": self.bot_user_id,
                "bot_id": "BCRM",
            }
        if method == "chat.postMessage":
            channel = str(args.get("channel", ""))
            if channel.startswith("U"):
                channel = "D" + channel[1:]  # posting to a user id lands in the app's DM
            return {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method in ("views.open", "views.update", "views.push"):
            view = dict(args.get("view") or {})
            view.setdefault("id", f"V{n}")
            return {"ok": True, "view": view}
        if method == "users.info":
            user = self.users.get(str(args.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "conversations.info":
            channel_id = str(args.get("channel"))
            found = self.channels.get(channel_id, {"id": channel_id, "is_ext_shared": False})
            return {"ok": True, "channel": found}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users", ""))[1:]}}
        if method == "files.getUploadURLExternal":
            return {"ok": True, "upload_url": f"{self.url}/upload/F{n}", "file_id": f"F{n}"}
        if method == "files.completeUploadExternal":
            return {
                "ok": True,
                "files": [{"id": f["id"], "title": f.get("title")} for f in args["files"]],
            }
        if method == "apps.connections.open":
            return {"ok": True, "url": self.url.replace("http", "ws", 1) + "/socket"}
        return {"ok": False, "error": "unknown_method"}

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        failures = self._failures.get("response_url")
        if failures:
            failure = failures.pop(0)
            await self._record(Call("response_url", body, status=failure.status))
            text = str(failure.body.get("error") or "slow down")  # Slack answers a bare word
            return web.Response(status=failure.status, headers=failure.headers, text=text)
        await self._record(Call("response_url", body, path=request.match_info["name"]))
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        await self._record(Call("upload", {"bytes": data}, path=request.match_info["file_id"]))
        return web.Response(text="OK - uploaded")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        assert self._socket_open is not None
        self._socket_open.set()
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                with contextlib.suppress(ValueError):
                    await self._record(Call("socket_ack", json.loads(message.data)))
        return ws


async def _args(request: web.Request) -> dict[str, Any]:
    """Query, form and JSON arguments merged; JSON-looking strings decoded (as Slack does)."""
    args: dict[str, Any] = dict(request.query)
    raw = await request.read()
    if raw:
        if request.content_type == "application/json":
            args.update(json.loads(raw))
        else:
            args.update(parse_qsl(raw.decode()))
    for key, value in list(args.items()):
        if isinstance(value, str) and value[:1] in "[{":
            with contextlib.suppress(ValueError):
                args[key] = json.loads(value)
    return args
