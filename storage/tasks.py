"""Tasks: the next steps reps promise, with due dates and snoozes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case
from sqlmodel import Session, col, func, select

from storage.access import scope_of, unscoped
from storage.driver import run
from storage.models import Task
from storage.prebuilt import prebuilt
from storage.types import UTCDateTime


def get(session: Session, task_id: int) -> Task | None:
    return session.get(Task, task_id)


def add(session: Session, task: Task) -> Task:
    session.add(task)
    session.flush()
    return task


def effective_due(task: Task) -> datetime:
    """When the task next needs attention: its due time, or the end of its snooze."""
    if task.snoozed_until and task.snoozed_until > task.due_at:
        return task.snoozed_until
    return task.due_at


def _open(overdue: bool) -> list[Any]:
    """The conditions of ``:assignee``'s open tasks, only those overdue at ``:at`` if asked."""
    found: list[Any] = [Task.assignee_id == bindparam("assignee"), Task.status == "open"]
    if overdue:
        at = bindparam("at", type_=UTCDateTime)
        found += [
            Task.due_at < at,
            col(Task.snoozed_until).is_(None) | (col(Task.snoozed_until) < at),
        ]
    return found


_ATTENTION = case(
    (col(Task.snoozed_until) > col(Task.due_at), col(Task.snoozed_until)),
    else_=col(Task.due_at),
)
# Built once (``storage.prebuilt``): /tasks is among the commands reps send most. Read past
# the scope, whose criteria would only repeat the assignee's: ``_readable`` asks it once.
_OPEN = {
    overdue: prebuilt(
        unscoped(
            select(Task)
            .where(*_open(overdue))
            .order_by(_ATTENTION, col(Task.id))
            .offset(bindparam("offset"))
            .limit(bindparam("limit"))
        )
    )
    for overdue in (False, True)
}
# Run on the driver (``storage.driver``), past both hooks: it carries the archive's filter.
_COUNT = {
    overdue: select(func.count())
    .select_from(Task)
    .where(*_open(overdue), col(Task.archived_at).is_(None))
    for overdue in (False, True)
}


def _readable(session: Session, assignee_id: int) -> bool:
    """Whether the session's scope reads this assignee's tasks, as its criteria would."""
    scope = scope_of(session)
    return scope is None or scope.can_read(assignee_id)


def open_for(
    session: Session,
    assignee_id: int,
    *,
    overdue_at: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Task]:
    """A rep's open tasks by when they need attention (``effective_due``, in SQL so that pages
    follow each other); only overdue ones if ``overdue_at``."""
    if not _readable(session, assignee_id):
        return []
    params = {"assignee": assignee_id, "at": overdue_at, "limit": limit, "offset": offset}
    return list(session.execute(_OPEN[overdue_at is not None], params).scalars())


def count_open(session: Session, assignee_id: int, *, overdue_at: datetime | None = None) -> int:
    """How many ``open_for`` would list without a limit."""
    if not _readable(session, assignee_id):
        return 0
    params = {"assignee": assignee_id, "at": overdue_at}
    return int(run(session.connection(), _COUNT[overdue_at is not None], params).one()[0])


def open_titles(session: Session, assignee_id: int) -> list[tuple[int, str]]:
    query = select(Task.id, Task.title).where(
        Task.assignee_id == assignee_id, Task.status == "open"
    )
    return [(i, title) for i, title in session.exec(query) if i is not None]
