"""Guided flows, invites and shared locations, through the real dispatcher and database."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import Session, select

from bot.app import build_services
from handlers.kit import Incoming
from storage.models import ChatFlow, Deal, Interaction, InviteCode, Rep, Task
from tests.conftest import Chat, add_customer, add_rep, count, rows


@pytest.fixture
def acme(services):
    return add_customer(services, "Acme Corporation")


def interactions(services) -> list[Interaction]:
    return rows(services, Interaction)


def test_guided_log_step_by_step(services, chat: Chat, acme) -> None:
    kinds = chat.say("/log")
    assert kinds.text.startswith("What would you like to log?")
    assert [c.command for c in kinds.choices][:3] == ["/log call", "/log meeting", "/log visit"]
    assert "Who was it with?" in chat.press(kinds, "call").text
    assert "What happened with Acme Corporation?" in chat.say("acme").text
    done = chat.say("asked for a discount")
    assert done.text.startswith("Logged: call · Acme Corporation\nNext step?")
    [item] = interactions(services)
    assert (item.summary, item.customer_id) == ("asked for a discount", acme.id)
    task = chat.say("send the revised quote tomorrow 10am")
    assert task.text == "Task set: send the revised quote, due Tue, Nov 24, 2026, 10:00."
    assert ("Customer", f"Acme Corporation (#{acme.id})") in task.card.fields
    assert count(services, ChatFlow) == 0


def test_recent_customers_are_offered(services, chat: Chat, acme) -> None:
    chat.say("/log note acme first contact")
    ask = chat.say("/log visit")
    assert [c.command for c in ask.choices] == [f"/log visit #{acme.id}"]


def test_flow_survives_a_restart(services, chat: Chat, acme, clock) -> None:
    chat.say("/log call acme")  # asks for the summary, state in the database
    services.db.dispose()
    restarted = build_services(services.settings, clock)  # a new process on the same database
    reply = Chat(restarted, chat.rep).say("they want 40 units")
    assert reply.text.startswith("Logged: call · Acme Corporation")
    assert [i.summary for i in interactions(restarted)] == ["they want 40 units"]
    restarted.db.dispose()


def test_cancel_and_expiry(services, chat: Chat, acme, clock) -> None:
    chat.say("/log call acme")
    assert chat.say("/cancel").text == "Cancelled. Nothing was saved."
    assert chat.say("/cancel").text == "There is nothing to cancel."
    chat.say("/log call acme")
    clock.advance(minutes=16)
    late = chat.say("acme")  # the flow expired: a bare name is a lookup again
    assert late.card is not None and late.card.id == acme.id
    assert interactions(services) == []


def test_a_lookup_keeps_the_flow_and_a_new_write_ends_it(services, chat: Chat, acme) -> None:
    chat.say("/log call")
    assert chat.say("/find acme").card is not None  # looking something up mid-question
    assert "What happened with Acme" in chat.say("acme").text
    chat.say("/task call the bank tomorrow")  # a new command: the question is dropped
    assert chat.say("acme").card is not None
    assert interactions(services) == []


def test_a_list_shown_mid_question_is_picked_by_its_number(
    services, chat: Chat, acme, clock
) -> None:
    """An open question gains the list, its own state kept, and "2" picks the list's second
    entry; with no question open a list is a flow of its own, which a later list replaces
    in the row an expired one left."""
    twins = [add_customer(services, "Anadolu Lojistik", phone=f"+90532111223{n}") for n in (1, 2)]
    listing = [f"/customer #{t.id}" for t in twins]
    chat.say("/log call")  # asks who it was with
    listed = chat.say("/find anadolu lojistik")
    assert [c.command for c in listed.choices][:2] == listing
    [flow] = rows(services, ChatFlow)
    assert (flow.command, flow.data["choices"][:2]) == ("log", listing)
    picked = chat.say("2")
    assert picked.card is not None and picked.card.id == twins[1].id
    chat.say("/find anadolu lojistik")  # no question now: a list of its own
    clock.advance(minutes=16)  # expired
    chat.say("/find anadolu lojistik")  # the next list takes the expired one's row
    [flow] = rows(services, ChatFlow)
    assert flow.step == "pick" and flow.expires_at > clock.now
    assert chat.say("1").card.id == twins[0].id


def test_a_list_after_a_list_is_picked_for_its_own_while(services, chat: Chat, clock) -> None:
    """A second list replaces the first in the chat's row and lasts its own 15 minutes from
    when it was shown: it once only gained the new commands and kept the first one's end."""
    twins = [add_customer(services, "Anadolu Lojistik", phone=f"+90532111223{n}") for n in (1, 2)]
    trio = [add_customer(services, "Boğaziçi Gıda", phone=f"+90532111224{n}") for n in (1, 2, 3)]
    first = chat.say("/find anadolu lojistik")
    assert [c.command for c in first.choices][:2] == [f"/customer #{t.id}" for t in twins]
    clock.advance(minutes=10)
    listed = chat.say("/find boğaziçi gıda")
    assert [c.command for c in listed.choices][:3] == [f"/customer #{t.id}" for t in trio]
    [flow] = rows(services, ChatFlow)
    assert flow.step == "pick" and flow.updated_at == clock.now
    clock.advance(minutes=10)  # 20 minutes after the first list, 10 after the second
    assert chat.say("3").card.id == trio[2].id


def test_guided_deal_and_task(services, chat: Chat, acme) -> None:
    chat.say("/deal add")
    chat.say("acme")
    chat.say("fleet tracking 250k")
    with Session(services.db.engine) as s:
        [deal] = s.exec(select(Deal)).all()
    assert (deal.title, deal.customer_id) == ("fleet tracking", acme.id)
    assert str(deal.amount) == "250000.00"
    chat.say("/task call the bank")
    assert chat.say("friday").text.startswith("Task set: call the bank, due Fri, Nov 27, 2026")
    assert count(services, Task) == 1


def test_location_in_a_visit_flow_and_after_a_visit(services, chat: Chat, acme) -> None:
    def share(lat: float, lon: float) -> str:
        where = Incoming("console", "chat-1", str(chat.rep.id), "", location=(lat, lon))
        return asyncio.run(chat.dispatcher.handle(where))[0].text

    chat.say("/log visit acme")
    assert share(41.0082, 28.9784) == "Location noted; it will be stored with this visit."
    assert "Location saved with the visit." in chat.say("showroom tour").text
    first = interactions(services)[0]
    assert (first.latitude, first.longitude) == (41.0082, 28.9784)
    chat.say("/log visit acme second visit")
    assert share(39.92, 32.85) == "Location saved with your latest visit."
    second = interactions(services)[1]
    assert (second.latitude, second.longitude) == (39.92, 32.85)
    assert "no visit of yours" in share(1.0, 2.0)


def test_invite_binds_a_telegram_account_once(services, chat: Chat) -> None:
    ayse = add_rep(services, "Ayşe Yılmaz", language="tr")
    services.deep_links["telegram"] = "https://t.me/crm_test_bot?start={code}"
    reply = chat.say("/invite ayse yilmaz")
    link = reply.text.splitlines()[-1]
    assert link.startswith("https://t.me/crm_test_bot?start=")
    code = link.rsplit("=", 1)[1]
    dispatcher = chat.dispatcher

    def start(user_id: str) -> str:
        incoming = Incoming("telegram", user_id, user_id, f"/start {code}")
        return asyncio.run(dispatcher.handle(incoming))[0].text

    assert start("555000111").startswith("Hoş geldiniz Ayşe Yılmaz!")
    with Session(services.db.engine) as s:
        assert s.get(Rep, ayse.id).telegram_user_id == 555000111
        assert s.exec(select(InviteCode)).one().used_by == "telegram:555000111"
    assert "already been used" in start("555000222")
    assert "your user id is 555000222" in start("555000222")


def test_invite_needs_a_manager_and_a_known_rep(services, chat: Chat) -> None:
    plain = add_rep(services, "Plain Rep")
    assert "Only a manager or admin" in Chat(services, plain).say("/invite Plain Rep").text
    assert "no rep named" in chat.say("/invite Nobody At All").text
    assert "Invite code:" in chat.say(f"/invite #{plain.id}").text  # no Telegram running here


def test_bad_invite_code(services) -> None:
    rep = add_rep(services, "Someone")
    incoming = Incoming("telegram", "42", "42", "/start not-a-code")
    text = asyncio.run(Chat(services, rep).dispatcher.handle(incoming))[0].text
    assert "not valid or has expired" in text and "42" in text
    assert count(services, InviteCode) == 0


def test_expired_invite(services, chat: Chat, clock) -> None:
    add_rep(services, "Late Comer")
    code = chat.say("/invite Late Comer").text.rsplit(": ", 1)[1].split()[0]
    clock.advance(days=8)
    incoming = Incoming("telegram", "77", "77", f"/start {code}")
    assert "expired" in asyncio.run(chat.dispatcher.handle(incoming))[0].text


def test_start_for_a_known_rep(chat: Chat) -> None:
    assert chat.say("/start").text.startswith("Welcome, Elif Şahin!")
