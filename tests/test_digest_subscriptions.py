"""/subscribe and /unsubscribe through the dispatcher, and ``crm-bot digest --preview``."""

from __future__ import annotations

import io

import pytest
from sqlmodel import Session, select

from bot import cli, digest_preview
from handlers.kit import Translator
from storage.models import Subscription
from tests.conftest import Chat, add_customer, add_deal, add_rep
from tests.scheduling import subscribe


@pytest.fixture
def manager(services):
    return add_rep(services, "Murat Kaya", role="manager")


def subs(services) -> list[Subscription]:
    with Session(services.db.engine) as s:
        return list(s.exec(select(Subscription).order_by(Subscription.id)))


def test_subscribe_with_defaults(services, manager):
    reply = Chat(services, manager).say("/subscribe digest")
    assert reply.text.splitlines() == [
        "Subscribed: this chat gets the digest of Murat Kaya's team on working days at 08:30"
        " (Europe/Istanbul).",
        "Next one: Tue, Nov 24, 2026, 08:30.",
        "A digest with nothing new and nothing to act on is not posted.",
    ]
    assert reply.buttons[0].command == "/digest"
    assert reply.buttons[1].label == "Undo" and reply.buttons[1].command.startswith("/undo ")
    [sub] = subs(services)
    assert (sub.platform, sub.chat_id, sub.kind, sub.at_time, sub.timezone) == (
        "console",
        "chat-1",
        "digest",
        "08:30",
        "Europe/Istanbul",
    )
    assert (sub.scope, sub.scope_rep_id, sub.working_days_only, sub.active) == (
        "team",
        manager.id,
        True,
        True,
    )


def test_subscribe_with_every_option_and_a_named_rep(services, manager):
    ayse = add_rep(services, "Ayşe Yılmaz", manager_id=manager.id)
    reply = Chat(services, manager).say("/subscribe digest 9.05 America/New_York daily rep ayse")
    assert "digest of Ayşe Yılmaz every day at 09:05 (America/New_York)" in reply.text
    assert "Next one: Mon, Nov 23, 2026, 09:05" in reply.text  # it is 02:00 in New York
    [sub] = subs(services)
    assert (sub.at_time, sub.timezone, sub.working_days_only) == (
        "09:05",
        "America/New_York",
        False,
    )
    assert (sub.scope, sub.scope_rep_id) == ("rep", ayse.id)


def test_subscribing_again_changes_the_one_subscription(services, manager):
    chat = Chat(services, manager)
    chat.say("/subscribe digest 08:00")
    chat.say("/unsubscribe digest")
    chat.say("/subscribe digest 10:00")
    [sub] = subs(services)
    assert (sub.at_time, sub.active) == ("10:00", True)


def test_unsubscribe(services, manager):
    chat = Chat(services, manager)
    assert chat.say("/unsubscribe digest").text == "This chat has no digest subscription."
    chat.say("/subscribe digest")
    reply = chat.say("/unsubscribe digest")
    assert reply.text == "Unsubscribed: this chat no longer gets the digest."
    assert [s.active for s in subs(services)] == [False]


def test_only_managers_and_admins_may_subscribe(services):
    rep = add_rep(services, "Can Demir")
    chat = Chat(services, rep)
    assert chat.say("/subscribe digest").text == "Only a manager or admin may use /subscribe."
    assert chat.say("/unsubscribe digest").text == "Only a manager or admin may use /unsubscribe."
    assert subs(services) == []


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ("", "Subscribe to the digest or to a report"),
        ("reminders", "Subscribe to the digest or to a report"),
        ("digest 25:00", '"25:00" is not a time of day'),
        ("digest Mars/Olympus", 'Unknown timezone "Mars/Olympus"'),
        ("digest soon", 'I don\'t understand "soon" here.'),
        ("digest rep nobody", 'No rep matches "nobody".'),
    ],
)
def test_subscribe_explains_bad_input(services, manager, args, problem):
    reply = Chat(services, manager).say(f"/subscribe {args}")
    assert reply.text.startswith(problem)
    assert "Usage: /subscribe digest [HH:MM]" in reply.text
    assert subs(services) == []


def test_two_reps_matching_a_name_are_offered(services, manager):
    first = add_rep(services, "Mehmet Yıldırım", manager_id=manager.id)
    add_rep(services, "Mehmet Demir", manager_id=manager.id)
    add_rep(services, "Mehmet Kaya")  # not Murat's: never offered to him
    chat = Chat(services, manager)
    reply = chat.say("/subscribe digest 08:00 rep mehmet")
    assert reply.text == 'Which rep do you mean by "mehmet"?'
    assert subs(services) == []
    chat.press(reply, "Yıldırım")
    [sub] = subs(services)
    assert (sub.scope_rep_id, sub.at_time) == (first.id, "08:00")


def test_a_manager_subscribes_only_to_their_own_chain(services, manager):
    add_rep(services, "Elif Şahin", role="admin")
    other = add_rep(services, "Deniz Arslan", role="manager")
    add_rep(services, "Burak Öz", manager_id=other.id)
    chat = Chat(services, manager)
    for named in ("team Elif Şahin", "team Deniz Arslan", "rep Burak Öz"):
        assert "is outside your team" in chat.say(f"/subscribe digest {named}").text
    assert subs(services) == []
    assert "digest of Murat Kaya's team" in chat.say("/subscribe digest team").text


def test_turkish(services):
    elif_ = add_rep(services, "Elif Şahin", role="admin", language="tr")
    reply = Chat(services, elif_).say("/abone özet 07:45 hergün ekip")
    assert reply.text.splitlines()[0] == (
        "Abonelik tamam: herkesin özeti bu sohbete her gün gönderilecek. Saat: 07:45"
        " (Europe/Istanbul)."
    )
    [sub] = subs(services)
    assert (sub.at_time, sub.working_days_only) == ("07:45", False)
    assert Chat(services, elif_).say("/aboneiptal").text.startswith("Abonelik iptal edildi")


def test_preview_prints_a_subscriptions_digest_for_a_date(services, manager):
    add_deal(services, add_customer(services, "Acme Corporation"), "nobody's", "1000")
    subscribe(services, manager, platform="telegram", chat_id="-100")
    out = io.StringIO()
    assert digest_preview.preview(services, "telegram:-100", "2026-11-25", out) == 0
    text = out.getvalue()
    assert text.startswith("📊 Daily digest · team of Murat Kaya · Nov 25, 2026")
    assert "📎 pipeline.png" in text and "No owner (1)" in text


def test_preview_of_an_empty_digest_says_it_would_not_be_posted(services, manager):
    out = io.StringIO()
    assert digest_preview.preview(services, None, None, out) == 0
    assert out.getvalue().splitlines()[0] == "📊 Daily digest · everyone · Nov 23, 2026"
    assert "this digest would not be posted" in out.getvalue()


def test_preview_rejects_unknown_targets_and_bad_dates(services, capsys):
    assert digest_preview.preview(services, "slack:C999", None) == 2
    assert "No digest subscription for slack:C999" in capsys.readouterr().err
    assert digest_preview.preview(services, None, "tomorrow") == 2
    assert '"tomorrow" is not a date' in capsys.readouterr().err


def test_preview_from_the_command_line(services, manager, monkeypatch, capsys, tmp_path):
    subscribe(services, manager, platform="slack", chat_id="C1")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CRM_DATABASE_URL", services.settings.database_url)
    monkeypatch.setenv("CRM_LANGUAGE", "en")
    code = cli.main(["digest", "--preview", "--target", "slack:C1", "--date", "2026-12-01"])
    assert code == 0
    assert "📊 Daily digest · team of Murat Kaya · Dec 1, 2026" in capsys.readouterr().out


EXPECTED = {
    "subscribe": ("Subscribed", "Abonelik tamam"),
    "unsubscribe": ("Unsubscribed", "Abonelik iptal"),
    "digest": ("📊",),
}


@pytest.mark.parametrize("language", ["en", "tr"])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_help_examples_work(services, language, name):
    boss = add_rep(services, "Murat Kaya", role="manager", language=language)
    chat = Chat(services, boss)
    if name == "unsubscribe":
        chat.say("/subscribe digest")
    first = chat.send(Translator(language)(f"help.{name}.example"))[0].text
    assert first.startswith(EXPECTED[name]), first
