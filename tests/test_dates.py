"""Due dates in the rep's own timezone: the reader's contract with the commands.

The phrase table (``test_when_table``) covers what reps type; these tests pin what the
commands rely on: aware UTC out, the rep's timezone and DST honoured, the stated time winning
whatever the clock says, and the title left exactly as typed.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.when import Calendar, find, without

ISTANBUL = ZoneInfo("Europe/Istanbul")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
# Monday 23 November 2026, 10:00 in Istanbul, as the bot holds it: aware UTC.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ISTANBUL).astimezone(UTC)
FRIDAY_DUE = datetime(2026, 11, 27, 18, 0, tzinfo=ISTANBUL)


def local(*args: int, tz: ZoneInfo = ISTANBUL) -> datetime:
    return datetime(*args, tzinfo=tz)


def when(text: str, *, now: datetime = NOW, tz: ZoneInfo = ISTANBUL, **options) -> datetime | None:
    reading = find(text, now, tz, **options)
    return None if reading is None else reading.at


def test_fixed_now_is_a_monday_morning_in_istanbul():
    assert NOW.tzinfo is UTC
    assert NOW.astimezone(ISTANBUL).weekday() == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow 10am", local(2026, 11, 24, 10, 0)),
        ("yarın 14:00", local(2026, 11, 24, 14, 0)),
        ("fri", FRIDAY_DUE),
        ("cuma", FRIDAY_DUE),
        ("next fri", local(2026, 12, 4, 18, 0)),  # Friday of next week, not this one
        ("haftaya cuma", local(2026, 12, 4, 18, 0)),
        ("in 3 days", local(2026, 11, 26, 18, 0)),
        ("3 gün sonra", local(2026, 11, 26, 18, 0)),
        ("in 2 hours", NOW + timedelta(hours=2)),
    ],
)
def test_readings_are_aware_utc(text, expected):
    result = when(text)
    assert result == expected
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    "text", ["3", "12", "3.5", "1,5", "send quote", "teklif gönder", "", "   ", "november", "2027"]
)
def test_no_usable_moment(text):
    assert when(text) is None
    assert when(text, english=True) is None


def test_the_working_day_sets_morning_and_the_bare_day():
    work = Calendar(time(8, 30), time(17, 30))
    assert when("yarın sabah", work=work) == local(2026, 11, 24, 8, 30)
    assert when("yarın", work=work) == local(2026, 11, 24, 17, 30)


def test_rep_in_new_york_gets_new_york_time():
    result = when("tomorrow 10am", tz=NEW_YORK)
    assert result == datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def test_same_words_mean_different_instants_in_different_timezones():
    assert when("tomorrow", tz=NEW_YORK) - when("tomorrow", tz=ISTANBUL) == timedelta(hours=8)


def test_dst_change_in_london():
    # Clocks go back on Sunday 25 October 2026: that morning London is on GMT (UTC+0).
    now = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    assert when("tomorrow 10am", now=now, tz=LONDON) == datetime(2026, 10, 25, 10, 0, tzinfo=UTC)
    assert when("tomorrow", now=now, tz=LONDON) == datetime(2026, 10, 25, 18, 0, tzinfo=UTC)


def test_hours_ahead_are_real_hours_across_a_dst_change():
    now = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST, an hour before the change
    assert when("in 2 hours", now=now, tz=LONDON) == now + timedelta(hours=2)


@pytest.mark.parametrize("hour", [0, 7, 9, 10, 11, 14, 23])
def test_stated_time_wins_whatever_the_clock_says(hour):
    """ "tomorrow 10am" means 10:00, including when it happens to be 10:00 now."""
    now = datetime(2026, 11, 23, hour, 0, tzinfo=ISTANBUL).astimezone(UTC)
    assert when("tomorrow 10am", now=now) == local(2026, 11, 24, 10, 0)


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("send quote next fri", "send quote"),
        ("yarın 14:00 teklif gönder", "teklif gönder"),
        ("fiyat için ara pazartesi 11:00", "fiyat için ara"),
        ("Uğur Özmen'i  ara, cuma", "Uğur Özmen'i  ara,"),
        ("#29 yarin", "#29"),
    ],
)
def test_the_rest_is_kept_exactly_as_typed(text, rest):
    reading = find(text, NOW, ISTANBUL)
    assert reading is not None
    assert without(text, reading) == rest


def test_a_bare_duration_is_read_only_where_a_command_takes_one():
    assert when("1 saat") is None
    assert when("1 saat", durations=True) == NOW + timedelta(hours=1)
    assert when("ara 1 saat", durations=True) == NOW + timedelta(hours=1)
