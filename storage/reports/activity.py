"""Activity per rep and per day or week: interactions by kind, customers touched, deals
advanced.

Buckets are given as their boundaries (``bounds``: UTC moments, b0 < b1 < … < bn, bucket i is
[b_i, b_{i+1})), so a "day" is the rep's local day, DST included. ``day_bounds`` makes the
boundaries from local dates.

Everyone's buckets are one SELECT each, and a range's buckets one statement (UNION ALL): a
range scan of the bucket's slice of a covering index (``ix_interaction_time_rep``,
``ix_dealstagechange_time``) with its own small distinct counts. Grouping a company's year
(~400,000 interactions) by a bucket computed per row instead sorted all of it (PostgreSQL: to
disk at the default work_mem, after numeric arithmetic per row); per bucket, neither happens.
A team's or a rep's rows are few, so their range is one SELECT grouped by a bucket found by
arithmetic: the boundaries fall into runs of equal steps (one run for a range without a DST
change, one more per change), and within a run the bucket is the run's first index plus the
whole steps since its start; a CASE picks the run.

Per rep and bucket (a count per kind and the distinct customers), per rep alone for a
breakdown by rep (distinct customers over the range), or per bucket alone for a company's
worth of reps.

- Interactions count for the rep who logged them (``rep_id``), customers touched are distinct
  customers per bucket (and over the whole range, which is not the sum of the buckets).
- A deal advanced is a stage move (``DealStageChange``, the record of every move) to a stage
  further along that is not a lost stage, counted per rep who moved it; a deal moved forward
  twice in a bucket counts once.
Interactions of archived (deleted) customers and moves of archived deals are left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Integer,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    null,
    or_,
    union_all,
)
from sqlmodel import Session, col, select

from storage.models import INTERACTION_KINDS, Customer, DealStageChange, Interaction
from storage.reports.basis import (
    RepScope,
    of_live_customers,
    of_live_deals,
    owned_by,
    stage_sets,
)

Cells = Literal["both", "rep", "bucket"]  # per rep and bucket, per rep, per bucket
BRANCHES = 100  # buckets per statement: a year of weeks in one, of days in four
PROBE_RATIO = 2  # SQLite: interactions per customer above which each customer is probed


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


def activity(
    session: Session, bounds: Sequence[datetime], scope: RepScope = None, *, cells: Cells = "both"
) -> Activity:
    """Two queries (one more per ``BRANCHES`` buckets): interactions per rep and bucket, deals
    advanced per rep and bucket.

    ``cells="rep"``: one cell per rep over the whole range instead, so its customers are the
    distinct ones over the range (not the sum of the buckets'). ``cells="bucket"``: one cell
    per bucket for every rep together (``rep_id`` None), its customers distinct over them all.
    Deals advanced are always counted once per deal, rep and bucket and summed, so the totals
    are the same whatever the cells and a report's headline does not depend on them."""
    counted = [bounds[0], bounds[-1]] if cells == "rep" else bounds
    per_bucket = _interactions(session, counted, scope, per_rep=cells != "bucket")
    advanced = _advanced(session, bounds, scope)
    found: dict[tuple[int, int | None], dict] = defaultdict(lambda: {"kinds": {}, "advanced": 0})
    for rep, b, *kinds, touched in per_bucket:
        if not touched:  # an empty bucket: no row, as a grouping would give none
            continue
        cell = found[int(b), rep]
        cell["kinds"] = {k: int(n) for k, n in zip(INTERACTION_KINDS, kinds, strict=True) if n}
        cell["customers"] = int(touched)
    for rep, b, n in advanced:
        key = {"rep": (0, rep), "bucket": (int(b), None)}.get(cells, (int(b), rep))
        found[key]["advanced"] += n
    ordered = sorted(found.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0))
    return Activity(tuple(Cell(rep, bounds[b], **values) for (b, rep), values in ordered))


def _per_bucket(
    session: Session,
    bounds: Sequence[datetime],
    column: Any,
    scope: RepScope,
    branch: Callable[[Any, datetime, datetime], Any],
) -> list[Any]:
    """The rows of ``branch(bucket index, start, end)`` for every bucket.

    Everyone's: one SELECT per bucket, ``BRANCHES`` of them per statement joined by UNION ALL
    (a ten-year range of weeks stays within SQLite's 500 terms of a compound SELECT). A
    team's or a rep's: one SELECT over the range grouped by the bucket of ``column``, found
    by arithmetic: their rows are few, and a branch per bucket would seek each rep's slice
    of the index once per bucket and make PostgreSQL plan a hundred subqueries (a team's
    year: 150 → 360 ms)."""
    if scope is not None:
        index = _bucket(session, column, bounds).label("b")
        return list(session.execute(branch(index, bounds[0], bounds[-1]).group_by("b")))
    rows: list[Any] = []
    for first in range(0, len(bounds) - 1, BRANCHES):
        last = min(first + BRANCHES, len(bounds) - 1)
        branches = [
            branch(literal_column(str(i), Integer).label("b"), bounds[i], bounds[i + 1])
            for i in range(first, last)
        ]
        rows += session.execute(union_all(*branches)).all()
    return rows


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


def _interactions(
    session: Session, bounds: Sequence[datetime], scope: RepScope, *, per_rep: bool
) -> list[Any]:
    """(rep or None, bucket index, a count per kind, distinct customers) rows. A bucket
    without interactions gives a row of zeros when not grouped by rep."""
    at = col(Interaction.occurred_at)
    rep = col(Interaction.rep_id) if per_rep else cast(null(), Integer)

    def branch(index: Any, start: datetime, end: datetime) -> Any:
        query = select(
            rep.label("rep_id"),
            index,
            *(func.count().filter(col(Interaction.kind) == k) for k in INTERACTION_KINDS),
            func.count(func.distinct(Interaction.customer_id)),
        ).where(
            at >= start,
            at < end,
            owned_by(Interaction.rep_id, scope),
            of_live_customers(Interaction.customer_id),
        )
        return query.group_by(col(Interaction.rep_id)) if per_rep else query

    return _per_bucket(session, bounds, Interaction.occurred_at, scope, branch)


def _advanced(session: Session, bounds: Sequence[datetime], scope: RepScope) -> list[Any]:
    """(rep, bucket index, deals) rows: the deals each rep moved forward in each bucket."""
    at = col(DealStageChange.at)
    forward = _forward(session)

    def branch(index: Any, start: datetime, end: datetime) -> Any:
        return (
            select(
                col(DealStageChange.rep_id),
                index,
                func.count(func.distinct(DealStageChange.deal_id)),
            )
            .where(
                at >= start,
                at < end,
                owned_by(DealStageChange.rep_id, scope),
                of_live_deals(DealStageChange.deal_id, None),  # counted per mover, any owner
                forward,
            )
            .group_by(col(DealStageChange.rep_id))
        )

    return _per_bucket(session, bounds, DealStageChange.at, scope, branch)


def _forward(session: Session) -> Any:
    """Moves to a stage further along that is not a lost one, as a test of the move's two
    stage ids: the stages are few (one small query), and two joins to them per move cost a
    year's report more than its grouping."""
    stages = stage_sets(session).stages
    ahead = {
        s.id: [t.id for t in stages if t.position > s.position and not t.is_lost] for s in stages
    }
    frm, to = col(DealStageChange.from_stage_id), col(DealStageChange.to_stage_id)
    return or_(false(), *((frm == a) & to.in_(ids) for a, ids in ahead.items() if ids))


def customers_touched(
    session: Session,
    start: datetime,
    end: datetime,
    scope: RepScope = None,
    *,
    interactions: int | None = None,
) -> int:
    """Distinct customers any rep in ``scope`` logged an interaction with (one query): a
    customer two reps both touched counts once, unlike the sum of ``Activity.customers``.

    ``interactions``: how many the range holds, when the caller has counted them. A distinct
    count inserts each of them into a sort; on SQLite, a seek into each customer's slice of
    ``ix_interaction_customer_time`` costs about two such inserts, so where the range holds
    more than ``PROBE_RATIO`` interactions per customer (a year of a busy book), everyone's
    count probes the customers instead (a year of 390,000 interactions over 100,000
    customers: 120 → 50 ms CPU). The statement compares the counts itself, and SQLite
    evaluates only the branch it takes. PostgreSQL turns the probe into a hash join that
    costs more than the sort, so it always sorts."""
    at = col(Interaction.occurred_at)
    distinct = select(func.count(func.distinct(Interaction.customer_id))).where(
        at >= start,
        at < end,
        owned_by(Interaction.rep_id, scope),
        of_live_customers(Interaction.customer_id),
    )
    sqlite = session.get_bind().dialect.name == "sqlite"
    if interactions is None or scope is not None or not sqlite:
        return int(session.exec(distinct).one())
    customer, interaction = Customer.__table__, Interaction.__table__
    touched = (
        select(literal_column("1"))
        .where(
            interaction.c.customer_id == customer.c.id,
            interaction.c.occurred_at >= start,
            interaction.c.occurred_at < end,
        )
        .exists()
    )
    probe = select(func.count()).where(customer.c.archived_at.is_(None), touched)
    customers = select(func.count()).select_from(customer)
    cheaper = literal(interactions) > PROBE_RATIO * customers.scalar_subquery()
    query = select(case((cheaper, probe.scalar_subquery()), else_=distinct.scalar_subquery()))
    return int(session.exec(query).one())
