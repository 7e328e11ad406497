"""/merge and /unmerge: everything moves, the merge is audited, and it can be undone exactly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from storage.models import (
    AuditEvent,
    Contact,
    ContactPoint,
    Customer,
    CustomerMerge,
    Deal,
    Interaction,
    Task,
)
from tests.conftest import Chat, add_customer, add_deal, add_rep, add_task, count


@pytest.fixture
def pair(services, admin, clock):
    keep = add_customer(services, "Uğur Özmen", phone="+905321112233", city="İstanbul")
    other = add_customer(
        services, "Ugur Ozmen", phone="+905321112233", email="ugur@example.com.tr", kind="person"
    )
    sub = add_customer(services, "Özmen Danışmanlık", parent_id=other.id)
    deal = add_deal(services, other, "Danışmanlık paketi", "60000")
    task = add_task(
        services, admin, "Teklif gönder", clock.now + timedelta(days=1), customer_id=other.id
    )
    with services.db.session(write=True) as s:
        s.add(Interaction(kind="call", summary="fiyat konuşuldu", customer_id=other.id))
        s.add(Contact(customer_id=other.id, name="Asistan Elif", phone="+905329998877"))
        s.add(ContactPoint(customer_id=other.id, kind="phone", value="+902124445566"))
    return {"keep": keep, "other": other, "sub": sub, "deal": deal, "task": task}


def rows(services, model, **where):
    with Session(services.db.engine) as s:
        query = select(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return list(s.exec(query))


def test_merge_asks_first_and_writes_nothing_until_confirmed(services, chat: Chat, pair) -> None:
    audit = count(services, AuditEvent)
    reply = chat.say(f"/merge #{pair['keep'].id} #{pair['other'].id}")
    assert "Merge Ugur Ozmen" in reply.text and "same phone 0532 111 22 33" in reply.text
    assert "Moves 1 interaction, 1 deal, 1 task, 1 contact, and 1 subsidiary." in reply.text
    assert "+90" not in reply.text  # phones as people read them, never E.164
    assert count(services, AuditEvent) == audit and count(services, CustomerMerge) == 0
    assert reply.buttons[0].command.endswith("--confirm")


def test_merge_moves_everything_keeps_contact_data_and_is_audited(
    services, chat: Chat, pair, admin
) -> None:
    keep, other = pair["keep"], pair["other"]
    preview = chat.say(f"/merge #{keep.id} #{other.id}")
    done = chat.press(preview, "Merge")
    assert done.text.startswith("Merged Ugur Ozmen into Uğur Özmen")
    assert done.card is not None and done.card.id == keep.id
    for model in (Interaction, Deal, Task, Contact):
        assert [r.customer_id for r in rows(services, model)] == [keep.id]
    assert rows(services, Customer, id=pair["sub"].id)[0].parent_id == keep.id
    kept = rows(services, Customer, id=keep.id)[0]
    assert kept.email == "ugur@example.com.tr" and kept.kind == "company"
    points = [p.value for p in rows(services, ContactPoint, customer_id=keep.id)]
    assert points == ["+902124445566"]
    assert rows(services, Customer, id=other.id)[0].merged_into_id == keep.id
    record = rows(services, CustomerMerge)[0]
    event = rows(services, AuditEvent, entity="customermerge")[0]
    assert event.entity_id == record.id and event.actor_rep_id == admin.id
    moved = rows(services, AuditEvent, entity="deal", action="update")
    assert moved[-1].changes["customer_id"] == [other.id, keep.id]
    # The merged record leaves search and lookups; its id still leads to the kept one.
    found = chat.say("/find ugur ozmen")
    assert found.card is not None and found.card.id == keep.id
    assert chat.say("/find ugur@example.com.tr").card.id == keep.id
    assert f"/unmerge {record.id}" in [b.command for b in done.buttons]


def test_unmerge_restores_exactly_what_was_moved(services, chat: Chat, pair) -> None:
    keep, other = pair["keep"], pair["other"]
    chat.say(f"/merge #{keep.id} #{other.id} --confirm")
    record = rows(services, CustomerMerge)[0]
    later = add_deal(services, keep, "Yeni iş", "1000")  # made after the merge: stays
    reply = chat.say(f"/unmerge {record.id}")
    assert reply.text.startswith("Undone: Ugur Ozmen is separate from Uğur Özmen again")
    assert "5 records moved back" in reply.text
    for model in (Interaction, Task, Contact):
        assert [r.customer_id for r in rows(services, model)] == [other.id]
    deals = {d.id: d.customer_id for d in rows(services, Deal)}
    assert deals == {pair["deal"].id: other.id, later.id: keep.id}
    assert rows(services, Customer, id=pair["sub"].id)[0].parent_id == other.id
    kept = rows(services, Customer, id=keep.id)[0]
    assert kept.email is None and rows(services, ContactPoint, customer_id=keep.id) == []
    assert rows(services, Customer, id=other.id)[0].merged_into_id is None
    assert rows(services, CustomerMerge)[0].undone_at is not None
    choices = chat.say("/find ugur ozmen").choices
    assert {c.command for c in choices} == {f"/customer #{keep.id}", f"/customer #{other.id}"}
    assert "already undone" in chat.say(f"/unmerge {record.id}").text


def test_only_managers_and_admins_merge(services, pair) -> None:
    rep = Chat(services, add_rep(services, "Can Demir", role="rep"))
    reply = rep.say(f"/merge #{pair['keep'].id} #{pair['other'].id} --confirm")
    assert "Only a manager or admin" in reply.text
    assert count(services, CustomerMerge) == 0


def test_merging_namesakes_warns_before_it_is_done(services, chat: Chat) -> None:
    a = add_customer(services, "Mehmet Yıldırım", city="Ankara", phone="+905332223344")
    b = add_customer(services, "Mehmet Yıldırım", city="İzmir", phone="+905423334455")
    reply = chat.say(f"/merge #{a.id} #{b.id}")
    assert "may be two different people" in reply.text
    assert count(services, CustomerMerge) == 0


@pytest.mark.parametrize(
    ("args", "problem"),
    [("#1 #1", "same customer twice"), ("#1", "Name the customer to keep first")],
)
def test_merge_refuses_nonsense(services, chat: Chat, pair, args, problem) -> None:
    assert problem in chat.say(f"/merge {args}").text


def test_names_with_spaces_are_separated_by_a_comma(services, chat: Chat, pair) -> None:
    first = add_customer(services, "Anadolu Lojistik A.Ş.", phone="+902164445566")
    dup = add_customer(services, "Anadolu Lojistik Ltd. Şti.")
    asked = chat.say(f"/merge anadolu lojistik a.ş., #{dup.id}")
    assert asked.text.startswith("Which customer")  # two customers share that name: ask
    assert asked.choices[0].command == f"/merge #{first.id}, #{dup.id}"
    reply = chat.press(asked, "A.Ş.")
    assert "Merge Anadolu Lojistik Ltd. Şti." in reply.text and "same name" in reply.text
