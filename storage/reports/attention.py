"""Stale deals and rep load: the digest's attention rules, on demand. The digest builds its
sections with these same functions, so the two cannot drift apart.

- Stale: an open deal with no activity for more than ``days`` — not moved, not created, and
  no interaction with its customer since (``last_touch``), oldest activity first.
- Load: per rep, open tasks, overdue ones (due, and not snoozed past now) and old ones (open
  longer than ``age_days``); a rep is listed when they have more than ``max_open`` open tasks,
  or any overdue or old one.
Archived deals and tasks are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select
from sqlmodel import Session, col

from storage.models import Deal, Interaction, Task
from storage.reports.basis import RepScope, live, owned_by, stage_sets


@dataclass(frozen=True)
class RepLoad:
    rep_id: int
    open: int
    overdue: int
    old: int


@dataclass(frozen=True)
class StaleDeal:
    id: int
    title: str
    owner_id: int | None
    stage_id: int
    expected_close: date | None
    last_touch: datetime | None  # the last interaction with the customer, if any
    stage_changed_at: datetime | None = None


@dataclass(frozen=True)
class Stale:
    deals: tuple[StaleDeal, ...]  # at most ``limit``
    total: int


def last_touch() -> Any:
    """The last interaction with a deal's customer (a correlated subquery)."""
    return (
        select(func.max(Interaction.occurred_at))
        .where(col(Interaction.customer_id) == col(Deal.customer_id))
        .correlate(Deal)
        .scalar_subquery()
    )


def touched_since(session: Session, quiet: datetime) -> Any:
    """Some interaction with the deal's customer at or after ``quiet`` (a deal without a
    customer never is).

    The stale rule asks this rather than comparing ``last_touch()`` with ``quiet``: the
    answer is the same (the last touch is before ``quiet`` exactly when no touch is at or
    after it), but the engine reads the period's interactions once instead of a max() per
    open deal, which PostgreSQL even evaluated once for each place the filter named it.
    PostgreSQL turns ``NOT EXISTS`` into a hash anti-join over the period; SQLite would probe
    the index once per deal instead, so it gets the customers touched as a list (``IN``),
    which it builds once. PostgreSQL keeps ``EXISTS``: its ``NOT IN`` falls back to a scan of
    the list per deal when the list outgrows ``work_mem``."""
    recent = col(Interaction.occurred_at) >= quiet
    if session.get_bind().dialect.name == "sqlite":
        customers = select(col(Interaction.customer_id)).where(recent)
        return and_(col(Deal.customer_id).is_not(None), col(Deal.customer_id).in_(customers))
    same_customer = col(Interaction.customer_id) == col(Deal.customer_id)
    return exists().where(same_customer, recent).correlate(Deal)


def stale_where(session: Session, now: datetime, days: int) -> tuple[Any, ...]:
    """The stale rule's conditions on an open deal: not moved, not created and not touched
    for more than ``days``."""
    quiet = now - timedelta(days=days)
    return (
        col(Deal.stage_changed_at) < quiet,
        col(Deal.created_at) < quiet,
        live(Deal),
        ~touched_since(session, quiet),
    )


def stale_order(candidates: Any) -> tuple[Any, ...]:
    """Oldest activity first, in a subquery of stale deals that has ``last_touch``."""
    return (
        func.coalesce(candidates.c.last_touch, candidates.c.stage_changed_at),
        candidates.c.id,
    )


def stale_select(session: Session, candidates_query: Any, now: datetime, days: int) -> Any:
    """Narrow a query of open deals that selects ``stage_changed_at``, ``created_at`` and
    ``last_touch()`` as "last_touch" to the stale ones, oldest activity first."""
    candidates = candidates_query.where(*stale_where(session, now, days)).subquery()
    return select(candidates).order_by(*stale_order(candidates))


def _stale_deals(session: Session, now: datetime, days: int, scope: RepScope, *extra: Any) -> Any:
    """The stale open deals within ``scope``: id, owner, stage, the stamps the rule reads and
    ``extra`` columns, oldest activity first (``stale_select``)."""
    columns = (Deal.id, Deal.owner_id, Deal.stage_id, *extra, Deal.stage_changed_at)
    query = select(
        *(col(c) for c in columns), col(Deal.created_at), last_touch().label("last_touch")
    )
    open_ids = stage_sets(session).open_ids
    query = query.where(col(Deal.stage_id).in_(open_ids), owned_by(Deal.owner_id, scope))
    return stale_select(session, query, now, days)


def stale(
    session: Session, now: datetime, days: int, scope: RepScope = None, limit: int = 20
) -> Stale:
    query = _stale_deals(session, now, days, scope, Deal.title, Deal.expected_close)
    rows = list(session.execute(query.add_columns(func.count().over().label("n")).limit(limit)))
    deals = tuple(
        StaleDeal(
            r.id,
            r.title,
            r.owner_id,
            r.stage_id,
            r.expected_close,
            r.last_touch,
            r.stage_changed_at,
        )
        for r in rows
    )
    return Stale(deals, int(rows[0].n) if rows else 0)


def stale_counts(
    session: Session, now: datetime, days: int, scope: RepScope = None, by: str = "owner"
) -> dict[int | None, int]:
    """How many stale deals each owner (``by="owner"``; None: nobody's) or stage
    (``by="stage"``) has, in one query."""
    found = _stale_deals(session, now, days, scope).subquery()
    key = found.c.stage_id if by == "stage" else found.c.owner_id
    query = select(key, func.count()).group_by(key)
    return {k: int(n) for k, n in session.execute(query)}


def load_select(where: Any, now: datetime, max_open: int, age_days: int) -> Any:
    overdue = and_(
        col(Task.due_at) < now,
        or_(col(Task.snoozed_until).is_(None), col(Task.snoozed_until) < now),
    )
    old = col(Task.created_at) < now - timedelta(days=age_days)
    n_open = func.count()
    n_overdue = func.sum(case((overdue, 1), else_=0))
    n_old = func.sum(case((old, 1), else_=0))
    return (
        select(col(Task.assignee_id), n_open, n_overdue, n_old)
        .where(Task.status == "open", live(Task), where)
        .group_by(col(Task.assignee_id))
        .having(or_(n_overdue > 0, n_open > max_open, n_old > 0))
        .order_by(col(Task.assignee_id))
    )


def load(
    session: Session, now: datetime, max_open: int, age_days: int, scope: RepScope = None
) -> list[RepLoad]:
    """Reps with too many open tasks, or overdue or old ones (one query)."""
    query = load_select(owned_by(Task.assignee_id, scope), now, max_open, age_days)
    return [
        RepLoad(rep, total, int(late), int(aged))
        for rep, total, late, aged in session.execute(query)
    ]
