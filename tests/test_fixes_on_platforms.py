"""Assign and undo over the real stacks: Bolt against the fake Slack API and
python-telegram-bot against the fake Bot API, with the real dispatcher and database."""

from __future__ import annotations

import asyncio

from storage.models import Deal, Interaction, Notice
from tests.conftest import add_customer, add_deal, add_rep, rows
from tests.fakes.slack_harness import block_texts, button, run, slack_running
from tests.telegram_harness import telegram
from tests.test_telegram import ask, press

MURAT_TG = 555


def test_undo_from_a_slack_button(services) -> None:
    add_rep(services, "Ayşe Yılmaz", slack_user_id="UREP1")
    acme = add_customer(services, "Acme Lojistik A.Ş.")

    async def scenario():
        async with slack_running(services) as slack:
            await slack.command(f"log call #{acme.id} sent the brochure", channel="D0AYSE")
            [answer] = await slack.fake.wait_for("response_url")
            assert "Logged: call" in block_texts(answer.args)
            await slack.press(button(answer.args, "Undo"), channel="D0AYSE")
            undone = (await slack.fake.wait_for("response_url", 2))[1]
            assert "Undone: " in block_texts(undone.args)

    run(scenario())
    assert rows(services, Interaction) == []


def test_assign_over_telegram_tells_the_new_owner(services) -> None:
    murat = add_rep(services, "Murat Kaya", role="manager", language="tr",
                    telegram_user_id=MURAT_TG)  # fmt: skip
    ayse = add_rep(services, "Ayşe Yılmaz", manager_id=murat.id, telegram_user_id=222)
    can = add_rep(services, "Can Demir", manager_id=murat.id, telegram_user_id=333)
    acme = add_customer(services, "Acme Lojistik", owner_id=ayse.id)
    deal = add_deal(services, acme, "Filo yenileme", "250000", owner_id=ayse.id)

    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            answer = await ask(fake, MURAT_TG, f"/ata fırsat #{deal.id} Can'a")
            assert "artık Can Demir&#x27;in." in answer["text"]  # HTML-escaped
            undone = await press(fake, MURAT_TG, answer, "Geri al")
            assert "Geri alındı" in undone["text"]

    asyncio.run(scenario())
    [back] = rows(services, Deal)
    assert back.owner_id == ayse.id
    assert {n.rep_id for n in rows(services, Notice)} <= {ayse.id, can.id}
