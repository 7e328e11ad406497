"""Reading dates and times the way reps type them, in Turkish and English.

The text is cut into atoms (``handlers.when.atoms``); every run of touching atoms is tried
whole and in parts, and the span that ends last (the longest of those) is the date: "fiyat
için ara pazartesi 11:00" is Monday 11:00 and the title keeps "ara". The rules, which README
repeats with examples:

- a month name is a date only with a day number beside it: before it in Turkish ("5 aralık"),
  either side in English ("Dec 5", "5 December"); "ara", "mart kampanyası" and "may price list"
  stay words. ``#12``, amounts and phone numbers are never dates;
- a number is an hour only where a time is expected: with a time ending ("10da", "3'te"),
  after "saat"/"at", before am/pm or "buçuk", or beside a day word ("yarın 10"). A bare hour
  from 1 to 6 is in the afternoon, the working day's reading ("3te" is 15:00);
- numeric dates are day-first (05.12.2026, 5/12); in English an ambiguous one (5/12) has both
  readings, and the caller asks;
- "sabah"/"morning" is the start of the working day, "öğle"/"noon" 12:00, "öğleden
  sonra"/"afternoon" 14:00, "akşam"/"evening" its end; a day without a time is due at the end
  of the working day;
- a bare weekday is the next one (today, while the time asked is still ahead); "haftaya salı"
  and "next tuesday" are Tuesday of next week; "haftaya" alone is a week from today; "next week"
  is next Monday; "hafta sonuna kadar"/"end of the week" the last working day of this week;
- "3 gün sonra", "in 2 hours", "2 saat sonra" count from now; a bare "2 hours" does so only
  where the command takes a duration (``/snooze``);
- a time without a date is today if still ahead, else tomorrow; a due date without a year that
  has passed means next year. For an event (``past=True``: "dün ziyaret ettim") a weekday or a
  date is the latest one that is not in the future.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.when import lexicon
from handlers.when.atoms import DAY_WORDS, Atom, atoms, runs, tokens

PARTS = {"morning": None, "noon": time(12), "afternoon": time(14), "evening": None}
UNITS = ("minute", "hour", "day", "week", "month")
WEEKS = {"next_week", "week_ahead", "last_week", "weekend", "week_end", "month_end"}
MODIFIERS = ("next", "this", "last", "week_ahead", "next_week")


@dataclass(frozen=True)
class Calendar:
    """The working day a rep's times are read against (Monday to Friday)."""

    start: time = time(9, 0)
    end: time = time(18, 0)


@dataclass
class Reading:
    """A date found in a text: the moment it means, and the tokens it took."""

    at: datetime  # aware UTC
    first: int  # token indexes of the span, inclusive
    last: int
    has_time: bool
    alternatives: list[datetime] = field(default_factory=list)  # as plausible: ask


@dataclass
class Spec:
    """What a span says, before it is placed on the calendar."""

    day: tuple | None = None  # ("rel", n) | ("weekday", n, modifier) | (week word,) | ("dates", …)
    offset: tuple[float, str] | None = None  # (count, unit); negative for "ago"
    hour: int | None = None
    minute: int = 0
    ampm: str | None = None
    part: str | None = None
    loose_hour: bool = False  # a bare number, an hour only beside a day or a part of the day


def _count(span: list[Atom], i: int) -> tuple[float, int] | None:
    """A count at ``i`` ("3", "iki", "a", "2 buçuk", "yarım") and the index after it."""
    atom = span[i]
    if "number" in atom.kinds and 0 < atom.number <= 1000:
        value = float(atom.number)
    else:
        found = [lexicon.number_of(k) for k in atom.kinds if lexicon.number_of(k) is not None]
        if not found:
            return None
        value = found[0]  # type: ignore[assignment]
    i += 1
    if i < len(span) and span[i].is_("half_past"):
        value, i = value + 0.5, i + 1
    return value, i


def _offset(span: list[Atom], i: int, durations: bool) -> tuple[tuple[float, str], int] | None:
    """ "[in] N unit [later|ago]" at ``i``: ((count, unit), index after it)."""
    lead = span[i].is_("in") and i + 1 < len(span)
    counted = _count(span, i + lead)
    if counted is None:
        return None
    value, j = counted
    if j >= len(span) or not span[j].is_(*UNITS):
        return None
    unit = next(u for u in UNITS if span[j].is_(u))
    after = span[j + 1] if j + 1 < len(span) else None
    if after is not None and after.is_("later", "ago", "in"):
        sign = -1 if after.is_("ago") else 1
        return (sign * value, unit), j + 2
    return ((value, unit), j + 1) if lead or durations else None


def _month_date(span: list[Atom], i: int) -> tuple[tuple, int] | None:
    """ "5 aralık [2027]", "5th of December", "Dec 5 [2027]" at ``i``: (day spec, index after)."""
    atom = span[i]
    j = i + 1 + (i + 1 < len(span) and span[i + 1].is_("filler"))
    if "number" in atom.kinds and j < len(span) and "month_name" in span[j].kinds:
        day, (month, _) = atom.number, span[j].value
        j += 1
    elif "month_name" in atom.kinds and atom.value[1] and i + 1 < len(span):  # type: ignore[index]
        day, month, j = span[i + 1].number, atom.value[0], i + 2  # type: ignore[index]
    else:
        return None
    if not 1 <= day <= 31:
        return None
    year = None
    if j < len(span) and 2000 <= span[j].number <= 2100:
        year, j = span[j].number, j + 1
    return ("dates", ((year, month, day),)), j


def _time(spec: Spec, span: list[Atom], i: int, after_at: bool) -> int | None:
    """A time at ``i`` ("10:30", "10da", "3pm", "saat 3 buçukta"), written into ``spec``."""
    atom = span[i]
    if "time" in atom.kinds:
        spec.hour, spec.minute, spec.ampm = atom.value  # type: ignore[misc]
    elif "number" in atom.kinds and 0 <= atom.number <= 23:
        spec.hour = atom.number
        after = span[i + 1] if i + 1 < len(span) else None
        spec.loose_hour = not after_at and not (after and after.is_("am", "pm", "half_past"))
    else:
        return None
    i += 1
    if i < len(span) and span[i].is_("half_past") and spec.minute == 0:
        spec.minute, i = 30, i + 1
    if i < len(span) and span[i].is_("am", "pm") and spec.ampm is None:
        spec.ampm, i = ("am" if span[i].is_("am") else "pm"), i + 1
    return i


def interpret(span: list[Atom], durations: bool = False, whole: bool = False) -> Spec | None:
    """What a run of atoms means, or None when it is not exactly one date.

    ``whole``: the span is all the text (an answer to "when?"), so a weak weekday ("pazar",
    "sat") stands for itself.
    """
    spec = Spec()
    i, after_at = 0, False
    while i < len(span):
        atom, nxt = span[i], span[i + 1] if i + 1 < len(span) else None
        if spec.offset is None and (found := _offset(span, i, durations)):
            spec.offset, i = found
        elif spec.day is None and (found := _month_date(span, i)):
            spec.day, i = found
        elif spec.day is None and atom.is_(*MODIFIERS) and nxt is not None and nxt.is_("weekday"):
            how = "last" if atom.is_("last") else "this" if atom.is_("this") else "next"
            spec.day, i = ("weekday", nxt.value, how), i + 2
        elif spec.day is None and atom.is_("this") and nxt is not None and nxt.is_(*PARTS):
            i += 1  # "bu akşam": a part of today
        elif spec.day is None and atom.is_("weekday"):
            spec.day, i = ("weekday", atom.value, ""), i + 1
        elif spec.day is None and (kind := next((k for k in DAY_WORDS if atom.is_(k)), None)):
            spec.day, i = ("rel", DAY_WORDS[kind]), i + 1
        elif spec.day is None and (kind := next((k for k in WEEKS if atom.is_(k)), None)):
            spec.day, i = (kind,), i + 1
        elif spec.day is None and "date" in atom.kinds:
            spec.day, i = ("dates", atom.value), i + 1
        elif spec.hour is None and (found := _time(spec, span, i, after_at)) is not None:
            i = found
        elif spec.part is None and (kind := next((k for k in PARTS if atom.is_(k)), None)):
            spec.part, i = kind, i + 1
        elif (atom.is_("at", "filler") and nxt is not None) or (atom.is_("filler") and i > 0):
            i += 1
        else:
            return None
        after_at = atom.is_("at")
    if spec.loose_hour and spec.day is None and spec.part is None:
        return None
    if any("weak" in a.kinds for a in span) and len(span) == 1 and not whole:
        return None
    if spec == Spec() or (spec.hour is not None and not 0 <= spec.hour <= 23) or spec.minute > 59:
        return None
    return spec


def _clock(spec: Spec, work: Calendar) -> time | None:
    if spec.hour is None:
        return PARTS.get(spec.part or "") or {"morning": work.start, "evening": work.end}.get(
            spec.part or ""
        )
    hour = spec.hour
    if hour < 12 and (spec.ampm == "pm" or spec.part in ("afternoon", "evening")):
        hour += 12
    elif spec.ampm == "am" and hour == 12:
        hour = 0
    elif spec.ampm is None and spec.part in (None, "noon") and 1 <= hour <= 6:
        hour += 12  # "3te", "öğlen 1": in the working day, three is the afternoon's
    return time(hour, spec.minute)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _weekday(today: date, wanted: int, how: str, past: bool) -> date:
    if how == "next":
        return today + timedelta(days=7 - today.weekday() + wanted)
    if how == "last" or past:
        back = (today.weekday() - wanted) % 7
        return today - timedelta(days=back or (7 if how == "last" else 0))
    return today + timedelta(days=(wanted - today.weekday()) % 7)


def _weeks(kind: str, today: date) -> date:
    monday = today - timedelta(days=today.weekday())
    return {
        "next_week": monday + timedelta(days=7),
        "week_ahead": today + timedelta(days=7),
        "last_week": today - timedelta(days=7),
        "weekend": monday + timedelta(days=5 if today.weekday() < 6 else 12),
        "week_end": monday + timedelta(days=4 if today.weekday() < 5 else 11),
        "month_end": date(today.year, today.month, calendar.monthrange(*today.timetuple()[:2])[1]),
    }[kind]


def _days(day: tuple, today: date, past: bool) -> list[date]:
    """The day(s) ``day`` names, before the "still ahead?" rule; [] when there is none."""
    kind = day[0]
    if kind == "rel":
        return [today + timedelta(days=day[1])]
    if kind == "weekday":
        return [_weekday(today, day[1], day[2], past)]
    if kind in WEEKS:
        return [_weeks(kind, today)]
    found = []
    for year, month, number in day[1]:
        if year is not None:
            found.append(_yearly(month, number, year, 0))
        elif past:
            found.append(_yearly(month, number, today.year, -1))
            if found[-1] is not None and found[-1] > today:
                found[-1] = _yearly(month, number, today.year - 1, -1)
        else:
            found.append(_yearly(month, number, today.year, 1))
    return [d for d in found if d is not None]


def _yearly(month: int, number: int, year: int, step: int) -> date | None:
    """``number`` ``month`` in ``year``, or ``step`` years on where it does not exist (29 Feb)."""
    for _ in range(8 if step else 1):
        try:
            return date(year, month, number)
        except ValueError:
            year += step
    return None


def resolve(
    spec: Spec, now: datetime, tz: ZoneInfo, work: Calendar, past: bool = False
) -> list[datetime]:
    """The moments ``spec`` means from ``now``: the first is the reading, more mean "ask"."""
    local = now.astimezone(tz)
    today = local.date()
    at = _clock(spec, work) or work.end
    day = spec.day
    if spec.offset is not None:
        count, unit = spec.offset
        if unit in ("minute", "hour") and day is None and spec.hour is None and spec.part is None:
            moment = now.astimezone(UTC) + timedelta(**{f"{unit}s": count})  # real hours
            return [moment.replace(second=0, microsecond=0)]
        if day is not None or unit in ("minute", "hour") or count != int(count):
            return []
        if unit == "month":
            day = ("dates", (_add_months(today, int(count)).timetuple()[:3],))
        else:
            day = ("rel", int(count) * (7 if unit == "week" else 1))
    if day is None:  # a time alone: today if still ahead, else tomorrow (an event: yesterday)
        ahead = datetime.combine(today, at, tz) > local
        shift = (-1 if ahead else 0) if past else (0 if ahead else 1)
        return [datetime.combine(today + timedelta(days=shift), at, tz).astimezone(UTC)]
    days = _days(day, today, past)
    if past or not days:
        pass
    elif day[0] == "dates" and all(year is None for year, _, _ in day[1]):
        moved = [  # a due date without a year that has passed is next year's
            d if datetime.combine(d, at, tz) >= local else _yearly(d.month, d.day, d.year + 1, 1)
            for d in days
        ]
        days = [d for d in moved if d is not None]
    elif datetime.combine(days[0], at, tz) > local:
        pass
    elif (day[0] == "weekday" and day[2] in ("", "this")) or day[0] in ("weekend", "week_end"):
        days = [days[0] + timedelta(days=7)]  # this one's hour is gone: next week's
    elif day[0] == "month_end":
        days = [_add_months(days[0] + timedelta(days=1), 1) - timedelta(days=1)]
    return [datetime.combine(d, at, tz).astimezone(UTC) for d in days]


def find(
    text: str,
    now: datetime,
    tz: ZoneInfo,
    *,
    english: bool = False,
    work: Calendar | None = None,
    past: bool = False,
    durations: bool = False,
) -> Reading | None:
    """The last date in ``text`` (of those ending last, the longest), or None."""
    work = work or Calendar()
    best: Reading | None = None
    count = len(tokens(text))
    for run in runs(atoms(text, english)):
        for start in range(len(run)):
            for end in range(len(run), start, -1):
                span = run[start:end]
                if best is not None and (span[-1].last, -span[0].first) <= (best.last, -best.first):
                    continue
                whole = span[0].first == 0 and span[-1].last == count - 1
                spec = interpret(span, durations, whole)
                moments = resolve(spec, now, tz, work, past) if spec is not None else []
                if moments:
                    timed = spec.hour is not None or spec.part is not None  # type: ignore[union-attr]
                    exact = spec.offset is not None and spec.offset[1] in ("minute", "hour")  # type: ignore[union-attr]
                    best = Reading(
                        moments[0], span[0].first, span[-1].last, timed or exact, moments[1:]
                    )
    return best


def without(text: str, reading: Reading) -> str:
    """``text`` with the date's words taken out, the rest kept exactly as typed."""
    spans = tokens(text)
    start, end = spans[reading.first][1], spans[reading.last][2]
    return " ".join(part for part in (text[:start].rstrip(), text[end:].lstrip()) if part)
