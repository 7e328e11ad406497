"""Runs the real TelegramAdapter (python-telegram-bot over HTTP) against the fake Bot API."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from pydantic import SecretStr

from bot.adapters.retrying import SendPolicy
from bot.adapters.telegram import TelegramAdapter
from bot.dispatcher import Dispatcher
from handlers.kit import Services
from tests.fakes.telegram_api import FakeBotAPI
from tests.quick_sends import quick

TOKEN = "123456:TEST-token-for-the-fake-api-only"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@asynccontextmanager
async def telegram(
    services: Services,
    fake: FakeBotAPI | None = None,
    *,
    policy: SendPolicy | None = None,
    **settings: Any,
) -> AsyncIterator[tuple[FakeBotAPI, TelegramAdapter]]:
    """A started adapter wired to a (possibly shared) fake; stopped and cleaned up after.
    Its sends retry without waiting (``policy``: by default ``quick()``)."""
    own = fake is None
    fake = fake or FakeBotAPI(TOKEN)
    fake.closing = False
    base = await fake.start() if own else f"http://127.0.0.1:{fake.port}/bot"
    services.settings = services.settings.model_copy(
        update={"telegram_bot_token": SecretStr(TOKEN), "telegram_api_base_url": base, **settings}
    )
    adapter = TelegramAdapter(services, Dispatcher(services), policy or quick())
    await adapter.start()
    try:
        yield fake, adapter
    finally:
        await fake.release_pollers()
        await adapter.stop()
        if own:
            await fake.stop()


def message_of(call: Any) -> dict[str, Any]:
    """The Message object Telegram would attach to a callback query on this sent message."""
    chat_id = int(call["chat_id"])
    return {"message_id": call.result_id, "date": 0, "text": call["text"],
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": {"id": 7000001, "is_bot": True, "first_name": "CRM"}}  # fmt: skip


def private_update(update_id: int, user: int, text: str) -> dict[str, Any]:
    """A message in ``user``'s private chat, as Telegram posts it to a webhook."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "text": text,
            "chat": {"id": user, "type": "private"},
            "from": {"id": user, "is_bot": False, "first_name": "R"},
        },
    }


def webhook_settings(port: int) -> dict[str, Any]:
    """Webhook mode on 127.0.0.1:``port``, at ``/telegram``."""
    return {
        "telegram_webhook_url": f"http://127.0.0.1:{port}/telegram",
        "telegram_webhook_listen": "127.0.0.1",
        "telegram_webhook_port": port,
    }
