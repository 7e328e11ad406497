"""Plain sentences, answers and numbers over the real stacks: python-telegram-bot against the
fake Bot API and Bolt against the fake Slack API, both languages, with the real dispatcher and
database behind them. Nothing is written before [Save]."""

from __future__ import annotations

import asyncio

from storage.models import Interaction, Task
from tests.conftest import add_customer, add_rep, add_task, count, rows
from tests.fakes.slack_harness import block_texts, button, run, slack_running
from tests.telegram_harness import telegram
from tests.test_slack_events import dm, mention
from tests.test_telegram import ask, press

AYSE, JOHN = 222, 333


def test_a_turkish_sentence_in_telegram_is_proposed_then_saved(services, clock) -> None:
    add_rep(services, "Ayşe Yılmaz", language="tr", telegram_user_id=AYSE)
    ozmen = add_customer(services, "Uğur Hami Özmen")

    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            said = "Uğur Özmen'i aradım, fiyat konuştuk, cuma teklif göndereceğim"
            proposal = await ask(fake, AYSE, said)
            assert "Arama · Uğur Hami Özmen" in proposal["text"]
            assert "Özet: fiyat konuştuk" in proposal["text"]
            assert [b["text"] for b in proposal.buttons] == ["Kaydet", "Değiştir…", "İptal"]
            assert count(services, Interaction) == 0
            saved = await press(fake, AYSE, proposal, "Kaydet")
            assert "Kaydedildi: arama · Uğur Hami Özmen" in saved["text"]

    asyncio.run(scenario())
    [logged] = rows(services, Interaction)
    assert (logged.kind, logged.customer_id, logged.summary) == ("call", ozmen.id, "fiyat konuştuk")
    [task] = rows(services, Task)
    assert task.title == "teklif göndereceğim" and task.customer_id == ozmen.id


def test_greetings_and_a_number_in_telegram(services, clock) -> None:
    rep = add_rep(services, "John Carter", telegram_user_id=JOHN)
    first = add_task(services, rep, "send the offer", clock.now)
    second = add_task(services, rep, "plan the week", clock.now)

    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            hello = await ask(fake, JOHN, "thanks a lot 🙏")
            assert "new customer" not in hello["text"].lower()
            assert [b["text"] for b in hello.buttons] == ["My tasks", "Log a call or visit"]
            listing = await ask(fake, JOHN, "/tasks")
            assert [b["text"] for b in listing.buttons][:2] == [
                "1. send the offer",
                "2. plan the week",
            ]
            card = await ask(fake, JOHN, "2")
            assert "plan the week" in card["text"] and f"#{second.id}" in card["text"]
            assert "send the offer" not in card["text"]

    asyncio.run(scenario())
    assert first.id != second.id


def test_an_english_sentence_in_a_slack_dm_is_proposed_then_saved(services, clock) -> None:
    add_rep(services, "Ayşe Yılmaz", slack_user_id="UREP1")
    acme = add_customer(services, "Acme Lojistik A.Ş.")

    async def scenario() -> None:
        async with slack_running(services) as slack:
            said = "visited Acme, they want a demo next tuesday"
            await slack.event(slack.event_body(dm(said), "EvS1"))
            [proposal] = await slack.fake.wait_for("chat.postMessage")
            text = block_texts(proposal.args)
            assert "Visit · Acme Lojistik A.Ş." in text and "a demo" in text
            assert count(services, Interaction) == 0
            await slack.press(button(proposal.args, "Save"), channel="D0AYSE")
            [saved] = await slack.fake.wait_for("response_url")
            assert "Logged: visit · Acme Lojistik A.Ş." in block_texts(saved.args)

    run(scenario())
    [logged] = rows(services, Interaction)
    assert (logged.kind, logged.customer_id) == ("visit", acme.id)
    [task] = rows(services, Task)
    assert task.customer_id == acme.id and task.due_at.weekday() == 1


def test_slack_reads_a_mention_but_never_other_channel_messages(services, clock) -> None:
    add_rep(services, "Ayşe Yılmaz", language="tr", slack_user_id="UREP1")
    add_customer(services, "Acme Lojistik A.Ş.")
    channel_chatter = {**dm("Acme'yi aradım, fiyat konuştuk", "1700000009.000100")}
    channel_chatter.update(channel_type="channel", channel="C0SALES")

    async def scenario() -> None:
        async with slack_running(services) as slack:
            await slack.event(slack.event_body(channel_chatter, "EvS2"))
            await slack.event(
                slack.event_body(mention("<@UCRMBOT> Acme'yi aradım, fiyat konuştuk"), "EvS3")
            )
            [answer] = await slack.fake.wait_for("chat.postMessage")
            text = block_texts(answer.args)
            assert "Arama · Acme Lojistik A.Ş." in text and "Özet: fiyat konuştuk" in text
            assert len(slack.fake.of("chat.postMessage")) == 1  # the chatter was not read

    run(scenario())
    assert count(services, Interaction) == 0
