"""/undo and the [Undo] button: a rep's own last commands, within 15 minutes, exactly, from the
audit trail; refused (writing nothing) for another rep's change, a record changed since, a
merge-affected record and an old change."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from storage.models import AuditEvent, Deal, DealStageChange, Interaction, Task, Undone
from tests.conftest import Chat, add_customer, add_deal, add_rep, rows
from tests.telegram_harness import telegram
from tests.test_telegram import ask, press


@pytest.fixture
def team(services):
    murat = add_rep(services, "Murat Kaya", role="manager", language="tr")
    ayse = add_rep(services, "Ayşe Yılmaz", language="tr", manager_id=murat.id,
                   telegram_user_id=222)  # fmt: skip
    return murat, ayse


def undo_button(reply):
    [button] = [b for b in reply.buttons if b.command.startswith("/undo ")]
    return button


def test_the_undo_button_takes_back_a_logged_call(services, team) -> None:
    _, ayse = team
    acme = add_customer(services, "Acme Lojistik", owner_id=ayse.id)
    chat = Chat(services, ayse)
    logged = chat.say(f"/log arama #{acme.id} fiyat konuştuk sonraki: teklif gönder cuma")
    assert len(rows(services, Interaction)) == 1 and len(rows(services, Task)) == 1
    undone = chat.say(undo_button(logged).command)
    assert undone.text.startswith("Geri alındı: ")
    assert rows(services, Interaction) == [] and rows(services, Task) == []
    assert all(b.label != "Geri al" for b in undone.buttons)
    again = chat.say(undo_button(logged).command)
    assert again.text.startswith("Bu değişiklik zaten geri alındı.")
    [record] = rows(services, Undone)
    with services.db.session() as s:
        by_undo = s.exec(select(AuditEvent).where(AuditEvent.command == record.by_command)).all()
    assert {e.action for e in by_undo} == {"delete"}  # the undo is audited like any change


def test_a_new_deal_is_taken_back_with_its_first_stage(services, team) -> None:
    _, ayse = team
    acme = add_customer(services, "Acme Lojistik", owner_id=ayse.id)
    chat = Chat(services, ayse)
    added = chat.say(f"/firsat ekle #{acme.id} filo yenileme 250.000 TL")
    assert added.card is not None
    assert len(rows(services, Deal)) == 1 and len(rows(services, DealStageChange)) == 1
    assert chat.say(undo_button(added).command).text.startswith("Geri alındı: ")
    assert rows(services, Deal) == [] and rows(services, DealStageChange) == []


def test_a_stage_move_comes_back_exactly(services, team) -> None:
    _, ayse = team
    acme = add_customer(services, "Acme Lojistik", owner_id=ayse.id)
    deal = add_deal(services, acme, "Filo", "250000.10", owner_id=ayse.id)
    [before] = rows(services, Deal)
    chat = Chat(services, ayse)
    chat.say(f"/stage #{deal.id} kazanıldı 260.000,55 TL")
    [won] = rows(services, Deal)
    assert won.stage_id != before.stage_id and won.closed_amount == Decimal("260000.55")
    chat.say("/geri al")
    [back] = rows(services, Deal)
    assert (back.stage_id, back.amount, back.closed_amount, back.closed_at) == (
        before.stage_id,
        Decimal("250000.10"),
        None,
        None,
    )
    assert back.stage_changed_at == before.stage_changed_at


def test_undo_goes_back_one_command_at_a_time_or_several(services, team, clock) -> None:
    _, ayse = team
    chat = Chat(services, ayse)
    chat.say("/gorev teklif gönder yarın 10:00")
    chat.say("/gorev numune yolla cuma")
    clock.now += timedelta(minutes=1)
    chat.say("/ertele #1 1 saat")
    chat.say("/undo")  # the snooze
    assert [t.snoozed_until for t in rows(services, Task)] == [None, None]
    assert len(rows(services, Task)) == 2
    reply = chat.say("/undo 2")  # both tasks, newest first
    assert reply.text.startswith("2 komut geri alındı: ")
    assert rows(services, Task) == []
    assert chat.say("/undo").text.startswith("Son 15 dakikada geri alınacak")


def test_another_reps_change_is_theirs_to_undo(services, team) -> None:
    murat, ayse = team
    acme = add_customer(services, "Acme Lojistik", owner_id=ayse.id)
    logged = Chat(services, murat).say(f"/log arama #{acme.id} bilgi verdim")
    refused = Chat(services, ayse).say(undo_button(logged).command)
    assert refused.text.startswith("Bu değişikliği başkası yaptı")
    assert len(rows(services, Interaction)) == 1


def test_a_record_changed_since_by_someone_else_is_left_alone(services, team) -> None:
    murat, ayse = team
    acme = add_customer(services, "Acme Lojistik", owner_id=ayse.id)
    deal = add_deal(services, acme, "Filo", "1000", owner_id=ayse.id)
    Chat(services, ayse).say(f"/stage #{deal.id} teklif")
    Chat(services, murat).say(f"/stage #{deal.id} müzakere")
    [moved] = rows(services, Deal)
    refused = Chat(services, ayse).say("/undo")
    assert refused.text.startswith(f"Bu fırsat (#{deal.id}) o zamandan beri Murat Kaya tarafından")
    assert rows(services, Deal)[0].stage_id == moved.stage_id
    assert rows(services, Undone) == []


def test_a_merge_affected_record_is_not_undone_under_the_merge(services, team) -> None:
    murat, ayse = team
    keep = add_customer(services, "Acme Lojistik", owner_id=ayse.id, phone="+905321112233")
    other = add_customer(services, "ACME Lojistik A.Ş.", owner_id=ayse.id, phone="+905321112233")
    Chat(services, ayse).say(f"/log arama #{other.id} fiyat konuştuk")
    Chat(services, murat).say(f"/merge #{keep.id} #{other.id} --confirm")
    [moved] = rows(services, Interaction)
    assert moved.customer_id == keep.id
    refused = Chat(services, ayse).say("/undo")
    assert "o zamandan beri Murat Kaya tarafından değiştirildi" in refused.text
    assert [i.customer_id for i in rows(services, Interaction)] == [keep.id]


def test_after_fifteen_minutes_it_is_too_late(services, team, clock) -> None:
    _, ayse = team
    chat = Chat(services, ayse)
    made = chat.say("/gorev teklif gönder yarın 10:00")
    clock.now += timedelta(minutes=16)
    assert chat.say("/undo").text.startswith("Son 15 dakikada geri alınacak")
    assert chat.say(undo_button(made).command).text.startswith("Bu değişiklik 15 dakikadan eski")
    assert len(rows(services, Task)) == 1


def test_bad_input_gets_usage(services, chat: Chat) -> None:
    assert chat.say("/undo 9").text.startswith("Undo takes back at most the last 5 commands")
    assert chat.say("/undo everything").text.startswith("Usage: /undo")


def test_undo_over_telegram(services, team) -> None:
    _, ayse = team
    acme = add_customer(services, "Acme Lojistik", owner_id=ayse.id)

    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            logged = await ask(fake, 222, f"/log arama #{acme.id} fiyat konuştuk")
            assert "Geri al" in [b["text"] for b in logged.buttons]
            undone = await press(fake, 222, logged, "Geri al")
            assert "Geri alındı" in undone["text"]

    asyncio.run(scenario())
    assert rows(services, Interaction) == []


def test_undo_brings_back_a_deleted_deal(services, team) -> None:
    _, ayse = team
    acme = add_customer(services, "Acme Lojistik", owner_id=ayse.id)
    deal = add_deal(services, acme, "Filo", "1000", owner_id=ayse.id)
    chat = Chat(services, ayse)
    chat.say(f"/sil fırsat #{deal.id} --confirm")
    assert chat.say(f"/deal #{deal.id}").card is None
    chat.say("/geri al")
    assert chat.say(f"/deal #{deal.id}").card is not None
