"""Why deals are lost: reasons with counts and amounts, overall and per rep.

A deal counts when it is in a lost stage and was closed in ``[start, end)``. Its amount is
its estimate (a lost deal has no closing amount), per currency. Reasons are grouped as typed,
trimmed; a deal lost without a reason is grouped under ``None`` (the digest flags those).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import Deal
from storage.reports.basis import RepScope, live, owned_by, stage_sets
from storage.reports.money import Amounts, Rates, Tally, day_of
from storage.types import money_sum, total


@dataclass(frozen=True)
class Reason:
    reason: str | None
    rep_id: int | None  # None in the overall rows (and for unowned deals in per-rep rows)
    currency: str
    count: int
    amount: Decimal


@dataclass(frozen=True)
class Lost:
    overall: tuple[Reason, ...]  # most lost first
    by_rep: tuple[Reason, ...]


def lost(session: Session, start: datetime, end: datetime, scope: RepScope = None) -> Lost:
    """Three queries: the stages, the reasons overall, the reasons per rep."""
    lost_ids = stage_sets(session).lost_ids
    reason = func.nullif(func.trim(Deal.lost_reason), "").label("reason")
    where = (
        col(Deal.stage_id).in_(lost_ids),
        col(Deal.closed_at) >= start,
        col(Deal.closed_at) < end,
        live(Deal),
        owned_by(Deal.owner_id, scope),
    )

    def rows(per_rep: bool) -> tuple[Reason, ...]:
        owner = [col(Deal.owner_id)] if per_rep else []
        query = (
            select(reason, *owner, col(Deal.currency), func.count(), *money_sum(Deal.amount))
            .where(*where)
            .group_by("reason", *owner, col(Deal.currency))
        )
        found = []
        for row in session.execute(query):
            why, *who, currency, n, high, low = row
            found.append(Reason(why, who[0] if who else None, currency, n, total(high, low)))
        return tuple(sorted(found, key=lambda r: (r.rep_id or 0, -r.count, r.reason or "")))

    return Lost(rows(per_rep=False), rows(per_rep=True))


_OVERALL = -1  # no rep's id: the key of the all-reps rows


@dataclass(frozen=True)
class ValuedReason:
    reason: str | None
    rep_id: int | None
    count: int
    amount: Amounts  # converted at the rate of each deal's close date


def lost_valued(
    session: Session, start: datetime, end: datetime, scope: RepScope = None, *, base: str
) -> tuple[list[ValuedReason], list[ValuedReason]]:
    """Reasons overall and per rep, most lost first, amounts converted at the close date's rate
    (three queries: the stages, the rates, one grouped by reason, owner, currency and day)."""
    reason = func.nullif(func.trim(Deal.lost_reason), "").label("reason")
    day = func.date(Deal.closed_at)
    query = (
        select(reason, col(Deal.owner_id), col(Deal.currency), day, func.count())
        .add_columns(*money_sum(Deal.amount))
        .where(
            col(Deal.stage_id).in_(stage_sets(session).lost_ids),
            col(Deal.closed_at) >= start,
            col(Deal.closed_at) < end,
            live(Deal),
            owned_by(Deal.owner_id, scope),
        )
        .group_by("reason", col(Deal.owner_id), col(Deal.currency), day)
    )
    rates = Rates(session, base)
    counts: Counter[tuple[str | None, int | None]] = Counter()
    tallies: dict[tuple[str | None, int | None], Tally] = defaultdict(lambda: Tally(rates))
    for why, owner, currency, closed, n, high, low in session.execute(query):
        for key in ((why, _OVERALL), (why, owner)):
            counts[key] += int(n)
            tallies[key].add(currency, day_of(closed), high, low)
    found = [ValuedReason(w, o, counts[w, o], tallies[w, o].amounts()) for w, o in counts]
    found.sort(key=lambda r: (r.rep_id or 0, -r.count, r.reason is None, r.reason or ""))
    overall = [r for r in found if r.rep_id == _OVERALL]
    return [replace(r, rep_id=None) for r in overall], [r for r in found if r.rep_id != _OVERALL]
