"""The pipeline by stage and by rep, for ``/pipeline``, ``/pipeline team`` and ``/pipeline <rep>``.

Open deals count whatever their age; won and lost deals only when closed since ``closed_since``
(the asker's current month, as the answer says), so the closed rows are this month's results
rather than an all-time pile that only grows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, func, type_coerce
from sqlmodel import Session, col, select

from storage.deals import StageTotal, stage_totals
from storage.models import Deal, Stage
from storage.reports.basis import RepScope, live, owned_by, stage_sets
from storage.types import money_sum, total


@dataclass(frozen=True)
class RepTotal:
    """One rep's open deals in one currency."""

    rep_id: int | None
    currency: str
    count: int
    total: Decimal
    weighted: Decimal


def by_stage(
    session: Session, stages: list[Stage], closed_since: datetime, scope: RepScope = None
) -> list[StageTotal]:
    """Deals per stage and currency: all open ones, closed ones since ``closed_since``."""
    sets = stage_sets(session, stages)
    closed = func.coalesce(Deal.closed_at, Deal.stage_changed_at)  # no date: when it moved
    recent = col(Deal.stage_id).in_(sets.open_ids) | (closed >= closed_since)
    return stage_totals(session, stages, recent, live(Deal), owned_by(Deal.owner_id, scope))


def by_rep(session: Session, stages: list[Stage], scope: RepScope = None) -> list[RepTotal]:
    """Open deals per owner and currency, with their probability-weighted value (one query)."""
    cents = type_coerce(func.coalesce(Deal.amount, 0), BigInteger)
    query = (
        select(
            col(Deal.owner_id),
            col(Deal.currency),
            func.count(),
            *money_sum(Deal.amount),
            *money_sum(cents * col(Stage.probability)),
        )
        .join(Stage, col(Stage.id) == col(Deal.stage_id))
        .where(
            col(Deal.stage_id).in_(stage_sets(session, stages).open_ids),
            live(Deal),
            owned_by(Deal.owner_id, scope),
        )
        .group_by(col(Deal.owner_id), col(Deal.currency))
    )
    rows = [
        RepTotal(owner, currency, n, total(h, lo), total(wh, wl) / 100)
        for owner, currency, n, h, lo, wh, wl in session.execute(query)
    ]
    return sorted(rows, key=lambda r: (r.rep_id is None, -r.total, r.rep_id or 0, r.currency))
