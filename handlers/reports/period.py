"""A report's period read from the rep's words, in their time zone, in English or Turkish.

Read: today, yesterday, this/last week (weeks start Monday), month, quarter, year; "Q3 2026",
"2026-Q3", "Q3" (this year); "2026", "2026-10"; "last 90 days" / "son 90 gün"; a month name in
either language with or without a year ("ekim", "october 2025": without a year, the latest
such month that has begun); a date range "1.9.2026-30.9.2026", "2026-09-01..2026-09-30" or
"1 eylül – 15 eylül" (the end day included). Nothing given: this week.

A period keeps its unit, so "the four periods before it" are the four months before a month,
and the same number of days before a range. ``canonical`` is a form this reader reads back,
used in buttons that re-run a report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import get_month_names

from handlers.kit import is_keyword
from storage.folding import fold

MONTHS = {
    fold(name): number
    for locale in ("en", "tr")
    for width in ("wide", "abbreviated")
    for number, name in get_month_names(width, locale=locale).items()
}
_NUM = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_QUARTER = re.compile(r"^(?:q([1-4])\s*(\d{4})?|(\d{4})\s*-?\s*q([1-4]))$")
_DAYS = re.compile(r"^(\d{1,4})$")
_SPLIT = re.compile(r"\s*(?:\.\.|–|—|\s-\s|(?<=\d\.\d{4})-(?=\d))\s*")
MAX_DAYS = 3660


@dataclass(frozen=True)
class Period:
    first: date  # the first local day
    after: date  # the day after the last local day
    unit: str  # month | quarter | year | days
    tz: ZoneInfo

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), self.tz).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.after, time(), self.tz).astimezone(UTC)

    @property
    def last(self) -> date:
        return self.after - timedelta(days=1)

    @property
    def canonical(self) -> str:
        if self.unit == "year":
            return f"{self.first.year}"
        if self.unit == "quarter":
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        if self.unit == "month":
            return f"{self.first:%Y-%m}"
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    def before(self, count: int) -> Period:
        """The period of the same length ``count`` periods earlier."""
        months = {"month": 1, "quarter": 3, "year": 12}.get(self.unit)
        if months is None:
            span = (self.after - self.first) * count
            return Period(self.first - span, self.after - span, self.unit, self.tz)
        return months_from(self.first, -months * count, months, self.unit, self.tz)


def months_from(first: date, shift: int, length: int, unit: str, tz: ZoneInfo) -> Period:
    index = first.year * 12 + first.month - 1 + shift
    start = date(index // 12, index % 12 + 1, 1)
    index += length
    return Period(start, date(index // 12, index % 12 + 1, 1), unit, tz)


def read(text: str, now: datetime, tz: ZoneInfo) -> Period | None:
    """The period ``text`` names, or None when it names none; never raises."""
    try:
        return _read(" ".join(text.split()), now.astimezone(tz).date(), tz)
    except (ValueError, OverflowError):
        return None


def _read(text: str, today: date, tz: ZoneInfo) -> Period | None:
    folded = fold(text)
    if not folded or is_keyword(folded, "kw.report.period.this_week"):
        return _week(today, 0, tz)
    if is_keyword(folded, "kw.report.period.today"):
        return Period(today, today + timedelta(days=1), "days", tz)
    if is_keyword(folded, "kw.report.period.yesterday"):
        return Period(today - timedelta(days=1), today, "days", tz)
    if is_keyword(folded, "kw.report.period.last_week"):
        return _week(today, -1, tz)
    month_start = today.replace(day=1)
    for unit, length in (("month", 1), ("quarter", 3), ("year", 12)):
        first = today.replace(month=(today.month - 1) // length * length + 1, day=1)
        if is_keyword(folded, f"kw.report.period.this_{unit}"):
            return months_from(first, 0, length, unit, tz)
        if is_keyword(folded, f"kw.report.period.last_{unit}"):
            return months_from(first, -length, length, unit, tz)
    words = folded.split()
    if len(words) >= 2 and is_keyword(words[0], "kw.report.period.last_n"):
        count = _DAYS.match(words[1])
        if count and len(words) == 3 and is_keyword(words[2], "kw.report.period.days"):
            days = int(count[1])
            if 0 < days <= MAX_DAYS:
                return Period(
                    today - timedelta(days=days - 1), today + timedelta(days=1), "days", tz
                )
        return None
    if m := _QUARTER.match(folded):
        quarter, year = (m[1], m[2] or today.year) if m[1] else (m[4], m[3])
        return months_from(date(int(year), (int(quarter) - 1) * 3 + 1, 1), 0, 3, "quarter", tz)
    if re.fullmatch(r"\d{4}", folded):
        return months_from(date(int(folded), 1, 1), 0, 12, "year", tz)
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", folded):
        return months_from(date(int(m[1]), int(m[2]), 1), 0, 1, "month", tz)
    if words[0] in MONTHS and len(words) <= 2:
        month = MONTHS[words[0]]
        if len(words) == 2:
            if not re.fullmatch(r"\d{4}", words[1]):
                return None
            return months_from(date(int(words[1]), month, 1), 0, 1, "month", tz)
        year = today.year if date(today.year, month, 1) <= month_start else today.year - 1
        return months_from(date(year, month, 1), 0, 1, "month", tz)
    return _range(folded, today, tz)


def _week(today: date, shift: int, tz: ZoneInfo) -> Period:
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=shift)
    return Period(monday, monday + timedelta(days=7), "days", tz)


def _range(folded: str, today: date, tz: ZoneInfo) -> Period | None:
    parts = _SPLIT.split(folded)
    if len(parts) != 2:
        return None
    years = [re.search(r"\d{4}$", p) for p in parts]
    fallback = next((int(y[0]) for y in reversed(years) if y), today.year)
    first, last = (_day(p, fallback) for p in parts)
    if first is None or last is None or last < first or (last - first).days >= MAX_DAYS:
        return None
    return Period(first, last + timedelta(days=1), "days", tz)


def _day(text: str, year: int) -> date | None:
    if m := _NUM.match(text):
        return date(int(m[3]), int(m[2]), int(m[1]))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    words = text.split()
    if 2 <= len(words) <= 3 and words[0].isdigit() and words[1] in MONTHS:
        if len(words) == 3 and not words[2].isdigit():
            return None
        return date(int(words[2]) if len(words) == 3 else year, MONTHS[words[1]], int(words[0]))
    return None
