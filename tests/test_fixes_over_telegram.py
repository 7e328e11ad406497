"""Every way to fix a mistake, over the real python-telegram-bot stack, in English and Turkish:
/edit typed and by the Edit button's guided flow, /delete with its confirmation then
[Restore], /restore typed, /deleted, /undo typed and by the [Undo] button, /assign (the new
owner is told in their Telegram chat, with the record's buttons) and /history. Each step
checks the database, and each answer against the rep's own catalog (tests/fix_words.py)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from html import escape

import pytest

from bot.adapters.base import Notifier
from bot.notices import Courier
from handlers.kit import Translator
from storage.models import Customer, Deal
from tests.fix_words import (
    LANGUAGES,
    Team,
    edited,
    in_language,
    make_team,
    not_yours,
    record,
    stored,
    undone,
)
from tests.telegram_harness import telegram
from tests.test_telegram import ask, press

MURAT, AYSE, CAN = 555, 222, 333


@pytest.fixture(params=LANGUAGES)
def team(services, request) -> Team:
    return make_team(
        services,
        request.param,
        murat={"telegram_user_id": MURAT},
        ayse={"telegram_user_id": AYSE},
        can={"telegram_user_id": CAN},
    )


def has(t: Translator, answer, *texts: str) -> None:
    """Each text, as Telegram shows it (HTML-escaped), is in the answer."""
    in_language(t, answer["text"])
    for text in texts:
        assert escape(text) in answer["text"], (text, answer["text"])


def test_typed_edit_then_typed_undo(services, team: Team) -> None:
    t, w, acme = team.t, team.w, team.acme

    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            answer = await ask(fake, AYSE, f"/{w.edit} #{acme.id} {w.city} Ankara")
            has(t, answer, *edited(t, "Acme Lojistik", "city", "—", "Ankara"))
            assert stored(services, Customer, acme.id).city == "Ankara"
            back = await ask(fake, AYSE, f"/{w.undo}")
            has(t, back, undone(t, ("customer", acme.id)))

    asyncio.run(scenario())
    assert stored(services, Customer, acme.id).city is None


def test_the_edit_button_asks_the_field_then_its_value(services, team: Team) -> None:
    t, w, acme = team.t, team.w, team.acme

    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            card = await ask(fake, AYSE, f"/{w.customer} #{acme.id}")
            menu = await press(fake, AYSE, card, t("button.edit"))
            has(t, menu, t("edit.ask_field", title="Acme Lojistik"))
            menu.result = {"message_id": card.result_id}
            question = await press(fake, AYSE, menu, t("edit.field.city"))
            has(t, question, t("edit.ask_value", field=t("edit.field.city"), now="—"))
            done = await ask(fake, AYSE, "Ankara")
            has(t, done, *edited(t, "Acme Lojistik", "city", "—", "Ankara"))

    asyncio.run(scenario())
    assert stored(services, Customer, acme.id).city == "Ankara"


def test_delete_confirm_restore_by_button_deleted_and_typed_restore(services, team) -> None:
    t, w, acme, deal = team.t, team.w, team.acme, team.deal
    customer = record(t, "customer", "Acme Lojistik", acme.id)
    the_deal = record(t, "deal", "Filo yenileme", deal.id)

    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            asked = await ask(fake, AYSE, f"/{w.delete} {w.customer} #{acme.id}")
            has(t, asked, t("archive.confirm", record=customer), t("archive.confirm_restore"))
            assert stored(services, Customer, acme.id).archived_at is None  # not before yes
            done = await press(fake, AYSE, asked, t("button.delete_confirm"))
            has(t, done, t("archive.done", record=customer))
            assert stored(services, Customer, acme.id).archived_at is not None
            assert stored(services, Deal, deal.id).archived_at is not None  # went along
            listed = await ask(fake, AYSE, f"/{w.deleted}")
            has(t, listed, t("archive.list_title", days=30), customer)
            assert t("button.restore_one", id=acme.id) in [b["text"] for b in listed.buttons]
            back = await press(fake, AYSE, done, t("button.restore"))
            has(t, back, t("archive.restored", record=customer))
            assert stored(services, Customer, acme.id).archived_at is None
            assert stored(services, Deal, deal.id).archived_at is None

            asked = await ask(fake, AYSE, f"/{w.delete} {w.deal} #{deal.id}")
            await press(fake, AYSE, asked, t("button.delete_confirm"))
            assert stored(services, Deal, deal.id).archived_at is not None
            typed = await ask(fake, AYSE, f"/{w.restore} {w.deal} #{deal.id}")
            has(t, typed, t("archive.restored", record=the_deal))

    asyncio.run(scenario())
    assert stored(services, Deal, deal.id).archived_at is None


def test_the_undo_button_and_someone_elses_change(services, team: Team) -> None:
    t, w, deal = team.t, team.w, team.deal

    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            edit = f"/{w.edit} {w.deal} #{deal.id} {w.title}"
            answer = await ask(fake, AYSE, f"{edit} Filo 2027")
            assert stored(services, Deal, deal.id).title == "Filo 2027"
            back = await press(fake, AYSE, answer, t("button.undo"))
            has(t, back, undone(t, ("deal", deal.id)))
            assert stored(services, Deal, deal.id).title == "Filo yenileme"

            answer = await ask(fake, AYSE, f"{edit} Filo 2028")
            [button] = [b for b in answer.buttons if b["text"] == t("button.undo")]
            refused = await ask(fake, MURAT, button["callback_data"])  # Ayşe's command
            has(t, refused, not_yours(t))

    asyncio.run(scenario())
    assert stored(services, Deal, deal.id).title == "Filo 2028"


def test_a_manager_assigns_and_the_new_owner_is_told_with_buttons(services, team, clock):
    t, w, deal = team.t, team.w, team.deal
    what = {"record": t("entity.deal"), "title": "Filo yenileme"}

    async def scenario() -> None:
        async with telegram(services) as (fake, adapter):
            answer = await ask(fake, MURAT, f"/{w.assign} {w.deal} #{deal.id} Can Demir")
            has(t, answer, t("assign.done", name="Can Demir", **what))
            assert stored(services, Deal, deal.id).owner_id == team.can.id
            courier = Courier(services, Notifier([adapter]))
            assert await courier.deliver(clock.now + timedelta(minutes=2)) == 2
            [told] = [c for c in fake.of("sendMessage") if int(c["chat_id"]) == CAN]
            has(t, told, t("assign.given", by="Murat Kaya", **what))
            assert [(b["text"], b["callback_data"]) for b in told.buttons] == [
                (t("button.open"), f"/deal #{deal.id}")
            ]
            [taken] = [c for c in fake.of("sendMessage") if int(c["chat_id"]) == AYSE]
            has(t, taken, t("assign.taken", by="Murat Kaya", to="Can Demir", **what))
            opened = await press(fake, CAN, told, t("button.open"))
            assert opened["text"].startswith("<b>Filo yenileme</b>")

    asyncio.run(scenario())


def test_a_rep_may_not_assign(services, team: Team) -> None:
    t, w, deal = team.t, team.w, team.deal

    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            refused = await ask(fake, AYSE, f"/{w.assign} {w.deal} #{deal.id} Can Demir")
            has(t, refused, t("access.reassign"))

    asyncio.run(scenario())
    assert stored(services, Deal, deal.id).owner_id == team.ayse.id


def test_history_shows_the_edit_before_and_after(services, team: Team) -> None:
    t, w, acme = team.t, team.w, team.acme

    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            await ask(fake, AYSE, f"/{w.edit} #{acme.id} {w.city} Ankara")
            shown = await ask(fake, MURAT, f"/{w.history} {w.customer} #{acme.id}")
            header = t.plural("history.header", 2, record=t("entity.customer"),
                              title="Acme Lojistik")  # fmt: skip
            has(t, shown, header, f"Ayşe Yılmaz: {t('history.action.update')}")
            has(t, shown, f"{t('history.field.city')}: — → Ankara")

    asyncio.run(scenario())
