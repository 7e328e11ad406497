"""``summary`` (özet): the period at a glance — new, advanced, won and lost deals with values,
win rate, activities, overdue tasks and open deals gone quiet; the table is the open pipeline
per stage now, or the won/lost figures per rep."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from handlers.kit import Translator
from handlers.reports import Built, Request
from handlers.reports.render import money, share
from storage.reports.movement import movement, open_pipeline
from storage.reports.outcomes import outcomes


def build(session: Session, t: Translator, request: Request) -> Built:
    p, ids, base = request.period, request.audience.ids, request.base
    stale = request.now - timedelta(days=request.settings.crm_digest_stale_days)
    moved = movement(session, p.start, p.end, ids, now=request.now, stale_before=stale, base=base)
    [total] = outcomes(session, p.start, p.end, ids, base=base)
    headline = [
        t("reports.summary.won", count=t.number(total.won), value=money(t, total.won_value)),
        t("reports.summary.win_rate", rate=share(t, total.win_rate), lost=t.number(total.lost)),
        t("reports.summary.new", count=t.number(moved.new), value=money(t, moved.new_value)),
        t(
            "reports.summary.rest",
            advanced=t.number(moved.advanced),
            activities=t.number(moved.activities),
            overdue=t.number(moved.overdue_tasks),
            stale=t.number(moved.stale_deals),
        ),
    ]
    if request.by == "rep":
        rows = outcomes(session, p.start, p.end, ids, "rep", base=base)
        return Built(
            headline,
            [
                t("reports.col.rep"),
                t("reports.col.won"),
                t("reports.col.won_value"),
                t("reports.col.lost"),
            ],
            [[o.label or t("reports.nobody"), o.won, o.won_value, o.lost] for o in rows],
            breakdowns=("stage",),
        )
    lines = open_pipeline(session, ids, today=request.now, base=base)
    return Built(
        headline,
        [t("reports.col.stage"), t("reports.col.open"), t("reports.col.value")],
        [[t.stage(s.stage), s.deals, s.value] for s in lines],
        notes=[t("reports.summary.pipeline_now")],
        breakdowns=("rep",),
    )
