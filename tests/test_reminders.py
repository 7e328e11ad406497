"""Private reminders: overdue tasks within the rep's working hours and timezone, once a day,
back when a snooze ends; "your day" each working morning; Done and Snooze from the message."""

from __future__ import annotations

import asyncio
import io
import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from bot.adapters.console import ConsoleAdapter
from bot.app import build_services
from bot.dispatcher import Dispatcher
from bot.jobs import Jobs
from bot.scheduler import Scheduler
from handlers.kit import Services
from storage.models import Rep, Task
from tests.conftest import Chat, add_customer, add_rep, add_task
from tests.scheduling import Recorder, ledger_rows, local, notifier

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def ayse(services: Services) -> Rep:
    return add_rep(services, "Ayşe Yılmaz", telegram_user_id=111)


def scan(jobs: Jobs, day: str, hhmm: str, tz: ZoneInfo | None = None) -> int:
    return asyncio.run(jobs.reminders(local(day, hhmm, tz) if tz else local(day, hhmm)))


def task_row(services: Services, task_id: int) -> Task:
    with Session(services.db.engine) as s:
        task = s.get(Task, task_id)
        assert task is not None
        return task


def test_overdue_reminder_once_a_day_within_working_hours(services, ayse):
    acme = add_customer(services, "Acme Corporation")
    task = add_task(services, ayse, "send quote", local("2026-11-23", "09:00"), customer_id=acme.id)
    recorder = Recorder()
    jobs = Jobs(services, notifier(recorder))
    assert scan(jobs, "2026-11-23", "08:59") == 0  # not yet due, and before hours
    assert scan(jobs, "2026-11-23", "10:00") == 1
    assert scan(jobs, "2026-11-23", "10:05") == 0  # once a day
    assert scan(jobs, "2026-11-23", "17:59") == 0
    assert scan(jobs, "2026-11-24", "08:59") == 0  # before working hours
    assert scan(jobs, "2026-11-24", "18:00") == 0  # after working hours
    assert scan(jobs, "2026-11-25", "09:00") == 1  # the next working morning, again
    [(chat, [reply]), _again] = recorder.sent
    assert chat == "111"
    assert reply.text.splitlines() == [
        "⏰ Overdue tasks (1):",
        f"• send quote · Acme Corporation — Mon, Nov 23, 2026, 09:00 (#{task.id})",
    ]
    assert [b.command for b in reply.buttons] == [
        f"/done #{task.id}",
        f"/snooze #{task.id} tomorrow 9:00",
    ]
    assert task_row(services, task.id).last_reminded_at == local("2026-11-25", "09:00")
    assert [str(r.run_date) for r in ledger_rows(services, "reminder")] == [
        "2026-11-23",
        "2026-11-25",
    ]


def test_no_reminders_after_hours_or_at_weekends(services, ayse):
    add_task(services, ayse, "call back", local("2026-11-27", "09:00"))
    jobs = Jobs(services, notifier(Recorder()))
    assert scan(jobs, "2026-11-27", "18:00") == 0  # Friday, end of the working day
    assert scan(jobs, "2026-11-28", "10:00") == 0  # Saturday
    assert scan(jobs, "2026-11-29", "10:00") == 0  # Sunday
    assert scan(jobs, "2026-11-30", "09:00") == 1  # Monday morning


def test_a_rep_in_another_timezone_is_reminded_in_theirs(services):
    john = add_rep(services, "John Carter", timezone="America/New_York", telegram_user_id=222)
    task = add_task(services, john, "renewal call", local("2026-11-23", "16:00", NEW_YORK))
    recorder = Recorder()
    jobs = Jobs(services, notifier(recorder))
    assert scan(jobs, "2026-11-24", "10:00") == 0  # 10:00 in Istanbul is 02:00 in New York
    assert scan(jobs, "2026-11-24", "09:00", NEW_YORK) == 1
    [(chat, [reply])] = recorder.sent
    assert chat == "222"
    assert f"renewal call — Mon, Nov 23, 2026, 16:00 (#{task.id})" in reply.text


def test_done_from_the_reminder(services, clock, ayse):
    task = add_task(services, ayse, "send quote", local("2026-11-23", "09:00"))
    recorder = Recorder()
    jobs = Jobs(services, notifier(recorder))
    clock.now = local("2026-11-23", "10:00")
    asyncio.run(jobs.reminders(clock.now))
    [(_chat, [reminder])] = recorder.sent
    assert Chat(services, ayse).press(reminder, f"Done #{task.id}").text == "Done: send quote."
    assert task_row(services, task.id).status == "done"
    assert scan(jobs, "2026-11-24", "09:00") == 0


def test_snooze_from_the_reminder_and_back_when_it_ends(services, clock, ayse):
    task = add_task(services, ayse, "send quote", local("2026-11-23", "09:00"))
    recorder = Recorder()
    jobs = Jobs(services, notifier(recorder))
    clock.now = local("2026-11-23", "10:00")
    asyncio.run(jobs.reminders(clock.now))
    [(_chat, [reminder])] = recorder.sent
    reply = Chat(services, ayse).press(reminder, f"Tomorrow #{task.id}")
    assert reply.text == 'Snoozed "send quote" until Tue, Nov 24, 2026, 09:00.'
    assert scan(jobs, "2026-11-23", "12:00") == 0
    assert scan(jobs, "2026-11-24", "08:59") == 0
    assert scan(jobs, "2026-11-24", "09:00") == 1  # the snooze ended
    assert f"(#{task.id})" in recorder.sent[-1][1][0].text


def test_a_snooze_ending_the_same_day_brings_the_task_back_that_day(services, clock, ayse):
    task = add_task(services, ayse, "send quote", local("2026-11-23", "09:00"))
    jobs = Jobs(services, notifier(Recorder()))
    clock.now = local("2026-11-23", "10:00")
    assert asyncio.run(jobs.reminders(clock.now)) == 1
    Chat(services, ayse).say(f"/snooze #{task.id} in 1 hour")
    assert scan(jobs, "2026-11-23", "10:59") == 0
    assert scan(jobs, "2026-11-23", "11:00") == 1
    assert scan(jobs, "2026-11-23", "11:30") == 0
    episodes = [r.target for r in ledger_rows(services, "reminder")]
    assert len(episodes) == len(set(episodes)) == 2


def test_your_day_each_working_morning(services, ayse):
    before = {"created_at": local("2026-11-23", "12:00")}
    add_task(services, ayse, "demo", local("2026-11-24", "14:00"), **before)
    add_task(services, ayse, "contract", local("2026-11-24", "17:00"), **before)
    add_task(services, ayse, "next week", local("2026-11-30", "10:00"), **before)
    nobody = add_rep(services, "Can Demir", telegram_user_id=333)
    add_task(services, nobody, "next week too", local("2026-11-30", "10:00"), **before)
    recorder = Recorder()
    jobs = Jobs(services, notifier(recorder))
    assert scan(jobs, "2026-11-24", "09:00") == 1
    assert scan(jobs, "2026-11-24", "09:05") == 0
    [(chat, [reply])] = recorder.sent
    assert chat == "111"
    assert reply.text.splitlines()[0] == "☀️ Your day, Nov 24, 2026: 2 due later today"
    assert reply.text.splitlines()[1:] == ["• demo — 14:00 (#1)", "• contract — 17:00 (#2)"]
    assert [(r.job, r.target) for r in ledger_rows(services)] == [("your-day", f"rep:{ayse.id}")]


def test_your_day_is_not_sent_after_the_morning(services, ayse):
    created = local("2026-11-23", "12:00")
    add_task(services, ayse, "late meeting", local("2026-11-24", "17:30"), created_at=created)
    jobs = Jobs(services, notifier(Recorder()))
    assert scan(jobs, "2026-11-24", "15:01") == 0  # the bot came up after the grace window
    assert ledger_rows(services) == []


def test_your_day_is_the_plan_as_the_day_began(services, ayse):
    """A task set during the day does not make a "morning" message at noon."""
    add_task(
        services, ayse, "new", local("2026-11-25", "16:00"), created_at=local("2026-11-25", "11:00")
    )
    jobs = Jobs(services, notifier(Recorder()))
    assert scan(jobs, "2026-11-25", "11:01") == 0
    add_task(
        services, ayse, "old", local("2026-11-25", "17:00"), created_at=local("2026-11-25", "08:59")
    )
    assert scan(jobs, "2026-11-25", "11:02") == 1


def test_every_platform_the_rep_is_on_and_the_console_alone(services, ayse):
    both = add_rep(services, "Deniz Ak", telegram_user_id=444, slack_user_id="U444")
    add_task(services, both, "ping", local("2026-11-23", "09:00"))
    telegram, slack = Recorder("telegram"), Recorder("slack")
    assert (
        asyncio.run(
            Jobs(services, notifier(telegram, slack)).reminders(local("2026-11-23", "10:00"))
        )
        == 1
    )
    assert [c for c, _ in telegram.sent] == ["444"] and [c for c, _ in slack.sent] == ["U444"]

    can = add_rep(services, "Can Demir")  # on no platform: reachable only on the console
    add_task(services, can, "pong", local("2026-11-23", "09:00"))
    slack_only = Recorder("slack")
    assert (
        asyncio.run(Jobs(services, notifier(slack_only)).reminders(local("2026-11-23", "11:00")))
        == 0
    )
    assert not [r for r in ledger_rows(services) if r.target.endswith(":pong")]
    out = io.StringIO()
    console = ConsoleAdapter(Dispatcher(services), can.id, "en", stdout=out)
    assert (
        asyncio.run(Jobs(services, notifier(console)).reminders(local("2026-11-23", "11:00"))) == 1
    )
    assert f"[{can.id}] ⏰ Overdue tasks (1):" in out.getvalue()
    assert "• Done #" in out.getvalue()


def test_a_failed_reminder_is_retried_and_the_task_stays_unreminded(services, ayse, caplog):
    task = add_task(services, ayse, "send quote", local("2026-11-23", "09:00"))
    recorder = Recorder(fail=1)
    jobs = Jobs(services, notifier(recorder))
    assert scan(jobs, "2026-11-23", "10:00") == 0
    assert f"reminder to telegram 111 (rep #{ayse.id}) failed: telegram said no" in caplog.text
    [row] = ledger_rows(services, "reminder")
    assert (row.status, row.attempts) == ("failed", 1)
    assert task_row(services, task.id).last_reminded_at is None
    assert scan(jobs, "2026-11-23", "10:00") == 0  # backing off
    assert scan(jobs, "2026-11-23", "10:01") == 1
    [row] = ledger_rows(services, "reminder")
    assert (row.status, row.attempts) == ("sent", 2)


def test_one_platform_failing_does_not_repeat_it_on_the_other(services):
    both = add_rep(services, "Deniz Ak", telegram_user_id=444, slack_user_id="U444")
    add_task(services, both, "ping", local("2026-11-23", "09:00"))
    telegram, slack = Recorder("telegram", fail=1), Recorder("slack")
    jobs = Jobs(services, notifier(telegram, slack))
    assert scan(jobs, "2026-11-23", "10:00") == 1
    assert scan(jobs, "2026-11-23", "10:05") == 0
    assert len(slack.sent) == 1 and telegram.sent == []


def test_a_long_list_shows_ten_and_counts_the_rest(services, ayse):
    for n in range(15):
        add_task(services, ayse, f"task {n}", local("2026-11-20", "09:00") + timedelta(minutes=n))
    recorder = Recorder()
    jobs = Jobs(services, notifier(recorder))
    assert scan(jobs, "2026-11-23", "10:00") == 1
    [(_chat, [reply])] = recorder.sent
    lines = reply.text.splitlines()
    assert lines[0] == "⏰ Overdue tasks (15):" and lines[-1] == "…and 5 more."
    assert len([line for line in lines if line.startswith("• ")]) == 10
    assert reply.buttons[-1].command == "/tasks overdue"
    assert scan(jobs, "2026-11-23", "11:00") == 0  # all fifteen count as reminded


def test_turkish_reminder(services):
    can = add_rep(services, "Can Demir", language="tr", telegram_user_id=555)
    task = add_task(services, can, "teklif gönder", local("2026-11-23", "09:00"))
    recorder = Recorder()
    assert scan(Jobs(services, notifier(recorder)), "2026-11-23", "10:00") == 1
    [(_chat, [reply])] = recorder.sent
    assert reply.text.splitlines() == [
        "⏰ Geciken görevler (1):",
        f"• teklif gönder — 23 Kas 2026 Pzt 09:00 (#{task.id})",
    ]
    assert [b.label for b in reply.buttons] == [f"Tamam #{task.id}", f"Yarın #{task.id}"]


def test_two_processes_remind_exactly_once(services, clock):
    """Two bot processes scan the same 20 reps' 100 tasks at the same instant, in threads."""
    reps = [add_rep(services, f"Rep {n}", telegram_user_id=1000 + n) for n in range(20)]
    for rep in reps:
        for k in range(5):
            add_task(services, rep, f"t{k}", local("2026-11-23", "08:00"))
    other = build_services(services.settings, clock)
    recorders = [Recorder(), Recorder()]
    workers = [Jobs(svc, notifier(r)) for svc, r in zip((services, other), recorders, strict=True)]
    start = threading.Barrier(2)

    def sweep(jobs: Jobs) -> None:
        start.wait()
        asyncio.run(jobs.reminders(local("2026-11-23", "10:00")))

    threads = [threading.Thread(target=sweep, args=(w,)) for w in workers]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        other.db.dispose()
    chats = [chat for r in recorders for chat, _ in r.sent]
    assert sorted(chats) == sorted(str(1000 + n) for n in range(20))
    listed = [line for r in recorders for t in r.texts() for line in t.splitlines()[1:]]
    assert len(listed) == len(set(listed)) == 100


def test_the_scheduler_sweep_sends_reminders(services, clock, ayse):
    add_task(services, ayse, "send quote", local("2026-11-23", "09:00"))
    clock.now = local("2026-11-23", "10:00")
    recorder = Recorder()

    async def scenario() -> None:
        scheduler = Scheduler(services, notifier(recorder))
        await scheduler.start()
        try:
            await asyncio.wait_for(scheduler.swept.wait(), 10)
            # the first sweep's count, taken at once: a timed sweep falls on each whole minute
            # of the real clock, and one that ran before stop() would find nothing left to send
            first = scheduler.last_sweep
        finally:
            await scheduler.stop()
        assert first is not None and first[1] == 1

    asyncio.run(scenario())
    assert [chat for chat, _ in recorder.sent] == ["111"]
    with Session(services.db.engine) as s:
        assert s.exec(select(Task)).one().last_reminded_at == clock.now
