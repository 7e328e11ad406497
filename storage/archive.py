"""Deleting a customer, deal or task from chat: it is archived, not removed, so it can be restored.

An archived record (``archived_at`` set) leaves every ORM query of every session (lookups by id,
phone and e-mail, lists, cards, totals, the digest, reminders, duplicate scans, exports) through
one loader criterion installed on the Session class here, the way ``storage.access`` applies a
scope. A query that must see archived rows says so with ``with_archived``; a whole session with
``include_archived`` (a purge). Archived tasks keep their status: they are never counted as done.

What goes with a record, archived with the same stamp and restored with it:
- a customer: all its deals (open or closed: a deleted customer's won deal would otherwise stay
  in the reports with nobody to open) and the tasks on it or on those deals that the session
  may see (a colleague's task on it stays theirs, with the customer gone from it);
- a deal: its tasks.
Interactions, contacts and phones stay attached to the customer, out of sight with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import event, or_
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.sql import Executable
from sqlmodel import col, select

from storage import customers
from storage.models import Customer, Deal, Task
from storage.prebuilt import PREBUILT, WITH_ARCHIVED
from storage.types import utcnow

KINDS: dict[str, Any] = {"customer": Customer, "deal": Deal, "task": Task}
RESTORABLE_FOR = timedelta(days=30)  # what /deleted lists; a restore by id works at any time
Statement = TypeVar("Statement", bound=Executable)
Record = Customer | Deal | Task


class ArchiveError(Exception):
    """Why a restore or purge cannot be done: ``code`` is a catalog key under ``archive.error``."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(code)
        self.code, self.values = code, values


@dataclass
class Batch:
    """One record archived or restored, and what went with it."""

    record: Record
    deals: list[Deal] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)


def with_archived(statement: Statement) -> Statement:
    """This one query sees archived records too."""
    return statement.execution_options(**{WITH_ARCHIVED: True})


def include_archived(session: Session) -> None:
    """Every query of this session sees archived records from now on (a purge)."""
    session.info[WITH_ARCHIVED] = True


_CRITERIA = [
    with_loader_criteria(model, col(model.archived_at).is_(None), include_aliases=True)
    for model in KINDS.values()
]


@lru_cache(maxsize=4096)
def _unarchived(statement: Any) -> Any:
    """A built-once statement (``storage.prebuilt``) with the criteria, kept: its cache key is
    then computed once."""
    return statement.options(*_CRITERIA)


def _on_execute(state: ORMExecuteState) -> None:
    if not state.is_select or state.is_column_load or state.is_relationship_load:
        return
    options = state.execution_options
    if options.get(WITH_ARCHIVED) or state.session.info.get(WITH_ARCHIVED):
        return
    if options.get(PREBUILT):
        state.statement = _unarchived(state.statement)
    else:
        state.statement = state.statement.options(*_CRITERIA)


def install_archive_filter(session_class: type[Session]) -> None:
    if not event.contains(session_class, "do_orm_execute", _on_execute):
        event.listen(session_class, "do_orm_execute", _on_execute)


def label(record: Record) -> str:
    return record.name if isinstance(record, Customer) else record.title


def kind_of(record: Record) -> str:
    return record.__tablename__  # type: ignore[return-value]


def _along(session: Session, record: Record, stamp: datetime | None) -> Batch:
    """The deals and tasks that go with ``record``: not archived yet (``stamp`` None), or
    archived with it (``stamp``, to restore them)."""

    def rows(model: Any, *where: Any) -> list[Any]:
        query = select(model).where(*where).order_by(col(model.id))
        if stamp is not None:
            query = with_archived(query.where(model.archived_at == stamp))
        return list(session.exec(query))

    batch = Batch(record)
    if isinstance(record, Customer):
        batch.deals = rows(Deal, Deal.customer_id == record.id)
        deal_ids = [d.id for d in batch.deals]
        on_it = or_(Task.customer_id == record.id, col(Task.deal_id).in_(deal_ids))
        batch.tasks = rows(Task, on_it)
    elif isinstance(record, Deal):
        batch.tasks = rows(Task, Task.deal_id == record.id)
    return batch


def preview(session: Session, record: Record) -> Batch:
    """What archiving ``record`` would take with it (for the confirmation)."""
    return _along(session, record, None)


def archive(session: Session, record: Record, rep_id: int | None, now: datetime) -> Batch:
    batch = _along(session, record, None)
    for row in [batch.record, *batch.deals, *batch.tasks]:
        row.archived_at, row.archived_by_id = now, rep_id
        session.add(row)
    _touch(batch)
    session.flush()  # the scope refuses a record this rep may not change, here
    return batch


def find(session: Session, kind: str, record_id: int) -> Record | None:
    """A record by id, archived or not (as far as the session's scope may read it)."""
    model = KINDS[kind]
    return session.exec(with_archived(select(model).where(model.id == record_id))).first()


def restore(session: Session, kind: str, record_id: int) -> Batch:
    record = find(session, kind, record_id)
    if record is None:
        raise ArchiveError("not_found", kind=kind, id=record_id)
    if record.archived_at is None:
        raise ArchiveError("not_archived", kind=kind, id=record_id)
    for parent_kind, parent_id in _parents(record):
        parent = find(session, parent_kind, parent_id)
        if parent is not None and parent.archived_at is not None:
            raise ArchiveError("parent_archived", kind=parent_kind, id=parent_id)
    batch = _along(session, record, record.archived_at)
    for row in [batch.record, *batch.deals, *batch.tasks]:
        row.archived_at, row.archived_by_id = None, None
        session.add(row)
    _touch(batch)
    session.flush()
    return batch


def _parents(record: Record) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    if isinstance(record, Deal | Task) and record.customer_id is not None:
        found.append(("customer", record.customer_id))
    if isinstance(record, Task) and record.deal_id is not None:
        found.append(("deal", record.deal_id))
    return found


def _touch(batch: Batch) -> None:
    """Stamps for "what changed" (deals) and for readers of ``updated_at``; the search index
    notices any write to a customer by itself (``storage.search``)."""
    if isinstance(batch.record, Customer):
        customers.touch(batch.record)
    for deal in [r for r in (batch.record, *batch.deals) if isinstance(r, Deal)]:
        deal.updated_at = utcnow()


def recent(session: Session, rep_id: int, since: datetime, limit: int = 20) -> list[Record]:
    """Records archived since ``since`` by this rep or of theirs, newest first; a deal or task
    archived together with its customer (or deal) is left out: restoring that brings it back."""
    found: list[Record] = []
    for model in KINDS.values():
        owner = model.assignee_id if model is Task else model.owner_id
        query = select(model).where(
            col(model.archived_at) >= since,
            or_(model.archived_by_id == rep_id, owner == rep_id),
        )
        found += session.exec(with_archived(query)).all()
    stamps = {(kind_of(r), r.id): r.archived_at for r in found}
    alone = [r for r in found if not any(stamps.get(p) == r.archived_at for p in _parents(r))]
    alone.sort(key=lambda r: (r.archived_at, kind_of(r), r.id or 0), reverse=True)
    return alone[:limit]
