"""Scheduled digests: on time in their own timezone, across DST, once per day whatever
restarts, retries or second processes happen, with catch-up inside the grace window only.

Time is the injected FakeClock; the real AsyncIOScheduler is started in the test's own loop
and, where a test needs it to fire, a job is made due at once and awaited on an Event.
"""

from __future__ import annotations

import asyncio
import io
import logging
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.adapters.console import ConsoleAdapter
from bot.app import build_services
from bot.dispatcher import Dispatcher
from bot.jobs import Jobs
from bot.scheduler import Scheduler, trigger
from handlers.kit import Incoming, Schedule, Services, parse_days, parse_hhmm
from storage.models import Rep
from storage.schedule.ledger import Policy
from tests.conftest import add_customer, add_deal, add_rep
from tests.scheduling import Recorder, ledger_rows, local, notifier, subscribe

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def murat(services: Services) -> Rep:
    return add_rep(services, "Murat Kaya", role="manager")


@pytest.fixture
def attention(services: Services) -> None:
    """An unassigned open deal: the digest always has something to act on, so it is posted."""
    add_deal(services, add_customer(services, "Acme Corporation"), "nobody's", "1000")


def run(coro):
    return asyncio.run(coro)


def test_parse_days_and_times():
    assert parse_days("mon-fri") == frozenset(range(5))
    assert parse_days("sun-thu") == frozenset({6, 0, 1, 2, 3})
    assert parse_days("mon, wed,sat") == frozenset({0, 2, 5})
    assert parse_hhmm("8:30").strftime("%H:%M") == "08:30"
    for bad in ("24:00", "8", "08:60", "noon"):
        with pytest.raises(ValueError):
            parse_hhmm(bad)
    with pytest.raises(ValueError):
        parse_days("mon-fry")


def test_posts_at_its_local_time_once(services, clock, murat, attention):
    sub = subscribe(services, murat)
    recorder = Recorder()
    jobs = Jobs(services, notifier(recorder))
    clock.now = local("2026-11-24", "08:29")
    assert run(jobs.digest(sub.id, clock.now)).status == "late"  # yesterday's, long gone
    assert recorder.sent == []
    clock.now = local("2026-11-24", "08:30")
    assert run(jobs.digest(sub.id, clock.now)).status == "sent"
    clock.advance(minutes=1)
    assert run(jobs.digest(sub.id, clock.now)).status == "sent"  # already: nothing new sent
    assert [chat for chat, _ in recorder.sent] == ["-1001"]
    rows = [(r.target, str(r.run_date), r.status) for r in ledger_rows(services, "digest")]
    assert rows == [
        ("telegram:-1001", "2026-11-23", "skipped"),
        ("telegram:-1001", "2026-11-24", "sent"),
    ]
    _chat, [summary, chart, *_] = recorder.sent[0]
    assert summary.text.startswith("📊 Daily digest · team of Murat Kaya · Nov 24, 2026")
    assert chart.attachments[0].filename == "pipeline.png"


def test_working_days_only_unless_daily(services, clock, murat, attention):
    weekdays = subscribe(services, murat, chat_id="-1")
    daily = subscribe(services, murat, chat_id="-2", working_days_only=False)
    recorder = Recorder()
    jobs = Jobs(services, notifier(recorder))
    for day in ("2026-11-27", "2026-11-28", "2026-11-29", "2026-11-30"):  # Fri, Sat, Sun, Mon
        run(jobs.due_digests(local(day, "08:31")))
    posts = [chat for chat, _ in recorder.sent]
    assert posts.count("-1") == 2  # Friday and Monday
    assert posts.count("-2") == 4
    assert {weekdays.id, daily.id} == {s for s in run(jobs.due_digests(clock.now))}


def test_cron_trigger_and_schedule_agree_across_dst():
    """The CronTrigger APScheduler runs and our catch-up arithmetic name the same instants,
    through Berlin's spring change (08:30 is 07:30 UTC before, 06:30 after)."""
    schedule = Schedule(parse_hhmm("08:30"), BERLIN, parse_days("mon-sun"))
    cron = trigger(schedule)
    now = datetime(2026, 3, 26, 12, tzinfo=UTC)
    fired = None
    for _ in range(6):
        fired = cron.get_next_fire_time(fired, now)
        assert schedule.next(now) == fired
        now = fired
    assert schedule.occurrence(datetime(2026, 3, 28).date()).hour == 7
    assert schedule.occurrence(datetime(2026, 3, 29).date()).hour == 6


def test_dst_spring_forward_posts_at_local_time(services, clock, murat, attention):
    since = datetime(2026, 1, 1, tzinfo=UTC)
    sub = subscribe(
        services, murat, timezone="Europe/Berlin", working_days_only=False, created_at=since
    )
    recorder = Recorder()
    jobs = Jobs(services, notifier(recorder))
    run(jobs.digest(sub.id, datetime(2026, 3, 28, 7, 30, tzinfo=UTC)))  # 08:30 CET
    assert len(recorder.sent) == 1
    # Sunday 29 March, 06:30 UTC is 08:30 CEST: due, although it is 07:30 in "winter" time.
    assert run(jobs.digest(sub.id, datetime(2026, 3, 29, 6, 29, tzinfo=UTC))).status == "sent"
    assert len(recorder.sent) == 1
    run(jobs.digest(sub.id, datetime(2026, 3, 29, 6, 30, tzinfo=UTC)))
    assert len(recorder.sent) == 2
    days = [str(r.run_date) for r in ledger_rows(services, "digest")]
    assert days == ["2026-03-28", "2026-03-29"]


def test_dst_fall_back_cron_fires_twice_but_posts_once(services, murat, attention):
    """01:30 happens twice in New York on 1 November; the real CronTrigger fires at both."""
    sub = subscribe(
        services, murat, timezone="America/New_York", at_time="01:30", working_days_only=False
    )
    cron = trigger(Jobs(services, notifier()).schedule(sub))
    first = cron.get_next_fire_time(None, datetime(2026, 10, 31, 12, tzinfo=UTC))
    second = cron.get_next_fire_time(first, first)
    assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=1)
    assert (first.hour, first.minute) == (second.hour, second.minute) == (1, 30)
    recorder = Recorder()
    jobs = Jobs(services, notifier(recorder))
    assert run(jobs.digest(sub.id, first)).status == "sent"
    assert run(jobs.digest(sub.id, second)).status == "sent"
    assert len(recorder.sent) == 1


def test_subscription_in_another_timezone(services, murat, attention):
    sub = subscribe(services, murat, timezone="America/New_York")
    recorder = Recorder()
    jobs = Jobs(services, notifier(recorder))
    run(jobs.digest(sub.id, local("2026-11-24", "08:30")))  # Istanbul's 08:30: 00:30 in NY
    assert recorder.sent == []
    run(jobs.digest(sub.id, local("2026-11-24", "08:30", NEW_YORK)))
    assert len(recorder.sent) == 1
    assert "Nov 24, 2026" in recorder.sent[0][1][0].text


def test_subscribed_after_todays_time_starts_tomorrow(services, clock, murat, attention):
    clock.now = local("2026-11-24", "10:00")
    sub = subscribe(services, murat, created_at=clock.now)
    jobs = Jobs(services, notifier(Recorder()))
    assert run(jobs.digest(sub.id, clock.now)).status == "not-due"
    assert run(jobs.digest(sub.id, local("2026-11-25", "08:30"))).status == "sent"


def test_empty_digest_is_not_posted(services, murat):
    sub = subscribe(services, murat)
    recorder = Recorder()
    jobs = Jobs(services, notifier(recorder))
    assert run(jobs.digest(sub.id, local("2026-11-24", "08:30"))).status == "empty"
    assert run(jobs.digest(sub.id, local("2026-11-24", "08:35"))).status == "skipped"
    assert recorder.sent == []
    [row] = [r for r in ledger_rows(services, "digest") if str(r.run_date) == "2026-11-24"]
    assert (row.status, row.error) == ("skipped", "empty")


def test_changes_run_from_the_previous_digest(services, clock, murat):
    acme = add_customer(services, "Acme Corporation")
    sub = subscribe(services, murat)
    recorder = Recorder()
    jobs = Jobs(services, notifier(recorder))
    created = local("2026-11-23", "20:00")
    add_deal(services, acme, "first", "1000", owner_id=murat.id, created_at=created)
    run(jobs.digest(sub.id, local("2026-11-24", "08:30")))
    created = local("2026-11-24", "15:00")
    add_deal(services, acme, "second", "2000", owner_id=murat.id, created_at=created)
    run(jobs.digest(sub.id, local("2026-11-25", "08:30")))
    first, second = (replies[0].text for _, replies in recorder.sent)
    assert "first" in first and "New deals: 1 · ₺1,000" in first
    assert "Since Tue, Nov 24, 2026, 08:30" in second
    assert "second" in second and "first" not in second


@pytest.mark.parametrize(
    ("restart", "posted"), [("14:30", True), ("14:31", False)]
)  # grace window: six hours after 08:30
def test_restart_inside_and_outside_the_grace_window(
    services, clock, murat, attention, caplog, restart, posted
):
    subscribe(services, murat)
    clock.now = local("2026-11-24", restart)
    recorder = Recorder()

    async def restart_the_bot() -> None:
        scheduler = Scheduler(services, notifier(recorder))
        await scheduler.start()
        try:
            await asyncio.wait_for(scheduler.swept.wait(), 10)  # the first, immediate sweep
        finally:
            await scheduler.stop()

    with caplog.at_level(logging.WARNING, logger="bot.jobs"):
        run(restart_the_bot())
    assert len(recorder.sent) == (1 if posted else 0)
    [today] = [r for r in ledger_rows(services, "digest") if str(r.run_date) == "2026-11-24"]
    if posted:
        assert today.status == "sent"
    else:
        assert (today.status, today.error) == ("skipped", "missed by 6:01:00")
        assert "missed by 6:01:00 (grace 6:00:00): skipped" in caplog.text


def test_failed_send_is_logged_and_retried(services, clock, murat, attention, caplog):
    sub = subscribe(services, murat)
    recorder = Recorder(fail=1)
    jobs = Jobs(services, notifier(recorder))
    clock.now = local("2026-11-24", "08:30")
    with caplog.at_level(logging.ERROR, logger="bot.jobs"):
        assert run(jobs.digest(sub.id, clock.now)).status == "failed"
    assert "digest to telegram:-1001 failed: telegram said no" in caplog.text
    [row] = [r for r in ledger_rows(services, "digest") if str(r.run_date) == "2026-11-24"]
    assert (row.status, row.attempts, row.error) == ("failed", 1, "DeliveryError: telegram said no")
    clock.advance(seconds=30)
    assert run(jobs.digest(sub.id, clock.now)).status == "failed"  # backing off
    clock.advance(seconds=30)
    assert run(jobs.digest(sub.id, clock.now)).status == "sent"
    [row] = [r for r in ledger_rows(services, "digest") if str(r.run_date) == "2026-11-24"]
    assert (row.status, row.attempts, row.error) == ("sent", 2, None)
    assert len(recorder.sent) == 1


def test_gives_up_after_the_last_attempt(services, clock, murat, attention, caplog):
    sub = subscribe(services, murat)
    jobs = Jobs(services, notifier(Recorder(fail=99)), Policy(max_attempts=2))
    clock.now = local("2026-11-24", "08:30")
    with caplog.at_level(logging.ERROR, logger="bot.jobs"):
        for _ in range(4):
            run(jobs.digest(sub.id, clock.now))
            clock.advance(minutes=5)
    [row] = [r for r in ledger_rows(services, "digest") if str(r.run_date) == "2026-11-24"]
    assert (row.status, row.attempts) == ("failed", 2)
    assert "giving up on digest telegram:-1001 2026-11-24 after 2 attempts" in caplog.text


def test_a_chat_on_a_platform_not_running_waits_for_it(services, clock, murat, attention):
    sub = subscribe(services, murat, platform="slack", chat_id="C0123")
    clock.now = local("2026-11-24", "08:30")
    assert run(Jobs(services, notifier(Recorder())).digest(sub.id, clock.now)).status == (
        "unreachable"
    )
    assert ledger_rows(services, "digest") == []
    slack = Recorder("slack")
    clock.advance(minutes=10)
    assert run(Jobs(services, notifier(slack)).digest(sub.id, clock.now)).status == "sent"
    assert [chat for chat, _ in slack.sent] == ["C0123"]


def test_two_processes_on_one_database_post_exactly_once(services, clock, murat, attention):
    """Two bot processes (own engines, own notifiers) sweep at the same instant, in threads."""
    subscribe(services, murat, working_days_only=False)
    other = build_services(services.settings, clock)
    recorders = [Recorder(), Recorder()]
    workers = [Jobs(svc, notifier(r)) for svc, r in zip((services, other), recorders, strict=True)]
    try:
        for day in ("2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28"):
            now = local(day, "08:30")
            start = threading.Barrier(2)

            def sweep(jobs: Jobs, now: datetime = now, start: threading.Barrier = start) -> None:
                start.wait()
                asyncio.run(jobs.due_digests(now))

            threads = [threading.Thread(target=sweep, args=(w,)) for w in workers]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
    finally:
        other.db.dispose()
    assert sum(len(r.sent) for r in recorders) == 5
    rows = [r for r in ledger_rows(services, "digest") if r.status == "sent"]
    assert len(rows) == 5 and all(r.attempts == 1 for r in rows)


def test_the_real_scheduler_fires_the_cron_job(services, clock, murat, attention):
    sub = subscribe(services, murat)
    recorder = Recorder()

    async def scenario() -> None:
        clock.now = local("2026-11-24", "08:00")
        scheduler = Scheduler(services, notifier(recorder))
        await scheduler.start()
        try:
            await asyncio.wait_for(scheduler.swept.wait(), 10)
            assert recorder.sent == []  # 08:00: not due yet
            job = scheduler.aps.get_job(f"digest:{sub.id}")
            assert (job.misfire_grace_time, job.coalesce, job.max_instances) == (21600, True, 1)
            assert str(job.trigger.timezone) == "Europe/Istanbul"
            assert job.next_run_time.astimezone(UTC).hour == 5  # 08:30 in Istanbul
            clock.now = local("2026-11-24", "08:30")
            job.modify(next_run_time=datetime.now(UTC))  # fire now rather than wait
            await asyncio.wait_for(recorder.posted.wait(), 10)
        finally:
            await scheduler.stop()

    run(scenario())
    assert len(recorder.sent) == 1


def test_subscribe_and_unsubscribe_re_derive_the_jobs(services, murat):
    recorder = Recorder("console")

    async def scenario() -> None:
        scheduler = Scheduler(services, notifier(recorder))
        await scheduler.start()
        dispatcher = Dispatcher(services)

        async def say(text: str) -> str:
            [reply] = await dispatcher.handle(Incoming("console", "room", str(murat.id), text))
            await scheduler.settled()  # the re-sync the command's commit asked for, if any
            return reply.text

        try:
            # After the first sweep (which also re-derives), only the commands' signal can.
            await asyncio.wait_for(scheduler.swept.wait(), 10)
            await say("/subscribe digest Mars/Olympus")  # refused: rolled back, no re-sync
            assert [j.id for j in scheduler.aps.get_jobs()] == ["sweep"]
            await say("/subscribe digest 09:15 Europe/Berlin")
            [job] = [j for j in scheduler.aps.get_jobs() if j.id.startswith("digest:")]
            assert str(job.trigger.timezone) == "Europe/Berlin"
            # APScheduler reads the real clock: the expectation comes from the same clock.
            working = Schedule(parse_hhmm("09:15"), BERLIN, parse_days("mon-fri"))
            assert job.next_run_time == working.next(datetime.now(UTC))
            assert job.next_run_time.astimezone(BERLIN).strftime("%H:%M") == "09:15"
            await say("/subscribe digest 07:00 Europe/Berlin daily")
            [job] = [j for j in scheduler.aps.get_jobs() if j.id.startswith("digest:")]
            assert "day_of_week='mon,tue,wed,thu,fri,sat,sun'" in repr(job.trigger)
            await say("/unsubscribe digest")
            assert [j for j in scheduler.aps.get_jobs() if j.id.startswith("digest:")] == []
        finally:
            await scheduler.stop()

    run(scenario())


def test_a_digest_reaches_the_console(services, clock, murat, attention):
    sub = subscribe(services, murat, platform="console", chat_id="console")
    out = io.StringIO()
    console = ConsoleAdapter(Dispatcher(services), murat.id, "en", stdout=out)
    jobs = Jobs(services, notifier(console))
    assert run(jobs.digest(sub.id, local("2026-11-24", "08:30"))).status == "sent"
    printed = out.getvalue()
    assert "[console] 📊 Daily digest · team of Murat Kaya · Nov 24, 2026" in printed
    assert "📎 pipeline.png (image/png" in printed
    assert "(/deal #1)" in printed
