"""Activity per rep and per day or week: interactions by kind, customers touched, deals
advanced.

Buckets are given as their boundaries (``bounds``: UTC moments, b0 < b1 < … < bn, bucket i is
[b_i, b_{i+1})), so a "day" is the rep's local day, DST included. The SQL finds a row's bucket
by arithmetic: the boundaries fall into runs of equal steps (one run for a range without a DST
change, one more per change), and within a run the bucket is the run's first index plus the
whole steps since its start. A CASE picks the run, so a year of days costs a few comparisons
per row rather than one per day. ``day_bounds`` makes the boundaries from local dates.

One grouping of the period's interactions: per rep and bucket (a count per kind and the
distinct customers, in one pass), per rep alone for a breakdown by rep (distinct customers
over the range), or per bucket alone for a company's worth of reps. A separate grouping by
kind, and a CTE per (rep, bucket, customer) read twice, each cost more: a year holds
~400,000 interactions and nearly as many (rep, bucket, customer) triples. Each pass is a scan
of the period's interactions, so a report runs one, not one per figure.

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
from itertools import pairwise
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, literal
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.models import INTERACTION_KINDS, DealStageChange, Interaction, Stage
from storage.reports.basis import RepScope, of_live_customers, of_live_deals, owned_by

Cells = Literal["both", "rep", "bucket"]  # per rep and bucket, per rep, per bucket


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


def day_bounds(first: date, last: date, tz: ZoneInfo, weeks: bool = False) -> list[datetime]:
    """UTC boundaries of each local day (or 7-day week from ``first``) from ``first`` to
    ``last`` inclusive."""
    step = 7 if weeks else 1
    days = [first + timedelta(days=i) for i in range(0, (last - first).days + 1, step)]
    days.append(days[-1] + timedelta(days=step))
    return [datetime.combine(d, time(), tz).astimezone(UTC) for d in days]


def _runs(bounds: Sequence[datetime]) -> list[tuple[int, int, int]]:
    """(first bucket, bucket after the last, step in seconds) of each run of equal steps."""
    runs: list[tuple[int, int, int]] = []
    for i, (a, b) in enumerate(pairwise(bounds)):
        step = int((b - a).total_seconds())
        if runs and runs[-1][2] == step:
            runs[-1] = (runs[-1][0], i + 1, step)
        else:
            runs.append((i, i + 1, step))
    return runs


def _bucket(session: Session, column: Any, bounds: Sequence[datetime]) -> Any:
    """The index of the bucket holding ``column``, for rows inside [b0, bn). Boundaries are
    whole seconds (local midnights), so whole seconds of the row's time decide."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    whens = []
    for first, after, step in _runs(bounds):
        since = int(bounds[first].timestamp())
        if sqlite:  # integers: the division floors (the offset is never negative)
            index = (func.unixepoch(column) - since).self_group().op("/")(step).self_group()
        else:
            index = func.floor((func.extract("epoch", column) - since) / step)
        whens.append((col(column) < bounds[after], first + index))
    return case(*whens, else_=len(bounds) - 1)


def activity(
    session: Session, bounds: Sequence[datetime], scope: RepScope = None, *, cells: Cells = "both"
) -> Activity:
    """Two queries: interactions per rep and bucket, deals advanced per rep and bucket.

    ``cells="rep"``: one cell per rep over the whole range instead, so its customers are the
    distinct ones over the range (not the sum of the buckets'). ``cells="bucket"``: one cell
    per bucket for every rep together (``rep_id`` None), its customers distinct over them all.
    Deals advanced are always counted once per deal, rep and bucket and summed, so the totals
    are the same whatever the cells and a report's headline does not depend on them."""
    start, end = bounds[0], bounds[-1]
    at = col(Interaction.occurred_at)
    counted = [start, end] if cells == "rep" else bounds
    who = col(Interaction.rep_id) if cells != "bucket" else literal(None).label("rep_id")
    per_bucket = session.execute(
        select(
            who,
            _bucket(session, Interaction.occurred_at, counted).label("b"),
            *(func.sum(case((col(Interaction.kind) == k, 1), else_=0)) for k in INTERACTION_KINDS),
            func.count(func.distinct(Interaction.customer_id)),
        )
        .where(
            at >= start,
            at < end,
            owned_by(Interaction.rep_id, scope),
            of_live_customers(Interaction.customer_id),
        )
        .group_by(*([col(Interaction.rep_id)] if cells != "bucket" else []), "b")
    ).all()
    before, after = aliased(Stage), aliased(Stage)
    moved = _bucket(session, DealStageChange.at, bounds).label("b")
    advanced = session.execute(
        select(
            col(DealStageChange.rep_id), moved, func.count(func.distinct(DealStageChange.deal_id))
        )
        .join(before, before.id == col(DealStageChange.from_stage_id))
        .join(after, after.id == col(DealStageChange.to_stage_id))
        .where(
            col(DealStageChange.at) >= start,
            col(DealStageChange.at) < end,
            owned_by(DealStageChange.rep_id, scope),
            of_live_deals(DealStageChange.deal_id, None),  # counted per mover, any owner
            after.position > before.position,
            ~after.is_lost,
        )
        .group_by(col(DealStageChange.rep_id), "b")
    )
    found: dict[tuple[int, int | None], dict] = defaultdict(lambda: {"kinds": {}, "advanced": 0})
    for rep, b, *kinds, touched in per_bucket:
        cell = found[int(b), rep]
        cell["kinds"] = {k: int(n) for k, n in zip(INTERACTION_KINDS, kinds, strict=True) if n}
        cell["customers"] = int(touched)
    for rep, b, n in advanced:
        key = {"rep": (0, rep), "bucket": (int(b), None)}.get(cells, (int(b), rep))
        found[key]["advanced"] += n
    ordered = sorted(found.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0))
    return Activity(tuple(Cell(rep, bounds[b], **values) for (b, rep), values in ordered))


def customers_touched(
    session: Session, start: datetime, end: datetime, scope: RepScope = None
) -> int:
    """Distinct customers any rep in ``scope`` logged an interaction with (one query): a
    customer two reps both touched counts once, unlike the sum of ``Activity.customers``."""
    at = col(Interaction.occurred_at)
    query = select(func.count(func.distinct(Interaction.customer_id))).where(
        at >= start,
        at < end,
        owned_by(Interaction.rep_id, scope),
        of_live_customers(Interaction.customer_id),
    )
    return int(session.exec(query).one())
