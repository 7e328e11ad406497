"""The scheduled work itself: digests, reports, reminders, "your day", each sent exactly once.

Nothing here knows APScheduler: every entry point takes ``now`` (from the injected clock) and
decides from the database alone, so a test, the start-up catch-up, the periodic sweep and a
cron job firing on time all go through the same code, and a restart or a second bot process
reaches the same decisions. The run ledger (``storage.schedule.ledger``) is consulted and claimed
before anything is sent.

Digest rules (reminders: ``bot.reminding``; calendar arithmetic: ``handlers.kit.timing``):
- A digest is due at its ``at_time`` in its own timezone, on working days unless the
  subscription is daily; the ledger row is keyed by that *local* date, so a DST change or a
  cron trigger firing twice in a repeated hour (it does, on the autumn change) posts once.
- A digest missed by at most the grace window is sent late (catch-up after downtime, retries
  after a failed send); one missed by more is recorded ``skipped`` and logged, once.
- A subscription made after today's time starts tomorrow.
- An empty digest (nothing changed, nothing to act on) is recorded ``skipped``, not posted.

Report subscriptions (``handlers.report_posts``) follow the same rules and the same ledger,
keyed ``report:<kind>`` by chat and local date; a report is posted even when its figures are
all zero (a week without a win is news to a manager).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from bot.adapters.base import Notifier
from bot.notices import Courier
from bot.reminding import Reminders
from handlers import digest as digests
from handlers import report_posts
from handlers.kit import MonthlySchedule, Reply, Schedule, Services, WorkCalendar, schedule_of
from storage import audit_chain, retention
from storage.models import Subscription
from storage.schedule import ledger, subscriptions
from storage.schedule.ledger import Key, Policy

log = logging.getLogger(__name__)

LEDGER_KEEP = timedelta(days=60)


@dataclass(frozen=True)
class Outcome:
    """What a scheduled run did, for logs and tests: sent | empty | late | failed | taken | …"""

    status: str
    detail: str = ""


class Jobs:
    def __init__(self, services: Services, notifier: Notifier, policy: Policy | None = None):
        self.services = services
        self.notifier = notifier
        self.policy = policy or Policy()
        self.calendar = WorkCalendar.from_settings(services.settings)
        self.grace = self.calendar.grace
        self.reminding = Reminders(services, notifier, self.policy, self.calendar)
        self.courier = Courier(services, notifier)
        self.metrics = notifier.metrics
        self._pruned: date | None = None

    def schedule(self, sub: Subscription) -> Schedule | MonthlySchedule:
        return schedule_of(self.services.settings, sub)

    async def digest(
        self, sub_id: int, now: datetime, shared: dict[str, Any] | None = None
    ) -> Outcome:
        """``post``, counted by its outcome (digests and report posts alike: job "digest")."""
        outcome = await self.post(sub_id, now, shared)
        self.metrics.ran("digest", outcome.status)
        return outcome

    async def post(
        self, sub_id: int, now: datetime, shared: dict[str, Any] | None = None
    ) -> Outcome:
        """Post subscription ``sub_id``'s latest due digest, or report, unless it was already
        handled.

        The ledger work and the queries run in worker threads; only the sending itself runs
        on the event loop, which the adapters share. A report whose subscriber may no longer
        see its scope posts its refusal once and the subscription stops. ``shared``: what
        the digests of one run compute once (``handlers.digest.build``)."""
        claimed = await asyncio.to_thread(self._claim_digest, sub_id, now)
        if isinstance(claimed, Outcome):
            return claimed
        sub, key = claimed
        try:
            withheld, replies = await asyncio.to_thread(self._build, sub_id, now, shared)
        except Exception as problem:
            log.exception("building the %s for %s failed", key.job, key.target)
            return await asyncio.to_thread(self._failed, key, now, problem)
        if withheld == "empty":
            await asyncio.to_thread(self._skip, key, now, "empty", ("pending",))
            log.info("digest for %s on %s is empty: not posted", key.target, key.run_date)
            return Outcome("empty")
        try:
            await self.notifier.send(sub.platform, sub.chat_id, replies)
        except Exception as problem:
            log.error("%s to %s failed: %s", key.job, key.target, problem)
            return await asyncio.to_thread(self._failed, key, now, problem)
        await asyncio.to_thread(self._finish, key, now)
        if withheld == "refused":
            await asyncio.to_thread(self._stop, sub)
            log.warning("report subscription %s refused at run time: stopped", sub_id)
            return Outcome("refused")
        return Outcome("sent", str(len(replies)))

    def _claim_digest(self, sub_id: int, now: datetime) -> Outcome | tuple[Subscription, Key]:
        """Whether this digest is due and ours to send: the claimed ledger key, or why not."""
        db = self.services.db
        with db.session() as session:
            sub = subscriptions.get(session, sub_id)
        if sub is None or not sub.active:
            return Outcome("inactive")
        due = self.schedule(sub).latest(now)
        if due is None or due[1] < sub.created_at:
            return Outcome("not-due")
        day, at = due
        key = Key(sub.kind, digests.target_of(sub.platform, sub.chat_id), day)
        if sub.platform not in self.notifier.platforms:
            log.info("%s for %s waits: no %s adapter is running", key.job, key.target, sub.platform)
            return Outcome("unreachable")
        late = now - at
        with db.session() as session:
            row = ledger.rows(session, [key]).get(key)
        if late > self.grace:
            if row is None or row.status == "failed":
                self._skip(key, now, f"missed by {late}", ("failed",))
                log.warning(
                    "%s for %s on %s missed by %s (grace %s): skipped",
                    key.job, key.target, day, late, self.grace,
                )  # fmt: skip
                return Outcome("late", str(late))
            return Outcome(row.status)
        if row is not None and not self.policy.may_retake(row, now):
            return Outcome(row.status)
        with db.session(write=True) as session:
            if not ledger.claim(session, [key], now, self.policy):
                return Outcome("taken")
        return sub, key

    def _skip(self, key: Key, now: datetime, why: str, over: tuple[str, ...]) -> None:
        with self.services.db.session(write=True) as session:
            ledger.skip(session, key, now, why, over=over)

    def _finish(self, key: Key, now: datetime) -> None:
        with self.services.db.session(write=True) as session:
            ledger.finish(session, [key], now)

    def _build(
        self, sub_id: int, now: datetime, shared: dict[str, Any] | None = None
    ) -> tuple[str, list[Reply]]:
        """Runs in a worker thread: the queries and the chart stay off the event loop. Returns
        why the post is withheld ("empty" digest) or replaced ("refused" report), or ""."""
        settings = self.services.settings
        with self.services.db.session() as session:
            sub = subscriptions.get(session, sub_id)
            assert sub is not None
            if sub.kind != "digest":
                refused, replies = report_posts.build(session, settings, sub, now)
                return ("refused" if refused else ""), replies
            data, replies = digests.for_subscription(session, settings, sub, now, shared)
        return ("empty" if data.empty else ""), replies

    def _stop(self, sub: Subscription) -> None:
        with self.services.db.session(write=True) as session:
            subscriptions.deactivate(session, sub.platform, sub.chat_id, sub.kind)

    def _failed(self, key: Key, now: datetime, problem: BaseException) -> Outcome:
        text = f"{type(problem).__name__}: {problem}"
        with self.services.db.session(write=True) as session:
            spent = ledger.fail(session, [key], now, text, self.policy)
        for row in spent:
            log.error(
                "giving up on %s %s %s after %d attempts",
                row.job, row.target, row.run_date, row.attempts,
            )  # fmt: skip
        return Outcome("failed", text)

    def _active_ids(self) -> list[int]:
        with self.services.db.session() as session:
            return [s.id for s in subscriptions.active(session, kind=None) if s.id is not None]

    async def due_digests(self, now: datetime) -> dict[int, Outcome]:
        """Every active subscription, digest or report: post what is due and not yet handled
        (catch-up, retry)."""
        ids = await asyncio.to_thread(self._active_ids)
        outcomes: dict[int, Outcome] = {}
        shared: dict[str, Any] = {}
        for sub_id in ids:
            try:
                outcomes[sub_id] = await self.digest(sub_id, now, shared)
            except Exception as problem:  # one broken subscription must not stop the others
                log.exception("digest job for subscription %s failed", sub_id)
                outcomes[sub_id] = Outcome("error", str(problem))
                self.metrics.ran("digest", "error")
        return outcomes

    async def reminders(self, now: datetime) -> int:
        """Overdue-task reminders and "your day" messages due now; returns messages sent."""
        try:
            sent = await self.reminding.scan(now)
        except Exception:
            self.metrics.ran("reminders", "error")
            raise
        self.metrics.ran("reminders", "sent" if sent else "none")
        return sent

    async def tick(self, now: datetime) -> tuple[dict[int, Outcome], int]:
        """One sweep: due digests (catch-up and retries), reminders, notices, the daily prune."""
        outcomes = await self.due_digests(now)
        sent = await self.reminders(now)
        delivered = await self.courier.deliver(now)  # notices not delivered at once
        self.metrics.ran("notices", "sent" if delivered else "none")
        if self._pruned != now.date():
            await asyncio.to_thread(self._prune, (now - LEDGER_KEEP).date())
            await asyncio.to_thread(self._retain, now)
            await asyncio.to_thread(self._refresh_quality, now)
            self._pruned = now.date()
        await asyncio.to_thread(self._link_audit_trail)
        return outcomes, sent

    def _retain(self, now: datetime) -> None:
        """Once a day: purge the interactions of customers inactive for CRM_RETENTION_YEARS,
        or, until CRM_RETENTION_APPLY is set, only say what would go (dry run first)."""
        settings = self.services.settings
        if settings.crm_retention_years <= 0:
            return
        cutoff = now - timedelta(days=round(365.25 * settings.crm_retention_years))
        with self.services.db.session(write=settings.crm_retention_apply) as session:
            found = retention.due(session, cutoff)
            if settings.crm_retention_apply:
                retention.purge(session, found, now)
        if found.customers:
            verb = "purged" if settings.crm_retention_apply else "would purge (dry run)"
            log.warning(
                "retention: %s %d interactions of %d customers inactive since %s",
                verb, found.interactions, len(found.customers), cutoff.date(),
            )  # fmt: skip

    def _refresh_quality(self, now: datetime) -> None:
        """Once a day: the data-quality findings every Monday digest reads (``QUALITY_MAX_AGE``
        old at most). Two processes may both refresh; the later one's figures stay."""
        try:
            with self.services.db.session(write=True) as session:
                digests.refresh_quality(session, self.services.settings, now)
        except IntegrityError:
            log.info("the quality snapshot was refreshed by another process meanwhile")

    def _link_audit_trail(self) -> None:
        """Extend the audit trail's hash chain by what committed since the last sweep. Two
        processes may race for the same rows: one wins, the other's links are refused by the
        chain's unique sequence and it tries again on its next sweep."""
        try:
            with self.services.db.session(write=True) as session:
                audit_chain.extend(session)
        except IntegrityError:
            log.info("the audit chain was extended by another process meanwhile")

    def _prune(self, before: date) -> None:
        with self.services.db.session(write=True) as session:
            ledger.prune(session, before)
