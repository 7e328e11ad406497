"""APScheduler 3 inside the bot's event loop: when to run the jobs of ``bot.jobs``.

Not PTB's JobQueue: that is Telegram-only. An ``AsyncIOScheduler`` is started in the running
loop by ``serve()`` once the adapters are up (``bot.cli.BACKGROUND``), with the in-memory job
store: jobs are *derived* from the database, never stored. There are two kinds:

- one ``CronTrigger`` job per active subscription (its time and timezone, its weekdays),
  re-derived at start-up, right after ``/subscribe`` or ``/unsubscribe`` commits (the
  ``subscriptions_changed`` hook of the services) and on every sweep, which also picks up
  changes made through another bot process;
- one ``sweep`` job every ``CRM_SCHEDULER_SWEEP_MINUTES``, on the minute (a task due at
  10:00 is reminded at 10:00:00, not at whatever second the bot started): the reminder scan,
  retries of failed sends, and the catch-up of digests missed within the grace window. One
  more sweep runs at once on start-up, which is the catch-up: the in-memory store knows
  nothing of downtime, the run ledger and the clock do. Sweeps never overlap.

Job options, deliberately: ``coalesce=True`` so that a loop stalled past several run times
runs a job once, not once per missed time (the job itself works out what is due from the
clock anyway); ``misfire_grace_time`` = the grace window (``CRM_DIGEST_GRACE_HOURS``) for
digests, so a late run still posts, where the default of one second would silently drop it;
``max_instances=1`` so a slow digest never overlaps itself. None of this gives exactly-once
across processes; the run ledger does (``storage.schedule.ledger``).

Job functions take "now" from ``services.clock``, so tests drive them with a fake clock, and
``tick(now)`` runs one sweep directly.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.adapters.base import Notifier
from bot.jobs import Jobs, Outcome
from handlers.kit import MonthlySchedule, Schedule, Services
from storage.models import Subscription
from storage.schedule import subscriptions

log = logging.getLogger(__name__)

STOP_GRACE = 30.0  # seconds a stop waits for a digest or sweep under way
SWEEP_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # sweeps fall on whole minutes counted from it


def trigger(schedule: Schedule | MonthlySchedule) -> CronTrigger:
    return CronTrigger(
        **schedule.cron,
        hour=schedule.at.hour,
        minute=schedule.at.minute,
        timezone=schedule.tz,
    )


def sweep_trigger(every: timedelta) -> IntervalTrigger:
    """Every ``every``, on the minute: runs fall on whole multiples of it from a midnight, so a
    due-time reminder goes out in the minute asked whenever the bot was started."""
    return IntervalTrigger(seconds=int(every.total_seconds()), start_date=SWEEP_EPOCH, timezone=UTC)


class Scheduler:
    """A ``Background`` for ``serve()``: ``Scheduler(services, notifier)``."""

    def __init__(self, services: Services, notifier: Notifier) -> None:
        self.services = services
        self.jobs = Jobs(services, notifier)
        settings = services.settings
        self.sweep_every = timedelta(minutes=settings.crm_scheduler_sweep_minutes)
        self.aps = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={
                "coalesce": True,
                "misfire_grace_time": int(self.jobs.grace.total_seconds()),
                "max_instances": 1,
            },
        )
        self.swept = asyncio.Event()  # set after each sweep (tests wait on it)
        self.last_sweep: tuple[dict[int, Outcome], int] | None = None
        self._derived: dict[str, tuple[str, str, str]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._asked: set[asyncio.Task[Any]] = set()  # re-syncs and deliveries asked for
        self._running: set[asyncio.Task[Any]] = set()
        self._syncing = asyncio.Lock()  # one sync at a time: a late read never wins
        self._sweeping = asyncio.Lock()  # the start-up sweep and the first timed one in turn

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.aps.start()  # binds to the running loop
        await self.sync()
        self.aps.add_job(
            self._sweep,
            sweep_trigger(self.sweep_every),
            id="sweep",
            coalesce=True,
            misfire_grace_time=int(self.sweep_every.total_seconds()),
        )
        self.aps.add_job(self._sweep, id="catch-up")  # once, at once: the start-up catch-up
        self.services.hooks.subscriptions_changed.connect(self.resync_soon)
        self.services.hooks.notices.connect(self.deliver_soon)

    async def stop(self) -> None:
        """No new runs; a digest or sweep under way finishes (within ``STOP_GRACE``)."""
        self.services.hooks.subscriptions_changed.disconnect(self.resync_soon)
        self.services.hooks.notices.disconnect(self.deliver_soon)
        if not self.aps.running:
            return
        self.aps.pause()  # no new runs; shutting down now would cancel the running ones
        busy = self._running | self._asked
        if busy:
            _, late = await asyncio.wait(busy, timeout=STOP_GRACE)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        self.aps.shutdown(wait=False)
        await asyncio.sleep(0)  # let the shutdown, queued with call_soon, run

    async def _tracked(self, what: str, work: Awaitable[None]) -> None:
        """Run a job so that ``stop`` can wait for it; interrupted only past the grace."""
        task = asyncio.current_task()
        assert task is not None
        self._running.add(task)
        try:
            await work
        except asyncio.CancelledError:
            log.warning("%s interrupted: the bot stopped while it ran", what)
        finally:
            self._running.discard(task)

    def resync_soon(self) -> None:
        """``sync`` on the scheduler's loop, from any thread (a command's, after it commits)."""
        self._soon(self.sync)

    def deliver_soon(self) -> None:
        """Deliver the notices a command just wrote, from its thread, after it commits."""
        self._soon(lambda: self.jobs.courier.deliver(self.services.clock()))

    def _soon(self, work: Callable[[], Awaitable[Any]]) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._start, work)

    def _start(self, work: Callable[[], Awaitable[Any]]) -> None:
        task = asyncio.ensure_future(work())
        self._asked.add(task)
        task.add_done_callback(self._asked.discard)

    async def settled(self) -> None:
        """Wait for the re-syncs and deliveries that commands have asked for so far."""
        while self._asked:
            await asyncio.gather(*self._asked)

    def _active(self) -> list[Subscription]:
        with self.services.db.session() as session:
            return subscriptions.active(session, kind=None)

    async def sync(self) -> None:
        """Make the jobs match the active subscriptions, digests and reports (add, re-time,
        remove)."""
        async with self._syncing:
            active = await asyncio.to_thread(self._active)  # the query stays off the loop
            self._derive(active)

    def _derive(self, active: list[Subscription]) -> None:
        wanted: dict[str, tuple[int, Schedule | MonthlySchedule]] = {}
        for sub in active:
            try:
                job = "report" if sub.kind.startswith("report:") else "digest"
                wanted[f"{job}:{sub.id}"] = (sub.id or 0, self.jobs.schedule(sub))
            except (ValueError, KeyError) as problem:
                log.error("subscription %s cannot be scheduled: %s", sub.id, problem)
        for job_id in set(self._derived) - set(wanted):
            if self.aps.get_job(job_id) is not None:
                self.aps.remove_job(job_id)
            del self._derived[job_id]
        for job_id, (sub_id, schedule) in wanted.items():
            signature = (schedule.at.isoformat(), str(schedule.tz), str(schedule.cron))
            if self._derived.get(job_id) == signature:
                continue
            self.aps.add_job(
                self._run_digest,
                trigger(schedule),
                args=[sub_id],
                id=job_id,
                replace_existing=True,
            )
            self._derived[job_id] = signature

    async def _run_digest(self, sub_id: int) -> None:
        async def run() -> None:
            outcome = await self.jobs.digest(sub_id, self.services.clock())
            log.info("digest job for subscription %s: %s", sub_id, outcome.status)

        await self._tracked(f"the digest of subscription {sub_id}", run())

    async def _sweep(self) -> None:
        async def run() -> None:
            async with self._sweeping:
                try:
                    await self.sync()
                    self.last_sweep = await self.tick()
                except Exception:
                    self.jobs.metrics.ran("sweep", "error")
                    raise
                self.jobs.metrics.ran("sweep", "ok")

        try:
            await self._tracked("the sweep", run())
        finally:
            self.swept.set()

    async def tick(self, now: datetime | None = None) -> tuple[dict[int, Outcome], int]:
        """One sweep at ``now`` (the clock's time by default)."""
        return await self.jobs.tick(now or self.services.clock())
