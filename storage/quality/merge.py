"""Merging two customer records into one, and undoing it exactly.

Why nothing is deleted: the merged-away customer keeps its row (``merged_into_id`` set), which
takes it out of search, lookups and lists; everything that pointed at it is moved onto the
kept customer, and a CustomerMerge row records the ids of exactly what moved, which contact
points were copied and which empty fields of the kept customer were filled. /unmerge reverses
that list and nothing else, so work done on the kept customer after the merge stays where it
is. Every row touched goes through the ORM, so each change is in the audit trail.

Both customers are updated, so every process's search index (which refreshes by the change
number a trigger sets on each write, ``storage.search``) drops the merged one, and takes it
back after an unmerge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from storage import customers
from storage.models import (
    Contact,
    ContactPoint,
    Customer,
    CustomerMerge,
    Deal,
    Interaction,
    Task,
)

# Tables whose rows follow their customer, by the column that points at it.
MOVABLE: tuple[tuple[str, Any, str], ...] = (
    ("interaction", Interaction, "customer_id"),
    ("deal", Deal, "customer_id"),
    ("task", Task, "customer_id"),
    ("contact", Contact, "customer_id"),
    ("customer", Customer, "parent_id"),  # subsidiaries
)
# Fields of the kept customer filled from the other when empty.
FILLABLE = (
    "city",
    "country",
    "industry",
    "revenue",
    "employees",
    "founded",
    "owner_id",
    "preferred_channel",
    "parent_id",
)


class MergeError(Exception):
    """Why a merge or unmerge cannot be done; ``code`` is a catalog-neutral reason."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(code)
        self.code = code
        self.values = values


@dataclass(frozen=True)
class Preview:
    """What a merge would move, for the question asked before doing it."""

    counts: dict[str, int]
    points: list[tuple[str, str]]  # (kind, value) the kept customer would gain


def _ids(session: Session, model: Any, column: str, customer_id: int) -> list[int]:
    query = select(model.id).where(getattr(model, column) == customer_id)
    return [i for i in session.exec(query.order_by(col(model.id))) if i is not None]


def _check(kept: Customer, other: Customer) -> None:
    if kept.id == other.id:
        raise MergeError("same")
    for c in (kept, other):
        if c.merged_into_id is not None:
            raise MergeError("already_merged", id=c.id, into=c.merged_into_id)


def _new_points(session: Session, kept: Customer, other: Customer) -> list[tuple[str, str]]:
    have = {("phone", kept.phone), ("email", kept.email)}
    have |= {(p.kind, p.value) for p in customers.points(session, kept.id or 0)}
    wanted = [("phone", other.phone), ("email", other.email)]
    wanted += [(p.kind, p.value) for p in customers.points(session, other.id or 0)]
    out: list[tuple[str, str]] = []
    for kind, value in wanted:
        if value and (kind, value) not in have:
            have.add((kind, value))
            out.append((kind, value))
    return out


def preview(session: Session, kept: Customer, other: Customer) -> Preview:
    _check(kept, other)
    counts = {
        name: len(_ids(session, model, column, other.id or 0)) for name, model, column in MOVABLE
    }
    return Preview(counts, _new_points(session, kept, other))


def merge(
    session: Session,
    kept: Customer,
    other: Customer,
    *,
    rep_id: int | None,
    now: datetime,
    evidence: str | None = None,
) -> CustomerMerge:
    """Move everything of ``other`` onto ``kept``; ``other`` stays, marked as merged."""
    _check(kept, other)
    assert kept.id is not None and other.id is not None
    moved: dict[str, list[int]] = {}
    for name, model, column in MOVABLE:
        ids = _ids(session, model, column, other.id)
        if name == "customer":
            ids = [i for i in ids if i != kept.id]  # the kept one may be other's subsidiary
        for row in session.exec(select(model).where(col(model.id).in_(ids))):
            setattr(row, column, kept.id)
            session.add(row)
        if ids:
            moved[name] = ids
    copied: list[int] = []
    filled: dict[str, Any] = {}
    for kind, value in _new_points(session, kept, other):
        if getattr(kept, kind) is None:  # kind is "phone" or "email", as the columns
            setattr(kept, kind, value)
            filled[kind] = value
            continue
        point = ContactPoint(customer_id=kept.id, kind=kind, value=value, label="merged")
        session.add(point)
        session.flush()
        copied.append(point.id or 0)
    for name in FILLABLE:
        value = getattr(other, name)
        if getattr(kept, name) in (None, "") and value not in (None, "") and value != kept.id:
            setattr(kept, name, value)
            filled[name] = str(value) if not isinstance(value, int) else value
    other.merged_into_id = kept.id
    kept.updated_at = other.updated_at = now
    session.add_all([kept, other])
    record = CustomerMerge(
        kept_id=kept.id,
        other_id=other.id,
        rep_id=rep_id,
        evidence=(evidence or "")[:500] or None,
        moved=moved,
        copied_points=copied,
        filled=filled,
        at=now,
    )
    session.add(record)
    session.flush()
    return record


@dataclass(frozen=True)
class Undone:
    record: CustomerMerge
    restored: dict[str, int]  # per table, how many rows went back
    stayed: int  # recorded rows that had moved on since and were left alone


def unmerge(session: Session, merge_id: int, *, rep_id: int | None, now: datetime) -> Undone:
    """Put back exactly what merge ``merge_id`` moved, copied and filled."""
    record = session.get(CustomerMerge, merge_id)
    if record is None:
        raise MergeError("no_merge", id=merge_id)
    if record.undone_at is not None:
        raise MergeError("already_undone", id=merge_id)
    kept = session.get(Customer, record.kept_id)
    other = session.get(Customer, record.other_id)
    assert kept is not None and other is not None
    if other.merged_into_id != kept.id or kept.merged_into_id is not None:
        raise MergeError("superseded", id=merge_id)
    restored: dict[str, int] = {}
    stayed = 0
    tables = {name: (model, column) for name, model, column in MOVABLE}
    for name, ids in record.moved.items():
        model, column = tables[name]
        for row in session.exec(select(model).where(col(model.id).in_(ids))):
            if getattr(row, column) == kept.id:
                setattr(row, column, other.id)
                session.add(row)
                restored[name] = restored.get(name, 0) + 1
        stayed += len(ids) - restored.get(name, 0)
    for point_id in record.copied_points:
        point = session.get(ContactPoint, point_id)
        if point is not None and point.customer_id == kept.id:
            session.delete(point)
    for name, value in record.filled.items():
        if _same(getattr(kept, name), value):
            setattr(kept, name, None)
    other.merged_into_id = None
    kept.updated_at = other.updated_at = now
    record.undone_at = now
    record.undone_by_id = rep_id
    session.add_all([kept, other, record])
    session.flush()
    return Undone(record, restored, stayed)


def _same(current: Any, recorded: Any) -> bool:
    return current is not None and str(current) == str(recorded)


def history(session: Session, customer_id: int) -> list[CustomerMerge]:
    """Merges this customer took part in, newest first."""
    query = select(CustomerMerge).where(
        (CustomerMerge.kept_id == customer_id) | (CustomerMerge.other_id == customer_id)
    )
    return list(session.exec(query.order_by(col(CustomerMerge.id).desc())))
