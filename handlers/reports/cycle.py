"""``cycle`` (döngü): days from a deal's creation to Won (average and median) for deals won
in the period, and the average days spent in each stage, from the stage history."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session

from handlers.kit import Translator
from handlers.reports import Built, Request
from storage.reports.cycle import cycle, stage_stays


def _days(t: Translator, days: float | None) -> str:
    return "—" if days is None else t.number(round(days, 1))


def _tenths(days: float) -> Decimal:
    """Days to one decimal as a Decimal: a float ``Cell`` is a share and would print as %."""
    return Decimal(str(round(days, 1)))


def build(session: Session, t: Translator, request: Request) -> Built:
    p, ids = request.period, request.audience.ids
    found = cycle(session, p.start, p.end, ids)
    stays = stage_stays(session, p.start, p.end, ids)
    headline = [
        t("reports.cycle.won", count=t.number(found.won)),
        t(
            "reports.cycle.days",
            average=_days(t, found.average_days),
            median=_days(t, found.median_days),
        ),
    ]
    notes = [] if stays else [t("reports.cycle.no_history")]
    return Built(
        headline,
        [t("reports.col.stage"), t("reports.col.stays"), t("reports.col.days")],
        [[t.stage(s.stage), s.stays, _tenths(s.average_days)] for s in stays],
        notes=notes,
    )
