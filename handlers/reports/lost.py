"""``lost`` (kayıp): why deals were lost in the period — each reason's count, share of the lost
deals and amount, overall or per rep.

A deal counts when it is in a lost stage and closed in the period; its amount is its estimate
(a lost deal has no closing amount), converted at the rate of its close date. Reasons are
grouped as typed (trimmed); a deal lost without a reason is its own row, since those are the
ones a manager should chase. A reason's share is its count ÷ all lost deals (per rep: ÷ that
rep's lost deals). Each of the top reasons is a button to the deals lost for it.
"""

from __future__ import annotations

from collections import Counter

from sqlmodel import Session

from handlers.kit import Button, Translator
from handlers.reports import Built, Cell, Request, behind
from handlers.reports.render import money, share
from handlers.reports.valued import combined
from storage import reps
from storage.reports.lost import ValuedReason, lost_valued

REASON_BUTTONS = 6


def _why(t: Translator, row: ValuedReason) -> str:
    return row.reason or t("reports.lost.no_reason")


def build(session: Session, t: Translator, request: Request) -> Built:
    p, base = request.period, request.base
    overall, per_rep = lost_valued(session, p.start, p.end, request.audience.ids, base=base)
    count = sum(r.count for r in overall)
    value = money(t, combined(base, [r.amount for r in overall]))
    headline = [t.plural("reports.lost.total", count, value=value)]
    named = [r for r in overall if r.reason]
    if named:
        top = named[0]
        headline.append(
            t.plural(
                "reports.lost.top", top.count, reason=top.reason, share=share(t, top.count / count)
            )
        )
    unexplained = sum(r.count for r in overall if not r.reason)
    headline.append(t("reports.lost.no_reason_count", count=t.number(unexplained)))
    notes = [t("reports.lost.valued", base=base)]
    if request.by == "rep":
        names = reps.names(session, {r.rep_id for r in per_rep if r.rep_id is not None})
        of_rep: Counter[int | None] = Counter()
        for r in per_rep:
            of_rep[r.rep_id] += r.count
        rows: list[list[Cell]] = [
            [
                names.get(r.rep_id, "") if r.rep_id is not None else t("reports.nobody"),
                _why(t, r),
                r.count,
                r.count / of_rep[r.rep_id],
                r.amount,
            ]
            for r in per_rep
        ]
        header = ["rep", "reason", "lost", "share", "value"]
        return Built(headline, [t(f"reports.col.{h}") for h in header], rows, notes)
    rows = [[_why(t, r), r.count, r.count / count, r.amount] for r in overall]
    header = ["reason", "lost", "share", "value"]
    choices = [  # the deals behind each of the top reasons
        Button(f"{_why(t, r)[:32]} ({t.number(r.count)})", behind.command(request, r.reason or ""))
        for r in overall[:REASON_BUTTONS]
    ]
    return Built(
        headline,
        [t(f"reports.col.{h}") for h in header],
        rows,
        notes,
        breakdowns=("rep",),
        choices=choices,
    )
