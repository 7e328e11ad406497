"""Properties of the report period reader: it never crashes, every period it reads starts
before it ends, and weeks start on Monday, whatever the moment or the time zone.

Derandomized, without an example database: the same examples run on every machine and day.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.reports.period import read

settings.register_profile("crm", derandomize=True, database=None, max_examples=300, deadline=None)
settings.load_profile("crm")

ZONES = [ZoneInfo(z) for z in ("Europe/Istanbul", "America/New_York", "Pacific/Kiritimati", "UTC")]


def words(text: str) -> list[str]:
    return text.split()


PIECES = words(
    "today bugün yesterday dün this last bu geçen son past week hafta month ay quarter çeyrek "
    "year yıl sene days gün 30 90 0 99999 q3 Q5 2026 2026-Q3 2025-10 2026-13 ekim october eylül "
    "1 15 31 1.9.2026 30.9.2026 31.2.2026 2026-09-01 .. – - to"
)
MOMENTS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1))


@given(
    st.lists(st.sampled_from(PIECES) | st.text(max_size=6), max_size=5),
    MOMENTS,
    st.sampled_from(ZONES),
)
def test_never_crashes_and_starts_before_it_ends(words, moment, tz) -> None:
    found = read(" ".join(words), moment.replace(tzinfo=UTC), tz)
    if found is not None:
        assert found.start < found.end
        assert found.first < found.after
        assert read(found.canonical, moment.replace(tzinfo=UTC), tz) == found


@given(
    st.sampled_from(["this week", "bu hafta", "last week", "geçen hafta", ""]),
    MOMENTS,
    st.sampled_from(ZONES),
)
def test_weeks_start_on_monday_in_the_reps_zone(text, moment, tz) -> None:
    now = moment.replace(tzinfo=UTC)
    found = read(text, now, tz)
    assert (
        found is not None and found.first.weekday() == 0 and (found.after - found.first).days == 7
    )
    if "last" not in text and "geçen" not in text:
        assert found.start <= now < found.end


@given(st.sampled_from(["ekim", "october", "oct", "kasım"]), MOMENTS, st.sampled_from(ZONES))
def test_a_month_without_a_year_is_the_latest_that_has_begun(text, moment, tz) -> None:
    now = moment.replace(tzinfo=UTC)
    found = read(text, now, tz)
    assert found is not None and found.unit == "month" and found.start <= now
    assert found.before(-12).start > now  # the same month a year on has not begun
