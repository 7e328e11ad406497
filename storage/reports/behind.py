"""The deals behind a report's numbers, a page at a time: what a manager opens to check a figure.

Each set is defined exactly as the figure it explains, so the count on top of the list is the
report's own number: ``won``/``lost``/``closed`` are deals in a won/lost/closed stage whose
``closed_at`` falls in the period (win rate, summary, cycle, lost reasons); ``created`` are
deals created in the period (the funnel); ``open`` is the open pipeline now (pipeline); and
``due`` is open deals expected to close in the period (forecast); ``advanced`` is the deals a
rep in scope moved to a later, not lost stage in the period (activity; each deal once, and
dated by its latest stage change). A lost reason narrows the
lost deals as the lost report groups them: trimmed, and an empty reason for deals lost without
one. Two queries: the count, then the page (newest first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import func, true
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.models import Customer, Deal, DealStageChange, Stage
from storage.reports.basis import RepScope, live, owned_by, stage_sets, within

Which = Literal["won", "lost", "closed", "created", "open", "due", "advanced"]


@dataclass(frozen=True)
class Behind:
    id: int
    title: str
    customer: str | None
    owner_id: int | None
    stage_id: int
    currency: str
    amount: Decimal | None  # the closing amount of a won deal, else the estimate
    at: datetime | date | None  # closed, created or expected close, as the set is dated
    reason: str | None


def _advanced(start: datetime, end: datetime, scope: RepScope) -> Any:
    """Deals a rep in ``scope`` moved to a later stage that is not lost, in the period."""
    before, after = aliased(Stage), aliased(Stage)
    return (
        select(DealStageChange.deal_id)
        .join(before, before.id == col(DealStageChange.from_stage_id))
        .join(after, after.id == col(DealStageChange.to_stage_id))
        .where(
            within(DealStageChange.at, start, end),
            owned_by(DealStageChange.rep_id, scope),
            after.position > before.position,
            ~after.is_lost,
        )
    )


def _filters(
    session: Session,
    which: Which,
    start: datetime,
    end: datetime,
    days: tuple[date, date],
    scope: RepScope,
) -> tuple[Any, Any]:
    """(where the set's deals are, the column that dates them)."""
    sets = stage_sets(session)
    if which in ("won", "lost", "closed"):
        ids = {"won": sets.won_ids, "lost": sets.lost_ids}.get(which)
        stages = ids if ids is not None else sets.won_ids + sets.lost_ids
        return col(Deal.stage_id).in_(stages) & within(Deal.closed_at, start, end), Deal.closed_at
    if which == "created":
        return within(Deal.created_at, start, end), Deal.created_at
    if which == "advanced":
        return col(Deal.id).in_(_advanced(start, end, scope)), Deal.stage_changed_at
    if which == "due":
        due = (col(Deal.expected_close) >= days[0]) & (col(Deal.expected_close) <= days[1])
        return col(Deal.stage_id).in_(sets.open_ids) & due, Deal.expected_close
    return col(Deal.stage_id).in_(sets.open_ids), Deal.stage_changed_at


def deals_behind(
    session: Session,
    which: Which,
    start: datetime,
    end: datetime,
    scope: RepScope,
    *,
    days: tuple[date, date],
    reason: str | None = None,
    limit: int | None = 10,
    offset: int = 0,
) -> tuple[int, list[Behind]]:
    """(how many deals the set holds, the page of them), newest first. ``days`` is the
    period as local dates (first, last), which date an expected close."""
    where, dated = _filters(session, which, start, end, days, scope)
    owners = true() if which == "advanced" else owned_by(Deal.owner_id, scope)  # by the mover
    conditions = [where, live(Deal), owners]
    if reason is not None:
        typed = func.coalesce(func.trim(Deal.lost_reason), "")
        conditions.append(typed == reason.strip())
    total = session.exec(select(func.count()).select_from(Deal).where(*conditions)).one()
    query = (
        select(
            Deal.id,
            Deal.title,
            Customer.name,
            Deal.owner_id,
            Deal.stage_id,
            Deal.currency,
            func.coalesce(Deal.closed_amount, Deal.amount) if which == "won" else Deal.amount,
            dated,
            Deal.lost_reason,
        )
        .outerjoin(Customer, col(Customer.id) == col(Deal.customer_id))
        .where(*conditions)
        .order_by(col(dated).desc(), col(Deal.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return total, [Behind(*row) for row in session.exec(query)]
