"""One Telegram replica for ``tests/test_telegram_replicas.py``: the real TelegramAdapter in
webhook mode, on a shared database, sending to the test's fake Bot API.

``python -m tests.telegram_replica URL CLOCK API_BASE PORT`` prints ``{"ready": true}`` once
its webhook server listens on 127.0.0.1:PORT, and stops when its stdin closes.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime

from pydantic import SecretStr

from bot.adapters.telegram import TelegramAdapter
from bot.app import build_services
from bot.dispatcher import Dispatcher
from tests.quick_sends import quick
from tests.telegram_harness import TOKEN, webhook_settings
from tests.two_process_driver import settings_for


async def serve(url: str, now: datetime, api_base: str, port: int) -> None:
    settings = settings_for(
        url,
        telegram_bot_token=SecretStr(TOKEN),
        telegram_api_base_url=api_base,
        **webhook_settings(port),
    )
    services = build_services(settings, lambda: now)
    adapter = TelegramAdapter(services, Dispatcher(services), quick())
    await adapter.start()
    print(json.dumps({"ready": True}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until closed
    await adapter.stop()
    services.db.dispose()


if __name__ == "__main__":
    url, clock, api_base, port = sys.argv[1:5]
    asyncio.run(serve(url, datetime.fromisoformat(clock), api_base, int(port)))
