"""The reminder scan's queries: which open tasks to remind whom of, over any number of tasks.

Each query is one statement for every rep being scanned, whatever the number of tasks:
reps are grouped by timezone (their "today" starts at a different instant) and each group is
one OR-ed clause. ``due_at <= now`` is stated beside the effective-due test so that the
(assignee_id, status, due_at) index bounds the scan; the snooze is then checked on the few
rows it leaves.

"Effective due" is the later of the due time and the end of a snooze: a snoozed task is
neither overdue nor reminded until its snooze ends, and comes back then.

The due-time query (``due_within``) looks only at a window a few minutes wide around "now",
so it is a union of index range scans: by ``due_at`` for tasks not snoozed past it, by
``snoozed_until`` (its own index) for those that are. It costs the same whether the table
holds a hundred tasks or a million.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, or_, union_all, update
from sqlmodel import Session, col, select

from storage.models import Customer, Task
from storage.schedule.ledger import ids_in


@dataclass(frozen=True)
class DueTask:
    id: int
    title: str
    assignee_id: int
    due_at: datetime
    snoozed_until: datetime | None
    customer: str | None = None
    created_at: datetime | None = None  # read only by the due-time query, which needs them
    last_reminded_at: datetime | None = None

    @property
    def effective_due(self) -> datetime:
        if self.snoozed_until and self.snoozed_until > self.due_at:
            return self.snoozed_until
        return self.due_at

    @property
    def episode(self) -> str:
        """Names one stretch of being due: a snooze that ends starts a new one."""
        return f"task:{self.id}:{int(self.effective_due.timestamp())}"

    def named(self, customer: str | None) -> DueTask:
        return replace(self, customer=customer)


@dataclass(frozen=True)
class Group:
    """Reps sharing a timezone, with the instants that bound their local day."""

    rep_ids: Sequence[int]
    day_start: datetime  # local midnight, as UTC
    day_end: datetime  # the next local midnight, as UTC
    work_start: datetime  # the start of today's working hours, as UTC


@dataclass(frozen=True)
class Window:
    """Reps sharing a reminder lead time, and the effective due times to look at for them:
    after ``after`` (exclusive) and up to ``until`` (inclusive)."""

    rep_ids: Sequence[int]
    after: datetime
    until: datetime


effective_due = case(
    (col(Task.snoozed_until) > col(Task.due_at), col(Task.snoozed_until)),
    else_=col(Task.due_at),
)


def _select() -> Any:
    return select(
        col(Task.id),
        col(Task.title),
        col(Task.assignee_id),
        col(Task.due_at),
        col(Task.snoozed_until),
    )


def _rows(session: Session, query: Any) -> list[DueTask]:
    return [DueTask(*row) for row in session.exec(query)]


def with_customers(session: Session, tasks: Sequence[DueTask]) -> list[DueTask]:
    """The same tasks with their customers' names (only for the few a message lists)."""
    ids = [t.id for t in tasks]
    if not ids:
        return []
    query = (
        select(col(Task.id), col(Customer.name))
        .join(Customer, col(Task.customer_id) == col(Customer.id))
        .where(col(Task.id).in_(ids))
    )
    names = dict(session.exec(query).all())
    return [t.named(names.get(t.id)) for t in tasks]


def overdue_unreminded(session: Session, groups: Sequence[Group], now: datetime) -> list[DueTask]:
    """Open tasks past their effective due time, not yet reminded in their rep's today.

    A task reminded earlier today comes back only if a snooze ended since (the reminder's
    ``last_reminded_at`` is before the snooze's end). The run ledger remains the guard
    against a second send; ``last_reminded_at`` keeps the steady-state scan cheap.
    """
    if not groups:
        return []
    clauses = [
        and_(
            col(Task.assignee_id).in_(list(g.rep_ids)),
            or_(
                col(Task.last_reminded_at).is_(None),
                col(Task.last_reminded_at) < g.day_start,
                col(Task.last_reminded_at) < col(Task.snoozed_until),
            ),
        )
        for g in groups
    ]
    query = (
        _select()
        .where(
            Task.status == "open",
            col(Task.due_at) <= now,
            or_(col(Task.snoozed_until).is_(None), col(Task.snoozed_until) <= now),
            or_(*clauses),
        )
        .order_by(col(Task.assignee_id), effective_due, col(Task.id))
    )
    return _rows(session, query)


def due_later_today(session: Session, groups: Sequence[Group], now: datetime) -> list[DueTask]:
    """ "Your day": open tasks due later today in the rep's timezone, as the plan stood when
    the working day began. A task set during the day, or one snoozed into it, is not the
    day's plan: it must not prompt a "morning" message at noon. Tasks snoozed past today are
    left out."""
    if not groups:
        return []
    clauses = [
        and_(
            col(Task.assignee_id).in_(list(g.rep_ids)),
            col(Task.due_at) < g.day_end,
            effective_due < g.day_end,
            col(Task.created_at) < g.work_start,
        )
        for g in groups
    ]
    query = (
        _select()
        .where(Task.status == "open", col(Task.due_at) > now, or_(*clauses))
        .order_by(col(Task.assignee_id), effective_due, col(Task.id))
    )
    return _rows(session, query)


def due_within(session: Session, windows: Sequence[Window]) -> list[DueTask]:
    """Open tasks whose effective due time falls in their rep's window, with when they were
    set and last reminded (what decides whether and when a due-time reminder goes out).

    One statement: per window, a range on ``due_at`` for tasks not snoozed past their due time
    and a range on ``snoozed_until`` for those that are, each led by the assignee and status
    so that an index bounds it (``ix_task_assignee_status_due`` and ``…_snoozed``).
    """
    columns = (
        col(Task.id),
        col(Task.title),
        col(Task.assignee_id),
        col(Task.due_at),
        col(Task.snoozed_until),
        col(Task.created_at),
        col(Task.last_reminded_at),
    )
    parts: list[Any] = []
    for w in windows:
        mine = and_(col(Task.assignee_id).in_(list(w.rep_ids)), Task.status == "open")
        parts.append(
            select(*columns).where(
                mine,
                col(Task.due_at) > w.after,
                col(Task.due_at) <= w.until,
                or_(col(Task.snoozed_until).is_(None), col(Task.snoozed_until) <= col(Task.due_at)),
            )
        )
        parts.append(
            select(*columns).where(
                mine,
                col(Task.snoozed_until) > w.after,
                col(Task.snoozed_until) <= w.until,
                col(Task.snoozed_until) > col(Task.due_at),
            )
        )
    if not parts:
        return []
    rows = session.execute(union_all(*parts)).all()
    found = [
        DueTask(task_id, title, rep_id, due, snoozed, created_at=created, last_reminded_at=last)
        for task_id, title, rep_id, due, snoozed, created, last in rows
    ]
    return sorted(found, key=lambda t: (t.assignee_id, t.effective_due, t.id))


def mark_reminded(session: Session, task_ids: Sequence[int], now: datetime) -> None:
    """Stamp ``last_reminded_at`` (bookkeeping, so not an audited change: Core, not the ORM)."""
    if task_ids:
        session.execute(update(Task).where(ids_in(Task.id, task_ids)).values(last_reminded_at=now))
