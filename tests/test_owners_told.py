"""Owners are told when someone else changes their records: a minute of changes is one private
message, in the owner's language, with what changed before → after."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.adapters.base import Notifier
from bot.notices import Courier
from storage.models import Notice
from tests.conftest import Chat, add_customer, add_deal, add_rep, add_task, rows
from tests.scheduling import Recorder

AYSE_TG = 222


@pytest.fixture
def team(services):
    murat = add_rep(services, "Murat Kaya", role="manager", language="en")
    ayse = add_rep(services, "Ayşe Yılmaz", language="tr", manager_id=murat.id,
                   telegram_user_id=AYSE_TG)  # fmt: skip
    return murat, ayse


def deliver(services, at) -> Recorder:
    recorder = Recorder()
    asyncio.run(Courier(services, Notifier([recorder])).deliver(at))
    return recorder


def test_a_minute_of_changes_is_one_message(services, team, clock) -> None:
    murat, ayse = team
    acme = add_customer(services, "Acme Lojistik", owner_id=ayse.id)
    deal = add_deal(services, acme, "Filo yenileme", "1000", owner_id=ayse.id)
    boss = Chat(services, murat)
    boss.say(f"/stage #{deal.id} proposal")
    clock.now += timedelta(seconds=20)
    task = add_task(services, ayse, "teklif gönder", clock.now + timedelta(days=1))
    boss.say(f"/snooze #{task.id} tomorrow")
    pending = rows(services, Notice)
    assert len(pending) == 2 and len({n.next_at for n in pending}) == 1
    assert deliver(services, clock.now).sent == []  # not before the minute is over
    recorder = deliver(services, clock.now + timedelta(seconds=41))
    [(chat_id, [message])] = recorder.sent
    assert chat_id == str(AYSE_TG)
    lines = message.text.splitlines()
    assert lines[0] == "Kayıtlarınızda başkalarının yaptığı değişiklikler:"
    assert lines[1] == (
        f'• Murat Kaya, fırsat "Filo yenileme" (#{deal.id}) kaydını değiştirdi: '
        "Aşama: Aday → Teklif"
    )
    assert lines[2].startswith(f'• Murat Kaya, görev "teklif gönder" (#{task.id}) kaydını ')
    assert "Ertelendiği tarih: — → " in lines[2]
    assert [b.command for b in message.buttons] == [
        f"/history deal #{deal.id}",
        f"/history task #{task.id}",
    ]
    assert rows(services, Notice) == []


def test_no_one_is_told_of_their_own_change(services, team) -> None:
    _, ayse = team
    acme = add_customer(services, "Acme Lojistik", owner_id=ayse.id)
    deal = add_deal(services, acme, "Filo yenileme", "1000", owner_id=ayse.id)
    Chat(services, ayse).say(f"/stage #{deal.id} teklif")
    assert rows(services, Notice) == []


def test_a_reassignment_is_told_once_in_its_own_words(services, team) -> None:
    murat, ayse = team
    can = add_rep(services, "Can Demir", manager_id=murat.id)
    acme = add_customer(services, "Acme Lojistik", owner_id=ayse.id)
    deal = add_deal(services, acme, "Filo yenileme", "1000", owner_id=ayse.id)
    Chat(services, murat).say(f"/assign deal #{deal.id} Can")
    told = sorted((n.rep_id, n.payload.get("batch")) for n in rows(services, Notice))
    assert told == sorted([(ayse.id, None), (can.id, None)])


def test_a_refused_or_previewed_command_tells_no_one(services, team) -> None:
    murat, ayse = team
    acme = add_customer(services, "Acme Lojistik", owner_id=ayse.id)
    add_deal(services, acme, "Filo yenileme", "1000", owner_id=ayse.id)
    boss = Chat(services, murat)
    boss.say("/stage #1 nowhere")
    boss.say("/stage #1 proposal --preview")
    assert rows(services, Notice) == []
