"""The funnel: of the deals created in a period, how many reached each stage.

A deal "reached" a stage when it was ever in that stage or in one further along (a deal
created straight into Proposal has passed Lead and Qualified): its furthest stage is the
highest position among the stages it was moved to (``DealStageChange``, which also records
the stage a deal was created in) and its current stage, leaving lost stages out. Lost deals
are counted apart, and still count for every stage they reached before they were lost.
Conversion from one stage to the next is reached(next) ÷ reached(this).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, col, select

from storage.models import Deal, DealStageChange, Stage
from storage.reports.basis import RepScope, StageSets, live, owned_by, stage_sets


@dataclass(frozen=True)
class Step:
    stage_id: int
    name: str
    reached: int
    conversion: float | None  # share of the previous step's deals that reached this one


@dataclass(frozen=True)
class Funnel:
    created: int
    lost: int
    steps: tuple[Step, ...]  # stage order, lost stages left out


def _furthest(sets: StageSets, start: datetime, end: datetime, scope: RepScope) -> Any:
    """One row per deal created in the period: its owner, its furthest stage's position, and
    whether it is lost now."""
    was_in = or_(
        col(Stage.id) == col(Deal.stage_id), col(Stage.id) == col(DealStageChange.to_stage_id)
    )
    return (
        select(
            col(Deal.owner_id).label("owner"),
            func.max(Stage.position).label("pos"),
            func.max(case((col(Deal.stage_id).in_(sets.lost_ids), 1), else_=0)).label("lost"),
        )
        .join(DealStageChange, col(DealStageChange.deal_id) == col(Deal.id), isouter=True)
        .join(Stage, and_(was_in, ~col(Stage.is_lost)))
        .where(
            col(Deal.created_at) >= start,
            col(Deal.created_at) < end,
            live(Deal),
            owned_by(Deal.owner_id, scope),
        )
        .group_by(col(Deal.id), col(Deal.owner_id))
        .subquery()
    )


def _counted(steps: list[Stage], created: int, n_lost: int, reached: list[Any]) -> Funnel:
    out: list[Step] = []
    for s, n in zip(steps, reached, strict=True):
        before = out[-1].reached if out else None
        rate = n / before if before else None
        out.append(Step(s.id or 0, s.name, int(n or 0), rate))
    return Funnel(int(created), int(n_lost or 0), tuple(out))


def _columns(furthest: Any, steps: list[Stage]) -> list[Any]:
    columns = [func.count(), func.coalesce(func.sum(furthest.c.lost), 0)]
    return columns + [func.sum(case((furthest.c.pos >= s.position, 1), else_=0)) for s in steps]


def funnel(session: Session, start: datetime, end: datetime, scope: RepScope = None) -> Funnel:
    """Two queries: the stages, and every step's count in one pass."""
    sets = stage_sets(session)
    steps = [s for s in sets.stages if not s.is_lost]
    furthest = _furthest(sets, start, end, scope)
    row = session.execute(select(*_columns(furthest, steps)).select_from(furthest)).one()
    created, n_lost, *reached = row
    return _counted(steps, created, n_lost, reached)


def funnel_by_owner(
    session: Session, start: datetime, end: datetime, scope: RepScope = None
) -> dict[int | None, Funnel]:
    """The same funnel for each owner (None: deals nobody owns), in two queries."""
    sets = stage_sets(session)
    steps = [s for s in sets.stages if not s.is_lost]
    furthest = _furthest(sets, start, end, scope)
    query = (
        select(furthest.c.owner, *_columns(furthest, steps))
        .group_by(furthest.c.owner)
        .order_by(furthest.c.owner)
    )
    return {
        owner: _counted(steps, created, n_lost, reached)
        for owner, created, n_lost, *reached in session.execute(query)
    }
