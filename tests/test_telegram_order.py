"""Telegram's updates: different chats at once, one chat's in order, whole (its reply sent before
its next message starts); and a webhook that answers only once the update is processed, which
is what keeps a chat in order across replicas (Telegram sends a chat's next update only then).

Over the real python-telegram-bot Application against the fake Bot API, whose ``hold`` keeps
a chat's sends in flight until the test releases them: no sleeping, no timing."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from storage.models import Interaction
from tests.conftest import add_customer, add_rep, rows
from tests.fakes.telegram_api import FakeBotAPI
from tests.telegram_harness import free_port, private_update, telegram, webhook_settings

ELIF, AYSE = 111, 222


@pytest.fixture
def reps(services):
    return {
        "elif": add_rep(services, "Elif Şahin", role="admin", telegram_user_id=ELIF),
        "ayse": add_rep(services, "Ayşe Yılmaz", telegram_user_id=AYSE),
    }


@pytest.fixture
def acme(services):
    return add_customer(services, "Acme Corporation", phone="+12125550100")


def summaries(services) -> list[str]:
    return [i.summary for i in rows(services, Interaction)]


def sent_to(fake: FakeBotAPI, chat: int) -> list[str]:
    return [c["text"] for c in fake.of("sendMessage") if int(c["chat_id"]) == chat]


def test_a_chat_waiting_on_its_reply_holds_no_other_chat_and_keeps_its_order(
    services, reps, acme
) -> None:
    """One worker, so commands run first come, first served: had Elif's second message started
    before her first one's reply was sent, it would have run before Ayşe's (sent later), and
    been stored by the time Ayşe is answered. Had updates run one at a time, Ayşe would wait for
    Elif's held reply and never be answered."""

    async def scenario() -> None:
        async with telegram(services, crm_workers=1) as (fake, _adapter):
            fake.hold(ELIF)
            await fake.say(ELIF, "/log call acme first")
            await fake.say(ELIF, "/log visit acme second")
            await fake.wait_held(ELIF)  # her first reply is in flight, not answered
            await fake.say(AYSE, "/tasks")
            await fake.wait_for("sendMessage")  # Ayşe's: the only one Telegram has answered
            assert sent_to(fake, AYSE) and not sent_to(fake, ELIF)
            assert summaries(services) == ["first"]  # her second waits for her first's reply
            fake.release(ELIF)
            await fake.wait_for("sendMessage", 3)
            first, second = sent_to(fake, ELIF)
            assert "call" in first and "visit" in second

    asyncio.run(scenario())
    assert summaries(services) == ["first", "second"]


def test_the_webhook_answers_once_the_update_is_processed(services, reps, acme) -> None:
    """The answer to Telegram comes after the command's write and its reply, so Telegram's
    next update of that chat (to whichever replica) starts after it; other chats' updates do
    not wait for it."""
    hook = webhook_settings(free_port())
    url = hook["telegram_webhook_url"]

    async def scenario() -> None:
        async with telegram(services, **hook) as (fake, adapter), aiohttp.ClientSession() as http:
            [registered] = fake.of("setWebhook")
            assert int(registered["max_connections"]) == 100
            headers = {"X-Telegram-Bot-Api-Secret-Token": adapter.webhook_secret}

            async def post(update: dict) -> int:
                async with http.post(url, json=update, headers=headers) as answer:
                    return answer.status

            assert await post(private_update(1, ELIF, "/log call acme by hook")) == 200
            assert summaries(services) == ["by hook"]  # no waiting: it was stored before the 200
            assert len(sent_to(fake, ELIF)) == 1  # and its reply sent

            fake.hold(ELIF)
            held = asyncio.create_task(post(private_update(2, ELIF, "/tasks")))
            await fake.wait_held(ELIF)
            assert not held.done()  # Telegram still waits: Elif's next update is not sent
            assert await post(private_update(3, AYSE, "/tasks")) == 200  # another chat meanwhile
            assert len(sent_to(fake, AYSE)) == 1
            fake.release(ELIF)
            assert await held == 200
            assert len(sent_to(fake, ELIF)) == 2

            for body in (b"{not json", b"[1, 2]"):
                async with http.post(url, data=body, headers=headers) as bad:
                    assert bad.status == 400

    asyncio.run(scenario())
