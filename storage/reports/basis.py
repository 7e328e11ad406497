"""What every report's figures share: whose records (a scope of rep ids) and which stages.

Each report names its filters explicitly rather than trusting the session's loader criteria:
``storage.archive`` and ``storage.access`` install those on ORM queries, but a report selects
columns and aggregates through Core-shaped statements and correlated subqueries, where an
explicit ``archived_at IS NULL`` is the one filter that is certain to be there (tested).

A scope is a tuple of rep ids (only their records) or None (everyone's, unowned ones too).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, true
from sqlmodel import Session, col, select

from storage.models import Customer, Deal, Stage

RepScope = tuple[int, ...] | None


def owned_by(column: Any, scope: RepScope) -> Any:
    """Rows whose owner column is in ``scope`` (everything when ``scope`` is None)."""
    return true() if scope is None else col(column).in_(sorted(scope))


def of_live_customers(customer_id: Any) -> Any:
    """Rows (interactions) of customers not archived: a NOT IN over the few archived ones, so
    a period's interactions are counted from the index alone, not one customer look-up each."""
    customer = Customer.__table__
    archived = select(customer.c.id).where(customer.c.archived_at.is_not(None))
    return col(customer_id).not_in(archived)


def of_live_deals(deal_id: Any, scope: RepScope) -> Any:
    """Rows (stage moves) of deals not archived and owned within ``scope``. A semi-join on
    the deal ids rather than a join: for everyone it is a NOT IN over the few archived deals,
    for a team an IN over its deals (the owner index), so a year of moves is not one deal
    look-up per move. Core, so the session's own criteria add nothing to the subquery."""
    deal = Deal.__table__
    if scope is None:
        return col(deal_id).not_in(select(deal.c.id).where(deal.c.archived_at.is_not(None)))
    owned = deal.c.owner_id.in_(sorted(scope))
    return col(deal_id).in_(select(deal.c.id).where(deal.c.archived_at.is_(None), owned))


def within(column: Any, start: datetime, end: datetime) -> Any:
    """``start`` <= column < ``end``: periods are half-open, so none counts a row twice."""
    return (col(column) >= start) & (col(column) < end)


def days_between(session: Session, start: Any, end: Any) -> Any:
    """Days from ``start`` to ``end`` (fractional) in the engine's own arithmetic."""
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(end) - func.julianday(start)
    return func.extract("epoch", end - start) / 86400.0


def live(model: Any) -> Any:
    """Not archived (deleted from chat)."""
    return col(model.archived_at).is_(None)


@dataclass(frozen=True)
class StageSets:
    stages: tuple[Stage, ...]  # in pipeline order

    @property
    def open_ids(self) -> list[int]:
        return [s.id for s in self.stages if not s.is_closed and s.id is not None]

    @property
    def won_ids(self) -> list[int]:
        return [s.id for s in self.stages if s.is_won and s.id is not None]

    @property
    def lost_ids(self) -> list[int]:
        return [s.id for s in self.stages if s.is_lost and s.id is not None]


def stage_sets(session: Session, stages: Sequence[Stage] | None = None) -> StageSets:
    """Every stage of every pipeline, in position order (one small query)."""
    if stages is None:
        query = select(Stage).order_by(col(Stage.position), col(Stage.id))
        stages = list(session.exec(query))
    return StageSets(tuple(stages))
