"""Scheduled reports: posted at their local time across DST, once whatever restarts or second
processes happen, caught up inside the grace window only, stopped by /unsubscribe, and refused
(once) when the subscriber may no longer see the figures.

Time is the injected FakeClock; the real AsyncIOScheduler runs in the test's own loop and a job
that must fire is made due at once and awaited on an Event (no sleeps).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.app import build_services
from bot.dispatcher import Dispatcher
from bot.jobs import Jobs
from bot.scheduler import Scheduler, trigger
from handlers.kit import Incoming, MonthlySchedule, Services, Translator, parse_hhmm
from storage.models import Rep, Subscription
from tests.conftest import Chat, add_customer, add_deal, add_rep
from tests.scheduling import Recorder, ledger_rows, local, notifier, subscribe

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def murat(services: Services) -> Rep:
    return add_rep(services, "Murat Kaya", role="manager", language="en")


@pytest.fixture
def ayse(services: Services, murat: Rep) -> Rep:
    return add_rep(services, "Ayşe Yılmaz", manager_id=murat.id)


def won(services: Services, owner: Rep, closed: datetime, amount: str = "1000") -> None:
    acme = add_customer(services, f"Acme {closed:%m%d}")
    add_deal(
        services,
        acme,
        f"Won {closed:%m%d}",
        amount,
        "Won",
        owner_id=owner.id,
        created_at=closed - timedelta(days=20),
        closed_at=closed,
    )


def weekly(services: Services, rep: Rep, **fields) -> Subscription:
    """Murat's win-rate report for his team, Mondays 09:00 in Berlin, last week."""
    values = {
        "kind": "report:winrate",
        "at_time": "09:00",
        "timezone": "Europe/Berlin",
        "scope": "team",
        "scope_rep_id": None,
        "cadence": "weekly",
        "cadence_day": 0,
        "period": "last week",
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    values.update(fields)
    return subscribe(services, rep, **values)


def run(coro):
    return asyncio.run(coro)


def test_posts_at_local_time_across_dst_the_same_report_as_typed(services, clock, murat, ayse):
    """Berlin moves to summer time on Sunday 29 March 2026: 09:00 is 08:00 UTC on Monday the
    23rd and 07:00 UTC on Monday the 30th. Each post covers the week before it."""
    won(services, ayse, datetime(2026, 3, 18, 10, tzinfo=UTC))
    won(services, ayse, datetime(2026, 3, 25, 10, tzinfo=UTC), "5000")
    sub = weekly(services, murat, created_at=datetime(2026, 3, 20, tzinfo=UTC))
    recorder = Recorder()
    jobs = Jobs(services, notifier(recorder))
    assert run(jobs.digest(sub.id, datetime(2026, 3, 23, 7, 59, tzinfo=UTC))).status == "not-due"
    assert run(jobs.digest(sub.id, datetime(2026, 3, 23, 8, tzinfo=UTC))).status == "sent"
    # 06:59 UTC on the 30th is 08:59 in summer time: the latest run is still the 23rd's, sent.
    assert run(jobs.digest(sub.id, datetime(2026, 3, 30, 6, 59, tzinfo=UTC))).status == "sent"
    assert len(recorder.sent) == 1
    assert run(jobs.digest(sub.id, datetime(2026, 3, 30, 7, tzinfo=UTC))).status == "sent"
    assert len(recorder.sent) == 2
    assert [str(r.run_date) for r in ledger_rows(services, "report:winrate")] == [
        "2026-03-23",
        "2026-03-30",
    ]
    t = Translator("en")
    (_, [first]), (chat, [second]) = recorder.sent
    assert chat == "-1001"
    assert first.text.startswith(f"Win rate · {t.date(date(2026, 3, 16))} – ")
    assert "(₺1,000 won, ₺0 lost)" in first.text
    assert second.text.startswith(f"Win rate · {t.date(date(2026, 3, 23))} – ")
    assert "(₺5,000 won, ₺0 lost)" in second.text
    # The post is what Murat gets when he types the same report: text, chart, buttons.
    clock.now = datetime(2026, 3, 30, 7, tzinfo=UTC)
    typed = Chat(services, murat).say("/report winrate 2026-03-23..2026-03-29 team")
    assert second.text == typed.text
    assert [b.command for b in second.buttons] == [b.command for b in typed.buttons]
    assert [(a.filename, a.mime, a.data) for a in second.attachments] == [
        (a.filename, a.mime, a.data) for a in typed.attachments
    ]
    assert [a.mime for a in second.attachments] == ["image/png"]  # the chart, drawn alike
    assert second.buttons[-1].command == "/report winrate 2026-03-23..2026-03-29 team csv"


def test_monthly_schedule_matches_the_cron_trigger_across_dst():
    """The last day of each month at 08:00 in Berlin, through the October change."""
    schedule = MonthlySchedule(parse_hhmm("08:00"), BERLIN, 0)
    cron = trigger(schedule)
    now = datetime(2026, 8, 15, tzinfo=UTC)
    fired = None
    days = []
    for _ in range(4):
        fired = cron.get_next_fire_time(fired, now)
        assert schedule.next(now) == fired
        assert schedule.latest(fired) == (fired.astimezone(BERLIN).date(), fired)
        days.append((fired.astimezone(BERLIN).date().isoformat(), fired.astimezone(UTC).hour))
        now = fired
    assert days == [("2026-08-31", 6), ("2026-09-30", 6), ("2026-10-31", 7), ("2026-11-30", 7)]
    first = MonthlySchedule(parse_hhmm("09:00"), BERLIN, 1)
    assert first.latest(datetime(2026, 3, 1, 7, 59, tzinfo=UTC))[0] == date(2026, 2, 1)
    assert first.latest(datetime(2026, 3, 1, 8, tzinfo=UTC))[0] == date(2026, 3, 1)


def test_a_monthly_report_covers_last_month(services, murat, ayse):
    won(services, ayse, datetime(2026, 10, 20, 10, tzinfo=UTC))
    sub = weekly(services, murat, cadence="monthly", cadence_day=1, period="last month")
    recorder = Recorder()
    jobs = Jobs(services, notifier(recorder))
    assert run(jobs.digest(sub.id, local("2026-11-01", "09:00", BERLIN))).status == "sent"
    [(_, [post])] = recorder.sent
    assert post.text.startswith("Win rate · Oct 1, 2026 – Oct 31, 2026 · Murat Kaya's team")


def test_two_processes_post_exactly_once(services, clock, murat):
    weekly(services, murat, cadence="daily", cadence_day=None, period="yesterday")
    other = build_services(services.settings, clock)
    recorders = [Recorder(), Recorder()]
    workers = [Jobs(svc, notifier(r)) for svc, r in zip((services, other), recorders, strict=True)]
    try:
        for day in ("2026-11-24", "2026-11-25", "2026-11-26"):
            now = local(day, "09:00", BERLIN)
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
    assert sum(len(r.sent) for r in recorders) == 3
    rows = [r for r in ledger_rows(services, "report:winrate") if r.status == "sent"]
    assert len(rows) == 3 and all(r.attempts == 1 for r in rows)


@pytest.mark.parametrize(("restart", "posted"), [("15:00", True), ("15:01", False)])
def test_missed_while_down_is_posted_once_within_the_grace_window(
    services, clock, murat, caplog, restart, posted
):
    weekly(services, murat)
    clock.now = local("2026-11-23", restart, BERLIN)  # six hours' grace after 09:00
    recorder = Recorder()

    async def restart_the_bot() -> None:
        for _ in range(2):  # a second restart finds it handled
            scheduler = Scheduler(services, notifier(recorder))
            await scheduler.start()
            try:
                await asyncio.wait_for(scheduler.swept.wait(), 10)
            finally:
                await scheduler.stop()

    with caplog.at_level(logging.WARNING, logger="bot.jobs"):
        run(restart_the_bot())
    assert len(recorder.sent) == (1 if posted else 0)
    [row] = ledger_rows(services, "report:winrate")
    assert row.status == ("sent" if posted else "skipped")
    if not posted:
        assert "report:winrate for telegram:-1001 on 2026-11-23 missed by 6:01:00" in caplog.text


def test_the_real_scheduler_fires_and_unsubscribe_removes_the_job(services, clock, murat):
    recorder = Recorder("console")

    async def scenario() -> None:
        clock.now = local("2026-11-23", "08:00", BERLIN)
        scheduler = Scheduler(services, notifier(recorder))
        await scheduler.start()
        dispatcher = Dispatcher(services)

        async def say(text: str) -> str:
            [reply] = await dispatcher.handle(Incoming("console", "room", str(murat.id), text))
            await scheduler.settled()
            return reply.text

        try:
            await asyncio.wait_for(scheduler.swept.wait(), 10)
            await say("/subscribe report winrate weekly mon 09:00 Europe/Berlin")
            [job] = [j for j in scheduler.aps.get_jobs() if j.id.startswith("report:")]
            assert str(job.trigger.timezone) == "Europe/Berlin"
            assert "day_of_week='mon'" in repr(job.trigger)
            assert job.misfire_grace_time == 21600
            clock.now = local("2026-11-23", "09:00", BERLIN)  # subscribed at 08:00: due today
            job.modify(next_run_time=datetime.now(UTC))  # fire now rather than wait
            await asyncio.wait_for(recorder.posted.wait(), 10)
            await scheduler.tick()  # a sweep at the same moment: already sent
            assert len(recorder.sent) == 1
            await say("/unsubscribe report winrate")
            assert [j for j in scheduler.aps.get_jobs() if j.id.startswith("report:")] == []
            clock.now = local("2026-11-30", "09:00", BERLIN)
            await scheduler.tick()
        finally:
            await scheduler.stop()

    run(scenario())
    assert len(recorder.sent) == 1
    assert recorder.sent[0][1][0].text.startswith("Win rate · Nov 16, 2026 – Nov 22, 2026")


def test_scope_refused_at_run_time_is_posted_once_and_stops(services, murat, ayse):
    won(services, ayse, datetime(2026, 11, 18, 10, tzinfo=UTC))
    sub = weekly(services, murat)
    with services.db.session(write=True) as s:
        demoted = s.get(Rep, murat.id)
        demoted.role = "rep"
    recorder = Recorder()
    jobs = Jobs(services, notifier(recorder))
    assert run(jobs.digest(sub.id, local("2026-11-23", "09:00", BERLIN))).status == "refused"
    assert run(jobs.digest(sub.id, local("2026-11-23", "09:30", BERLIN))).status == "inactive"
    assert run(jobs.due_digests(local("2026-11-30", "09:00", BERLIN))) == {}
    [(_, [post])] = recorder.sent
    assert post.text == (
        "Murat Kaya subscribed this chat to the Win rate report, but may no longer see those"
        " figures: the subscription is stopped. A manager can subscribe again with"
        " /subscribe report."
    )
    assert "won" not in post.text and not post.buttons
    with services.db.session() as s:
        assert s.get(Subscription, sub.id).active is False


def move(services: Services, rep: Rep, manager: Rep) -> None:
    with services.db.session(write=True) as s:
        s.get(Rep, rep.id).manager_id = manager.id


def test_turkish_subscriber_gets_the_report_and_the_refusal_in_turkish(services, murat, ayse):
    mehmet = add_rep(services, "Mehmet Demir", role="manager", language="tr")
    move(services, ayse, mehmet)
    sub = weekly(services, mehmet, scope="rep", scope_rep_id=ayse.id, period="geçen hafta")
    recorder = Recorder()
    jobs = Jobs(services, notifier(recorder))
    run(jobs.digest(sub.id, local("2026-11-23", "09:00", BERLIN)))
    assert recorder.texts()[0].startswith("Kazanma oranı · 16 Kas 2026")
    assert "Ayşe Yılmaz" in recorder.texts()[0]
    move(services, ayse, murat)  # Ayşe moved to Murat's team: Mehmet may not see her now
    run(jobs.digest(sub.id, local("2026-11-30", "09:00", BERLIN)))
    assert recorder.texts()[1].startswith(
        "Mehmet Demir'in bu sohbete abone ettiği Kazanma oranı raporu durduruldu"
    )
