"""``pipeline`` (huni): the open pipeline by stage or by rep — counts, values, probability-
weighted values — and the deals won and lost in the period.

The open figures come from the same functions as ``/pipeline team|<rep>``
(``storage.reports.pipeline``), so the two cannot disagree; open deals are valued at the latest
rate. Won and lost are those closed in the period (``storage.reports.outcomes``: a won deal at
its closed amount, a lost one at its amount or its product's list price), each converted at the
rate of its close date. "The deals behind" the open figure are the open deals of the same
people (``reports.behind``).
"""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session

from handlers.kit import Translator
from handlers.reports import Built, Cell, Request
from handlers.reports.render import money
from handlers.reports.valued import at_rate, worth
from storage import deals, reps
from storage.models import Stage
from storage.reports import pipeline as figures
from storage.reports.money import Amounts, Rates
from storage.reports.outcomes import Outcome, outcomes


def build(session: Session, t: Translator, request: Request) -> Built:
    p, ids, base = request.period, request.audience.ids, request.base
    today = request.now.astimezone(p.tz).date()
    rates = Rates(session, base)
    stages = deals.stages(session)
    lines = [s for s in figures.by_stage(session, stages, p.start, ids) if not s.stage.is_closed]
    weighted = [(s.currency, s.total * s.stage.probability / 100) for s in lines]
    open_value = at_rate(rates, today, [(s.currency, s.total) for s in lines])
    [closed] = outcomes(session, p.start, p.end, ids, base=base)
    headline = [
        t.plural("reports.pipeline.open", sum(s.count for s in lines), value=money(t, open_value)),
        t("reports.pipeline.weighted", value=money(t, at_rate(rates, today, weighted))),
        t(
            "reports.pipeline.closed",
            won=t.number(closed.won),
            won_value=money(t, closed.won_value),
            lost=t.number(closed.lost),
            lost_value=money(t, closed.lost_value),
        ),
    ]
    notes = [t("reports.pipeline.valued", base=base)]
    if closed.lost_list_priced:
        notes.append(t("reports.winrate.list_priced", count=t.number(closed.lost_list_priced)))
    if request.by == "rep":
        rows = _by_rep(session, t, rates, request, stages)
        header = ["rep", "open", "value", "weighted", "won", "won_value", "lost", "lost_value"]
        return Built(
            headline,
            [t(f"reports.col.{h}") for h in header],
            rows,
            notes,
            breakdowns=("stage",),
        )
    rows: list[list[Cell]] = []
    for stage in [s for s in stages if not s.is_closed]:
        mine = [s for s in lines if s.stage.id == stage.id]
        if mine:
            rows.append(
                [
                    f"{t.stage(stage.name)} ({t.percent(stage.probability)})",
                    sum(s.count for s in mine),
                    at_rate(rates, today, [(s.currency, s.total) for s in mine]),
                    at_rate(
                        rates,
                        today,
                        [(s.currency, s.total * stage.probability / 100) for s in mine],
                    ),
                ]
            )
    rows.append([t("reports.pipeline.won_row"), closed.won, closed.won_value, None])
    rows.append([t("reports.pipeline.lost_row"), closed.lost, closed.lost_value, None])
    header = [t(f"reports.col.{h}") for h in ("stage", "open", "value", "weighted")]
    return Built(headline, header, rows, notes, breakdowns=("rep",))


def _by_rep(
    session: Session, t: Translator, rates: Rates, request: Request, stages: list[Stage]
) -> list[list[Cell]]:
    """One row per rep with open deals or deals closed in the period."""
    p, ids = request.period, request.audience.ids
    today = request.now.astimezone(p.tz).date()
    open_by: dict[int | None, list[figures.RepTotal]] = defaultdict(list)
    for r in figures.by_rep(session, stages, ids):
        open_by[r.rep_id].append(r)
    closed_by: dict[int | None, Outcome] = {
        o.key if isinstance(o.key, int) else None: o
        for o in outcomes(session, p.start, p.end, ids, "rep", base=request.base)
    }
    who = set(open_by) | set(closed_by)
    names = reps.names(session, {r for r in who if r is not None})
    none = Amounts(request.base)
    rows: list[list[Cell]] = []
    for rep_id in who:
        mine, closed = open_by.get(rep_id, []), closed_by.get(rep_id)
        rows.append(
            [
                names.get(rep_id, "") if rep_id is not None else t("reports.nobody"),
                sum(r.count for r in mine),
                at_rate(rates, today, [(r.currency, r.total) for r in mine]),
                at_rate(rates, today, [(r.currency, r.weighted) for r in mine]),
                closed.won if closed else 0,
                closed.won_value if closed else none,
                closed.lost if closed else 0,
                closed.lost_value if closed else none,
            ]
        )
    return sorted(rows, key=lambda r: (-worth(r[2]), str(r[0])))
