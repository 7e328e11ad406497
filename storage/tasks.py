"""Tasks: the next steps reps promise, with due dates and snoozes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case
from sqlmodel import Session, col, func, select

from storage.models import Task


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


def _open(assignee_id: int, overdue_at: datetime | None) -> list[Any]:
    """The conditions of a rep's open tasks, overdue ones only if ``overdue_at``."""
    found: list[Any] = [Task.assignee_id == assignee_id, Task.status == "open"]
    if overdue_at is not None:
        found.append(Task.due_at < overdue_at)
        found.append(col(Task.snoozed_until).is_(None) | (col(Task.snoozed_until) < overdue_at))
    return found


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
    attention = case(
        (col(Task.snoozed_until) > col(Task.due_at), col(Task.snoozed_until)),
        else_=col(Task.due_at),
    )
    query = select(Task).where(*_open(assignee_id, overdue_at)).order_by(attention, col(Task.id))
    return list(session.exec(query.offset(offset).limit(limit)))


def count_open(session: Session, assignee_id: int, *, overdue_at: datetime | None = None) -> int:
    """How many ``open_for`` would list without a limit."""
    query = select(func.count()).select_from(Task).where(*_open(assignee_id, overdue_at))
    return int(session.exec(query).one())


def open_titles(session: Session, assignee_id: int) -> list[tuple[int, str]]:
    query = select(Task.id, Task.title).where(
        Task.assignee_id == assignee_id, Task.status == "open"
    )
    return [(i, title) for i, title in session.exec(query) if i is not None]
