"""Natural-language due dates in the rep's own timezone (handlers.dates)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.dates import DEFAULT_DUE, parse_when, split_when

ISTANBUL = ZoneInfo("Europe/Istanbul")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
# Monday 23 November 2026, 10:00 in Istanbul, as the bot holds it: aware UTC.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ISTANBUL).astimezone(UTC)
FRIDAY_DUE = datetime(2026, 11, 27, 18, 0, tzinfo=ISTANBUL)


def local(*args: int, tz: ZoneInfo = ISTANBUL) -> datetime:
    return datetime(*args, tzinfo=tz)


def when(text: str, language: str = "en", *, now: datetime = NOW, tz: ZoneInfo = ISTANBUL):
    return parse_when(text, now=now, tz=tz, language=language)


def test_fixed_now_is_a_monday_morning_in_istanbul():
    assert NOW.tzinfo is UTC
    assert NOW.astimezone(ISTANBUL).weekday() == 0
    assert DEFAULT_DUE.hour == 18


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("tomorrow 10am", "en", local(2026, 11, 24, 10, 0)),
        ("tomorrow 2pm", "en", local(2026, 11, 24, 14, 0)),
        ("yarın 14:00", "tr", local(2026, 11, 24, 14, 0)),
        ("next fri", "en", FRIDAY_DUE),
        ("friday", "en", FRIDAY_DUE),
        ("cuma", "tr", FRIDAY_DUE),
        ("in 3 days", "en", local(2026, 11, 26, 18, 0)),
        ("3 gün sonra", "tr", local(2026, 11, 26, 18, 0)),
        ("tomorrow", "en", local(2026, 11, 24, 18, 0)),
        ("yarın", "tr", local(2026, 11, 24, 18, 0)),
        ("in 2 hours", "en", NOW + timedelta(hours=2)),
    ],
)
def test_parse_when(text, language, expected):
    result = when(text, language)
    assert result == expected
    assert result.tzinfo is UTC


@pytest.mark.parametrize("text", ["tomorrow 10am", "in 3 days", "cuma"])
def test_the_other_language_is_understood_too(text):
    other = "tr" if text != "cuma" else "en"
    first = "en" if other == "tr" else "tr"
    assert when(text, other) == when(text, first)
    assert when(text, other) is not None


@pytest.mark.parametrize(
    "text", ["3", "12", "3.5", "1,5", "send quote", "teklif gönder", "", "   ", "november", "2027"]
)
def test_no_usable_moment(text):
    assert when(text) is None
    assert when(text, "tr") is None


@pytest.mark.parametrize("text", ["next fri", "cuma", "in 3 days", "tomorrow", "in 2 hours"])
def test_due_dates_are_in_the_future(text):
    language = "tr" if text == "cuma" else "en"
    assert when(text, language) > NOW


def test_day_only_dates_fall_due_at_the_default_hour_local():
    result = when("in 3 days").astimezone(ISTANBUL)
    assert (result.hour, result.minute) == (DEFAULT_DUE.hour, DEFAULT_DUE.minute)


def test_rep_in_new_york_gets_new_york_time():
    result = when("tomorrow 10am", tz=NEW_YORK)
    assert result == local(2026, 11, 24, 10, 0, tz=NEW_YORK)
    assert result == datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    assert result.tzinfo is UTC


def test_same_words_mean_different_instants_in_different_timezones():
    assert when("tomorrow", tz=NEW_YORK) - when("tomorrow", tz=ISTANBUL) == timedelta(hours=8)


def test_dst_change_in_london():
    # Clocks go back on Sunday 25 October 2026: that morning London is on GMT (UTC+0).
    now = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    result = when("tomorrow 10am", now=now, tz=LONDON)
    assert result == local(2026, 10, 25, 10, 0, tz=LONDON)
    assert result.astimezone(LONDON).utcoffset() == timedelta(0)
    assert result == datetime(2026, 10, 25, 10, 0, tzinfo=UTC)


def test_dst_change_default_due_in_london():
    now = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    assert when("tomorrow", now=now, tz=LONDON) == datetime(2026, 10, 25, 18, 0, tzinfo=UTC)


@pytest.mark.parametrize("hour", [0, 7, 9, 10, 11, 14, 23])
def test_stated_time_wins_whatever_the_clock_says(hour):
    """ "tomorrow 10am" means 10:00, including when it happens to be 10:00 now."""
    now = datetime(2026, 11, 23, hour, 0, tzinfo=ISTANBUL).astimezone(UTC)
    assert when("tomorrow 10am", now=now) == local(2026, 11, 24, 10, 0)


def split(words, language="en", keep=1):
    return split_when(words, now=NOW, tz=ISTANBUL, language=language, keep=keep)


@pytest.mark.parametrize(
    ("words", "language", "rest", "expected"),
    [
        (["send", "quote", "next", "fri"], "en", ["send", "quote"], FRIDAY_DUE),
        (["teklif", "gönder", "cuma"], "tr", ["teklif", "gönder"], FRIDAY_DUE),
        (
            ["yarın", "14:00", "teklif", "gönder"],
            "tr",
            ["teklif", "gönder"],
            local(2026, 11, 24, 14),
        ),
        (["call", "back", "in", "3", "days"], "en", ["call", "back"], local(2026, 11, 26, 18)),
        (["call", "tomorrow", "2pm"], "en", ["call"], local(2026, 11, 24, 14)),
    ],
)
def test_split_when(words, language, rest, expected):
    result = split(words, language)
    assert result is not None
    assert result == (rest, expected)


@pytest.mark.parametrize(
    "words", [["call", "ahmet"], ["send", "quote", "3"], [], ["teklif"], ["3", "adet", "forklift"]]
)
def test_split_when_without_a_date(words):
    assert split(words) is None


@pytest.mark.parametrize(
    "words", [["tomorrow"], ["cuma"], ["tomorrow", "10am"], ["next", "fri"], ["in", "3", "days"]]
)
def test_keep_one_never_consumes_every_word(words):
    result = split(words, keep=1)
    assert result is None or len(result[0]) >= 1


@pytest.mark.parametrize("keep", [1, 2, 3])
def test_keep_leaves_at_least_that_many_words(keep):
    words = ["send", "the", "contract", "in", "3", "days"]
    result = split(words, keep=keep)
    assert result is not None
    assert len(result[0]) >= keep


def test_keep_zero_may_take_the_whole_phrase():
    assert split(["next", "fri"], keep=0) == ([], FRIDAY_DUE)


def test_split_does_not_modify_its_input():
    words = ["send", "quote", "next", "fri"]
    split(words)
    assert words == ["send", "quote", "next", "fri"]
