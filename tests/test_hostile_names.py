"""Data that looks like markup stays data: a customer, a deal and a task named with Slack
mentions and HTML go through every message path of both adapters, and nothing that reaches
Slack or Telegram can ping a channel, mention someone or format text."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta
from typing import Any

import pytest

from bot.jobs import Jobs
from handlers.kit import Reply, Services
from tests.conftest import Chat, add_customer, add_deal, add_rep, add_task
from tests.fakes.slack_harness import slack_running
from tests.scheduling import local, notifier, subscribe
from tests.telegram_harness import telegram
from tests.test_telegram import ELIF, ask, press

HOSTILE = "<!channel> Evil <@U0BOSS> <#C0ALL|all> & <b>Bold</b> <a href='x'>Co</a>"
# What Slack would act on: a special mention, a user or channel mention, a link.
SLACK_MARKUP = re.compile(r"<(?:!|@|#|https?:|mailto:)")


@pytest.fixture
def hostile(services: Services, clock) -> dict[str, Any]:
    elif_ = add_rep(
        services, "Elif Şahin", role="admin", telegram_user_id=ELIF, slack_user_id="UREP1"
    )
    customer = add_customer(services, HOSTILE, phone="+905321112233", owner_id=elif_.id)
    deal = add_deal(services, customer, f"<!here> {HOSTILE}", "1000", owner_id=elif_.id)
    add_task(services, elif_, f"<!everyone> {HOSTILE}", clock.now - timedelta(hours=1))
    return {"rep": elif_, "customer": customer, "deal": deal}


def slack_payloads(calls: list[Any], acks: list[str]) -> list[str]:
    return [json.dumps(c.args, ensure_ascii=False) for c in calls] + acks


def test_slack_never_receives_live_markup_from_data(services, hostile):
    cid, did = hostile["customer"].id, hostile["deal"].id

    async def scenario() -> list[str]:
        async with slack_running(services) as slack:
            acks = []
            for text in (
                "find evil",
                f"customer #{cid}",
                f"deal #{did}",
                "tasks",
                "deals all",
                f"log call #{cid} <!channel> said <@U0BOSS> hi",
            ):
                acks.append((await slack.command(text)).body)
            mention = {
                "type": "app_mention", "user": "UREP1", "channel": "C0SALES",
                "ts": "1700000001.000100", "text": "<@UCRMBOT> find evil",
            }  # fmt: skip
            acks.append((await slack.event(slack.event_body(mention, "Ev1"))).body)
            dm = {
                "type": "message", "channel_type": "im", "user": "UREP1", "channel": "D0ME",
                "ts": "1700000002.000100", "text": f"customer #{cid}",
            }  # fmt: skip
            acks.append((await slack.event(slack.event_body(dm, "Ev2"))).body)
            acks.append((await slack.options("evil")).body)  # the external select, in the ack
            await slack.settled()
            card = next(
                c.args for c in slack.fake.of("response_url") if "Deals" in json.dumps(c.args)
            )
            log_call = next(
                e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]
                if e.get("value", "").startswith("/log call")
            )  # fmt: skip
            await slack.press(log_call)  # opens the form, the customer preselected
            await slack.settled()
            await slack.adapter.send("C0SALES", [Reply(HOSTILE)])  # a proactive post
            return slack_payloads(slack.fake.calls, acks)

    sent = asyncio.run(scenario())
    assert any("Evil" in payload for payload in sent)  # the data did travel
    assert any("views.open" in p or "initial_option" in p for p in sent)
    leaks = [m.group(0) for payload in sent for m in SLACK_MARKUP.finditer(payload)]
    assert leaks == []


def test_telegram_never_receives_live_html_from_data(services, hostile, clock):
    cid, did = hostile["customer"].id, hostile["deal"].id
    sub = subscribe(services, hostile["rep"], platform="telegram", chat_id="-1001")

    async def scenario() -> list[str]:
        async with telegram(services) as (fake, adapter):
            texts = []
            for text in (f"/customer #{cid}", f"/deal #{did}", "/tasks", "/find evil"):
                texts.append((await ask(fake, ELIF, text))["text"])
            card = await ask(fake, ELIF, f"/customer #{cid}")
            edited = await press(fake, ELIF, card, "Deals")  # edits the message in place
            texts.append(edited["text"])
            jobs = Jobs(services, notifier(adapter))
            assert (await jobs.digest(sub.id or 0, local("2026-11-24", "08:30"))).status == "sent"
            await jobs.reminders(local("2026-11-23", "10:00"))
            texts += [c["text"] for c in fake.of("sendMessage")]
            texts += [c.params.get("caption") or "" for c in fake.of("sendPhoto")]
            return texts

    texts = asyncio.run(scenario())
    assert any("Evil" in text for text in texts)
    for text in texts:
        tags = re.findall(r"</?([a-zA-Z]+)", text)
        assert set(tags) <= {"b", "i"}, text  # only the bot's own bold and italics
        assert "&lt;b&gt;Bold&lt;/b&gt;" in text or "Bold" not in text


def test_the_console_shows_names_as_typed(services, hostile):
    card = Chat(services, hostile["rep"]).say(f"/customer #{hostile['customer'].id}").card
    assert card is not None and card.title == HOSTILE
