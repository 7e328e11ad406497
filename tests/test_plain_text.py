"""Messages without a slash: sentences become proposals, greetings get an answer, answers
answer the open question, and a number picks from the last numbered list, on any platform."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from storage.models import Deal, Interaction, Rep, Task
from tests.conftest import Chat, add_customer, add_deal, add_rep, count, rows

IST = ZoneInfo("Europe/Istanbul")  # the clock fixture: Monday 23 November 2026, 10:00 here


@pytest.fixture
def ayse(services):
    return add_rep(services, "Ayşe Yılmaz", language="tr")


@pytest.fixture
def ozmen(services):
    return add_customer(services, "Uğur Hami Özmen")


def nothing_written(services) -> bool:
    return (count(services, Interaction), count(services, Task), count(services, Deal)) == (
        0,
        0,
        0,
    )


def local(moment: datetime) -> datetime:
    return moment.astimezone(IST).replace(tzinfo=None)


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("günaydın", "Merhaba Ayşe! Ne yapmak istersiniz?"),
        ("Merhaba!", "Merhaba Ayşe! Ne yapmak istersiniz?"),
        ("teşekkürler", "Rica ederim."),
        ("sağol 🙏", "Rica ederim."),
        ("tamam", "👍"),
    ],
)
def test_greetings_and_thanks_get_a_short_answer(services, ayse, text, answer) -> None:
    reply = Chat(services, ayse).say(text)
    assert reply.text == answer
    assert [b.command for b in reply.buttons] == ["/tasks", "/log"]


def test_a_sentence_becomes_a_proposal_and_save_writes_it(services, ayse, ozmen, clock) -> None:
    chat = Chat(services, ayse)
    reply = chat.say("Uğur Özmen'i aradım, fiyat konuştuk, cuma teklif göndereceğim")
    assert reply.text.splitlines() == [
        "Şunu anladım:",
        "Arama · Uğur Hami Özmen",
        "Özet: fiyat konuştuk",
        "Sonraki adım: teklif göndereceğim, son tarih 27 Kas 2026 Cum 18:00",
    ]
    assert [b.label for b in reply.buttons] == ["Kaydet", "Değiştir…", "İptal"]
    assert nothing_written(services)
    chat.press(reply, "Kaydet")
    [call] = rows(services, Interaction)
    assert (call.kind, call.customer_id, call.summary) == ("call", ozmen.id, "fiyat konuştuk")
    [task] = rows(services, Task)
    assert (task.title, task.customer_id) == ("teklif göndereceğim", ozmen.id)
    assert local(task.due_at) == datetime(2026, 11, 27, 18, 0)


def test_yes_saves_a_proposal_and_cancel_drops_it(services, ayse, ozmen) -> None:
    chat = Chat(services, ayse)
    chat.say("Özmen'le telefonda konuştuk")
    chat.say("/cancel")
    assert nothing_written(services)
    chat.say("Özmen'le telefonda konuştuk")
    chat.say("evet")
    [call] = rows(services, Interaction)
    assert (call.kind, call.summary) == ("call", "Özmen'le telefonda konuştuk")


def test_change_offers_the_other_kinds(services, ayse, ozmen) -> None:
    chat = Chat(services, ayse)
    proposal = chat.say("Özmen'e uğradım, numune bıraktım")
    options = chat.press(proposal, "Değiştir")
    assert [c.label for c in options.choices][:4] == ["Arama", "Toplantı", "E-posta", "Not"]
    chat.press(options, "Toplantı")
    [item] = rows(services, Interaction)
    assert (item.kind, item.customer_id, item.summary) == ("meeting", ozmen.id, "numune bıraktım")


def test_an_english_visit_with_a_next_step(services, chat: Chat, clock) -> None:
    acme = add_customer(services, "Acme Corporation")
    reply = chat.say("visited Acme, they want a demo next tuesday")
    assert "Visit · Acme Corporation" in reply.text
    chat.press(reply, "Save")
    [visit] = rows(services, Interaction)
    assert (visit.kind, visit.customer_id) == ("visit", acme.id)
    [task] = rows(services, Task)
    assert task.title == "they want a demo"
    assert local(task.due_at) == datetime(2026, 12, 1, 18, 0)


def test_an_event_of_yesterday_is_logged_yesterday(services, ayse, ozmen, clock) -> None:
    chat = Chat(services, ayse)
    chat.press(chat.say("dün Özmen'e uğradım, numune bıraktım"), "Kaydet")
    [visit] = rows(services, Interaction)
    assert local(visit.occurred_at).date() == datetime(2026, 11, 22).date()


def test_a_lost_deal_with_its_reason(services, ayse, ozmen) -> None:
    deal = add_deal(services, ozmen, "Filo takip", "250000")
    chat = Chat(services, ayse)
    reply = chat.say("Özmen'i kaybettik, fiyat yüksek bulundu")
    assert "Neden: fiyat yüksek bulundu" in reply.text
    chat.press(reply, "Kaydet")
    [saved] = rows(services, Deal)
    assert saved.id == deal.id and saved.lost_reason == "fiyat yüksek bulundu"


def test_the_lost_reason_question_takes_the_answer(services, ayse, ozmen) -> None:
    add_deal(services, ozmen, "Filo takip", "250000")
    chat = Chat(services, ayse)
    chat.say("/stage filo takip kaybedildi")
    reply = chat.say("fiyat yüksek bulundu")
    assert "müşteri" not in reply.text.lower()
    [deal] = rows(services, Deal)
    assert deal.lost_reason == "fiyat yüksek bulundu"


def test_a_refused_answer_keeps_the_question_open(services, chat: Chat, clock) -> None:
    acme = add_customer(services, "Acme Corporation")
    add_deal(services, acme, "Renewal", "40000")
    chat.say("/stage renewal won")
    refused = chat.say("about a million")
    assert "is not an amount" in refused.text
    assert refused.text.endswith("The question is still open: answer it, or send /cancel.")
    chat.say("1,100,000")
    [deal] = rows(services, Deal)
    assert str(deal.closed_amount) == "1100000.00"


@pytest.mark.parametrize("platform", ["console", "telegram", "slack"])
def test_a_number_picks_from_the_last_list(services, platform) -> None:
    rep = add_rep(services, "Elif Şahin")
    with services.db.session(write=True) as s:  # the chat's user id is the rep's id
        linked = s.get(Rep, rep.id)
        linked.telegram_user_id, linked.slack_user_id = rep.id, str(rep.id)
    first = add_customer(services, "Mehmet Yıldırım", city="İzmir")
    second = add_customer(services, "Mehmet Yıldırım", city="Ankara")
    chat = Chat(services, rep, platform=platform)
    listing = chat.say("/find mehmet yildirim")
    assert len(listing.choices) == 2
    picked = chat.say("2")
    wanted = first if "İzmir" in listing.choices[1].label else second
    assert picked.card is not None and picked.card.id == wanted.id


def test_a_command_word_runs_only_with_arguments_that_parse(services, ayse, ozmen) -> None:
    chat = Chat(services, ayse)
    assert chat.say("tamam").text == "👍"  # not /done without a task
    card = chat.say("bul özmen")
    assert card.card is not None and card.card.id == ozmen.id


def test_a_bare_name_still_opens_the_card(services, ayse, ozmen) -> None:
    reply = Chat(services, ayse).say("Uğur Özmen")
    assert reply.card is not None and reply.card.id == ozmen.id
