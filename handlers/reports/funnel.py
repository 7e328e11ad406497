"""``funnel`` (dönüşüm): of the deals created in the period, how many reached each stage and
the conversion from each stage to the next; "by rep" gives each owner's line."""

from __future__ import annotations

from sqlmodel import Session

from handlers.kit import Translator
from handlers.reports import Built, Cell, Request
from handlers.reports.render import share
from storage import reps
from storage.reports.funnel import Funnel, funnel, funnel_by_owner


def _won(found: Funnel) -> int:
    """Deals that reached the last step (Won: the furthest stage that is not lost)."""
    return found.steps[-1].reached if found.steps else 0


def _of(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def build(session: Session, t: Translator, request: Request) -> Built:
    p, ids = request.period, request.audience.ids
    found = funnel(session, p.start, p.end, ids)
    won, created = _won(found), found.created
    headline = [
        t("reports.funnel.created", count=t.number(created)),
        t("reports.funnel.won", count=t.number(won), share=share(t, _of(won, created))),
        t(
            "reports.funnel.lost",
            count=t.number(found.lost),
            share=share(t, _of(found.lost, created)),
        ),
    ]
    notes = [t("reports.funnel.defined")]
    if request.by == "rep":
        owners = funnel_by_owner(session, p.start, p.end, ids)
        names = reps.names(session, {o for o in owners if o})
        header = [t("reports.col.rep"), t("reports.funnel.col.created")]
        header += [t.stage(s.name) for s in found.steps] + [t("reports.col.lost")]
        rows: list[list[Cell]] = [
            [
                names.get(owner or 0, t("reports.nobody")),
                f.created,
                *(s.reached for s in f.steps),
                f.lost,
            ]
            for owner, f in sorted(owners.items(), key=lambda kv: names.get(kv[0] or 0, ""))
        ]
        return Built(headline, header, rows, notes=notes, breakdowns=("stage",))
    return Built(
        headline,
        [
            t("reports.col.stage"),
            t("reports.funnel.col.reached"),
            t("reports.funnel.col.conversion"),
            t("reports.funnel.col.of_created"),
        ],
        [[t.stage(s.name), s.reached, s.conversion, _of(s.reached, created)] for s in found.steps],
        notes=notes,
        breakdowns=("rep",),
    )
