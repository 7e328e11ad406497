"""Digests and reminders end to end through the real Telegram adapter: a manager subscribes a
group by chat, the scheduler's jobs post through the Notifier, and a reminder's button works."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from bot.adapters.base import Notifier
from bot.jobs import Jobs
from storage.models import Subscription, Task
from tests.conftest import add_customer, add_deal, add_rep, add_task, rows
from tests.telegram_harness import message_of, telegram

BOSS, GROUP = 111, -100500


def test_a_subscribed_group_gets_the_digest_and_a_rep_gets_reminders(services, clock) -> None:
    boss = add_rep(services, "Elif Şahin", role="manager", telegram_user_id=BOSS)
    acme = add_customer(services, "Acme Corporation")
    add_deal(
        services,
        acme,
        "Stuck renewal",
        "40000",
        stage="Proposal",
        owner_id=boss.id,
        expected_close=date(2026, 10, 1),
    )
    task = add_task(services, boss, "Send the contract", clock.now - timedelta(days=2))

    async def scenario() -> None:
        async with telegram(services) as (fake, adapter):
            await fake.say(BOSS, "/subscribe digest 08:30", chat_id=GROUP)
            [confirmed] = await fake.wait_for("sendMessage")
            assert int(confirmed["chat_id"]) == GROUP
            [sub] = rows(services, Subscription)
            assert (sub.platform, sub.chat_id) == ("telegram", str(GROUP))
            jobs = Jobs(services, Notifier([adapter]))
            clock.advance(hours=22, minutes=31)  # Tuesday 08:31 local: the first digest is due
            outcome = await jobs.digest(sub.id, clock.now)
            assert outcome.status == "sent"
            posted = [c for c in fake.of("sendMessage") if int(c["chat_id"]) == GROUP][1:]
            assert "Stuck renewal" in "\n".join(c["text"] for c in posted)
            [chart] = await fake.wait_for("sendPhoto")
            assert int(chart["chat_id"]) == GROUP and chart.files["photo"][:4] == b"\x89PNG"
            before = len(fake.calls)
            await jobs.digest(sub.id, clock.now)  # a second run, a restart, a second process
            assert len(fake.calls) == before  # exactly once: the ledger says it went out
            clock.advance(hours=1)  # 09:31: reminders come within working hours only
            await jobs.reminders(clock.now)
            [reminder] = [c for c in fake.of("sendMessage") if int(c["chat_id"]) == BOSS]
            assert "Send the contract" in reminder["text"]
            [done] = [b for b in reminder.buttons if b["callback_data"] == f"/done #{task.id}"]
            await fake.press(BOSS, done["callback_data"], message_of(reminder))
            [edited] = await fake.wait_for("editMessageText")
            assert edited["text"] == "Done: Send the contract."

    asyncio.run(scenario())
    assert rows(services, Task)[0].status == "done"
