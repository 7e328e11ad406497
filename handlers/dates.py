"""Natural-language dates in English and Turkish, read in the rep's own timezone.

dateparser does the reading; this module only decides what a due date means:
- a day without a time ("friday", "cuma", "in 3 days") is due at ``DEFAULT_DUE`` local time,
  the end of the working day, so a task set "for Friday" is not overdue on Friday morning;
- a bare number ("3") or a month or year on its own is not a due date;
- the date span is looked for at the end of a phrase, then at its start.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser

DEFAULT_DUE = time(18, 0)
MAX_SPAN = 5
_ACCEPTED_PERIODS = {"time", "day", "week"}


def _languages(first: str) -> list[str]:
    return [first, *(lang for lang in ("en", "tr") if lang != first)]


def parse_when(text: str, *, now: datetime, tz: ZoneInfo, language: str = "en") -> datetime | None:
    """The moment ``text`` names, as aware UTC, or None if it names no usable moment."""
    text = text.strip()
    if not text or text.replace(".", "").replace(",", "").isdigit():
        return None
    parser = DateDataParser(
        languages=_languages(language),
        settings={
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": now.astimezone(tz).replace(tzinfo=None),
            "RETURN_TIME_AS_PERIOD": True,
        },
    )
    data = parser.get_date_data(text)
    if data.date_obj is None or data.period not in _ACCEPTED_PERIODS:
        return None
    local = data.date_obj.replace(tzinfo=None)
    # ``parts``, not ``period``: dateparser reports period "day" for "tomorrow 10am" whenever
    # 10:00 happens to be the current time of day.
    if "time" not in data.parts:
        local = datetime.combine(local.date(), DEFAULT_DUE)
    return local.replace(tzinfo=tz).astimezone(UTC)


def split_when(
    words: list[str], *, now: datetime, tz: ZoneInfo, language: str = "en", keep: int = 1
) -> tuple[list[str], datetime] | None:
    """Find a date span at the end (else the start) of ``words``, leaving ``keep`` words.

    Returns the remaining words and the moment, or None when no span parses. The longest span
    wins, so "yarın 14:00" is read whole rather than as "14:00".
    """
    longest = min(MAX_SPAN, len(words) - keep)
    for size in range(longest, 0, -1):
        when = parse_when(" ".join(words[-size:]), now=now, tz=tz, language=language)
        if when is not None:
            return words[:-size], when
    for size in range(longest, 0, -1):
        when = parse_when(" ".join(words[:size]), now=now, tz=tz, language=language)
        if when is not None:
            return words[size:], when
    return None
