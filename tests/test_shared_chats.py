"""Cards in groups and channels: phones, e-mails and notes masked, the full card sent privately
on request, full cards only where an admin marked the chat internal; through the dispatcher,
the real Telegram adapter in a group and the real Slack adapter in a channel thread."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.dispatcher import Dispatcher
from bot.scheduler import Scheduler
from handlers.kit import Incoming, Reply, Services
from storage.models import Notice, Rep
from tests.conftest import add_customer, add_rep, rows
from tests.fakes.slack_harness import slack_running
from tests.scheduling import notifier
from tests.telegram_harness import telegram
from tests.test_telegram import ELIF, ask, press

GROUP = -100777


@pytest.fixture
def elif_(services: Services) -> Rep:
    return add_rep(
        services, "Elif Şahin", role="admin", telegram_user_id=ELIF, slack_user_id="UREP1"
    )


@pytest.fixture
def ugur(services: Services, elif_: Rep):
    customer = add_customer(
        services, "Uğur Özmen", phone="+905321112233", email="ugur.ozmen@example.com"
    )
    from tests.conftest import Chat

    Chat(services, elif_).say(f"/log call #{customer.id} asked for the price list, wife ill")
    return customer


def say(services: Services, rep: Rep, text: str, *, private: bool) -> list[Reply]:
    incoming = Incoming("telegram", str(ELIF if private else GROUP), str(rep.telegram_user_id),
                        text, is_private=private)  # fmt: skip
    return asyncio.run(Dispatcher(services).handle(incoming))


def fields(reply: Reply) -> dict[str, str]:
    assert reply.card is not None, reply.text
    return dict(reply.card.fields)


def test_a_group_sees_a_masked_card(services, elif_, ugur):
    [card] = say(services, elif_, f"/customer #{ugur.id}", private=False)
    shown = fields(card)
    assert shown["Phone"] == "0532 *** ** 33"
    assert shown["E-mail"] == "u***@example.com"
    assert "price list" not in shown["Last interactions"]
    assert "note hidden" in shown["Last interactions"]
    assert [b.command for b in card.buttons][-1] == f"/dm #{ugur.id}"
    [private] = say(services, elif_, f"/customer #{ugur.id}", private=True)
    assert fields(private)["Phone"] == "0532 111 22 33"
    assert "wife ill" in fields(private)["Last interactions"]
    assert not any(b.command.startswith("/dm") for b in private.buttons)


def test_show_in_dm_sends_the_full_card_privately(services, elif_, ugur):
    [answer] = say(services, elif_, f"/dm #{ugur.id}", private=False)
    assert answer.text == f"Sent to your private chat: the card of customer #{ugur.id}."
    assert "Özmen" not in answer.text
    [notice] = rows(services, Notice)
    assert (notice.rep_id, notice.platform) == (elif_.id, "telegram")
    card = Reply.from_payload(notice.payload)
    assert fields(card)["Phone"] == "0532 111 22 33"
    assert fields(card)["E-mail"] == "ugur.ozmen@example.com"


def test_an_admin_marks_a_chat_internal(services, elif_, ugur):
    rep = add_rep(services, "Can Demir", telegram_user_id=555)
    [refused] = say(services, rep, "/chat internal on", private=False)
    assert refused.text == "Only an admin may use /chat."
    [done] = say(services, elif_, "/chat internal on", private=False)
    assert done.text.startswith("This chat is internal now")
    [card] = say(services, elif_, f"/customer #{ugur.id}", private=False)
    assert fields(card)["Phone"] == "0532 111 22 33"
    say(services, elif_, "/chat internal off", private=False)
    [card] = say(services, elif_, f"/customer #{ugur.id}", private=False)
    assert fields(card)["Phone"] == "0532 *** ** 33"


def test_telegram_group_gets_the_mask_and_the_dm_gets_the_card(services, elif_, ugur):
    async def scenario() -> None:
        async with telegram(services) as (fake, adapter):
            scheduler = Scheduler(services, notifier(adapter))
            await scheduler.start()
            try:
                card = await ask(fake, ELIF, f"/customer #{ugur.id}", chat=GROUP)
                assert int(card["chat_id"]) == GROUP
                assert "0532 *** ** 33" in card["text"] and "111 22" not in card["text"]
                assert "ugur.ozmen" not in card["text"] and "price list" not in card["text"]
                before = len(fake.of("sendMessage"))
                await press(fake, ELIF, card, "Show in DM")
                await scheduler.settled()
                sent = (await fake.wait_for("sendMessage", before + 1))[before:]
                [private] = [m for m in sent if int(m["chat_id"]) == ELIF]
                assert (
                    "0532 111 22 33" in private["text"]
                    and "ugur.ozmen@example.com" in private["text"]
                )
            finally:
                await scheduler.stop()

    asyncio.run(scenario())
    assert rows(services, Notice) == []  # delivered, and no copy kept


def test_a_slack_channel_thread_gets_the_mask(services, elif_, ugur):
    async def scenario() -> str:
        async with slack_running(services) as slack:
            event = {
                "type": "app_mention", "user": "UREP1", "channel": "C0SALES",
                "ts": "1700000001.000100", "text": f"<@UCRMBOT> customer #{ugur.id}",
            }  # fmt: skip
            await slack.event(slack.event_body(event, "Ev9"))
            await slack.settled()
            [posted] = slack.fake.of("chat.postMessage")
            return json.dumps(posted.args, ensure_ascii=False)

    posted = asyncio.run(scenario())
    assert "0532 *** ** 33" in posted and "u***@example.com" in posted
    assert "111 22" not in posted and "ugur.ozmen" not in posted and "price list" not in posted
