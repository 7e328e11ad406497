"""The reminder scan: tasks at their due time, overdue tasks, and "your day", in private,
exactly once.

Run on every sweep (on the minute). Two kinds of task reminder share one ledger key, the task,
the instant it falls due (the snooze's end, when snoozed: a new "episode") and the rep's local
date, so whichever comes first that day is the only one:

- **due time**: when the task's due moment, or the rep's lead time before it (``/early``),
  arrives; on the rep's working days at any hour, because the hour is the one the rep chose
  (the bot's own defaults, a day without a time being due at the end of the working day, all
  fall within working hours); never on a day off. ``handlers.reminders.remind_at`` says when.
- **overdue**: within working hours only, at most once a day until done or snoozed.

So a task reminded at its time is not listed as overdue that day; if still open, it is the
next working day. A snoozed or re-dated task is a new episode and is reminded again.

Where a rep is reached: ``bot.notices.private_chats``. A message counts as delivered if any
of those chats took it, so a retry never repeats it where it did arrive.

Messages go out a few reps at a time; each batch's outcome is written in one transaction
right after it, so a crash leaves at most one batch of claims to the stale-claim rule.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.adapters.base import Notifier
from bot.notices import private_chats
from handlers import reminders as render
from handlers.kit import Reply, Services, Translator, WorkCalendar
from storage import reps as rep_store
from storage.models import Rep, RunLedger
from storage.schedule import ledger, reminders
from storage.schedule.ledger import Key, Policy
from storage.schedule.reminders import DueTask, Window

log = logging.getLogger(__name__)

BATCH = 10  # reps sent to at once; each batch's outcome is one transaction


@dataclass
class _Plan:
    """What one rep is sent this scan: the claimed tasks (due or overdue), and "your day"."""

    rep: Rep
    keys: dict[Key, int] = field(default_factory=dict)  # claimed ledger rows and their ids
    tasks: list[DueTask] = field(default_factory=list)
    day_key: dict[Key, int] = field(default_factory=dict)
    later: list[DueTask] = field(default_factory=list)


@dataclass
class _Result:
    keys: dict[Key, int]
    error: str | None = None
    remind: list[int] = field(default_factory=list)  # tasks to stamp ``last_reminded_at``


class Reminders:
    def __init__(
        self, services: Services, notifier: Notifier, policy: Policy, calendar: WorkCalendar
    ) -> None:
        self.services = services
        self.notifier = notifier
        self.policy = policy
        self.calendar = calendar

    def chats_of(self, rep: Rep) -> list[tuple[str, str]]:
        return private_chats(rep, self.notifier.platforms)

    async def scan(self, now: datetime) -> int:
        """Send what is due now; returns the number of messages delivered."""
        # The database work runs in a worker thread, so the adapters sharing this event loop
        # stay responsive while a morning's thousands of reminders are claimed and recorded.
        plans = await asyncio.to_thread(self._claim, now)
        sent = 0
        for start in range(0, len(plans), BATCH):
            batch = plans[start : start + BATCH]
            sends = [self._send(plan, now) for plan in batch]
            results = [r for rs in await asyncio.gather(*sends) for r in rs]
            await asyncio.to_thread(self._record, results, now)
            sent += sum(1 for r in results if r.error is None)
        return sent

    def _claim(self, now: datetime) -> list[_Plan]:
        db, cal = self.services.db, self.calendar
        since = now - render.LATE
        with db.session() as session:
            everyone = [r for r in rep_store.all_reps(session) if r.active and r.id is not None]
            # Due-time reminders go out at any hour of a working day; the rest within hours.
            on_duty = [
                r
                for r in everyone
                if (cal.working_day(r, now) or cal.working_day(r, since)) and self.chats_of(r)
            ]
            if not on_duty:
                return []
            working = [r for r in on_duty if cal.working(r, now)]
            morning = [r for r in working if cal.working(r, now, morning=True)]
            overdue = reminders.overdue_unreminded(session, cal.groups(working, now), now)
            later = reminders.due_later_today(session, cal.groups(morning, now), now)
            upcoming = reminders.due_within(session, self._windows(on_duty, now))
        by_id = {r.id: r for r in on_duty}
        due = [task for task in upcoming if self._due(task, by_id[task.assignee_id], now)]
        today = {r.id: now.astimezone(cal.tz(r)).date() for r in on_duty}
        wanted: dict[Key, tuple[int, DueTask | None]] = {}
        for task in (*overdue, *due):  # the same task from both: one key, one reminder
            key = Key("reminder", task.episode, today[task.assignee_id])
            wanted[key] = (task.assignee_id, task)
        for rep_id in dict.fromkeys(task.assignee_id for task in later):
            wanted[Key("your-day", f"rep:{rep_id}", today[rep_id])] = (rep_id, None)
        if not wanted:
            return []
        # "Your day" is wanted all morning once sent: check first, to spare the steady state
        # a write transaction. Overdue tasks are wanted only until reminded, so go straight on.
        days = [k for k in wanted if k.job == "your-day"]
        with db.session() as session:
            seen = ledger.rows(session, days)
        claimable = [k for k in wanted if k not in seen or self.policy.may_retake(seen[k], now)]
        if not claimable:
            return []
        with db.session(write=True) as session:
            won = ledger.claim(session, claimable, now, self.policy)
        plans: dict[int, _Plan] = {}
        later_by_rep: dict[int, list[DueTask]] = defaultdict(list)
        for task in later:
            later_by_rep[task.assignee_id].append(task)
        for key in wanted:
            if key not in won:
                continue
            rep_id, task = wanted[key]
            plan = plans.setdefault(rep_id, _Plan(by_id[rep_id], later=later_by_rep[rep_id]))
            if task is None:
                plan.day_key[key] = won[key]
            else:
                plan.keys[key] = won[key]
                plan.tasks.append(task)
        ordered = [plans[rep_id] for rep_id in sorted(plans)]
        self._name_customers(ordered, now)
        return ordered

    @staticmethod
    def _lead(rep: Rep) -> timedelta:
        return timedelta(minutes=max(rep.remind_before_minutes or 0, 0))

    def _windows(self, reps: list[Rep], now: datetime) -> list[Window]:
        """Per lead time, the due times whose reminder may be due now: from ``LATE`` ago (a
        task reminded at its due time itself) to the lead ahead."""
        by_lead: dict[timedelta, list[int]] = defaultdict(list)
        for rep in reps:
            by_lead[self._lead(rep)].append(rep.id or 0)
        since = now - render.LATE
        return [Window(ids, since, now + lead) for lead, ids in sorted(by_lead.items())]

    def _due(self, task: DueTask, rep: Rep, now: datetime) -> bool:
        """Whether the task's due-time reminder is due now: its moment has come (by less than
        ``LATE``), on one of the rep's working days, and it has not been reminded since."""
        moment = render.remind_at(task, self._lead(rep))
        if moment is None or not now - render.LATE < moment <= now:
            return False
        if task.last_reminded_at is not None and task.last_reminded_at >= moment:
            return False
        return self.calendar.working_day(rep, moment)

    def _name_customers(self, plans: list[_Plan], now: datetime) -> None:
        """Customer names for the tasks the messages will list (one query for all)."""
        for plan in plans:
            plan.tasks.sort(key=lambda task: (task.effective_due, task.id))
        listed = [
            t for p in plans for t in (*render.listed(p.tasks, now), *p.later[: render.LISTED])
        ]
        with self.services.db.session() as session:
            named = {t.id: t for t in reminders.with_customers(session, listed)}
        for plan in plans:
            plan.tasks = [named.get(t.id, t) for t in plan.tasks]
            plan.later = [named.get(t.id, t) for t in plan.later]

    async def _send(self, plan: _Plan, now: datetime) -> list[_Result]:
        rep = plan.rep
        t = Translator(rep.language or self.services.settings.crm_language)
        tz = self.calendar.tz(rep)
        results = []
        if plan.day_key:
            today = next(iter(plan.day_key)).run_date
            reply = render.your_day(plan.later, t, tz, today)
            results.append(_Result(plan.day_key, await self._deliver(rep, reply)))
        if plan.keys:
            error = await self._deliver(rep, render.reminder(plan.tasks, t, tz, now))
            remind = [] if error else [task.id for task in plan.tasks]
            results.append(_Result(plan.keys, error, remind))
        return results

    async def _deliver(self, rep: Rep, reply: Reply) -> str | None:
        """Send to each of the rep's chats; None if any took it, else the errors."""
        chats = self.chats_of(rep)
        errors = []
        for platform, chat_id in chats:
            try:
                await self.notifier.send(platform, chat_id, [reply])
            except Exception as problem:
                log.error(
                    "reminder to %s %s (rep #%s) failed: %s", platform, chat_id, rep.id, problem
                )
                errors.append(f"{platform}: {type(problem).__name__}: {problem}")
        return "; ".join(errors) if errors and len(errors) == len(chats) else None

    def _record(self, results: list[_Result], now: datetime) -> None:
        failed: list[tuple[_Result, list[RunLedger]]] = []
        with self.services.db.session(write=True) as session:
            delivered = [i for r in results if r.error is None for i in r.keys.values()]
            ledger.finish_ids(session, delivered, now)
            reminders.mark_reminded(session, [i for r in results for i in r.remind], now)
            for r in results:
                if r.error is not None:
                    failed.append(
                        (r, ledger.fail(session, list(r.keys), now, r.error, self.policy))
                    )
        for r, spent in failed:
            if spent:
                first = next(iter(r.keys))
                log.error(
                    "giving up on %s %s %s (%d sends) after %d attempts",
                    first.job, first.target, first.run_date, len(r.keys), spent[0].attempts,
                )  # fmt: skip
