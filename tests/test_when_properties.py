"""Properties of the date reader over generated text: it never crashes, never finds a date in
text without date words, reads a date the same wherever it stands, and never places a due
date in the past, whatever the moment or the timezone.

Derandomized, without an example database: the same examples run on every machine and day.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.when import find, without

settings.register_profile("crm", derandomize=True, database=None, max_examples=300, deadline=None)
settings.load_profile("crm")


def words(text: str) -> list[str]:
    return text.split()


ZONES = [ZoneInfo(z) for z in ("Europe/Istanbul", "Europe/Berlin", "America/New_York", "UTC")]
ORDINARY = words(
    "ara fiyat için teklif gönder müşteri kampanyası raporu price list send call back quote "
    "sözleşme numune bayi depo ziyaret görüştük konuştuk demo forklift Özmen'e Uğur Acme A.Ş. "
    "indirim stok sipariş order samples renew insurance check stock tekrar hazırla yolla"
)
MONTHS_ALONE = words("ocak şubat mart nisan mayıs haziran temmuz ağustos eylül ekim kasım aralık")
MONTHS_ALONE += words("january march may june august october december dec ara kas eki mar")
NOT_DATES = [
    "#12", "#29", "#3", "12.50 TL", "1.100.000 TL", "40 bin", "250k", "₺250.000", "%20",
    "0532 111 22 33", "+90 532 111 22 33", "5 kişi", "3 adet", "2 hafta", "12 ay", "v2.0", "15",
]  # fmt: skip
FUTURE = [
    "yarın", "yarin 10:00", "cuma", "cumaya", "sali 11:00", "5 aralık", "5 aralik 14:00", "10:00",
    "3te", "haftaya", "haftaya salı", "next tuesday", "friday 10am", "this friday", "Dec 5",
    "31/12", "1 ocak", "sabah", "akşam", "öğleden sonra", "in 2 hours", "3 gün sonra", "hafta sonu",
    "hafta sonuna kadar", "ay sonu", "pazartesi sabah", "tomorrow noon", "eod", "29 şubat",
]  # fmt: skip
PAST = ["dün", "cuma", "geçen cuma", "last friday", "5 aralık", "2 gün önce", "sabah", "10:00"]

moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)
zones = st.sampled_from(ZONES)


def phrase(pieces: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces), min_size=1, max_size=8).map(" ".join)


@given(st.text(max_size=80), moments, zones, st.booleans(), st.booleans())
def test_any_text_reads_without_crashing(text, now, tz, english, past):
    reading = find(text, now, tz, english=english, past=past, durations=not past)
    if reading is not None:
        assert reading.at.tzinfo is not None
        assert 0 <= reading.first <= reading.last < len(text.split())
        without(text, reading)


@given(st.one_of(phrase(ORDINARY + MONTHS_ALONE), phrase(ORDINARY + NOT_DATES)), moments, zones)
def test_no_date_words_no_date(text, now, tz):
    assert find(text, now, tz) is None
    assert find(text, now, tz, english=True) is None


@given(phrase(ORDINARY), st.sampled_from(FUTURE), moments, zones)
def test_a_date_reads_the_same_after_any_words(before, date, now, tz):
    alone = find(date, now, tz)
    inside = find(f"{before} {date}", now, tz)
    assert alone is not None and inside is not None
    assert inside.at == alone.at
    assert without(f"{before} {date}", inside) == before


@given(st.sampled_from(FUTURE), moments, zones)
def test_a_due_date_is_never_in_the_past(date, now, tz):
    reading = find(date, now, tz)
    assert reading is not None
    assert reading.at > now - timedelta(minutes=1)  # "in 2 hours" is cut to the minute


@given(st.sampled_from(PAST), moments, zones)
def test_an_event_is_never_on_a_later_day(date, now, tz):
    reading = find(date, now, tz, past=True)
    assert reading is not None
    assert reading.at.astimezone(tz).date() <= now.astimezone(tz).date()
