"""Reminders at the time asked: a task due at 10:00 reminds its rep at 10:00 (or their lead
time before it, /early), exactly once through the same ledger as the overdue reminder, on
working days at the hour the rep set; a snoozed task again at its new time, a done one never.

Time is the injected FakeClock; "now" is moved, never waited for. Monday 23 November 2026.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlmodel import Session

from bot.app import build_services
from bot.jobs import Jobs
from bot.scheduler import Scheduler, sweep_trigger
from handlers.kit import Services
from storage.models import Rep, Task
from tests.conftest import Chat, add_customer, add_rep, add_task
from tests.scheduling import Recorder, ledger_rows, local, notifier

NEW_YORK = ZoneInfo("America/New_York")
SET = {"created_at": local("2026-11-20", "12:00")}  # written on the Friday before


@pytest.fixture
def ayse(services: Services) -> Rep:
    return add_rep(services, "Ayşe Yılmaz", telegram_user_id=111)


class Bot:
    """The reminder scan at a given moment, and the task reminders it sent ("your day",
    which these tasks may also prompt in the morning, is left out)."""

    def __init__(self, services: Services) -> None:
        self.recorder = Recorder()
        self.jobs = Jobs(services, notifier(self.recorder))

    def at(self, day: str, hhmm: str, tz: ZoneInfo | None = None) -> list[str]:
        before = len(self.recorder.sent)
        asyncio.run(self.jobs.reminders(local(day, hhmm, tz) if tz else local(day, hhmm)))
        texts = [r.text for _chat, replies in self.recorder.sent[before:] for r in replies]
        return [text for text in texts if not text.startswith("☀️")]


@pytest.fixture
def bot(services: Services) -> Bot:
    return Bot(services)


def early(services: Services, rep: Rep, minutes: int) -> None:
    with services.db.session(write=True) as s:
        row = s.get(Rep, rep.id)
        assert row is not None
        row.remind_before_minutes = minutes


def task_row(services: Services, task_id: int) -> Task:
    with Session(services.db.engine) as s:
        task = s.get(Task, task_id)
        assert task is not None
        return task


def test_reminds_at_the_due_time_and_not_before(services, ayse, bot):
    acme = add_customer(services, "Acme Corporation")
    task = add_task(
        services, ayse, "send quote", local("2026-11-23", "10:00"), customer_id=acme.id, **SET
    )
    assert bot.at("2026-11-23", "09:59") == []
    assert bot.at("2026-11-23", "10:00") == [
        f"⏰ Due now: send quote · Acme Corporation — 10:00 (#{task.id})"
    ]
    chat, [reply] = bot.recorder.sent[-1]
    assert chat == "111"
    assert [(b.label, b.command) for b in reply.buttons] == [
        (f"Done #{task.id}", f"/done #{task.id}"),
        (f"Tomorrow #{task.id}", f"/snooze #{task.id} tomorrow 9:00"),
    ]
    # Reminded at its time: not listed as overdue the same day, but the next working day.
    assert [bot.at("2026-11-23", hhmm) for hhmm in ("10:01", "11:00", "17:59")] == [[], [], []]
    [overdue] = bot.at("2026-11-24", "09:00")
    assert overdue.startswith("⏰ Overdue tasks (1):")
    [today, tomorrow] = ledger_rows(services, "reminder")
    assert today.target == tomorrow.target == f"task:{task.id}:{int(task.due_at.timestamp())}"
    assert (str(today.run_date), today.status) == ("2026-11-23", "sent")


def test_a_lead_time_reminds_that_long_before(services, ayse, bot):
    early(services, ayse, 30)
    task = add_task(services, ayse, "visit Acme", local("2026-11-23", "10:00"), **SET)
    assert bot.at("2026-11-23", "09:29") == []
    assert bot.at("2026-11-23", "09:30") == [f"⏰ Due in 30 min: visit Acme — 10:00 (#{task.id})"]
    # One reminder per task and due moment: not again when it falls due, nor as overdue today.
    assert [bot.at("2026-11-23", hhmm) for hhmm in ("09:31", "10:00", "10:30")] == [[], [], []]
    assert task_row(services, task.id).last_reminded_at == local("2026-11-23", "09:30")


def test_a_lead_of_hours_and_a_date_that_is_not_today(services, ayse, bot):
    early(services, ayse, 90)
    add_task(services, ayse, "board meeting", local("2026-11-24", "00:30"), **SET)
    assert bot.at("2026-11-23", "23:00") == [
        "⏰ Due in 1 h 30 min: board meeting — Tue, Nov 24, 2026, 00:30 (#1)"
    ]


def test_a_task_set_inside_the_lead_time_is_reminded_at_its_time(services, clock, ayse, bot):
    early(services, ayse, 30)
    clock.now = local("2026-11-23", "09:50")
    Chat(services, ayse).say("/task call Ahmet 10:00")
    assert bot.at("2026-11-23", "09:51") == []  # not at once: it was only just written
    assert bot.at("2026-11-23", "10:00") == ["⏰ Due now: call Ahmet — 10:00 (#1)"]


def test_exactly_once_across_scans_and_processes(services, clock, ayse):
    add_task(services, ayse, "send quote", local("2026-11-23", "20:00"), **SET)
    other = build_services(services.settings, clock)  # a second bot process, same database
    recorder = Recorder()
    try:
        for _ in range(2):
            for svc in (services, other):  # each scan a new Jobs: as after a restart
                for hhmm in ("20:00", "20:10"):
                    jobs = Jobs(svc, notifier(recorder))
                    asyncio.run(jobs.reminders(local("2026-11-23", hhmm)))
    finally:
        other.db.dispose()
    assert len(recorder.sent) == 1
    [row] = ledger_rows(services, "reminder")
    assert (row.status, row.attempts) == ("sent", 1)


def test_the_real_scheduler_sweeps_on_the_minute(services, clock, ayse):
    """The sweep job fires on whole minutes; at 10:00 the due reminder goes, once, and a
    restarted scheduler (its start-up catch-up included) does not send it again."""
    task = add_task(
        services, ayse, "send quote", local("2026-11-23", "10:00"), created_at=clock.now
    )
    recorder = Recorder()

    async def run(at: str) -> None:
        scheduler = Scheduler(services, notifier(recorder))
        await scheduler.start()
        try:
            await asyncio.wait_for(scheduler.swept.wait(), 10)  # the start-up catch-up
            job = scheduler.aps.get_job("sweep")
            assert (job.next_run_time.second, job.next_run_time.microsecond) == (0, 0)
            scheduler.swept.clear()
            clock.now = local("2026-11-23", at)
            job.modify(next_run_time=datetime.now(UTC))  # fire now rather than wait
            await asyncio.wait_for(scheduler.swept.wait(), 10)
        finally:
            await scheduler.stop()

    clock.now = local("2026-11-23", "09:58")
    asyncio.run(run("09:59"))
    assert recorder.sent == []
    asyncio.run(run("10:00"))
    assert recorder.texts() == [f"⏰ Due now: send quote — 10:00 (#{task.id})"]
    asyncio.run(run("10:02"))  # a restart: its catch-up at 10:00, then a sweep at 10:02
    assert len(recorder.sent) == 1


def test_the_sweep_trigger_falls_on_whole_minutes():
    now = datetime(2026, 11, 23, 7, 0, 37, 123456, tzinfo=UTC)
    every = sweep_trigger(timedelta(minutes=1))
    assert every.get_next_fire_time(None, now) == datetime(2026, 11, 23, 7, 1, tzinfo=UTC)
    every5 = sweep_trigger(timedelta(minutes=5))
    assert every5.get_next_fire_time(None, now) == datetime(2026, 11, 23, 7, 5, tzinfo=UTC)


def test_a_snoozed_task_is_reminded_at_its_new_time(services, clock, ayse, bot):
    task = add_task(services, ayse, "send quote", local("2026-11-23", "10:00"), **SET)
    assert len(bot.at("2026-11-23", "10:00")) == 1
    clock.now = local("2026-11-23", "10:05")
    Chat(services, ayse).say(f"/snooze #{task.id} 15:30")
    assert bot.at("2026-11-23", "15:29") == []
    assert bot.at("2026-11-23", "15:30") == [f"⏰ Due now: send quote — 15:30 (#{task.id})"]
    assert bot.at("2026-11-23", "15:45") == []
    episodes = [r.target for r in ledger_rows(services, "reminder")]
    assert len(episodes) == len(set(episodes)) == 2


def test_snoozed_before_its_time_is_reminded_only_at_the_new_one(services, clock, ayse, bot):
    early(services, ayse, 15)
    task = add_task(services, ayse, "send quote", local("2026-11-23", "10:00"), **SET)
    clock.now = local("2026-11-23", "09:00")
    Chat(services, ayse).say(f"/snooze #{task.id} 14:00")
    assert bot.at("2026-11-23", "09:45") == []
    assert bot.at("2026-11-23", "10:00") == []
    assert bot.at("2026-11-23", "13:45") == [f"⏰ Due in 15 min: send quote — 14:00 (#{task.id})"]


def test_a_task_done_before_its_time_is_not_reminded(services, clock, ayse, bot):
    early(services, ayse, 30)
    task = add_task(services, ayse, "send quote", local("2026-11-23", "10:00"), **SET)
    clock.now = local("2026-11-23", "09:00")
    Chat(services, ayse).say(f"/done #{task.id}")
    assert [bot.at("2026-11-23", hhmm) for hhmm in ("09:30", "10:00", "11:00")] == [[], [], []]
    assert ledger_rows(services, "reminder") == []


def test_a_time_the_rep_set_outside_working_hours_is_kept(services, ayse, bot):
    """An evening call reminds in the evening: the rep chose the hour. The overdue reminder
    stays within working hours and comes the next working morning."""
    early(services, ayse, 30)
    add_task(services, ayse, "evening call", local("2026-11-23", "20:00"), **SET)
    add_task(services, ayse, "early visit", local("2026-11-24", "08:30"), **SET)
    assert bot.at("2026-11-23", "19:30") == ["⏰ Due in 30 min: evening call — 20:00 (#1)"]
    assert bot.at("2026-11-24", "08:00") == ["⏰ Due in 30 min: early visit — 08:30 (#2)"]
    [overdue] = bot.at("2026-11-24", "09:00")  # the evening call, overdue since yesterday
    assert overdue.splitlines()[:2] == [
        "⏰ Overdue tasks (1):",
        "• evening call — Mon, Nov 23, 2026, 20:00 (#1)",
    ]


def test_a_day_without_a_time_reminds_at_the_end_of_the_working_day(services, clock, ayse, bot):
    clock.now = local("2026-11-23", "10:00")
    chat = Chat(services, ayse)
    chat.say("/task send the contract wednesday")  # due Wednesday 18:00
    chat.say("/task tidy the files saturday")  # due Saturday 18:00: a day off
    assert bot.at("2026-11-25", "17:59") == []
    assert bot.at("2026-11-25", "18:00") == ["⏰ Due now: send the contract — 18:00 (#1)"]
    assert bot.at("2026-11-28", "18:00") == []  # Saturday: no reminder on a day off
    assert bot.at("2026-11-29", "18:00") == []
    [overdue] = bot.at("2026-11-30", "09:00")  # Monday morning: overdue, as always
    assert "tidy the files" in overdue and "send the contract" in overdue


def test_a_rep_in_another_timezone_is_reminded_at_their_time(services, bot):
    john = add_rep(services, "John Carter", timezone="America/New_York", telegram_user_id=222)
    add_task(services, john, "renewal call", local("2026-11-23", "10:00", NEW_YORK), **SET)
    add_task(services, john, "friday wrap-up", local("2026-11-27", "20:00", NEW_YORK), **SET)
    assert bot.at("2026-11-23", "10:00") == []  # Istanbul's 10:00 is 03:00 in New York
    assert bot.at("2026-11-23", "09:59", NEW_YORK) == []
    assert bot.at("2026-11-23", "10:00", NEW_YORK) == ["⏰ Due now: renewal call — 10:00 (#1)"]
    # Friday 20:00 in New York is Saturday 03:00 in Istanbul: his Friday, a working day.
    assert bot.at("2026-11-27", "20:00", NEW_YORK) == ["⏰ Due now: friday wrap-up — 20:00 (#2)"]
    assert {chat for chat, _ in bot.recorder.sent} == {"222"}


def test_due_now_and_overdue_in_one_message(services, ayse, bot):
    add_task(services, ayse, "old one", local("2026-11-20", "11:00"), **SET)  # Friday
    add_task(services, ayse, "first thing", local("2026-11-23", "09:00"), **SET)
    add_task(services, ayse, "also now", local("2026-11-23", "09:00"), **SET)
    [text] = bot.at("2026-11-23", "09:00")
    assert text.splitlines() == [
        "⏰ Due now: first thing — 09:00 (#2)",
        "⏰ Due now: also now — 09:00 (#3)",
        "",
        "⏰ Overdue tasks (1):",
        "• old one — Fri, Nov 20, 2026, 11:00 (#1)",
    ]
    _chat, replies = bot.recorder.sent[-1]
    assert [b.command for b in replies[-1].buttons][::2] == ["/done #2", "/done #3", "/done #1"]


def test_downtime_longer_than_the_window_leaves_it_to_the_overdue_reminder(services, ayse, bot):
    add_task(services, ayse, "evening call", local("2026-11-23", "20:00"), **SET)
    assert bot.at("2026-11-23", "20:31") == []  # the bot was down at 20:00: not at night
    [overdue] = bot.at("2026-11-24", "09:00")
    assert overdue.startswith("⏰ Overdue tasks (1):")


def test_turkish_due_reminder(services, bot):
    can = add_rep(services, "Can Demir", language="tr", telegram_user_id=555)
    early(services, can, 45)
    add_task(services, can, "teklif gönder", local("2026-11-23", "14:00"), **SET)
    assert bot.at("2026-11-23", "13:15") == ["⏰ 45 dk sonra: teklif gönder — 14:00 (#1)"]
    _chat, replies = bot.recorder.sent[-1]
    assert [b.label for b in replies[-1].buttons] == ["Tamam #1", "Yarın #1"]


@pytest.mark.sqlite_only
def test_the_due_query_is_bounded_by_indexes(services, ayse, bot):
    """One statement per scan finds the due tasks, each branch an index range, never a scan
    of the task table (SQLite's plan; PostgreSQL's depends on its statistics)."""
    early(services, ayse, 30)
    add_task(services, ayse, "send quote", local("2026-11-23", "10:00"), **SET)
    seen: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, *_rest) -> None:
        if "UNION ALL" in statement:
            seen.append((statement, parameters))

    event.listen(services.db.engine, "before_cursor_execute", capture)
    try:
        assert len(bot.at("2026-11-23", "09:30")) == 1
    finally:
        event.remove(services.db.engine, "before_cursor_execute", capture)
    [(statement, parameters)] = seen
    with services.db.engine.connect() as conn:
        plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
    steps = [row[-1] for row in plan]
    assert any("ix_task_assignee_status_due" in s for s in steps), steps
    assert any("ix_task_assignee_status_snoozed" in s for s in steps), steps
    assert not [s for s in steps if s.startswith("SCAN task")], steps


def test_early_shows_sets_and_explains(services, ayse):
    chat = Chat(services, ayse)
    reply = chat.say("/early")
    assert reply.text == "Your task reminders come at each task's own time."
    assert [(b.label, b.command) for b in reply.buttons] == [
        ("15 min", "/early 15"),
        ("30 min", "/early 30"),
        ("1 h", "/early 60"),
    ]
    assert chat.press(reply, "30 min").text.splitlines() == [
        "Done: your task reminders will come 30 min before each task's time.",
        "Overdue tasks are still listed each working morning.",
    ]
    assert task_lead(services, ayse) == 30
    assert chat.say("/early 1 h").text.startswith("Done: your task reminders will come 1 h before")
    assert task_lead(services, ayse) == 60
    assert chat.say("/early 90min").text.startswith("Done: your task reminders will come 1 h 30")
    reply = chat.say("/early")
    assert reply.text == "Your task reminders come 1 h 30 min before each task's time."
    assert reply.buttons[-1].command == "/early off"
    assert chat.say("/early off").text.startswith("Done: your task reminders will come at each")
    assert task_lead(services, ayse) == 0


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("soon", '"soon" is not a number of minutes (or "off").'),
        ("30 parsecs", '"30 parsecs" is not a number of minutes (or "off").'),
        ("25 hours", "At most 24 hours before a task's time."),
    ],
)
def test_early_refuses_what_it_cannot_read(services, ayse, typed, problem):
    reply = Chat(services, ayse).say(f"/early {typed}")
    assert reply.text.splitlines()[:2] == [problem, "Usage: /early [<minutes>|off]"]
    assert task_lead(services, ayse) == 0


def test_early_in_turkish(services):
    can = add_rep(services, "Can Demir", language="tr")
    chat = Chat(services, can)
    assert chat.say("/erken 1 saat").text.splitlines()[0] == (
        "Tamam: görev hatırlatmalarınız bundan sonra her görevin saatinden 1 sa önce gelecek."
    )
    assert task_lead(services, can) == 60
    assert chat.say("/erken 45 dk").text.startswith("Tamam")
    assert task_lead(services, can) == 45
    assert chat.say("/erken kapalı").text.startswith("Tamam: görev hatırlatmalarınız bundan")
    assert task_lead(services, can) == 0


def task_lead(services: Services, rep: Rep) -> int:
    with Session(services.db.engine) as s:
        row = s.get(Rep, rep.id)
        assert row is not None
        return row.remind_before_minutes
