"""Undo a chat command, exactly, from the audit trail.

Every audit row a chat command writes carries the command's short id (``AuditEvent.command``).
Undoing it applies its rows backwards: a created record is deleted, a changed field gets its
value from before, a deleted record comes back with its id and values. The undo is itself a
command, so it is audited like any other, and the undone command is remembered (``Undone``)
so that it is never reverted twice.

Refused, with the reason, rather than half done:
- another rep's command (``NotYours``): each rep undoes their own;
- older than the window (15 minutes for chat);
- a record changed since by another command, whoever made it (``ChangedSince``): undoing
  would overwrite a later change, a merge's included (a merge has its own /unmerge);
- an erasure, or a command that touched tables undo does not restore (``NotUndoable``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, inspect
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from storage.archive import with_archived
from storage.models import AuditEvent, Undone

WINDOW = timedelta(minutes=15)
NEVER = {"customermerge", "rawvalue"}  # their own commands restore them (/unmerge)


class UndoRefused(Exception):
    def __init__(self, why: str, **values: Any) -> None:
        super().__init__(why)
        self.why = why  # a catalog key's last part: undo.refused.<why>
        self.values = values


@dataclass(frozen=True)
class Done:
    command: str
    changes: int  # audit rows reverted
    entities: list[tuple[str, int]]  # (table, id) touched, in the order reverted


def _model(table: str) -> type[SQLModel] | None:
    for mapper in SQLModel._sa_registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == table:
            return mapper.class_
    return None


def recent(session: Session, rep_id: int, now: datetime, count: int) -> list[str]:
    """The rep's last ``count`` commands that wrote something, within the window, not undone
    yet, newest first."""
    undone = select(Undone.command)
    undoing = select(Undone.by_command).where(col(Undone.by_command).is_not(None))
    query = (
        select(AuditEvent.command, func.max(AuditEvent.id))
        .where(
            AuditEvent.actor_rep_id == rep_id,
            col(AuditEvent.command).is_not(None),
            col(AuditEvent.at) >= now - WINDOW,
            col(AuditEvent.command).not_in(undone),
            col(AuditEvent.command).not_in(undoing),  # /undo again goes further back
        )
        .group_by(col(AuditEvent.command))
        .order_by(func.max(AuditEvent.id).desc())
        .limit(count)
    )
    return [command for command, _ in session.exec(query) if command]


def undo(session: Session, command: str, rep_id: int, now: datetime, by: str | None) -> Done:
    rows = list(
        session.exec(
            select(AuditEvent).where(AuditEvent.command == command).order_by(col(AuditEvent.id))
        )
    )
    if not rows:
        raise UndoRefused("unknown")
    if any(r.actor_rep_id != rep_id for r in rows):
        raise UndoRefused("not_yours")
    if session.exec(select(Undone).where(Undone.command == command)).first() is not None:
        raise UndoRefused("already")
    if rows[0].at < now - WINDOW:
        raise UndoRefused("too_old", minutes=int(WINDOW.total_seconds() // 60))
    touched: list[tuple[str, int]] = []
    try:
        with session.begin_nested():
            for row in reversed(rows):
                model = _model(row.entity)
                if row.entity in NEVER or row.erased or model is None or row.entity_id is None:
                    raise UndoRefused("not_undoable")
                _check_unchanged_since(session, row, command)
                _revert(session, model, row)
                touched.append((row.entity, row.entity_id))
    except IntegrityError as problem:  # a later record still points at one it would delete
        raise UndoRefused("in_use") from problem
    session.add(Undone(command=command, by_command=by, rep_id=rep_id, at=now))
    session.flush()
    return Done(command, len(rows), touched)


def _check_unchanged_since(session: Session, row: AuditEvent, command: str) -> None:
    """Refuse when a later command changed the record; a command undone and its undo cancel
    out, so they do not count."""
    undone = select(Undone.command)
    undoing = select(Undone.by_command).where(col(Undone.by_command).is_not(None))
    later = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.entity == row.entity,
            AuditEvent.entity_id == row.entity_id,
            col(AuditEvent.id) > row.id,
            col(AuditEvent.command).is_distinct_from(command),
            col(AuditEvent.command).is_(None)
            | (col(AuditEvent.command).not_in(undone) & col(AuditEvent.command).not_in(undoing)),
        )
        .order_by(col(AuditEvent.id))
    ).first()
    if later is not None:
        raise UndoRefused("changed_since", entity=row.entity, id=row.entity_id,
                          by=later.actor_rep_id)  # fmt: skip


def _revert(session: Session, model: type[SQLModel], row: AuditEvent) -> None:
    # an archived record too: undoing its deletion is what brings it back
    record = session.exec(with_archived(select(model).where(model.id == row.entity_id))).first()
    if row.action == "create":
        if record is not None:
            session.delete(record)
    elif row.action == "update":
        if record is None:
            raise UndoRefused("not_undoable")
        for field, (before, _after) in row.changes.items():
            setattr(record, field, _typed(model, field, before))
        session.add(record)
    elif row.action == "delete":
        values = {f: _typed(model, f, before) for f, (before, _a) in row.changes.items()}
        session.add(model(id=row.entity_id, **values))
    else:
        raise UndoRefused("not_undoable")
    session.flush()


def _typed(model: type[SQLModel], field: str, value: Any) -> Any:
    """A value as the audit trail wrote it (plain JSON) back as the column holds it."""
    if value is None:
        return None
    column_type = inspect(model).columns[field].type
    try:  # a TypeDecorator (UTCDateTime, Money) says what its column holds
        kind = getattr(column_type, "impl_instance", column_type).python_type
    except NotImplementedError:
        return value
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if kind is Decimal:
        return Decimal(str(value))
    return value
