"""/log, /task, /tasks, /done and /snooze through the dispatcher, on a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from storage.models import Interaction, Task
from tests.conftest import Chat, add_customer, add_deal, add_rep, add_task, count, rows

IST = ZoneInfo("Europe/Istanbul")


@pytest.fixture
def acme(services):
    return add_customer(services, "Acme Corporation", phone="+12125550100")


def test_log_by_name_with_next_step(services, chat: Chat, acme, admin) -> None:
    deal = add_deal(services, acme, "Renewal", "40000")
    reply = chat.say("/log call acme discussed pricing next: send quote fri")
    assert reply.text.splitlines()[0] == "Logged: call · Acme Corporation"
    assert "Next step: send quote, due Fri, Nov 27, 2026, 18:00" in reply.text
    [item] = rows(services, Interaction)
    assert (item.kind, item.summary, item.customer_id) == ("call", "discussed pricing", acme.id)
    assert item.rep_id == admin.id and item.deal_id == deal.id  # the customer's only open deal
    [task] = rows(services, Task)
    assert task.title == "send quote" and task.customer_id == acme.id
    assert task.due_at.astimezone(IST) == datetime(2026, 11, 27, 18, 0, tzinfo=IST)


def test_log_in_turkish(services, acme) -> None:
    ayse = add_rep(services, "Ayşe Yılmaz", language="tr")
    ugur = add_customer(services, "Uğur Özmen")
    reply = Chat(services, ayse).say(
        "/log arama uğur özmen fiyatları konuştuk sonraki: teklif gönder yarın 14:00"
    )
    assert reply.text.splitlines() == [
        "Kaydedildi: arama · Uğur Özmen",
        "Sonraki adım: teklif gönder, son tarih 24 Kas 2026 Sal 14:00.",
    ]
    [task] = rows(services, Task)
    assert task.customer_id == ugur.id


def test_log_by_id_and_phone(services, chat: Chat, acme) -> None:
    chat.say(f"/log visit #{acme.id} site survey")
    chat.say("/log email +1 212 555 0100 sent the brochure")
    assert [(i.kind, i.summary) for i in rows(services, Interaction)] == [
        ("visit", "site survey"),
        ("email", "sent the brochure"),
    ]


def test_log_ambiguous_customer_offers_choices_that_work(services, chat: Chat) -> None:
    ankara = add_customer(services, "Mehmet Yıldırım", city="Ankara")
    add_customer(services, "Mehmet Yıldırım", city="İzmir")
    reply = chat.say("/log call mehmet yildirim asked for a demo")
    assert count(services, Interaction) == 0
    assert len(reply.choices) == 2
    assert reply.choices[0].command == f"/log call #{ankara.id} asked for a demo"
    chat.press(reply, "Ankara")
    [item] = rows(services, Interaction)
    assert (item.customer_id, item.summary) == (ankara.id, "asked for a demo")


def test_log_never_takes_a_near_name(services, chat: Chat) -> None:
    demirel = add_customer(services, "Mehmet Demirel")
    reply = chat.say("/log call mehmet demir talked")
    assert count(services, Interaction) == 0
    assert [c.command for c in reply.choices] == [f"/log call #{demirel.id} talked"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("/log", "What would you like to log?"),
        ("/log dance acme hello", "not a kind of interaction"),
        ("/log call", "Who was it with?"),
        ("/log call acme", "What happened with Acme Corporation?"),
        ("/log call acme hello next: call again", "When is it due?"),
        ("/log call nobody-like-this hello", "No customer matches"),
    ],
)
def test_log_bad_input_writes_nothing(services, chat: Chat, acme, text, problem) -> None:
    reply = chat.say(text)
    assert problem in reply.text
    assert count(services, Interaction) == 0 and count(services, Task) == 0


def test_log_retry_of_same_message_is_logged_once(services, chat: Chat, acme) -> None:
    chat.say("/log call acme first", message_id="m-1")
    again = chat.say("/log call acme first", message_id="m-1")
    assert "Already logged" in again.text
    assert count(services, Interaction) == 1


def test_task_with_trailing_customer(services, chat: Chat, acme) -> None:
    reply = chat.say("/task send the contract tomorrow 10am acme")
    assert reply.text == "Task set: send the contract, due Tue, Nov 24, 2026, 10:00."
    assert ("Customer", f"Acme Corporation (#{acme.id})") in reply.card.fields
    labels = [b.label for b in reply.buttons]
    assert labels == ["Done", "Snooze 1h", "Tomorrow", "Next week", "Edit", "Delete", "Undo"]


@pytest.mark.parametrize(
    ("text", "title", "local"),
    [
        ("/task call back in 3 days", "call back", datetime(2026, 11, 26, 18, 0)),
        ("/task yarın 14:00 teklif hazırla", "teklif hazırla", datetime(2026, 11, 24, 14, 0)),
        ("/task renew insurance cuma", "renew insurance", datetime(2026, 11, 27, 18, 0)),
        ("/task order samples 3 gün sonra", "order samples", datetime(2026, 11, 26, 18, 0)),
        # "next fri" on a Monday is Friday of next week (this week's is plain "fri")
        ("/task check stock next fri", "check stock", datetime(2026, 12, 4, 18, 0)),
    ],
)
def test_task_dates_in_both_languages(services, chat, text, title, local) -> None:
    chat.say(text)
    [task] = rows(services, Task)
    assert task.title == title and task.customer_id is None
    assert task.due_at.astimezone(IST).replace(tzinfo=None) == local


def test_task_in_the_past_is_questioned_then_confirmed(services, chat: Chat) -> None:
    reply = chat.say("/task call the bank yesterday")
    assert "is in the past" in reply.text and count(services, Task) == 0
    chat.press(reply, "Yes")
    [task] = rows(services, Task)
    assert task.due_at < chat.services.clock()


def test_task_in_a_rep_timezone(services) -> None:
    john = add_rep(services, "John Carter", timezone="America/New_York", language="en")
    Chat(services, john).say("/task call Bob tomorrow 10am")
    [task] = rows(services, Task)
    local = task.due_at.astimezone(ZoneInfo("America/New_York"))
    assert (local.day, local.hour) == (24, 10)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("/task", "What is the task, and when is it due?"),
        ("/task send the contract", 'When is "send the contract" due?'),
        ("/task tomorrow", "What is the task, and when is it due?"),
        ("/task #5", "What is the task, and when is it due?"),
    ],
)
def test_task_bad_input_writes_nothing(services, chat: Chat, text, problem) -> None:
    assert problem in chat.say(text).text
    assert count(services, Task) == 0


def test_tasks_lists_open_and_overdue(services, chat: Chat, admin, clock) -> None:
    late = add_task(services, admin, "Late one", clock.now - timedelta(days=2))
    add_task(services, admin, "Later one", clock.now + timedelta(days=2))
    add_task(services, admin, "Finished", clock.now - timedelta(days=1), status="done")
    other = add_rep(services, "Other Rep")
    add_task(services, other, "Not mine", clock.now - timedelta(days=1))
    listing = chat.say("/tasks").text.splitlines()
    assert listing[0] == "Your open tasks (2):"
    assert listing[1].startswith("1. ⚠ Late one") and listing[2].startswith("2. Later one")
    overdue = chat.say("/tasks overdue")
    assert overdue.text.splitlines()[0] == "Overdue (1):"
    assert [c.command for c in overdue.choices] == [f"/tasks #{late.id}"]
    assert "no rep named" in chat.say("/tasks someday").text  # an admin may name a rep


def test_done_by_title_then_again(services, chat: Chat, admin, clock) -> None:
    task = add_task(services, admin, "Send the contract", clock.now + timedelta(hours=3))
    assert chat.say("/done send the contract").text == "Done: Send the contract."
    [stored] = rows(services, Task)
    assert stored.status == "done" and stored.done_at == clock.now
    assert "already done" in chat.say(f"/done #{task.id}").text


def test_done_ambiguous_title_offers_choices(services, chat: Chat, admin, clock) -> None:
    add_task(services, admin, "Call Ahmet", clock.now)
    add_task(services, admin, "Call Ayşe", clock.now)
    reply = chat.say("/done call")
    assert len(reply.choices) == 2
    chat.press(reply, "Ayşe")
    assert [t.status for t in rows(services, Task)] == ["open", "done"]


def test_done_cannot_touch_another_reps_task(services, clock) -> None:
    owner, intruder = add_rep(services, "Owner"), add_rep(services, "Intruder")
    task = add_task(services, owner, "Private", clock.now)
    assert "No open task" in Chat(services, intruder).say(f"/done #{task.id}").text
    assert rows(services, Task)[0].status == "open"


def test_snooze_and_its_bad_inputs(services, chat: Chat, admin, clock) -> None:
    task = add_task(services, admin, "Send the contract", clock.now - timedelta(hours=1))
    reply = chat.say(f"/snooze #{task.id} tomorrow 9:00")
    assert reply.text == 'Snoozed "Send the contract" until Tue, Nov 24, 2026, 09:00.'
    until = rows(services, Task)[0].snoozed_until
    assert until == datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    assert "Usage: /snooze" in chat.say("/snooze").text
    assert "already past" in chat.say(f"/snooze #{task.id} yesterday").text
    assert rows(services, Task)[0].snoozed_until == until


def test_snooze_button_from_a_task_card(services, chat: Chat, clock) -> None:
    card = chat.say("/task send the contract tomorrow 10am")
    chat.press(card, "Next week")
    local = rows(services, Task)[0].snoozed_until.astimezone(IST)
    assert (local.weekday(), local.hour, local.day) == (0, 9, 30)


def test_text_after_a_lone_double_dash_is_taken_as_written(services, chat: Chat, acme) -> None:
    text = "Customer wrote:\nnext: call me --confirm\nThanks"
    reply = chat.say(f"/log note acme next: reply to the mail tomorrow -- {text}")
    assert reply.text.startswith("Logged: note · Acme Corporation\nNext step: reply to the mail")
    [item] = rows(services, Interaction)
    assert item.summary == text
    [task] = rows(services, Task)
    assert task.title == "reply to the mail"


def test_an_overlong_summary_is_cut_and_said_so(services, chat: Chat, acme) -> None:
    reply = chat.say(f"/log note acme -- {'x' * 5000}")
    assert "longer than 4000 characters" in reply.text
    [item] = rows(services, Interaction)
    assert len(item.summary) == 4000 and item.summary.endswith("…")


def test_literal_text_survives_a_choice(services, chat: Chat) -> None:
    ankara = add_customer(services, "Mehmet Yıldırım", city="Ankara")
    add_customer(services, "Mehmet Yıldırım", city="İzmir")
    reply = chat.say("/log note mehmet yildirim -- line one\nline two")
    assert reply.choices[0].command == f"/log note #{ankara.id} -- line one\nline two"
    chat.press(reply, "Ankara")
    assert rows(services, Interaction)[0].summary == "line one\nline two"


def test_a_manager_sees_a_reps_tasks(services, chat: Chat, clock) -> None:
    can = add_rep(services, "Can Demir")
    add_task(services, can, "Call the bank", clock.now - timedelta(days=1))
    listing = chat.say("/tasks overdue can demir").text.splitlines()
    assert listing[0] == "Can Demir's overdue tasks (1):" and "Call the bank" in listing[1]
    assert chat.say("/tasks Can Demir").text.startswith("Can Demir's open tasks (1):")
    assert "no rep named" in chat.say("/tasks overdue Nobody Here").text
    refused = Chat(services, can).say("/tasks overdue Elif Şahin").text
    assert "Use /tasks or /tasks overdue" in refused


def test_tasks_and_interactions_are_stamped_by_the_injected_clock(services, chat, acme, clock):
    chat.say("/log call acme hello next: call again tomorrow")
    assert rows(services, Interaction)[0].created_at == clock.now
    assert rows(services, Task)[0].created_at == clock.now
