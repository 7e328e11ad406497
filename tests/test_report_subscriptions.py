"""/subscribe report, /unsubscribe report and /subscriptions through the dispatcher, in both
languages, on the fixed clock (Monday 2026-11-23, 10:00 in Istanbul)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from storage.models import Rep, Subscription
from tests.conftest import Chat, add_rep


@pytest.fixture
def murat(services) -> Rep:
    return add_rep(services, "Murat Kaya", role="manager", language="en")


@pytest.fixture
def mehmet(services) -> Rep:
    return add_rep(services, "Mehmet Demir", role="manager", language="tr")


def subs(services) -> list[Subscription]:
    with Session(services.db.engine) as s:
        return list(s.exec(select(Subscription).order_by(Subscription.id)))


def test_subscribe_in_english(services, murat):
    reply = Chat(services, murat).say("/subscribe report winrate team weekly mon 09:00")
    assert reply.text.splitlines() == [
        "Subscribed: this chat gets the Win rate report for Murat Kaya's team, covering last"
        " week, every Monday at 09:00 (Europe/Istanbul).",
        "Next one: Mon, Nov 30, 2026, 09:00.",
        "Each post covers that period as of its own day, and only the figures the subscriber"
        " may see then.",
    ]
    assert reply.buttons[0].command == "/report winrate last week team"
    [sub] = subs(services)
    assert (sub.kind, sub.cadence, sub.cadence_day, sub.at_time, sub.timezone) == (
        "report:winrate",
        "weekly",
        0,
        "09:00",
        "Europe/Istanbul",
    )
    assert (sub.period, sub.scope, sub.scope_rep_id, sub.created_by_id) == (
        "last week",
        "team",
        None,
        murat.id,
    )


def test_subscribe_in_turkish(services, mehmet):
    chat = Chat(services, mehmet)
    reply = chat.say("/abone rapor kazanma haftalık pzt 09:00")
    assert reply.text.splitlines()[0] == (
        "Abonelik tamam. Bu sohbete gönderilecek: Kazanma oranı raporu (Mehmet Demir'in ekibi,"
        " geçen hafta): her pazartesi saat 09:00 (Europe/Istanbul)."
    )
    reply = chat.say("/abone rapor döngü son 30 gün ben aylık son 08:00 Europe/Berlin")
    assert "Satış döngüsü raporu (Mehmet Demir, son 30 gün): her ayın son günü saat 08:00" in (
        reply.text
    )
    assert "Bir sonraki: 30 Kas 2026" in reply.text
    winrate, cycle = subs(services)
    assert (winrate.period, winrate.cadence, winrate.cadence_day) == ("geçen hafta", "weekly", 0)
    assert (cycle.kind, cycle.period, cycle.scope, cycle.cadence, cycle.cadence_day) == (
        "report:cycle",
        "son 30 gün",
        "me",
        "monthly",
        0,
    )
    assert cycle.timezone == "Europe/Berlin"


@pytest.mark.parametrize(
    ("words", "cadence", "day", "period"),
    [
        ("daily 08:30", "daily", None, "yesterday"),
        ("workdays", "workdays", None, "yesterday"),
        ("monthly 1 09:00", "monthly", 1, "last month"),
        ("this month weekly fri", "weekly", 4, "this month"),
        ("", "weekly", 0, "last week"),
    ],
)
def test_cadences_and_their_default_periods(services, murat, words, cadence, day, period):
    Chat(services, murat).say(f"/subscribe report {words}".strip())
    [sub] = subs(services)
    assert (sub.kind, sub.cadence, sub.cadence_day, sub.period) == (
        "report:summary",
        cadence,
        day,
        period,
    )


def test_subscribing_again_to_a_kind_changes_it(services, murat):
    chat = Chat(services, murat)
    chat.say("/subscribe report winrate weekly mon 09:00")
    chat.say("/subscribe report winrate monthly 1 10:00")
    chat.say("/subscribe report cycle daily")
    winrate, cycle = subs(services)
    assert (winrate.cadence, winrate.at_time, cycle.kind) == ("monthly", "10:00", "report:cycle")


@pytest.mark.parametrize(
    ("words", "answer"),
    [
        ("winrate Q3 2026 weekly", '"Q3 2026" is a fixed period'),
        ("winrate monthly 31", 'on the last day ("last"), not on "31"'),
        ("winrate weekly mon 25:00", '"25:00" is not a time of day'),
        ("winrate weekly Mars/Olympus", 'Unknown timezone "Mars/Olympus"'),
        ("winrate last 5000 days", 'I don\'t understand "last 5000 days" here'),
        ("winrate everyone", "Only an admin sees everyone's figures"),
        ("forecastt weekly", '"forecastt" is neither a report nor a rep I know. Reports: summary'),
    ],
)
def test_bad_input_gets_usage_and_an_example_and_writes_nothing(services, murat, words, answer):
    reply = Chat(services, murat).say(f"/subscribe report {words}")
    assert answer in reply.text
    assert "/subscribe report" in reply.text  # the usage line, or an example
    assert subs(services) == []


def test_turkish_bad_input_is_answered_in_turkish(services, mehmet):
    reply = Chat(services, mehmet).say("/abone rapor kazanma aylık 30")
    assert "Aylık rapor ayın 1'i ile 28'i arasında" in reply.text
    assert "Örnek: /abone rapor kazanma ekip aylık 1 09:00" in reply.text
    assert subs(services) == []


def test_a_rep_may_not_subscribe_a_chat(services):
    rep = add_rep(services, "Ayşe Yılmaz")
    Chat(services, rep).say("/subscribe report winrate me weekly")
    assert subs(services) == []


def test_list_and_unsubscribe(services, murat):
    chat = Chat(services, murat)
    assert "gets nothing on a schedule" in chat.say("/subscriptions").text
    chat.say("/subscribe digest")
    chat.say("/subscribe report winrate weekly mon 09:00")
    chat.say("/subscribe report cycle monthly 1")
    listed = chat.say("/subscriptions")
    assert listed.text.splitlines() == [
        "This chat gets:",
        "• the digest of Murat Kaya's team on working days at 08:30 (Europe/Istanbul)",
        "• Sales cycle report for Murat Kaya's team, covering last month, on day 1 of every"
        " month at 08:30 (Europe/Istanbul)",
        "• Win rate report for Murat Kaya's team, covering last week, every Monday at 09:00"
        " (Europe/Istanbul)",
    ]
    assert [b.command for b in listed.buttons] == [
        "/unsubscribe digest",
        "/unsubscribe report cycle",
        "/unsubscribe report winrate",
    ]
    which = chat.say("/unsubscribe report")
    assert which.text == "Which report should stop?"
    done = chat.press(which, "Win rate")
    assert done.text.startswith("Unsubscribed: this chat no longer gets the Win rate report")
    assert chat.say("/unsubscribe report winrate").text == (
        "This chat has no report subscription of that kind."
    )
    assert "Sales cycle" in chat.say("/unsubscribe report").text  # the one left
    assert [(s.kind, s.active) for s in subs(services)] == [
        ("digest", True),
        ("report:winrate", False),
        ("report:cycle", False),
    ]
    assert "not a report" in chat.say("/unsubscribe report nonsense").text


def test_turkish_list_and_unsubscribe(services, mehmet):
    chat = Chat(services, mehmet)
    chat.say("/abone rapor kazanma haftalık pzt 09:00")
    assert chat.say("/abonelikler").text.splitlines()[1].startswith("• Kazanma oranı raporu")
    reply = chat.say("/aboneiptal rapor kazanma")
    assert reply.text.startswith("Abonelik iptal edildi: Kazanma oranı raporu")
    assert [s.active for s in subs(services)] == [False]


def test_a_rep_named_among_several_is_chosen_by_button(services, murat):
    add_rep(services, "Ayşe Yılmaz", manager_id=murat.id)
    other = add_rep(services, "Ayşe Demir", manager_id=murat.id)
    chat = Chat(services, murat)
    which = chat.say("/subscribe report winrate ayşe weekly mon 09:00")
    assert subs(services) == []
    done = chat.press(which, "Ayşe Demir")
    assert "Win rate report for Ayşe Demir, covering last week, every Monday at 09:00" in done.text
    [sub] = subs(services)
    assert (sub.scope, sub.scope_rep_id, sub.at_time) == ("rep", other.id, "09:00")
