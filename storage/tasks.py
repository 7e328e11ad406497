"""Tasks: the next steps reps promise, with due dates and snoozes."""

from __future__ import annotations

from datetime import datetime

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


def open_for(
    session: Session, assignee_id: int, *, overdue_at: datetime | None = None, limit: int = 50
) -> list[Task]:
    """A rep's open tasks by when they need attention; only overdue ones if ``overdue_at``."""
    attention = func.coalesce(Task.snoozed_until, Task.due_at)
    query = select(Task).where(Task.assignee_id == assignee_id, Task.status == "open")
    if overdue_at is not None:
        query = query.where(Task.due_at < overdue_at).where(
            col(Task.snoozed_until).is_(None) | (col(Task.snoozed_until) < overdue_at)
        )
    rows = session.exec(query.order_by(attention, col(Task.id)).limit(limit))
    return sorted(rows, key=lambda task: (effective_due(task), task.id or 0))


def open_titles(session: Session, assignee_id: int) -> list[tuple[int, str]]:
    query = select(Task.id, Task.title).where(
        Task.assignee_id == assignee_id, Task.status == "open"
    )
    return [(i, title) for i, title in session.exec(query) if i is not None]
