"""The reminder scan's queries: which open tasks to remind whom of, over any number of tasks.

Both queries are one statement for every rep being scanned, whatever the number of tasks:
reps are grouped by timezone (their "today" starts at a different instant) and each group is
one OR-ed clause. ``due_at <= now`` is stated beside the effective-due test so that the
(assignee_id, status, due_at) index bounds the scan; the snooze is then checked on the few
rows it leaves.

"Effective due" is the later of the due time and the end of a snooze: a snoozed task is
neither overdue nor reminded until its snooze ends, and comes back then.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, or_, update
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
        return DueTask(
            self.id, self.title, self.assignee_id, self.due_at, self.snoozed_until, customer
        )


@dataclass(frozen=True)
class Group:
    """Reps sharing a timezone, with the instants that bound their local day."""

    rep_ids: Sequence[int]
    day_start: datetime  # local midnight, as UTC
    day_end: datetime  # the next local midnight, as UTC
    work_start: datetime  # the start of today's working hours, as UTC


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


def mark_reminded(session: Session, task_ids: Sequence[int], now: datetime) -> None:
    """Stamp ``last_reminded_at`` (bookkeeping, so not an audited change: Core, not the ORM)."""
    if task_ids:
        session.execute(update(Task).where(ids_in(Task.id, task_ids)).values(last_reminded_at=now))
