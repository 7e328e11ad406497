"""``activity`` (aktivite): calls, visits, meetings, e-mails and notes per rep per day or week,
customers touched, deals advanced.

The rows follow the period's length: one per local day for a period of up to seven days (a
week, "today", a short range), one per week for anything longer, weeks starting on Monday and
cut at the period's ends (so the first and last may be short), one per rep in each — or, for
more than ``LISTED_REPS`` reps, one for them all. "By rep" gives each rep's totals over the
whole period instead.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session

from handlers.kit import Translator
from handlers.reports import Built, Cell, Request
from handlers.reports.period import Period
from storage import reps
from storage.models import INTERACTION_KINDS
from storage.reports.activity import activity, customers_touched

DAYS_UP_TO = 7  # a period this long or shorter has a row per day, longer per week
# More reps than this in scope (a company, a big team): a row per day or week for them all,
# not one per rep — a year of 200 reps' weeks is ten thousand lines no one reads in a chat.
LISTED_REPS = 12


def buckets(period: Period) -> list[date]:
    """The local first day of each bucket, then the day after the period."""
    days = (period.after - period.first).days
    if days <= DAYS_UP_TO:
        return [period.first + timedelta(days=i) for i in range(days + 1)]
    monday = period.first + timedelta(days=(7 - period.first.weekday()) % 7 or 7)
    weeks = [period.first]
    while monday < period.after:
        weeks.append(monday)
        monday += timedelta(days=7)
    return [*weeks, period.after]


def build(session: Session, t: Translator, request: Request) -> Built:
    p, ids = request.period, request.audience.ids
    starts = buckets(p)
    bounds = [datetime.combine(d, time(), p.tz).astimezone(UTC) for d in starts]
    in_scope = len(ids) if ids is not None else len(reps.all_reps(session))
    together = request.by != "rep" and in_scope > LISTED_REPS
    cells = "rep" if request.by == "rep" else "bucket" if together else "both"
    found = activity(session, bounds, ids, cells=cells)
    totals: dict[str, int] = defaultdict(int)
    for c in found.cells:
        for kind, n in c.kinds.items():
            totals[kind] += n
    logged = sum(totals.values())
    touched = customers_touched(session, p.start, p.end, ids, interactions=logged)
    names = reps.names(session, {c.rep_id for c in found.cells if c.rep_id})
    advanced = sum(c.advanced for c in found.cells)
    headline = [
        t(
            "reports.activity.total",
            total=t.number(logged),
            **{k: t.number(totals[k]) for k in INTERACTION_KINDS},
        ),
        t("reports.activity.touched", count=t.number(touched)),
        t("reports.activity.advanced", count=t.number(advanced)),
    ]
    figures = [t(f"reports.activity.col.{k}") for k in INTERACTION_KINDS]
    figures += [t("reports.activity.col.customers"), t("reports.activity.col.advanced")]
    weekly = (p.after - p.first).days > DAYS_UP_TO
    notes = [t(f"reports.activity.per_{'week' if weekly else 'day'}{'_all' if together else ''}")]
    notes.append(t("reports.activity.defined"))

    def who(rep_id: int | None) -> str:
        if together:
            return t("reports.activity.all_reps")
        return names.get(rep_id or 0, t("reports.activity.no_rep"))

    if request.by == "rep":
        per_rep: dict[int | None, list[int]] = defaultdict(lambda: [0] * len(figures))
        for c in found.cells:
            row = per_rep[c.rep_id]
            for i, kind in enumerate(INTERACTION_KINDS):
                row[i] += c.kinds.get(kind, 0)
            row[-2] = c.customers
            row[-1] = c.advanced
        rows: list[list[Cell]] = [
            [who(rep_id), *row]
            for rep_id, row in sorted(per_rep.items(), key=lambda kv: who(kv[0]))
        ]
        notes[0] = t("reports.activity.per_rep")
        return Built(headline, [t("reports.col.rep"), *figures], rows, notes=notes)
    local = {b: d for b, d in zip(bounds, starts, strict=True)}
    rows = [
        [
            t.date(local[c.start]),
            who(c.rep_id),
            *(c.kinds.get(k, 0) for k in INTERACTION_KINDS),
            c.customers,
            c.advanced,
        ]
        for c in found.cells
    ]
    first = t("reports.activity.col.week" if weekly else "reports.activity.col.day")
    return Built(
        headline, [first, t("reports.col.rep"), *figures], rows, notes=notes, breakdowns=("rep",)
    )
