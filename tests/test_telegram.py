"""The Telegram adapter end to end: the real python-telegram-bot Application, over HTTP, against
a fake Bot API on 127.0.0.1, with the real dispatcher and database behind it."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import aiohttp
import pytest
from sqlmodel import Session

from bot.adapters.base import DeliveryError
from handlers.kit import Attachment, Reply
from storage.models import Customer, Deal, Interaction, Rep, Task
from tests.conftest import add_customer, add_deal, add_rep, add_task, rows
from tests.fakes.telegram_api import FakeBotAPI
from tests.telegram_harness import (
    TOKEN,
    free_port,
    message_of,
    private_update,
    telegram,
    webhook_settings,
)

ELIF, AYSE, STRANGER = 111, 222, 999


@pytest.fixture
def reps(services):
    return {
        "elif": add_rep(services, "Elif Şahin", role="admin", telegram_user_id=ELIF),
        "ayse": add_rep(services, "Ayşe Yılmaz", language="tr", telegram_user_id=AYSE),
    }


@pytest.fixture
def acme(services):
    return add_customer(services, "Acme Corporation", phone="+12125550100")


async def ask(fake: FakeBotAPI, user: int, text: str, chat: int | None = None, **extra):
    """Send a message and return the bot's first new message in answer."""
    before = len(fake.of("sendMessage"))
    await fake.say(user, text, chat, **extra)
    return (await fake.wait_for("sendMessage", before + 1))[-1]


async def press(fake: FakeBotAPI, user: int, call, label: str):
    """Press the button labelled ``label`` on the message ``call`` sent; return the edit.

    A choice's label carries its number ("2. competitor"): typing "2" picks it too."""
    [button] = [b for b in call.buttons if label in (b["text"], re.sub(r"^\d+\. ", "", b["text"]))]
    before = len(fake.of("editMessageText"))
    await fake.press(user, button["callback_data"], message_of(call))
    return (await fake.wait_for("editMessageText", before + 1))[-1]


def test_start_registers_menus_and_answers_a_card(services, reps, acme) -> None:
    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            menus = fake.of("setMyCommands")
            assert [m.params.get("language_code") for m in menus] == [None, "tr"]
            names = [c["command"] for c in menus[0]["commands"]]
            assert {"find", "log", "stage", "tasks", "cancel"} <= set(names)
            assert "start" not in names and all(" " not in n for n in names)
            tr = {c["command"]: c["description"] for c in menus[1]["commands"]}
            assert tr["find"] == "müşteri bulur, yazım hatalarını affeder"
            card = await ask(fake, ELIF, "/find acme")
            assert card["parse_mode"] == "HTML"
            assert card["text"].startswith(f"<b>Acme Corporation</b> <i>#{acme.id}</i>")
            assert "<b>Phone:</b> +1 212-555-0100" in card["text"]
            assert [b["callback_data"] for b in card.buttons] == [
                f"/log call #{acme.id}",
                f"/task #{acme.id}",
                f"/deal add #{acme.id}",
                f"/deals #{acme.id}",
                f"/edit customer #{acme.id}",
                f"/delete customer #{acme.id}",
            ]

    asyncio.run(scenario())


def test_every_core_command_answers(services, reps, acme, clock) -> None:
    add_rep(services, "Zeynep Kaya")
    add_deal(services, acme, "Renewal", "40000")
    add_task(services, reps["elif"], "Send the contract", clock.now + timedelta(hours=2))
    expected = [
        ("/help", "What I can do"),
        ("/help log", "Usage: /log"),
        ("/find +1 212 555 0100", "<b>Acme Corporation</b>"),
        ("/customer acme", "<b>Acme Corporation</b>"),
        ("/customer add Kaya Mimarlık 0532 555 12 34", "Customer added: Kaya Mimarlık"),
        ("/log call acme discussed pricing", "Logged: call · Acme Corporation"),
        ("/deal add acme fleet tracking 250k", "Deal added: &quot;fleet tracking&quot;"),
        ("/deal renewal", "<b>Renewal</b>"),
        ("/stage renewal proposal", "Moved &quot;Renewal&quot; to Proposal."),
        ("/deals all", "All open deals (2)"),
        ("/pipeline", "Pipeline, all deals:"),
        ("/task call the bank tomorrow 10am", "Task set: call the bank"),
        ("/tasks", "Your open tasks (2):"),
        ("/snooze call the bank next monday 9:00", "Snoozed &quot;call the bank&quot;"),
        ("/done send the contract", "Done: Send the contract."),
        ("/invite Ayşe Yılmaz", "already has a Telegram account linked"),
        ("/invite Zeynep Kaya", "https://t.me/crm_test_bot?start="),
        ("/lang tr", "Bundan sonra Türkçe yanıt vereceğim."),
        ("/tasks", "Açık görevleriniz (1):"),
        ("/cancel", "İptal edilecek bir şey yok."),
        ("/fnd acme", "/find mı demek istediniz?"),
    ]

    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            for text, snippet in expected:
                answer = await ask(fake, ELIF, text)
                assert snippet in answer["text"], (text, answer["text"])

    asyncio.run(scenario())
    assert len(rows(services, Deal)) == 2 and len(rows(services, Interaction)) == 1


def test_task_buttons_edit_the_message_and_answer_the_query(services, reps) -> None:
    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            card = await ask(fake, ELIF, "/task send the quote tomorrow 10am")
            labels = [b["text"] for b in card.buttons]
            assert labels == [
                "Done",
                "Snooze 1h",
                "Tomorrow",
                "Next week",
                "Edit",
                "Delete",
                "Undo",
            ]
            snoozed = await press(fake, ELIF, card, "Snooze 1h")
            assert int(snoozed["message_id"]) == card.result_id
            assert "Snoozed &quot;send the quote&quot;" in snoozed["text"]
            done = await press(fake, ELIF, card, "Done")
            assert done["text"] == "Done: send the quote."
            assert len(fake.of("answerCallbackQuery")) == 2

    asyncio.run(scenario())
    [task] = rows(services, Task)
    assert task.status == "done" and task.snoozed_until is not None


def test_stage_buttons_and_lost_asks_for_a_reason(services, reps, acme) -> None:
    deal = add_deal(services, acme, "Pilot", "15000")

    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            card = await ask(fake, ELIF, f"/deal #{deal.id}")
            stages = [b["text"] for b in card.buttons]
            assert stages == [
                "Qualified",
                "Proposal",
                "Negotiation",
                "Won",
                "Lost",
                "Edit",
                "Delete",
            ]
            question = await press(fake, ELIF, card, "Lost")
            assert "Why was &quot;Pilot&quot; lost?" in question["text"]
            question.result = {"message_id": card.result_id}
            lost = await press(fake, ELIF, question, "competitor")
            assert "Moved &quot;Pilot&quot; to Lost." in lost["text"]

    asyncio.run(scenario())
    [stored] = rows(services, Deal)
    assert stored.lost_reason == "competitor" and stored.closed_at is not None


def test_the_edit_button_asks_field_then_value(services, reps, acme) -> None:
    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            card = await ask(fake, ELIF, f"/customer #{acme.id}")
            menu = await press(fake, ELIF, card, "Edit")
            assert "What do you want to change" in menu["text"]
            menu.result = {"message_id": card.result_id}
            question = await press(fake, ELIF, menu, "City")
            assert "New City" in question["text"]
            done = await ask(fake, ELIF, "Ankara")
            assert "City: — → Ankara" in done["text"]

    asyncio.run(scenario())
    [stored] = rows(services, Customer)
    assert stored.city == "Ankara"


def test_long_button_commands_fit_in_64_bytes(services, reps) -> None:
    add_customer(services, "Mehmet Yıldırım", city="Ankara")
    add_customer(services, "Mehmet Yıldırım", city="İzmir")
    summary = "müşteri ödeme planını ve teslimat takvimini ayrıntılı olarak sordu"

    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            choice = await ask(fake, ELIF, f"/log call mehmet yildirim {summary}")
            data = [b["callback_data"] for b in choice.buttons]
            assert all(len(d.encode()) <= 64 for d in data)
            assert data[0].startswith("t:")
            logged = await press(fake, ELIF, choice, choice.buttons[1]["text"])
            assert logged["text"].startswith("Logged: call · Mehmet Yıldırım")

    asyncio.run(scenario())
    [item] = rows(services, Interaction)
    assert item.summary == summary


def test_guided_log_survives_a_restart(services, reps, acme) -> None:
    async def scenario() -> None:
        fake = FakeBotAPI(TOKEN)
        await fake.start()
        async with telegram(services, fake) as (_, _adapter):
            kinds = await ask(fake, ELIF, "/log")
            await press(fake, ELIF, kinds, "call")
            asked = await ask(fake, ELIF, "acme")
            assert "What happened with Acme Corporation?" in asked["text"]
        async with telegram(services, fake) as (_, _adapter):  # the bot restarted
            done = await ask(fake, ELIF, "they want forty units")
            assert done["text"].startswith("Logged: call · Acme Corporation")
        await fake.stop()

    asyncio.run(scenario())
    assert [i.summary for i in rows(services, Interaction)] == ["they want forty units"]


def test_a_shared_location_lands_on_the_visit(services, reps, acme) -> None:
    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            await ask(fake, ELIF, "/log visit acme")
            noted = await ask(fake, ELIF, "", location={"latitude": 41.04, "longitude": 29.0})
            assert noted["text"] == "Location noted; it will be stored with this visit."
            await ask(fake, ELIF, "warehouse tour")

    asyncio.run(scenario())
    [visit] = rows(services, Interaction)
    assert (visit.kind, visit.latitude, visit.longitude) == ("visit", 41.04, 29.0)


def test_strangers_are_refused_in_private_and_ignored_in_groups(services, reps) -> None:
    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            refused = await ask(fake, STRANGER, "/find acme")
            assert "not registered" in refused["text"] and str(STRANGER) in refused["text"]
            assert refused.buttons == []
            await fake.say(STRANGER, "/find acme", chat_id=-100500)
            answer = await ask(fake, ELIF, "/tasks", chat=-100500)
            assert int(answer["chat_id"]) == -100500 and "No open tasks" in answer["text"]
            assert len(fake.of("sendMessage")) == 2  # nothing went to the stranger in the group

    asyncio.run(scenario())


def test_invite_link_redeemed_once(services, reps) -> None:
    zeynep = add_rep(services, "Zeynep Kaya")

    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            invite = await ask(fake, ELIF, "/invite zeynep kaya")
            code = invite["text"].rsplit("start=", 1)[1]
            welcome = await ask(fake, 333, f"/start {code}")
            assert welcome["text"].startswith("Welcome, Zeynep Kaya!")
            again = await ask(fake, 444, f"/start {code}")
            assert "already been used" in again["text"] and "444" in again["text"]
            assert (await ask(fake, 333, "/tasks"))["text"] == "No open tasks. Well done."

    asyncio.run(scenario())
    with Session(services.db.engine) as s:
        assert s.get(Rep, zeynep.id).telegram_user_id == 333


def test_a_duplicated_update_is_processed_once(services, reps, acme) -> None:
    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            update = {
                "message": {
                    "message_id": 5,
                    "date": 0,
                    "text": "/log call acme hi",
                    "chat": {"id": ELIF, "type": "private"},
                    "from": {"id": ELIF, "is_bot": False, "first_name": "E"},
                }
            }
            await fake.push(update, copies=2)
            await fake.wait_for("sendMessage")
            await ask(fake, ELIF, "/tasks")  # a later update: the duplicate was handled by now

    asyncio.run(scenario())
    assert len(rows(services, Interaction)) == 1


def test_a_long_reply_is_split_at_line_boundaries(services, reps, clock) -> None:
    for n in range(15):  # one page of /tasks, each title near its 500-character limit
        add_task(
            services,
            reps["elif"],
            f"Follow up with prospect number {n:02d} " + "x" * 400,
            clock.now + timedelta(days=1, minutes=n),
        )

    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            await fake.say(ELIF, "/tasks")
            first, second = await fake.wait_for("sendMessage", 2)
            assert len(first["text"]) <= 4096 and len(second["text"]) <= 4096
            assert first["text"].endswith(")") and second["text"].split(". ")[0].isdigit()
            assert first.params.get("reply_markup") is None and second.buttons

    asyncio.run(scenario())


def test_flood_limit_retry_after_is_honoured(services, reps) -> None:
    """Telegram's smallest hint is one second (PTB ignores 0); AIORateLimiter waits it out."""

    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            fake.fail_next(
                "sendMessage",
                429,
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                },
            )
            await fake.say(ELIF, "/tasks")
            failed, delivered = await fake.wait_for("sendMessage", 2)
            assert failed.result is None and delivered["text"] == "No open tasks. Well done."

    asyncio.run(scenario())


def test_a_blocked_bot_breaks_nothing(services, reps) -> None:
    async def scenario() -> None:
        async with telegram(services) as (fake, adapter):
            fake.blocked_chats.add(ELIF)
            await fake.say(ELIF, "/tasks")
            await fake.wait_for("sendMessage")
            with pytest.raises(DeliveryError, match="blocked"):
                await adapter.send(str(ELIF), [Reply("Your day")])
            fake.blocked_chats.clear()
            assert "No open tasks" in (await ask(fake, ELIF, "/tasks"))["text"]

    asyncio.run(scenario())


def test_proactive_post_with_a_chart(services, reps) -> None:
    async def scenario() -> None:
        async with telegram(services) as (fake, adapter):
            chart = Attachment("pipeline.png", "image/png", b"\x89PNG fake", "Pipeline")
            await adapter.send("-100777", [Reply("Daily digest", attachments=[chart])])
            [text] = await fake.wait_for("sendMessage")
            [photo] = await fake.wait_for("sendPhoto")
            assert text["text"] == "Daily digest" and photo["caption"] == "Pipeline"
            assert photo.files["photo"] == b"\x89PNG fake"

    asyncio.run(scenario())


def test_webhook_checks_its_secret_on_every_request(services, reps, acme) -> None:
    hook = webhook_settings(free_port())
    url = hook["telegram_webhook_url"]
    update = private_update(41, ELIF, "/log call acme via webhook")

    async def scenario() -> None:
        async with telegram(services, **hook) as (fake, adapter), aiohttp.ClientSession() as http:
            [registered] = fake.of("setWebhook")
            assert registered["url"] == url
            assert registered["secret_token"] == adapter.webhook_secret
            assert TOKEN not in adapter.webhook_secret
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}):
                refused = await http.post(url, json=update, headers=headers)
                assert refused.status == 403
            right = {"X-Telegram-Bot-Api-Secret-Token": adapter.webhook_secret}
            for _ in range(2):  # Telegram re-delivering the same update
                assert (await http.post(url, json=update, headers=right)).status == 200
            later = private_update(42, ELIF, "/tasks")
            assert (await http.post(url, json=later, headers=right)).status == 200
            logged, tasks = await fake.wait_for("sendMessage", 2)  # updates run in order
            assert logged["text"].startswith("Logged") and "No open tasks" in tasks["text"]

    asyncio.run(scenario())
    assert [i.summary for i in rows(services, Interaction)] == ["via webhook"]


def test_delete_then_restore_by_the_buttons(services, reps, acme) -> None:
    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            card = await ask(fake, ELIF, f"/customer #{acme.id}")
            asked = await press(fake, ELIF, card, "Delete")
            assert f"Delete customer &quot;Acme Corporation&quot; (#{acme.id})?" in asked["text"]
            done = await press(fake, ELIF, asked, "Delete")
            assert f"Deleted customer &quot;Acme Corporation&quot; (#{acme.id})." in done["text"]
            assert "Acme" not in (await ask(fake, ELIF, "/find acme"))["text"]
            back = await press(fake, ELIF, done, "Restore")
            assert f"Restored customer &quot;Acme Corporation&quot; (#{acme.id})." in back["text"]
            assert (await ask(fake, ELIF, "/find acme"))["text"].startswith("<b>Acme Corporation")

    asyncio.run(scenario())
