"""How long deals take: days from creation to Won, and days spent in each stage.

The cycle of a won deal is ``closed_at − created_at`` in days, for deals won in the period;
the median is exact (the middle one or two values, picked with window functions). Time in a
stage comes from the stage history (``DealStageChange``, one row per move, written by every
stage change and by the importer): a stay is the time from entering a stage to the next move,
counted in the period in which the deal left the stage. Only the moves that can matter are
numbered: those of deals that moved in the period (found through the index on ``at``), up to
the period's end — a stay that ends in the period starts at a move before its end, and moves
after it come after every such move in the order, so cutting them changes no ``lead``.
Numbering the whole history (350,000 moves in the benchmark) cost a second for any period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import Deal, DealStageChange, Stage
from storage.reports import Scope, days_between, owned_by, within
from storage.reports.basis import of_live_deals


@dataclass(frozen=True)
class Cycle:
    won: int
    average_days: float | None
    median_days: float | None


@dataclass(frozen=True)
class StageStay:
    stage: str
    position: int
    stays: int
    average_days: float


def cycle(session: Session, start: datetime, end: datetime, scope: Scope) -> Cycle:
    days = days_between(session, Deal.created_at, Deal.closed_at).label("days")
    won = (
        select(
            days,
            func.row_number().over(order_by=days).label("n"),
            func.count().over().label("size"),
        )
        .join(Stage, col(Stage.id) == Deal.stage_id)
        .where(
            col(Stage.is_won),
            col(Deal.archived_at).is_(None),
            within(Deal.closed_at, start, end),
            owned_by(Deal.owner_id, scope),
        )
        .subquery()
    )
    middle = (won.c.n == (won.c.size + 1) // 2) | (won.c.n == (won.c.size + 2) // 2)
    count, average = session.exec(select(func.count(), func.avg(won.c.days))).one()
    mid = [float(d) for d in session.exec(select(won.c.days).where(middle))]
    median = sum(mid) / len(mid) if mid else None
    return Cycle(int(count), float(average) if average is not None else None, median)


def stage_stays(session: Session, start: datetime, end: datetime, scope: Scope) -> list[StageStay]:
    """Average days per stage, for stays that ended in the period, in pipeline order."""
    moved = DealStageChange.__table__  # Core, as the subquery needs no session criteria
    moved_in_period = select(moved.c.deal_id).where(within(moved.c.at, start, end))
    nxt = func.lead(DealStageChange.at).over(
        partition_by=DealStageChange.deal_id, order_by=(DealStageChange.at, DealStageChange.id)
    )
    moves = (
        select(
            col(DealStageChange.to_stage_id).label("stage_id"),
            col(DealStageChange.at).label("entered"),
            nxt.label("left"),
        )
        .where(
            of_live_deals(DealStageChange.deal_id, scope),
            col(DealStageChange.at) < end,
            col(DealStageChange.deal_id).in_(moved_in_period),
        )
        .subquery()
    )
    days = days_between(session, moves.c.entered, moves.c.left)
    query = (
        select(Stage.name, Stage.position, func.count(), func.avg(days))
        .join(moves, moves.c.stage_id == Stage.id)
        .where(within(moves.c.left, start, end))
        .group_by(Stage.id, Stage.name, Stage.position)
        .order_by(Stage.position)
    )
    return [StageStay(n, p, int(c), float(a)) for n, p, c, a in session.exec(query)]
