"""Many chats at once over the real Telegram stack: how long until every one is answered.

Why: ``bench_burst.py`` hands messages to the dispatcher, as the adapters do, and so cannot
see what the adapter itself does with a burst. python-telegram-bot ran one update at a time
unless told otherwise, each waiting for its reply's round trip to Telegram; this bench sends
one message from each of ``--chats`` reps at the same moment through the real
``TelegramAdapter`` (long polling) against the tests' fake Bot API, whose sends answer after
``--latency-ms`` (Telegram's round trip from a server, which the local fake does not have),
and prints the time from the push to each answer. PTB's rate limiter stays on, as in service
(30 messages a second overall), so keep ``--chats`` near 30 to see the adapter, not the limit.

    .venv/bin/python bench/bench_telegram_chats.py                  # 30 chats, 100 ms sends
    .venv/bin/python bench/bench_telegram_chats.py --url postgresql+psycopg://…/scratch
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bench_burst import setup
from measure import fmt_summary, revision, summary
from pydantic import SecretStr

from bot.adapters.retrying import SendPolicy
from bot.adapters.telegram import TelegramAdapter
from bot.dispatcher import Dispatcher
from handlers.kit import Services
from storage.models import Rep
from tests.fakes.telegram_api import FakeBotAPI

TOKEN = "123456:bench-token-for-the-fake-api-only"
FIRST_USER = 5_000_000


def add_reps(services: Services, chats: int) -> list[int]:
    """One rep per chat, each with a Telegram account: the Telegram user ids."""
    with services.db.session(write=True) as session:
        session.add_all(
            Rep(name=f"Bench Rep {i:03d}", role="admin", telegram_user_id=FIRST_USER + i)
            for i in range(chats)
        )
    return [FIRST_USER + i for i in range(chats)]


async def answer_times(services: Services, users: list[int], latency: float) -> list[float]:
    fake = FakeBotAPI(TOKEN)
    base = await fake.start()
    services.settings = services.settings.model_copy(
        update={"telegram_bot_token": SecretStr(TOKEN), "telegram_api_base_url": base}
    )
    adapter = TelegramAdapter(services, Dispatcher(services), SendPolicy())
    await adapter.start()
    try:
        fake.stall_next("sendMessage", latency, times=len(users))
        pushed = time.perf_counter()
        for user in users:
            await fake.say(user, "/tasks")
        answered = []
        for count in range(1, len(users) + 1):
            await fake.wait_for("sendMessage", count, timeout=600)
            answered.append(time.perf_counter() - pushed)
        return answered
    finally:
        await fake.release_pollers()
        await adapter.stop()
        await fake.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description="N chats at once over the real Telegram stack")
    ap.add_argument("--chats", type=int, default=30)
    ap.add_argument("--latency-ms", type=float, default=100.0, help="each send's round trip")
    ap.add_argument("--url", help="a scratch PostgreSQL database (wiped); default SQLite")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="crm-tg-chats-") as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'chats.sqlite3'}"
        services = setup(url, None)
        users = add_reps(services, args.chats)
        times = asyncio.run(answer_times(services, users, args.latency_ms / 1000))
        print(
            f"{args.chats} chats at once over Telegram (sends take {args.latency_ms:.0f} ms), "
            f"{services.settings.command_workers} workers; code {revision()}"
        )
        print(f"  time to answer: {fmt_summary(summary([t * 1000 for t in times]))}")
        print(f"  all answered in {times[-1]:.2f} s")
        services.db.dispose()


if __name__ == "__main__":
    main()
