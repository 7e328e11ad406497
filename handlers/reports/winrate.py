"""``winrate`` (kazanma): won ÷ (won + lost) among deals closed in the period, by count and by
value, per rep, manager's team, regional office or product, and the trend over the four
periods of the same length before it."""

from __future__ import annotations

from sqlmodel import Session

from handlers.kit import Translator
from handlers.reports import Built, Request
from handlers.reports.render import money, share
from handlers.reports.valued import combined
from storage.reports.outcomes import Outcome, outcomes
from storage.reports.outcomes import trend as winrate_trend

TREND = 4
BY = {"rep": "rep", "manager": "manager", "region": "region", "product": "product"}


def _total(base: str, groups: list[Outcome]) -> Outcome:
    """The groups added up: every closed deal is in exactly one group, and each group's
    amounts were converted at their own close days' rates, so the sums are the period's own
    (one scan of the period's deals instead of two)."""
    return Outcome(
        None,
        None,
        sum(o.won for o in groups),
        sum(o.lost for o in groups),
        combined(base, [o.won_value for o in groups]),
        combined(base, [o.lost_value for o in groups]),
        sum(o.lost_list_priced for o in groups),
    )


def build(session: Session, t: Translator, request: Request) -> Built:
    p, ids, base = request.period, request.audience.ids, request.base
    by = request.by if request.by in BY else "rep"
    rows = outcomes(session, p.start, p.end, ids, BY[by], base=base)  # type: ignore[arg-type]
    total = _total(base, rows)
    # the periods before are consecutive and end where this one starts: one query for them all
    earlier = [p.before(back) for back in range(TREND, 0, -1)]
    bounds = [e.start for e in earlier] + [p.start]
    past = winrate_trend(session, bounds, ids, base=base)
    trend = [(e, o.win_rate) for e, o in zip(earlier, past, strict=True)]
    trend.append((p, total.win_rate))
    headline = [
        t(
            "reports.winrate.count",
            rate=share(t, total.win_rate),
            won=t.number(total.won),
            lost=t.number(total.lost),
        ),
        t(
            "reports.winrate.value",
            rate=share(t, total.value_rate),
            won=money(t, total.won_value),
            lost=money(t, total.lost_value),
        ),
        t("reports.winrate.trend", trend=" → ".join(share(t, rate) for _, rate in trend)),
    ]
    notes = []
    if total.lost_list_priced:
        notes.append(t("reports.winrate.list_priced", count=t.number(total.lost_list_priced)))
    return Built(
        headline,
        [
            t(f"reports.col.{by}"),
            t("reports.col.win_rate"),
            t("reports.col.won"),
            t("reports.col.lost"),
            t("reports.col.value_rate"),
            t("reports.col.won_value"),
        ],
        [
            [o.label or t("reports.nobody"), o.win_rate, o.won, o.lost, o.value_rate, o.won_value]
            for o in rows
        ],
        notes=notes,
        breakdowns=tuple(b for b in BY if b != by),
        trend=trend,
    )
