"""A second long-polling process of one Telegram bot stops at start with one clear line and a
non-zero exit (Telegram answers the pollers of one bot 409 Conflict), never a traceback loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from bot.app import serve
from bot.errors import SetupError
from handlers.kit import Translator
from tests.cli_harness import crm_bot  # noqa: F401  (the fixture)
from tests.conftest import add_rep
from tests.fakes.telegram_api import FakeBotAPI
from tests.telegram_harness import TOKEN, telegram


@pytest.fixture
def fake_in_thread() -> Iterator[FakeBotAPI]:
    """The fake Bot API on a loop of its own, for ``crm-bot`` run here with its own loop."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    fake = FakeBotAPI(TOKEN)
    asyncio.run_coroutine_threadsafe(fake.start(), loop).result(10)
    yield fake
    asyncio.run_coroutine_threadsafe(fake.release_pollers(), loop).result(10)
    asyncio.run_coroutine_threadsafe(fake.stop(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def test_crm_bot_refuses_to_poll_beside_another_poller(crm_bot, fake_in_thread, monkeypatch):  # noqa: F811
    fake_in_thread.conflict = True
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", f"http://127.0.0.1:{fake_in_thread.port}/bot")
    done = crm_bot()
    assert done.returncode == 2
    assert done.stderr.strip() == Translator("en")("telegram.setup.conflict")
    assert "Traceback" not in done.stderr and TOKEN not in done.stderr
    assert not fake_in_thread.of("sendMessage")


def test_a_409_soon_after_start_stops_the_newcomer(services) -> None:
    """The probe passed (the other poller's long poll was the one cut off); the next 409,
    within the start window, still ends ``serve`` with the same refusal."""

    async def scenario() -> None:
        fake = FakeBotAPI(TOKEN)
        base = await fake.start()
        services.settings = services.settings.model_copy(
            update={"telegram_bot_token": SecretStr(TOKEN), "telegram_api_base_url": base}
        )
        running = asyncio.ensure_future(serve(services))
        await fake.wait_for("setMyCommands", 2)
        fake.conflict = True
        with pytest.raises(SetupError) as refused:
            await asyncio.wait_for(running, 15)
        assert refused.value.key == "telegram.setup.conflict"
        await fake.release_pollers()
        await fake.stop()

    asyncio.run(scenario())


def test_a_webhook_left_set_is_no_conflict(services) -> None:
    """getUpdates also answers 409 while a webhook is set; polling deletes it and goes on."""

    fake = FakeBotAPI(TOKEN)
    add_rep(services, "Elif Şahin", telegram_user_id=111)

    async def scenario() -> None:
        await fake.start()
        fake.webhook_set = True
        async with telegram(services, fake) as (_fake, _adapter):
            await fake.say(111, "/tasks")
            [answer] = await fake.wait_for("sendMessage")
            assert "No open tasks" in answer["text"]
        await fake.stop()

    asyncio.run(scenario())
