"""/report stale and /report load through the dispatcher, in English and Turkish: the
digest's attention rules on demand, with figures counted by hand on a fixed clock (now is
Monday 2026-11-23 07:00 UTC), the deals and tasks behind them as choices, and bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage.models import Rep
from tests.conftest import START, Chat, add_rep
from tests.figures_data import customer, deal, log, task

DAY = timedelta(days=1)


@pytest.fixture
def team(services, admin) -> dict[str, Rep]:
    boss = add_rep(services, "Mehmet Kaya", role="manager", language="tr")
    ayse = add_rep(services, "Ayşe Yılmaz", manager_id=boss.id, language="tr")
    john = add_rep(services, "John Smith", language="en")
    return {"boss": boss, "ayse": ayse, "john": john}


@pytest.fixture
def quiet(services, team) -> dict[str, int]:
    """Open deals quiet for 53 (Ayşe), 34 (John) and 20 days (Ayşe: her customer was called
    20 days ago), one created 3 days ago, and an old won deal (closed: never stale)."""
    ayse, john = team["ayse"], team["john"]
    touched = customer(services, "Called")
    log(services, ayse, "call", touched, START - 20 * DAY)
    return {
        "53": deal(services, ayse, "Proposal", "100", created=START - 53 * DAY),
        "34": deal(services, john, "Lead", "200", created=START - 34 * DAY),
        "20": deal(
            services, ayse, "Qualified", "300", created=START - 60 * DAY, customer_id=touched
        ),
        "new": deal(services, john, "Lead", "400", created=START - 3 * DAY),
        "won": deal(services, ayse, "Won", "500", created=START - 90 * DAY),
    }


def test_stale_uses_the_digest_threshold_and_opens_each_deal(services, chat: Chat, quiet) -> None:
    reply = chat.say("/report stale")
    assert "Open deals quiet for more than 14 days: 3 of 4" in reply.text
    assert "Quiet longest: 53 days (Proposal 100)" in reply.text
    assert "Reps with quiet deals: 2" in reply.text
    # deal · rep · stage · last interaction · days quiet
    assert f"Proposal 100 (#{quiet['53']}) · Ayşe Yılmaz · Proposal · — · 53" in reply.text
    assert f"Qualified 300 (#{quiet['20']}) · Ayşe Yılmaz · Qualified · Nov 3, 2026 · 20" in (
        reply.text
    )
    assert "As of now" in reply.text
    assert [c.command for c in reply.choices] == [f"/deal #{quiet[k]}" for k in ("53", "34", "20")]
    opened = chat.press(reply, "Proposal 100")
    assert "Proposal 100" in opened.text
    by_rep = chat.press(reply, "By rep")
    assert "Ayşe Yılmaz · 2" in by_rep.text and "John Smith · 1" in by_rep.text
    by_stage = chat.press(reply, "By stage")
    assert "Lead · 1\nQualified · 1\nProposal · 1" in by_stage.text


@pytest.mark.parametrize(
    ("typed", "count", "again"),
    [
        ("/report stale 45", "more than 45 days: 1 of 4", "/report stale 45 2026-11-23.."),
        ("/report stale 30 days everyone", "more than 30 days: 2 of 4", "/report stale 30 "),
        ("/report quiet last 30 days", "more than 14 days: 3 of 4", "/report stale 2026-10-25.."),
    ],
)
def test_stale_reads_a_number_of_days(services, chat: Chat, quiet, typed, count, again) -> None:
    reply = chat.say(typed)
    assert count in reply.text
    [csv_button] = [b for b in reply.buttons if b.label == "CSV"]
    assert csv_button.command.startswith(again)  # the button asks for the same N
    sheet = chat.press(reply, "CSV").attachments[0].data.decode().splitlines()
    assert len(sheet) == 1 + int(count.split(": ")[1].split()[0])  # header + the deals


def test_stale_in_turkish_for_a_manager(services, team, quiet) -> None:
    boss = Chat(services, team["boss"])
    reply = boss.say("/rapor bekleyen 30 gün ekip")
    assert "30 günden uzun süredir hareketsiz: 2 açık fırsattan 1 tanesi" in reply.text
    assert "En uzun süredir hareketsiz: 53 gün (Proposal 100)" in reply.text
    assert "John" not in reply.text
    sheet = boss.press(reply, "CSV")
    assert (
        sheet.attachments[0]
        .data.decode()
        .splitlines()[1]
        .startswith(f"Proposal 100 (#{quiet['53']}),Ayşe Yılmaz,Teklif,,53")
    )


@pytest.mark.parametrize("typed", ["/report stale 0", "/rapor bekleyen 99999 gün"])
def test_a_bad_number_of_days_is_refused(services, chat: Chat, quiet, typed) -> None:
    reply = chat.say(typed)
    assert "1 to 3660 days" in reply.text or "1 ile 3660" in reply.text
    assert "/r" in reply.text and not reply.choices


@pytest.fixture
def tasks(services, team) -> None:
    """Ayşe: one overdue task and one open for 40 days; John: one task, due tomorrow."""
    task(services, team["ayse"], START - DAY, START - 3 * DAY)
    task(services, team["ayse"], START + 8 * DAY, START - 40 * DAY)
    task(services, team["john"], START + DAY, START - DAY)


def test_load_lists_the_overloaded_reps_and_opens_their_tasks(services, chat, team, tasks):
    reply = chat.say("/report load")
    assert "Reps over the limit: 1" in reply.text
    assert "Their overdue tasks: 1" in reply.text
    assert "Their tasks open more than 30 days: 1" in reply.text
    assert "Ayşe Yılmaz · 2 · 1 · 1" in reply.text and "John" not in reply.text
    [choice] = reply.choices
    assert (choice.label, choice.command) == ("Ayşe Yılmaz: tasks", f"/tasks @#{team['ayse'].id}")
    assert "Ayşe Yılmaz's open tasks (2)" in chat.press(reply, "Ayşe Yılmaz: tasks").text


def test_load_in_turkish(services, team, tasks) -> None:
    reply = Chat(services, team["boss"]).say("/rapor yük")
    assert reply.text.startswith("Görev yükü · ")
    assert "Sınırı aşan temsilci: 1" in reply.text
    assert "30 günden uzun süredir açık görevleri: 1" in reply.text
    assert reply.choices[0].label == "Ayşe Yılmaz'ın görevleri"


def test_help_lists_the_kinds_in_both_languages(services, chat: Chat, team) -> None:
    english = chat.say("/help report").text
    assert "stale [N] — open deals with no activity" in english
    assert "funnel — of the deals created" in english
    turkish = Chat(services, team["ayse"]).say("/yardim rapor").text
    assert "bekleyen [N gün]" in turkish and "aktivite — temsilci başına" in turkish


def test_no_quiet_deal_says_so(services, chat: Chat, team) -> None:
    deal(services, team["ayse"], "Lead", "1", created=datetime(2026, 11, 20, tzinfo=UTC))
    reply = chat.say("/report stale")
    assert "quiet for more than 14 days: 0 of 1" in reply.text
    assert "No open deal has gone quiet." in reply.text and not reply.choices
