"""Purging an archived customer, deal or task for good (an admin, from ``crm-bot purge``).

Only an archived record can be purged: deleting from chat always archives first, so a purge
is a second, deliberate step. A customer is first erased the way a KVKK/GDPR request erases it
(``storage.privacy.forget``: its name, phones and e-mails scrubbed from free text and from the
audit trail, its contacts and further phones deleted), then its interactions, tasks, deals,
consents and merge records are deleted with it; a deal takes its stage history and the tasks
archived with it, and lets go of interactions and other tasks that named it. Every audit row
about a purged record keeps its digest but loses its values, and one "purge" row says what was
purged (which tables, how many rows), never the values.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from storage import audit, privacy
from storage.archive import KINDS, ArchiveError, include_archived
from storage.models import (
    Consent,
    Customer,
    CustomerMerge,
    Deal,
    DealStageChange,
    Interaction,
    RawValue,
    Task,
)


def _rows(session: Session, model: Any, *where: Any) -> list[Any]:
    return list(session.exec(select(model).where(*where).order_by(col(model.id))))


def plan(session: Session, kind: str, record_id: int) -> Counter[str]:
    """What a purge would delete, per table (raises ``ArchiveError`` if it may not)."""
    include_archived(session)
    record = session.get(KINDS[kind], record_id)
    if record is None:
        raise ArchiveError("not_found", kind=kind, id=record_id)
    if record.archived_at is None:
        raise ArchiveError("not_archived", kind=kind, id=record_id)
    counts: Counter[str] = Counter({kind: 1})
    if isinstance(record, Customer):
        merged = _rows(session, Customer, Customer.merged_into_id == record_id)
        if merged:
            raise ArchiveError(
                "merged_into", id=record_id, ids=", ".join(f"#{c.id}" for c in merged)
            )
        related = privacy.related_rows(session, record_id)
        counts.update({name: len(rows) for name, rows in related.items() if rows})
    elif isinstance(record, Deal):
        counts["tasks"] = len(_deal_tasks(session, record))
    return +counts


def _deal_tasks(session: Session, deal: Deal) -> list[Task]:
    """The tasks a deal takes with it: those archived with it."""
    return _rows(session, Task, Task.deal_id == deal.id, Task.archived_at == deal.archived_at)


def purge(session: Session, kind: str, record_id: int, now: datetime) -> Counter[str]:
    counts = plan(session, kind, record_id)
    record = session.get(KINDS[kind], record_id)
    if isinstance(record, Customer):
        privacy.forget(session, record_id, now)  # pauses the trail; scrubs it and free text
        _delete_customer(session, record)
    else:
        audit.pause(session)
        keys = [(kind, record_id)]
        if isinstance(record, Deal):
            tasks = _deal_tasks(session, record)
            keys += [("task", t.id or 0) for t in tasks]
            _delete_deals(session, [record], tasks)
        else:
            session.delete(record)
        session.flush()
        privacy.erase_audit(session, keys, set())
    privacy.audit_erasure(session, kind, record_id, now, sorted(counts), action="purge")
    return counts


def _delete_deals(session: Session, deals: list[Deal], tasks: list[Task]) -> None:
    ids = [d.id for d in deals]
    for change in _rows(session, DealStageChange, col(DealStageChange.deal_id).in_(ids)):
        session.delete(change)
    for task in tasks:
        session.delete(task)
    for model in (Interaction, Task):  # others that named a deal let go of it
        for row in _rows(session, model, col(model.deal_id).in_(ids)):
            if row not in tasks:
                row.deal_id = None
                session.add(row)
    kept = _rows(session, RawValue, RawValue.entity == "deal", col(RawValue.entity_id).in_(ids))
    for row in kept:
        session.delete(row)
    session.flush()
    for deal in deals:
        session.delete(deal)


def _delete_customer(session: Session, customer: Customer) -> None:
    cid = customer.id
    deals = _rows(session, Deal, Deal.customer_id == cid)
    tasks = _rows(session, Task, Task.customer_id == cid)
    _delete_deals(session, deals, tasks)
    session.flush()
    for model in (Interaction, Consent):
        for row in _rows(session, model, model.customer_id == cid):
            session.delete(row)
    merges = (CustomerMerge.kept_id == cid) | (CustomerMerge.other_id == cid)
    for row in _rows(session, CustomerMerge, merges):
        session.delete(row)
    for child in _rows(session, Customer, Customer.parent_id == cid):
        child.parent_id = None
        session.add(child)
    session.flush()
    session.delete(customer)
    session.flush()
