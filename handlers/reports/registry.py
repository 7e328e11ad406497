"""Report kinds: the name a rep types (English or Turkish, ``kw.report.kind.<name>``) → the
function that builds it. A second-wave kind is one module beside these and one line here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from handlers.kit import Translator, is_keyword
from handlers.reports import (
    Built,
    Request,
    activity,
    cycle,
    funnel,
    load,
    stale,
    summary,
    winrate,
)
from handlers.reports.forecast import build as forecast_report
from handlers.reports.forecast import default_period as forecast_period
from handlers.reports.lost import build as lost_report
from handlers.reports.period import Period
from handlers.reports.pipeline import build as pipeline_report

Builder = Callable[[Session, Translator, Request], Built]
KINDS: dict[str, Builder] = {
    "summary": summary.build,
    "winrate": winrate.build,
    "cycle": cycle.build,
    "forecast": forecast_report,
    "pipeline": pipeline_report,
    "lost": lost_report,
    "activity": activity.build,
    "funnel": funnel.build,
    "stale": stale.build,
    "load": load.build,
}
DEFAULT = "summary"
# A kind whose natural period is not "this week": its period when none is typed.
DEFAULT_PERIODS: dict[str, Callable[[datetime, ZoneInfo], Period]] = {
    "forecast": forecast_period,
}
BREAKDOWNS = ("rep", "manager", "region", "product", "stage")


def kind_named(word: str) -> str | None:
    return next((k for k in KINDS if is_keyword(word, f"kw.report.kind.{k}")), None)


def kinds_typed(t: Translator, kinds: Iterable[str] = KINDS) -> str:
    """The kinds as the rep would type them: each one's first name in their language."""
    return ", ".join(t.words(f"kw.report.kind.{k}")[0] for k in kinds)


def breakdown_named(word: str) -> str | None:
    return next((b for b in BREAKDOWNS if is_keyword(word, f"kw.report.by.{b}")), None)
