"""The period's movement: deals created, deals moved forward, activities logged, tasks overdue
and open deals gone quiet (the digest's stale rule), each one aggregate query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.models import Deal, DealStageChange, Interaction, Stage, Task
from storage.reports import Scope, owned_by, within
from storage.reports.basis import of_live_customers, of_live_deals
from storage.reports.money import Amounts, Rates, Tally, day_of
from storage.types import money_sum


@dataclass(frozen=True)
class Movement:
    new: int
    new_value: Amounts
    advanced: int
    activities: int
    overdue_tasks: int
    stale_deals: int


def movement(
    session: Session,
    start: datetime,
    end: datetime,
    scope: Scope,
    *,
    now: datetime,
    stale_before: datetime,
    base: str,
) -> Movement:
    """``now`` decides what is overdue; ``stale_before`` what counts as quiet. New deals are
    valued at the rate in force on their creation day."""
    tally = Tally(Rates(session, base))
    new_rows = session.exec(
        select(
            col(Deal.currency), func.date(Deal.created_at), func.count(), *money_sum(Deal.amount)
        )
        .where(
            col(Deal.archived_at).is_(None),
            within(Deal.created_at, start, end),
            owned_by(Deal.owner_id, scope),
        )
        .group_by(col(Deal.currency), func.date(Deal.created_at))
    ).all()
    for currency, day, _n, high, low in new_rows:
        tally.add(currency, day_of(day), high, low)
    before, after = aliased(Stage), aliased(Stage)
    advanced = session.exec(
        select(func.count(func.distinct(DealStageChange.deal_id)))
        .join(before, before.id == DealStageChange.from_stage_id)
        .join(after, after.id == DealStageChange.to_stage_id)
        .where(
            within(DealStageChange.at, start, end),
            after.position > before.position,
            ~after.is_lost,
            of_live_deals(DealStageChange.deal_id, scope),
        )
    ).one()
    activities = session.exec(
        select(func.count())
        .select_from(Interaction)
        .where(
            within(Interaction.occurred_at, start, end),
            owned_by(Interaction.rep_id, scope),
            of_live_customers(Interaction.customer_id),
        )
    ).one()
    overdue = session.exec(
        select(func.count())
        .select_from(Task)
        .where(
            Task.status == "open",
            col(Task.archived_at).is_(None),
            col(Task.due_at) < min(now, end),
            owned_by(Task.assignee_id, scope),
        )
    ).one()
    touched = exists().where(
        Interaction.deal_id == Deal.id, col(Interaction.occurred_at) >= stale_before
    )
    stale = session.exec(
        select(func.count())
        .select_from(Deal)
        .join(Stage, col(Stage.id) == Deal.stage_id)
        .where(
            col(Deal.archived_at).is_(None),
            ~or_(col(Stage.is_won), col(Stage.is_lost)),
            col(Deal.stage_changed_at) < stale_before,
            ~touched,
            owned_by(Deal.owner_id, scope),
        )
    ).one()
    return Movement(
        sum(int(n) for *_, n, _h, _l in new_rows),
        tally.amounts(),
        int(advanced),
        int(activities),
        int(overdue),
        int(stale),
    )


@dataclass(frozen=True)
class StageLine:
    stage: str
    position: int
    deals: int
    value: Amounts


def open_pipeline(session: Session, scope: Scope, *, today: datetime, base: str) -> list[StageLine]:
    """Open deals per stage now, in pipeline order, converted at the rate in force ``today``."""
    rates = Rates(session, base)
    query = (
        select(
            Stage.name, Stage.position, col(Deal.currency), func.count(), *money_sum(Deal.amount)
        )
        .join(Stage, col(Stage.id) == Deal.stage_id)
        .where(
            col(Deal.archived_at).is_(None),
            ~or_(col(Stage.is_won), col(Stage.is_lost)),
            owned_by(Deal.owner_id, scope),
        )
        .group_by(Stage.name, Stage.position, col(Deal.currency))
        .order_by(Stage.position)
    )
    stages: dict[tuple[str, int], tuple[int, Tally]] = {}
    for name, position, currency, n, high, low in session.exec(query):
        count, tally = stages.get((name, position), (0, Tally(rates)))
        tally.add(currency, today.date(), high, low)
        stages[(name, position)] = (count + int(n), tally)
    return [StageLine(s, p, n, t.amounts()) for (s, p), (n, t) in stages.items()]
