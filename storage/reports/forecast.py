"""The forecast: open deals by expected close month and quarter, and against quota.

Three figures per bucket, per currency (the handler converts to the base currency with the
latest rate, as /pipeline does, and labels it):
- best case: every open deal's amount;
- committed: the amounts of deals in stages at least ``commit_pct`` likely to be won
  (``CRM_COMMIT_PROBABILITY``, 60 by default: Negotiation with the default stages);
- weighted: each amount times its stage's win probability.
A bucket holds the deals whose expected close falls in ``[start, end)`` and is today or later.
A deal whose expected close has passed is not forecast in any month: it is listed apart
(``past_due``: count, sums, ids), since a date already missed forecasts nothing. Open deals
without an expected close are counted apart too (``undated``). Quotas are per rep and month
or quarter (``2026-11``, ``2026-Q4``); each quota in range comes with that rep's three figures
for that period. Days are calendar days (an expected close is a date, not a moment).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger, and_, case, extract, func, type_coerce
from sqlmodel import Session, col, select

from storage.models import Deal, Quota, Stage
from storage.reports.basis import RepScope, live, owned_by, stage_sets
from storage.types import money_sum, total

PAST_DUE_IDS = 50  # ids listed at most; the count and sums cover them all


@dataclass(frozen=True)
class Figures:
    """One bucket in one currency."""

    period: str  # "2026-11" (a month) or "2026-Q4" (a quarter); "" for undated
    currency: str
    count: int
    best_case: Decimal
    committed: Decimal
    weighted: Decimal


@dataclass(frozen=True)
class RepFigures(Figures):
    rep_id: int | None = None


@dataclass(frozen=True)
class PastDue:
    count: int
    sums: tuple[tuple[str, Decimal], ...]  # (currency, total), by currency
    ids: tuple[int, ...]  # the oldest expected close first, at most PAST_DUE_IDS
    titles: tuple[str, ...] = ()  # the same deals' titles, for buttons that open them


@dataclass(frozen=True)
class QuotaLine:
    rep_id: int
    period: str
    quota: Decimal
    currency: str
    figures: tuple[Figures, ...]  # the rep's forecast for that period, per currency


@dataclass(frozen=True)
class Forecast:
    months: tuple[Figures, ...]
    quarters: tuple[Figures, ...]
    by_rep: tuple[RepFigures, ...]  # per rep and month
    undated: tuple[Figures, ...]
    past_due: PastDue
    quotas: tuple[QuotaLine, ...]


def quarter_of(month: str) -> str:
    year, m = month.split("-")
    return f"{year}-Q{(int(m) - 1) // 3 + 1}"


def forecast(
    session: Session,
    start: date,
    end: date,
    today: date,
    scope: RepScope = None,
    commit_pct: int = 60,
) -> Forecast:
    """Five queries whatever the number of deals: stages, buckets, past due, quotas."""
    sets = stage_sets(session)
    is_open = and_(
        col(Deal.stage_id).in_(sets.open_ids), live(Deal), owned_by(Deal.owner_id, scope)
    )
    cents = type_coerce(func.coalesce(Deal.amount, 0), BigInteger)
    committed = case((col(Stage.probability) >= commit_pct, cents), else_=0)
    weighted = cents * col(Stage.probability)  # hundredths of cents: exact
    year, month = extract("year", Deal.expected_close), extract("month", Deal.expected_close)
    in_range = and_(col(Deal.expected_close) >= max(start, today), col(Deal.expected_close) < end)
    dated = col(Deal.expected_close).is_not(None)
    query = (
        select(
            case((dated, year), else_=0).label("y"),
            case((dated, month), else_=0).label("m"),
            col(Deal.owner_id),
            col(Deal.currency),
            func.count(),
            *money_sum(Deal.amount),
            *money_sum(committed),
            *money_sum(weighted),
        )
        .join(Stage, col(Stage.id) == col(Deal.stage_id))
        .where(is_open, in_range | col(Deal.expected_close).is_(None))
        .group_by("y", "m", col(Deal.owner_id), col(Deal.currency))
    )
    by_rep: list[RepFigures] = []
    for y, m, owner, currency, n, *halves in session.execute(query):
        period = f"{int(y):04d}-{int(m):02d}" if int(y) else ""
        best, sure = total(halves[0], halves[1]), total(halves[2], halves[3])
        likely = total(halves[4], halves[5]) / 100
        by_rep.append(RepFigures(period, currency, n, best, sure, likely, owner))
    by_rep.sort(key=lambda f: (f.period, f.rep_id or 0, f.currency))
    dated_rows = [f for f in by_rep if f.period]
    return Forecast(
        months=_summed(dated_rows, lambda f: f.period),
        quarters=_summed(dated_rows, lambda f: quarter_of(f.period)),
        by_rep=tuple(dated_rows),
        undated=_summed([f for f in by_rep if not f.period], lambda f: ""),
        past_due=_past_due(session, is_open, today),
        quotas=_quotas(session, scope, dated_rows, start, end),
    )


def _summed(rows: Iterable[Figures], key: object) -> tuple[Figures, ...]:
    """Rows already aggregated per rep, added up per bucket (a handful of rows, not deals)."""
    sums: dict[tuple[str, str], list[Decimal | int]] = defaultdict(lambda: [0, 0, 0, 0])
    for f in rows:
        acc = sums[key(f), f.currency]  # type: ignore[operator]
        for i, v in enumerate((f.count, f.best_case, f.committed, f.weighted)):
            acc[i] += v
    return tuple(
        Figures(period, currency, int(n), Decimal(b), Decimal(c), Decimal(w))
        for (period, currency), (n, b, c, w) in sorted(sums.items())
    )


def _past_due(session: Session, is_open: object, today: date) -> PastDue:
    late = and_(is_open, col(Deal.expected_close) < today)
    sums = session.execute(
        select(col(Deal.currency), func.count(), *money_sum(Deal.amount))
        .where(late)
        .group_by(col(Deal.currency))
        .order_by(col(Deal.currency))
    ).all()
    listed = session.execute(
        select(col(Deal.id), col(Deal.title))
        .where(late)
        .order_by(col(Deal.expected_close), col(Deal.id))
        .limit(PAST_DUE_IDS)
    ).all()
    return PastDue(
        sum(n for _c, n, _h, _l in sums),
        tuple((c, total(h, lo)) for c, _n, h, lo in sums),
        tuple(i for i, _ in listed),
        tuple(title for _, title in listed),
    )


def _periods(start: date, end: date) -> set[str]:
    months, day = set(), date(start.year, start.month, 1)
    while day < end:
        months.add(f"{day.year:04d}-{day.month:02d}")
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months | {quarter_of(m) for m in months}


def _quotas(
    session: Session, scope: RepScope, rows: list[RepFigures], start: date, end: date
) -> tuple[QuotaLine, ...]:
    query = (
        select(Quota)
        .where(col(Quota.period).in_(sorted(_periods(start, end))), owned_by(Quota.rep_id, scope))
        .order_by(col(Quota.period), col(Quota.rep_id))
    )
    lines = []
    for q in session.exec(query):
        mine = [f for f in rows if f.rep_id == q.rep_id]
        in_period = [f for f in mine if q.period in (f.period, quarter_of(f.period))]
        figures = _summed(in_period, lambda _f, p=q.period: p)
        lines.append(QuotaLine(q.rep_id, q.period, q.amount, q.currency, figures))
    return tuple(lines)
