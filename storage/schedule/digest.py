"""The digest's figures: one query per section, whatever the number of deals.

Every section is an aggregate (GROUP BY) or a bounded list (LIMIT, with the full count from
``count(*) OVER ()``), so a team with 10,000 open deals costs the same ~15 queries as a team
with ten. Only portable SQL is used (window functions, CASE, correlated subqueries, NOT
EXISTS): SQLite 3.25+ and PostgreSQL run it alike.

"Activity" on a deal is a stage move or any interaction with its customer; a lead counts as
"contacted" once any interaction with its customer happened after the deal was created. Every
threshold is "more than": a deal exactly 14 days past its expected close is not flagged yet.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, and_, exists, func, or_, select, type_coerce
from sqlmodel import Session, col
from sqlmodel import select as select_models

from storage.deals import StageTotal, deal_value, stage_totals
from storage.models import Customer, Deal, DealStageChange, Interaction, Stage, Task
from storage.reports import attention
from storage.schedule.digest_data import (
    Attention,
    Changes,
    DealItem,
    DigestData,
    Listing,
    Move,
    RepLoad,
    Scope,
    Sum,
    Thresholds,
)
from storage.types import money_sum, total

__all__ = ["DigestData", "Scope", "Thresholds", "collect"]


_DEAL_COLUMNS = (
    col(Deal.id),
    col(Deal.title),
    col(Deal.customer_id),
    col(Customer.name).label("customer"),
    col(Deal.owner_id),
    col(Deal.currency),
    col(Deal.amount),
    col(Deal.closed_amount),
    col(Deal.expected_close),
    col(Deal.lost_reason),
    col(Deal.stage_id),
    col(Deal.stage_changed_at),
    col(Deal.created_at),
    col(Deal.closed_at),
)


def _deals(*extra: Any) -> Any:
    return select(*_DEAL_COLUMNS, *extra).join(
        Customer, col(Deal.customer_id) == col(Customer.id), isouter=True
    )


def _listing(session: Session, query: Any, order: tuple[Any, ...], limit: int) -> Listing:
    """The first ``limit`` deals of ``query`` in ``order``, with how many there are in all.

    ``query`` selects the deals' ids (and any column the listing carries, such as
    ``last_touch``) with its filters. Why two levels: the count needs every matching deal,
    tens of thousands in a big book, so only the ids and sort keys go through the count and
    the sort; the customer's name and the other columns are joined to the few deals kept."""
    top = (
        query.add_columns(
            func.row_number().over(order_by=order).label("pos"),
            func.count().over().label("n"),
        )
        .order_by(*order)
        .limit(limit)
        .subquery()
    )
    carried = [c for c in top.c if c.key not in ("id", "pos", "n")]
    shown = _deals(*carried, top.c.n).join(top, top.c.id == col(Deal.id)).order_by(top.c.pos)
    rows = list(session.execute(shown))
    if not rows:
        return Listing()
    items = [DealItem(**{k: v for k, v in row._mapping.items() if k != "n"}) for row in rows]
    return Listing(items, int(rows[0].n))


def collect(
    session: Session,
    scope: Scope,
    *,
    since: datetime,
    now: datetime,
    today: date,
    limits: Thresholds,
) -> DigestData:
    """Everything a digest shows, for deals and tasks in ``scope``, as of ``now``."""
    stages = list(session.exec(select_models(Stage).order_by(col(Stage.position), col(Stage.id))))
    open_ids = [s.id for s in stages if not s.is_closed and s.id is not None]
    won_ids = [s.id for s in stages if s.is_won and s.id is not None]
    lost_ids = [s.id for s in stages if s.is_lost and s.id is not None]
    return DigestData(
        stages=stages,
        pipeline=_pipeline(session, scope, stages, open_ids),
        changes=_changes(session, scope, since, now, limits, won_ids, lost_ids),
        attention=_attention(session, scope, now, today, since, limits, stages),
        since=since,
        now=now,
        today=today,
        limits=limits,
    )


def _pipeline(
    session: Session, scope: Scope, stages: list[Stage], open_ids: list[int]
) -> list[StageTotal]:
    return stage_totals(
        session, [s for s in stages if s.id in open_ids], scope.deals(Deal.owner_id)
    )


def _sums(rows: Any) -> list[Sum]:
    return [Sum(currency, count, total(high, low)) for currency, count, high, low in rows]


def _changes(
    session: Session,
    scope: Scope,
    since: datetime,
    now: datetime,
    limits: Thresholds,
    won_ids: list[int],
    lost_ids: list[int],
) -> Changes:
    n = limits.items_per_rule
    created = and_(col(Deal.created_at) > since, col(Deal.created_at) <= now)
    in_scope = scope.deals(Deal.owner_id)
    new = session.execute(
        select(col(Deal.currency), func.count(), *money_sum(Deal.amount))
        .where(created, in_scope)
        .group_by(col(Deal.currency))
        .order_by(col(Deal.currency))
    )
    newest = select(col(Deal.id)).where(created, in_scope)
    moves = session.execute(
        select(col(DealStageChange.from_stage_id), col(DealStageChange.to_stage_id), func.count())
        .join(Deal, col(Deal.id) == col(DealStageChange.deal_id))
        .where(
            col(DealStageChange.at) > since,
            col(DealStageChange.at) <= now,
            col(DealStageChange.from_stage_id).is_not(None),
            in_scope,
        )
        .group_by(col(DealStageChange.from_stage_id), col(DealStageChange.to_stage_id))
    )
    closed_window = and_(
        col(Deal.closed_at) > since,
        col(Deal.closed_at) <= now,
        col(Deal.stage_id).in_(won_ids + lost_ids),
        in_scope,
    )
    closed: dict[int, list[Sum]] = {}
    for stage_id, currency, count, high, low in session.execute(
        select(
            col(Deal.stage_id), col(Deal.currency), func.count(), *money_sum(deal_value(won_ids))
        )
        .where(closed_window)
        .group_by(col(Deal.stage_id), col(Deal.currency))
        .order_by(col(Deal.stage_id), col(Deal.currency))
    ):
        closed.setdefault(stage_id, []).append(Sum(currency, count, total(high, low)))
    latest = func.row_number().over(
        partition_by=col(Deal.stage_id), order_by=(col(Deal.closed_at).desc(), col(Deal.id))
    )
    ranked = _deals(latest.label("pos")).where(closed_window).subquery()
    won: list[DealItem] = []
    lost: list[DealItem] = []
    for row in session.execute(
        select(ranked).where(ranked.c.pos <= n).order_by(ranked.c.closed_at.desc())
    ):
        item = DealItem(**{k: v for k, v in row._mapping.items() if k != "pos"})
        (won if item.stage_id in won_ids else lost).append(item)
    return Changes(
        new=_sums(new),
        new_deals=_listing(session, newest, (col(Deal.created_at).desc(), col(Deal.id)), n),
        moves=[Move(a, b, c) for a, b, c in moves],
        closed=closed,
        won=Listing(won, sum(s.count for i in won_ids for s in closed.get(i, []))),
        lost=Listing(lost, sum(s.count for i in lost_ids for s in closed.get(i, []))),
    )


def _attention(
    session: Session,
    scope: Scope,
    now: datetime,
    today: date,
    since: datetime,
    limits: Thresholds,
    stages: list[Stage],
) -> Attention:
    n = limits.items_per_rule
    open_ids = [s.id for s in stages if not s.is_closed]
    is_open = col(Deal.stage_id).in_(open_ids)
    in_scope = scope.deals(Deal.owner_id)

    ids = select(col(Deal.id))
    by_close = (col(Deal.closed_at).desc(), col(Deal.id))
    by_created = (col(Deal.created_at), col(Deal.id))

    late = today - timedelta(days=limits.close_overdue_days)
    close_overdue = ids.where(is_open, in_scope, col(Deal.expected_close) < late)

    candidates = (
        select(
            col(Deal.id),
            col(Deal.stage_changed_at),
            attention.last_touch().label("last_touch"),
        )
        .where(is_open, in_scope, *attention.stale_where(session, now, limits.stale_days))
        .subquery()
    )
    stale = select(candidates.c.id, candidates.c.last_touch)

    lost_ids = [s.id for s in stages if s.is_lost]
    no_reason = ids.where(
        col(Deal.stage_id).in_(lost_ids),
        func.coalesce(func.trim(Deal.lost_reason), "") == "",
        in_scope,
    )

    won_ids = [s.id for s in stages if s.is_won]
    closing, estimate = (
        type_coerce(Deal.closed_amount, BigInteger),
        type_coerce(Deal.amount, BigInteger),
    )
    won_off = ids.where(
        col(Deal.stage_id).in_(won_ids),
        col(Deal.closed_at) > since,
        col(Deal.closed_at) <= now,
        col(Deal.amount) > 0,
        col(Deal.closed_amount).is_not(None),
        or_(
            closing * 100 < estimate * limits.won_low_pct,  # in hundredths: no rounding
            closing * 100 > estimate * limits.won_high_pct,
        ),
        in_scope,
    )

    unowned = ids.where(is_open, col(Deal.owner_id).is_(None))

    first_open = next((s.id for s in stages if not s.is_closed), None)
    touched = exists().where(
        col(Interaction.customer_id) == col(Deal.customer_id),
        col(Interaction.occurred_at) >= col(Deal.created_at),
    )
    uncontacted = ids.where(
        col(Deal.stage_id) == first_open,
        col(Deal.created_at) < now - timedelta(days=limits.lead_contact_days),
        ~touched,
        in_scope,
    )

    return Attention(
        close_overdue=_listing(session, close_overdue, (col(Deal.expected_close), col(Deal.id)), n),
        stale=_listing(session, stale, attention.stale_order(candidates), n),
        lost_no_reason=_listing(session, no_reason, by_close, n),
        won_off=_listing(session, won_off, by_close, n),
        unowned=_listing(session, unowned, by_created, n) if scope.unowned else Listing(),
        uncontacted=_listing(session, uncontacted, by_created, n),
        loads=_loads(session, scope, now, limits),
    )


def _loads(session: Session, scope: Scope, now: datetime, limits: Thresholds) -> list[RepLoad]:
    """Per rep: open tasks, overdue ones, and ones open too long; only reps with a problem."""
    query = attention.load_select(
        scope.tasks(Task.assignee_id), now, limits.max_open_tasks, limits.task_age_days
    )
    return [
        RepLoad(rep, total, int(late), int(aged))
        for rep, total, late, aged in session.execute(query)
    ]
