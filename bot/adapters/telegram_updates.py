"""How Telegram's updates reach the dispatcher: several chats at once, each chat's in order.

Why a processor of our own (``ChatOrder``): python-telegram-bot handles one update at a time
unless told otherwise, so each reply's send (a round trip to Telegram) held every other chat's
next command, and a burst of 200 reps over Telegram was served one message after another,
whatever the command workers (``bot.worker``) could have run side by side. ``ChatOrder`` runs
updates of different chats together and starts a chat's update only once its previous one is
finished, its reply sent: a "2" picks from the list the rep's last message got, and a press
under an answer runs after that answer. The workers alone keep a chat's order only from the
moment a command is handed to them, and a press does some work before that (it answers the
query and reads its button's token).

Why our own webhook server (``Webhook``), answering only once the update is processed: Telegram
sends a chat's next update only after the webhook answered the previous one, while updates of
different chats come at once (https://github.com/tdlib/telegram-bot-api/issues/75, which the
grammY guide cites). Answering after the command has run therefore keeps a chat's messages in
order across every replica behind a load balancer, with nothing written to the database to
order them. PTB's own webhook server answers as soon as the update is queued, so two replicas
could run one chat's consecutive messages at once, in either order.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Coroutine, Hashable
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application, BaseUpdateProcessor

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_CONCURRENT_UPDATES = 256  # beyond a getUpdates batch (100): the limit is never what waits


class ChatOrder(BaseUpdateProcessor):
    """Updates of different chats at once; one chat's one after another, each whole."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        # A chat is here while one of its updates runs: the last one's "finished" future.
        self._last: dict[Hashable, asyncio.Future[None]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = _chat_of(update)
        if chat is None:
            await coroutine
            return
        # Taken before the first await: PTB starts updates in the order they came.
        before = self._last.get(chat)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._last[chat] = mine
        started = False
        try:
            if before is not None:
                await asyncio.wait([before])  # not cancelled with us: it is another update's
            started = True
            await coroutine
        finally:
            mine.set_result(None)
            if self._last.get(chat) is mine:
                del self._last[chat]
            if not started and isinstance(coroutine, Coroutine):
                coroutine.close()  # cancelled while waiting: it never ran

    async def initialize(self) -> None:
        """Nothing to set up: the futures live and die with their updates."""

    async def shutdown(self) -> None:
        """Nothing to free, as above."""


def _chat_of(update: object) -> Hashable | None:
    if isinstance(update, Update) and update.effective_chat is not None:
        return update.effective_chat.id
    return None


class Webhook:
    """Telegram's webhook: the secret checked on every request, the answer sent once the update
    has been processed (see the module's docstring for why)."""

    def __init__(self, app: Application[Any, Any, Any, Any, Any, Any], secret: str) -> None:
        self._app = app
        self._secret = secret.encode()
        self._runner: web.AppRunner | None = None

    async def start(self, listen: str, port: int, path: str) -> None:
        server = web.Application()
        server.router.add_post(path, self._receive)
        self._runner = web.AppRunner(server, access_log=None)  # Telegram's addresses: no log
        await self._runner.setup()
        await web.TCPSite(self._runner, listen, port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            return web.Response(status=403)
        try:
            update = Update.de_json(await request.json(), self._app.bot)
        except (ValueError, TypeError, KeyError, AttributeError) as problem:
            log.warning("telegram: webhook body refused (%s)", type(problem).__name__)
            return web.Response(status=400)
        app = self._app
        await app.update_processor.process_update(update, app.process_update(update))
        return web.Response()
