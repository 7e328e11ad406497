"""Calendar arithmetic for scheduled sends: daily times in a timezone, working days and hours.

``Schedule`` names the same instants as the ``CronTrigger`` the scheduler gives APScheduler
(a test checks it across DST changes), so the start-up catch-up, which works out from the
clock what should have run, agrees with what the trigger would have fired.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from handlers.kit.settings import Settings
from storage.models import Rep, Subscription
from storage.schedule.reminders import Group

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EVERY_DAY = frozenset(range(7))


_HHMM = re.compile(r"(\d{1,2})[:.](\d{2})")


def read_hhmm(text: str) -> time | None:
    """ "8:30" or "08.30" as a time of day; None when ``text`` is not shaped like one, and
    ValueError when it is but names no time ("24:00", "08:60")."""
    found = _HHMM.fullmatch(text.strip())
    if not found:
        return None
    hour, minute = int(found.group(1)), int(found.group(2))
    if hour > 23 or minute > 59:
        raise ValueError(f"not a time of day (HH:MM): {text!r}")
    return time(hour, minute)


def parse_hhmm(text: str) -> time:
    """A setting's time of day; anything else is a ValueError."""
    if (found := read_hhmm(text)) is None:
        raise ValueError(f"not a time of day (HH:MM): {text!r}")
    return found


def parse_days(text: str) -> frozenset[int]:
    """ "mon-fri", "sun-thu" (wrapping), "mon,tue,sat" -> weekday numbers (Monday is 0)."""
    days: set[int] = set()
    for part in text.lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise ValueError(f"not a weekday or range of weekdays: {part!r}")
        a, b = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        days.update((a + i) % 7 for i in range((b - a) % 7 + 1))
    return frozenset(days)


def at(day: date, moment: time, tz: ZoneInfo) -> datetime:
    """A local wall-clock moment as UTC. One that does not exist that day (the spring-forward
    gap) falls an hour later, as APScheduler's CronTrigger has it; one that happens twice
    (the autumn change) is taken the first time."""
    return datetime.combine(day, moment, tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class Schedule:
    """A daily time in a timezone on some weekdays."""

    at: time
    tz: ZoneInfo
    days: frozenset[int]

    def occurrence(self, day: date) -> datetime:
        return at(day, self.at, self.tz)

    def latest(self, now: datetime) -> tuple[date, datetime] | None:
        """The last run due at or before ``now``: (its local date, its instant)."""
        today = now.astimezone(self.tz).date()
        for back in range(8):
            day = today - timedelta(days=back)
            if day.weekday() in self.days and (moment := self.occurrence(day)) <= now:
                return day, moment
        return None

    def next(self, now: datetime) -> datetime | None:
        today = now.astimezone(self.tz).date()
        for ahead in range(8):
            day = today + timedelta(days=ahead)
            if day.weekday() in self.days and (moment := self.occurrence(day)) > now:
                return moment
        return None

    @property
    def cron_days(self) -> str:
        return ",".join(WEEKDAYS[d] for d in sorted(self.days))

    @property
    def cron(self) -> dict[str, str]:
        """The day fields of the matching ``CronTrigger``."""
        return {"day_of_week": self.cron_days}


@dataclass(frozen=True)
class MonthlySchedule:
    """A time in a timezone on one day of every month: ``day`` 1-28, or 0 for the last day
    (29-31 are refused when subscribing: they would skip the short months)."""

    at: time
    tz: ZoneInfo
    day: int

    def occurrence(self, year: int, month: int) -> datetime:
        if self.day:
            return at(date(year, month, self.day), self.at, self.tz)
        following = date(year + month // 12, month % 12 + 1, 1)
        return at(following - timedelta(days=1), self.at, self.tz)

    def _months(self, now: datetime, step: int) -> Iterable[tuple[date, datetime]]:
        today = now.astimezone(self.tz).date()
        index = today.year * 12 + today.month - 1
        for shift in range(3):
            year, month0 = divmod(index + step * shift, 12)
            moment = self.occurrence(year, month0 + 1)
            yield moment.astimezone(self.tz).date(), moment

    def latest(self, now: datetime) -> tuple[date, datetime] | None:
        return next(((d, m) for d, m in self._months(now, -1) if m <= now), None)

    def next(self, now: datetime) -> datetime | None:
        return next((m for _, m in self._months(now, 1) if m > now), None)

    @property
    def cron(self) -> dict[str, str]:
        return {"day": str(self.day) if self.day else "last"}


def schedule_of(settings: Settings, sub: Subscription) -> Schedule | MonthlySchedule:
    """When a subscription is due: a digest on the working days or every day; a report also
    weekly (``cadence_day`` the weekday) or monthly (``cadence_day`` the day of the month)."""
    moment, tz = parse_hhmm(sub.at_time), ZoneInfo(sub.timezone)
    if sub.cadence == "monthly":
        return MonthlySchedule(moment, tz, sub.cadence_day or 0)
    if sub.cadence == "weekly":
        return Schedule(moment, tz, frozenset({sub.cadence_day or 0}))
    working = sub.cadence == "workdays" or (sub.cadence is None and sub.working_days_only)
    days = parse_days(settings.crm_working_days) if working else EVERY_DAY
    return Schedule(moment, tz, days)


@dataclass(frozen=True)
class WorkCalendar:
    """Working days and hours (the same for everyone, each in their own timezone), and the
    grace window within which a missed send is still made."""

    days: frozenset[int]
    start: time
    end: time
    grace: timedelta
    default_tz: str

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkCalendar:
        return cls(
            days=parse_days(settings.crm_working_days),
            start=parse_hhmm(settings.crm_workday_start),
            end=parse_hhmm(settings.crm_workday_end),
            grace=timedelta(hours=settings.crm_digest_grace_hours),
            default_tz=settings.crm_timezone,
        )

    def tz(self, rep: Rep) -> ZoneInfo:
        """The rep's timezone; the default one if theirs is unset or unknown (one bad value
        must not stop everyone's reminders)."""
        try:
            return ZoneInfo(rep.timezone or self.default_tz)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo(self.default_tz)

    def working_day(self, rep: Rep, moment: datetime) -> bool:
        """Whether ``moment`` falls on one of the working days, in the rep's timezone."""
        return moment.astimezone(self.tz(rep)).weekday() in self.days

    def working(self, rep: Rep, now: datetime, *, morning: bool = False) -> bool:
        """Within working hours on a working day in the rep's timezone; with ``morning``,
        within the grace window after the day starts (when "your day" may still go out)."""
        local = now.astimezone(self.tz(rep))
        until = self.end
        if morning:
            minutes = self.start.hour * 60 + self.start.minute + self.grace.total_seconds() // 60
            if minutes < self.end.hour * 60 + self.end.minute:
                until = time(int(minutes // 60), int(minutes % 60))
        return local.weekday() in self.days and self.start <= local.time() < until

    def groups(self, reps: Iterable[Rep], now: datetime) -> list[Group]:
        """Reps by timezone, with the instants bounding their local day and working day."""
        by_tz: dict[str, list[int]] = defaultdict(list)
        for rep in reps:
            by_tz[str(self.tz(rep))].append(rep.id or 0)
        groups = []
        for name, ids in sorted(by_tz.items()):
            tz = ZoneInfo(name)
            today = now.astimezone(tz).date()
            groups.append(
                Group(
                    sorted(ids),
                    day_start=at(today, time(0), tz),
                    day_end=at(today + timedelta(days=1), time(0), tz),
                    work_start=at(today, self.start, tz),
                )
            )
        return groups
