"""Reading ``/report [kind] [period] [scope] [breakdown] [deals] [csv]`` into a ``Request``.

The kind, a breakdown word ("reps", "ürünler"), "deals" and "csv" are single words found
anywhere; of the rest, the longest leading run of words that reads as a period is the period
and what follows is the scope. So "last month Ayşe" and "geçen ay ekip" both read, and a rep's name
never has to be quoted. With no period typed it is this week, or the kind's own default
(``registry.DEFAULT_PERIODS``: the forecast looks at this quarter and the next).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from handlers.kit import Settings, Translator, Usage, is_keyword
from handlers.reports import Request, period, scope, threshold
from handlers.reports.registry import (
    DEFAULT,
    DEFAULT_PERIODS,
    breakdown_named,
    kind_named,
    kinds_typed,
)
from storage.models import Rep


def parse(
    session: Session,
    t: Translator,
    asker: Rep,
    words: list[str],
    *,
    now: datetime,
    tz: ZoneInfo,
    settings: Settings,
    again: Callable[[str], str] = str,
) -> tuple[Request, bool]:
    """The request, and whether a CSV was asked for (Usage when the words do not read)."""
    kind, by, as_csv, behind, rest = None, None, False, False, []
    for word in words:
        if kind is None and not rest and (found := kind_named(word)):
            kind = found
        elif by is None and (found := breakdown_named(word)):
            by = found
        elif is_keyword(word, "kw.report.csv"):
            as_csv = True
        elif is_keyword(word, "kw.report.deals"):
            behind = True
        else:
            rest.append(word)
    days, rest = threshold.days_asked(kind, rest)
    for cut in range(len(rest), -1, -1):
        when = period.read(" ".join(rest[:cut]), now, tz)
        if when is not None:
            break
    else:  # pragma: no cover - an empty text always reads as this week
        raise Usage("reports.bad_period")
    if cut == 0 and rest and not _scope_like(session, rest):
        raise Usage("reports.bad_words", words=" ".join(rest))
    try:
        audience = scope.resolve(session, t, asker, rest[cut:], again)
    except Usage as unknown:
        if kind is None and cut == 0 and unknown.problem == "reports.scope.unknown":
            # "/report forecats": a report mistyped as likely as a rep: name both
            raise Usage("reports.unknown_word", word=" ".join(rest), kinds=kinds_typed(t)) from None
        raise
    kind = kind or DEFAULT
    if cut == 0 and kind in DEFAULT_PERIODS:
        when = DEFAULT_PERIODS[kind](now, tz)
    return Request(kind, when, audience, by, asker, now, settings, days, behind), as_csv


def _scope_like(session: Session, words: list[str]) -> bool:
    """Whether words that are no period could be a scope (else the period was mistyped)."""
    text = " ".join(words)
    if any(is_keyword(text, f"kw.report.scope.{s}") for s in ("me", "team", "everyone")):
        return True
    return text.startswith("#") or not any(ch.isdigit() for ch in text)
