"""Report kinds: the name a rep types (English or Turkish, ``kw.report.kind.<name>``) → the
function that builds it. A second-wave kind is one module beside these and one line here."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from handlers.kit import Translator, is_keyword
from handlers.reports import Built, Request, activity, cycle, funnel, load, stale, summary, winrate

Builder = Callable[[Session, Translator, Request], Built]
KINDS: dict[str, Builder] = {
    "summary": summary.build,
    "winrate": winrate.build,
    "cycle": cycle.build,
    "activity": activity.build,
    "funnel": funnel.build,
    "stale": stale.build,
    "load": load.build,
}
DEFAULT = "summary"
BREAKDOWNS = ("rep", "manager", "region", "product", "stage")


def kind_named(word: str) -> str | None:
    return next((k for k in KINDS if is_keyword(word, f"kw.report.kind.{k}")), None)


def breakdown_named(word: str) -> str | None:
    return next((b for b in BREAKDOWNS if is_keyword(word, f"kw.report.by.{b}")), None)
