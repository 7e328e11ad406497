"""Activity per rep and per day or week: interactions by kind, customers touched, deals
advanced.

Buckets are given as their boundaries (``bounds``: UTC moments, b0 < b1 < … < bn, bucket i is
[b_i, b_{i+1})), so a "day" is the rep's local day, DST included, while the SQL only compares
moments: a CASE over the boundaries, portable and with as many branches as buckets, not rows.
``day_bounds`` makes them from local dates.

- Interactions count for the rep who logged them (``rep_id``), customers touched are distinct
  customers per bucket (and over the whole range, which is not the sum of the buckets).
- A deal advanced is a stage move (``DealStageChange``, the record of every move) to a stage
  further along that is not a lost stage, counted per rep who moved it; a deal moved forward
  twice in a bucket counts once.
Interactions of archived (deleted) customers and moves of archived deals are left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.models import Customer, Deal, DealStageChange, Interaction, Stage
from storage.reports.basis import RepScope, live, owned_by


@dataclass(frozen=True)
class Cell:
    """One rep in one bucket."""

    rep_id: int | None
    start: datetime
    kinds: dict[str, int] = field(default_factory=dict)  # interaction kind → count
    customers: int = 0
    advanced: int = 0


@dataclass(frozen=True)
class Activity:
    cells: tuple[Cell, ...]  # by bucket start, then rep
    customers: dict[int | None, int]  # rep → distinct customers over the whole range


def day_bounds(first: date, last: date, tz: ZoneInfo, weeks: bool = False) -> list[datetime]:
    """UTC boundaries of each local day (or 7-day week from ``first``) from ``first`` to
    ``last`` inclusive."""
    step = 7 if weeks else 1
    days = [first + timedelta(days=i) for i in range(0, (last - first).days + 1, step)]
    days.append(days[-1] + timedelta(days=step))
    return [datetime.combine(d, time(), tz).astimezone(UTC) for d in days]


def _bucket(column: object, bounds: Sequence[datetime]) -> object:
    whens = [(col(column) < b, i) for i, b in enumerate(bounds[1:])]  # type: ignore[arg-type]
    return case(*whens, else_=len(bounds) - 1)


def activity(session: Session, bounds: Sequence[datetime], scope: RepScope = None) -> Activity:
    """Four queries: kinds, customers per bucket, customers over the range, deals advanced."""
    start, end = bounds[0], bounds[-1]
    at = col(Interaction.occurred_at)
    seen = and_(at >= start, at < end, owned_by(Interaction.rep_id, scope), live(Customer))
    bucket = _bucket(Interaction.occurred_at, bounds).label("b")  # type: ignore[attr-defined]
    joined = select().join_from(
        Interaction, Customer, col(Customer.id) == col(Interaction.customer_id)
    )
    kinds = session.execute(
        joined.add_columns(col(Interaction.rep_id), bucket, col(Interaction.kind), func.count())
        .where(seen)
        .group_by(col(Interaction.rep_id), "b", col(Interaction.kind))
    )
    touched = func.count(func.distinct(Interaction.customer_id))
    per_bucket = session.execute(
        joined.add_columns(col(Interaction.rep_id), bucket, touched)
        .where(seen)
        .group_by(col(Interaction.rep_id), "b")
    )
    overall = session.execute(
        joined.add_columns(col(Interaction.rep_id), touched)
        .where(seen)
        .group_by(col(Interaction.rep_id))
    )
    before, after = aliased(Stage), aliased(Stage)
    moved = _bucket(DealStageChange.at, bounds).label("b")  # type: ignore[attr-defined]
    advanced = session.execute(
        select(
            col(DealStageChange.rep_id), moved, func.count(func.distinct(DealStageChange.deal_id))
        )
        .join(Deal, col(Deal.id) == col(DealStageChange.deal_id))
        .join(before, before.id == col(DealStageChange.from_stage_id))
        .join(after, after.id == col(DealStageChange.to_stage_id))
        .where(
            col(DealStageChange.at) >= start,
            col(DealStageChange.at) < end,
            owned_by(DealStageChange.rep_id, scope),
            live(Deal),
            after.position > before.position,
            ~after.is_lost,
        )
        .group_by(col(DealStageChange.rep_id), "b")
    )
    cells: dict[tuple[int, int | None], dict] = defaultdict(lambda: {"kinds": {}})
    for rep, b, kind, n in kinds:
        cells[int(b), rep]["kinds"][kind] = n
    for rep, b, n in per_bucket:
        cells[int(b), rep]["customers"] = n
    for rep, b, n in advanced:
        cells[int(b), rep]["advanced"] = n
    ordered = sorted(cells.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0))
    return Activity(
        tuple(Cell(rep, bounds[b], **values) for (b, rep), values in ordered),
        {rep: n for rep, n in overall},
    )


def customers_touched(
    session: Session, start: datetime, end: datetime, scope: RepScope = None
) -> int:
    """Distinct customers any rep in ``scope`` logged an interaction with (one query): a
    customer two reps both touched counts once, unlike the sum of ``Activity.customers``."""
    at = col(Interaction.occurred_at)
    query = (
        select(func.count(func.distinct(Interaction.customer_id)))
        .join(Customer, col(Customer.id) == col(Interaction.customer_id))
        .where(at >= start, at < end, owned_by(Interaction.rep_id, scope), live(Customer))
    )
    return int(session.exec(query).one())
