"""/assign: a manager gives a customer, deal or task to a rep of their team; the new owner and
the one it was taken from are told in their own language; a rep, or a rep outside the team, is
refused and nothing is written."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage.models import Customer, Deal, Notice, Task
from tests.conftest import Chat, add_customer, add_deal, add_rep, add_task, rows


@pytest.fixture
def team(services):
    murat = add_rep(services, "Murat Kaya", role="manager", language="tr")
    ayse = add_rep(services, "Ayşe Yılmaz", language="tr", manager_id=murat.id)
    can = add_rep(services, "Can Demir", language="en", manager_id=murat.id)
    return murat, ayse, can


def owners(services, model) -> dict[int, int | None]:
    field = "assignee_id" if model is Task else "owner_id"
    return {r.id: getattr(r, field) for r in rows(services, model)}


@pytest.mark.parametrize(
    "text",
    [
        "/ata fırsat #{deal} Can",
        "/assign deal #{deal} Can Demir",
        "/devret firsat #{deal} Can'a",
        "/assign deal Filo yenileme @Can",
        "/ata fırsat filo yenileme Can Demir'e",
    ],
)
def test_a_manager_gives_a_deal_to_a_rep(services, team, text) -> None:
    murat, ayse, can = team
    acme = add_customer(services, "Acme Lojistik", owner_id=ayse.id)
    deal = add_deal(services, acme, "Filo yenileme", "250000", owner_id=ayse.id)
    reply = Chat(services, murat).say(text.format(deal=deal.id))
    assert reply.text == 'Tamam: fırsat "Filo yenileme" artık Can Demir\'in.'
    assert reply.card is not None and reply.card.id == deal.id
    assert owners(services, Deal) == {deal.id: can.id}
    assert owners(services, Customer) == {acme.id: ayse.id}  # only the record moves
    told = {n.rep_id: n.payload for n in rows(services, Notice)}
    assert told[can.id]["text"] == 'Murat Kaya gave you the deal "Filo yenileme".'
    assert told[ayse.id]["text"] == (
        'Murat Kaya, "Filo yenileme" adlı fırsat kaydınızı Can Demir\'e verdi.'
    )
    assert [b["command"] for b in told[can.id]["buttons"]] == [f"/deal #{deal.id}"]


def test_a_task_comes_with_its_buttons(services, team, clock) -> None:
    murat, ayse, can = team
    task = add_task(services, ayse, "teklif gönder", clock.now + timedelta(days=1))
    Chat(services, murat).say(f"/assign task #{task.id} @Can")
    assert owners(services, Task) == {task.id: can.id}
    [given] = [n for n in rows(services, Notice) if n.rep_id == can.id]
    commands = [b["command"] for b in given.payload["buttons"]]
    assert commands[0] == f"/done #{task.id}" and commands[1].startswith(f"/snooze #{task.id} ")


def test_a_customer_by_name(services, team) -> None:
    murat, ayse, can = team
    acme = add_customer(services, "Acme Lojistik", owner_id=can.id)
    reply = Chat(services, murat).say("/ata müşteri Acme Lojistik Ayşe Yılmaz'a")
    assert owners(services, Customer) == {acme.id: ayse.id}
    assert "Ayşe Yılmaz'ın" in reply.text


def test_already_theirs_writes_nothing(services, team) -> None:
    murat, ayse, _ = team
    acme = add_customer(services, "Acme Lojistik", owner_id=ayse.id)
    reply = Chat(services, murat).say(f"/ata müşteri #{acme.id} Ayşe")
    assert reply.text == 'Bu müşteri ("Acme Lojistik") zaten Ayşe Yılmaz\'ın.'
    assert rows(services, Notice) == []


def test_a_rep_may_not_assign(services, team) -> None:
    _, ayse, _can = team
    acme = add_customer(services, "Acme Lojistik", owner_id=ayse.id)
    reply = Chat(services, ayse).say(f"/ata müşteri #{acme.id} Can")
    assert "yalnızca bir müdür ya da yönetici" in reply.text
    assert owners(services, Customer) == {acme.id: ayse.id}


def test_a_manager_may_not_give_outside_the_team(services, team) -> None:
    murat, ayse, _ = team
    other_boss = add_rep(services, "Zeynep Ak", role="manager")
    outsider = add_rep(services, "Ali Veli", manager_id=other_boss.id)
    acme = add_customer(services, "Acme Lojistik", owner_id=ayse.id)
    reply = Chat(services, murat).say(f"/ata müşteri #{acme.id} Ali Veli")
    assert (
        reply.text
        == "Ali Veli ekibinizde değil: kayıtları yalnızca size bağlı temsilcilere verebilirsiniz."
    )
    assert owners(services, Customer) == {acme.id: ayse.id}
    assert rows(services, Notice) == []
    assert outsider.id is not None


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("/assign", "Usage: /assign <customer|deal|task> <#id|name> <rep>"),
        ("/assign contract #3 Can", "Usage: /assign"),
        ("/assign deal Filo yenileme", "To whom? Name the record, then the rep"),
    ],
)
def test_bad_input_gets_usage_and_writes_nothing(services, chat: Chat, team, text, answer):
    acme = add_customer(services, "Acme Lojistik")
    add_deal(services, acme, "Filo yenileme", "1000")
    assert answer in chat.say(text).text
    assert owners(services, Deal) == {1: None}
