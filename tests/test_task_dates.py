"""Dates inside commands, as the trial typed them: the date is the last date in the text, the
title keeps every other word, and a date with two readings is asked about, never guessed."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from storage.models import Deal, Task
from tests.conftest import Chat, add_customer, add_rep, add_task, count, rows

IST = ZoneInfo("Europe/Istanbul")  # the clock fixture: Monday 23 November 2026, 10:00 here


def due(services) -> tuple[str, datetime]:
    [task] = rows(services, Task)
    return task.title, task.due_at.astimezone(IST).replace(tzinfo=None)


@pytest.fixture
def ayse(services):
    return add_rep(services, "Ayşe Yılmaz", language="tr")


@pytest.mark.parametrize(
    ("text", "title", "local"),
    [
        ("/task fiyat için ara pazartesi 11:00", "fiyat için ara", datetime(2026, 11, 23, 11)),
        ("/gorev ozmen ara persembe 11:00", "ozmen ara", datetime(2026, 11, 26, 11)),
        ("/task teklif yolla yarin 10:00", "teklif yolla", datetime(2026, 11, 24, 10)),
        ("/task numune gönder yarın saat 10", "numune gönder", datetime(2026, 11, 24, 10)),
        ("/task bayiyi ara yarından sonra 11:00", "bayiyi ara", datetime(2026, 11, 25, 11)),
        ("/task sözleşme 5 aralik 14:00", "sözleşme", datetime(2026, 12, 5, 14)),
        ("/task kampanya toplantısı 20 mart", "kampanya toplantısı", datetime(2027, 3, 20, 18)),
        (
            "/task mart kampanyası hazırla cuma",
            "mart kampanyası hazırla",
            datetime(2026, 11, 27, 18),
        ),
        ("/task fiyat listesi 05.12.2026", "fiyat listesi", datetime(2026, 12, 5, 18)),
        ("/task yarın 10da tekrar ara", "tekrar ara", datetime(2026, 11, 24, 10)),
        ("/task depoyu ara yarın öğleden sonra", "depoyu ara", datetime(2026, 11, 24, 14)),
        (
            "/task 100 TL indirim teklif et sali 11:00",
            "100 TL indirim teklif et",
            datetime(2026, 11, 24, 11),
        ),
    ],
)
def test_turkish_task_dates(services, ayse, clock, text, title, local) -> None:
    Chat(services, ayse).say(text)
    assert due(services) == (title, local)


def test_a_next_step_keeps_its_time(services, chat: Chat, clock) -> None:
    add_customer(services, "Acme Corporation")
    reply = chat.say("/log call acme pricing next: call back tomorrow at 10")
    assert "Next step: call back, due Tue, Nov 24, 2026, 10:00" in reply.text
    assert due(services) == ("call back", datetime(2026, 11, 24, 10))


def test_a_turkish_next_step_keeps_its_time(services, ayse, clock) -> None:
    add_customer(services, "Uğur Özmen")
    Chat(services, ayse).say("/log arama özmen fiyat konuştuk sonraki: yarın 10da tekrar ara")
    assert due(services) == ("tekrar ara", datetime(2026, 11, 24, 10))


def test_a_task_number_is_never_a_day(services, ayse, clock) -> None:
    first = add_task(services, ayse, "Teklif", clock.now + timedelta(hours=2))
    other = add_task(services, ayse, "Numune", clock.now + timedelta(hours=3), id=29)
    Chat(services, ayse).say("/ertele #29 yarin")
    snoozed = {t.id: t.snoozed_until for t in rows(services, Task)}
    assert snoozed[first.id] is None
    assert snoozed[other.id].astimezone(IST) == datetime(2026, 11, 24, 18, tzinfo=IST)


def test_a_snooze_by_an_hour_in_turkish(services, ayse, clock) -> None:
    task = add_task(services, ayse, "Teklif", clock.now + timedelta(hours=2))
    Chat(services, ayse).say(f"/ertele #{task.id} 1 saat")
    assert rows(services, Task)[0].snoozed_until == clock.now + timedelta(hours=1)


def test_an_english_slash_date_is_asked_about(services, chat: Chat, clock) -> None:
    reply = chat.say("/task send samples 5/12")
    assert count(services, Task) == 0
    assert [b.label for b in reply.buttons] == [
        "Sat, Dec 5, 2026, 18:00",
        "Wed, May 12, 2027, 18:00",
    ]
    chat.press(reply, "May")
    assert due(services) == ("send samples", datetime(2027, 5, 12, 18))


def test_a_turkish_slash_date_is_day_first(services, ayse, clock) -> None:
    Chat(services, ayse).say("/task numune gönder 5/12")
    assert due(services) == ("numune gönder", datetime(2026, 12, 5, 18))


def test_an_ambiguous_close_date_is_asked_about(services, chat: Chat, clock) -> None:
    add_customer(services, "Acme Corporation")
    reply = chat.say("/deal add acme Renewal 40000 close: 3/4")
    assert count(services, Deal) == 0
    chat.press(reply, "Mar")
    [deal] = rows(services, Deal)
    assert str(deal.expected_close) == "2027-03-04"
