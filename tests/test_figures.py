"""The report figures (storage.reports) on hand-built data, each expected figure worked out by
hand in the test: forecast with quotas, activity, funnel, lost reasons, stale deals, rep load.
Archived (deleted) records never count."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from handlers.kit import Services
from storage import quotas
from storage.models import ExchangeRate, Rep
from storage.reports import activity, attention, cycle, forecast, funnel, lost, outcomes
from storage.reports.forecast import Figures
from storage.schedule.digest_data import RepLoad
from tests.conftest import START, add_rep
from tests.figures_data import DAY, archive_deal, customer, deal, log, task

IST = ZoneInfo("Europe/Istanbul")
NOV = datetime(2026, 10, 31, 21, tzinfo=UTC)  # 1 November, 00:00 in Istanbul
DEC = datetime(2026, 11, 30, 21, tzinfo=UTC)


@pytest.fixture
def ayse(services: Services) -> Rep:
    return add_rep(services, "Ayşe Yılmaz")


@pytest.fixture
def mehmet(services: Services) -> Rep:
    return add_rep(services, "Mehmet Kaya")


def test_forecast_by_month_quarter_rep_and_against_quota(services, ayse, mehmet):
    deal(services, ayse, "Negotiation", "1000", expected_close=date(2026, 12, 10))
    deal(services, ayse, "Lead", "2000", expected_close=date(2026, 12, 20))
    deal(services, mehmet, "Proposal", "500", currency="USD", expected_close=date(2027, 1, 5))
    late = deal(services, ayse, "Negotiation", "300", expected_close=date(2026, 11, 1))
    deal(services, ayse, "Lead", "100")  # no expected close
    gone = deal(services, ayse, "Negotiation", "999", expected_close=date(2026, 12, 15))
    archive_deal(services, gone)
    deal(services, ayse, "Won", "5000", expected_close=date(2026, 12, 1))  # closed: not open
    with services.db.session(write=True) as s:
        quotas.put(s, ayse.id, "2026-Q4", Decimal(5000), "TRY", START)

    with services.db.session() as s:
        f = forecast.forecast(s, date(2026, 11, 1), date(2027, 4, 1), DAY)
        only_mehmet = forecast.forecast(s, date(2026, 11, 1), date(2027, 4, 1), DAY, (mehmet.id,))
        looser = forecast.forecast(s, date(2026, 11, 1), date(2027, 4, 1), DAY, commit_pct=50)

    # December: 1000 (75%, committed) + 2000 (10%): best 3000, committed 1000, 750 + 200 weighted
    december = Figures("2026-12", "TRY", 2, Decimal(3000), Decimal(1000), Decimal(950))
    january = Figures("2027-01", "USD", 1, Decimal(500), Decimal(0), Decimal(250))
    assert f.months == (december, january)
    assert [(q.period, q.best_case, q.weighted) for q in f.quarters] == [
        ("2026-Q4", Decimal(3000), Decimal(950)),
        ("2027-Q1", Decimal(500), Decimal(250)),
    ]
    assert [(r.rep_id, r.period, r.count) for r in f.by_rep] == [
        (ayse.id, "2026-12", 2),
        (mehmet.id, "2027-01", 1),
    ]
    assert f.undated == (Figures("", "TRY", 1, Decimal(100), Decimal(0), Decimal(10)),)
    assert (f.past_due.count, f.past_due.sums, f.past_due.ids) == (
        1,
        (("TRY", Decimal(300)),),
        (late,),
    )
    (quota,) = f.quotas
    assert (quota.rep_id, quota.period, quota.quota, quota.currency) == (
        ayse.id,
        "2026-Q4",
        Decimal(5000),
        "TRY",
    )
    assert quota.figures == (
        Figures("2026-Q4", "TRY", 2, Decimal(3000), Decimal(1000), Decimal(950)),
    )
    assert only_mehmet.months == (january,) and only_mehmet.quotas == ()
    assert only_mehmet.past_due.count == 0
    assert [(m.period, m.committed) for m in looser.months] == [
        ("2026-12", Decimal(1000)),
        ("2027-01", Decimal(500)),  # Proposal is 50% likely: committed at 50
    ]


def test_activity_per_rep_and_local_day(services, ayse, mehmet):
    c1, c2 = customer(services, "Acme"), customer(services, "Beta")
    c3 = customer(services, "Gone", archived_at=START)
    at = lambda d, h, m=0: datetime(2026, 11, d, h, m, tzinfo=UTC)  # noqa: E731
    log(services, ayse, "call", c1, at(23, 8))  # 23rd, 11:00 local
    log(services, ayse, "visit", c2, at(23, 20, 30))  # 23rd, 23:30 local
    log(services, ayse, "call", c1, at(23, 21, 30))  # 24th, 00:30 local
    log(services, ayse, "call", c1, at(22, 20))  # 22nd, 23:00 local: before the range
    log(services, ayse, "meeting", c3, at(23, 9))  # an archived customer: left out
    log(services, mehmet, "email", c1, at(24, 10))
    deal(services, ayse, "Lead", "10", moves=(("Proposal", at(23, 9)), ("Lost", at(23, 10))))
    deal(services, ayse, "Proposal", "10", moves=(("Qualified", at(23, 9)),))  # backwards

    bounds = activity.day_bounds(DAY, DAY + timedelta(days=1), IST)
    assert bounds == [at(22, 21), at(23, 21), at(24, 21)]
    with services.db.session() as s:
        a = activity.activity(s, bounds)
        mine = activity.activity(s, bounds, (mehmet.id,))
        per_rep = activity.activity(s, bounds, cells="rep")
        together = activity.activity(s, bounds, cells="bucket")

    cells = {(c.start, c.rep_id): c for c in a.cells}
    first, second = cells[at(22, 21), ayse.id], cells[at(23, 21), ayse.id]
    assert (first.kinds, first.customers, first.advanced) == ({"call": 1, "visit": 1}, 2, 1)
    assert (second.kinds, second.customers, second.advanced) == ({"call": 1}, 1, 0)
    theirs = cells[at(23, 21), mehmet.id]
    assert (theirs.kinds, theirs.customers) == ({"email": 1}, 1)
    assert len(a.cells) == 3
    # Per rep: Acme on both days counts once; the advanced deal as in the days.
    assert {c.rep_id: (c.customers, c.advanced) for c in per_rep.cells} == {
        ayse.id: (2, 1),
        mehmet.id: (1, 0),
    }
    assert {c.start for c in per_rep.cells} == {bounds[0]}
    # Every rep together: the first day's two customers; on the second, Acme, whom Ayşe and
    # Mehmet both touched, once.
    assert [(c.rep_id, c.customers, c.advanced) for c in together.cells] == [
        (None, 2, 1),
        (None, 1, 0),
    ]
    assert [c.rep_id for c in mine.cells] == [mehmet.id]
    weeks = activity.day_bounds(DAY, DAY + timedelta(days=13), IST, weeks=True)
    assert weeks[1] - weeks[0] == timedelta(days=7) and len(weeks) == 3


def test_customers_touched_probed_or_counted_gives_the_same(services, ayse, mehmet):
    """Everyone's customers touched, counted from the interactions (a distinct count) and
    from the customers (SQLite probes each one when the range holds many interactions per
    customer): the same, archived customers and the range's ends honoured either way."""
    acme, beta, quiet = (customer(services, n) for n in ("Acme", "Beta", "Quiet"))
    gone = customer(services, "Gone", archived_at=START)
    at = lambda d, h: datetime(2026, 11, d, h, tzinfo=UTC)  # noqa: E731
    for rep, who, moment in (
        (ayse, acme, at(23, 8)),
        (mehmet, acme, at(23, 9)),  # two reps, one customer
        (
            ayse,
            beta,
            at(
                24,
                20,
            ),
        ),
        (ayse, gone, at(24, 9)),  # archived: left out
        (ayse, quiet, at(22, 20)),  # 23:00 local on the 22nd: before the range
        (ayse, quiet, at(25, 21)),  # 00:00 local on the 26th: after it
    ):
        log(services, rep, "call", who, moment)
    start, end = at(22, 21), at(25, 21)
    with services.db.session() as s:
        counted = activity.customers_touched(s, start, end)
        probed = activity.customers_touched(s, start, end, interactions=10**6)
        theirs = activity.customers_touched(s, start, end, (mehmet.id,), interactions=10**6)
    assert counted == probed == 2 and theirs == 1


def test_activity_over_more_buckets_than_one_statement_holds(services, ayse):
    """120 days are two statements of buckets: each day still lands in its own."""
    acme = customer(services, "Acme")
    first = date(2026, 7, 1)
    bounds = activity.day_bounds(first, first + timedelta(days=119), IST)
    assert len(bounds) - 1 > activity.BRANCHES
    for day in (0, 99, 100, 119):
        moment = datetime.combine(first + timedelta(days=day), time(12), IST)
        log(services, ayse, "visit", acme, moment.astimezone(UTC))
    with services.db.session() as s:
        found = activity.activity(s, bounds, cells="bucket")
    days = [(c.start.astimezone(IST).date() - first).days for c in found.cells]
    assert days == [0, 99, 100, 119]
    assert all(c.kinds == {"visit": 1} and c.customers == 1 for c in found.cells)


def test_activity_days_across_a_dst_change(services, ayse):
    """Berlin's clocks go back on 25 October 2026: that local day is 25 hours long, so the
    days after it start an hour later in UTC; each interaction still lands on its local day."""
    c1 = customer(services, "Acme")
    berlin = ZoneInfo("Europe/Berlin")
    local = lambda d, h, m=0: datetime(2026, 10, d, h, m, tzinfo=berlin)  # noqa: E731
    for moment in (
        local(24, 23, 30),  # CEST, the day before the change
        local(25, 0, 10),  # first minutes of the long day
        local(25, 23, 50),  # its last minutes (UTC 22:50, after the old 22:00 boundary)
        local(26, 0, 10),  # the next day, CET
        local(31, 23, 59),  # the last day of the range
    ):
        log(services, ayse, "call", c1, moment.astimezone(UTC))
    bounds = activity.day_bounds(date(2026, 10, 24), date(2026, 10, 31), berlin)
    with services.db.session() as s:
        a = activity.activity(s, bounds)
    per_day = {c.start.astimezone(berlin).day: c.kinds["call"] for c in a.cells}
    assert per_day == {24: 1, 25: 2, 26: 1, 31: 1}


def test_time_in_stage_counts_stays_that_ended_in_the_period(services, ayse):
    d = lambda n: START + timedelta(days=n)  # noqa: E731
    moves = (("Qualified", d(-10)), ("Proposal", d(-2)), ("Negotiation", d(5)))
    deal(services, ayse, "Lead", "10", created=d(-20), moves=moves)
    deal(services, ayse, "Lead", "10", created=d(-40), moves=(("Qualified", d(-30)),))
    deal(services, ayse, "Lead", "10", created=d(-9), moves=(("Proposal", d(-1)),))
    with services.db.session() as s:
        stays = cycle.stage_stays(s, d(-5), d(1), None)
        theirs = cycle.stage_stays(s, d(-5), d(1), (ayse.id + 1,))
    # Qualified 8 days (left in the period); Lead 8 days (the third deal's, left on day -1);
    # stays that ended before the period or after it are not counted
    assert [(x.stage, x.stays, round(x.average_days, 3)) for x in stays] == [
        ("Lead", 1, 8.0),
        ("Qualified", 1, 8.0),
    ]
    assert theirs == []


def test_won_value_converts_at_the_rate_in_force_on_each_close_date(services, ayse):
    d = lambda n: START + timedelta(days=n)  # noqa: E731
    with services.db.session(write=True) as s:
        for day, rate in ((d(-10).date(), "30"), (d(-3).date(), "32")):
            units = ExchangeRate.units(Decimal(rate))
            s.add(
                ExchangeRate(
                    base="TRY", currency="USD", valid_from=day, rate_units=units, source="t"
                )
            )
    for closed, amount in ((d(-5), "100"), (d(-3), "10"), (d(-1), "1"), (d(-20), "7")):
        deal(services, ayse, "Won", amount, currency="USD", closed_at=closed)
    deal(services, ayse, "Won", "5", currency="TRY", closed_at=d(-2))
    with services.db.session() as s:
        everyone = outcomes.outcomes(s, d(-30), d(1), None, base="TRY")[0]
        per_rep = outcomes.outcomes(s, d(-4), d(1), None, "rep", base="TRY")
    # 100 at 30 (in force from day -10), 10 and 1 at 32 (from day -3, its own day included),
    # 7 before any rate: named as missing, not guessed; TRY as it is
    assert everyone.won_value.converted == Decimal(3000 + 320 + 32 + 5)
    assert everyone.won_value.missing == ("USD",)
    assert [(o.key, o.won, o.won_value.converted) for o in per_rep] == [(ayse.id, 3, Decimal(357))]


def test_funnel_counts_each_stage_reached(services, ayse, mehmet):
    at = lambda d: datetime(2026, 11, d, 9, tzinfo=UTC)  # noqa: E731
    deal(
        services,
        ayse,
        "Lead",
        "1",
        created=at(2),
        moves=(("Qualified", at(3)), ("Proposal", at(4))),
    )
    deal(services, ayse, "Lead", "1", created=at(2), moves=(("Lost", at(5)),))
    deal(services, mehmet, "Proposal", "1", created=at(6))  # passed Lead and Qualified
    deal(services, mehmet, "Lead", "1", created=at(7), moves=(("Won", at(8)),))
    deal(services, ayse, "Lead", "1", created=datetime(2026, 10, 30, tzinfo=UTC))  # before
    archive_deal(services, deal(services, ayse, "Negotiation", "1", created=at(9)))

    with services.db.session() as s:
        f = funnel.funnel(s, NOV, DEC)
        hers = funnel.funnel(s, NOV, DEC, (ayse.id,))

    assert (f.created, f.lost) == (4, 1)
    assert [(step.name, step.reached) for step in f.steps] == [
        ("Lead", 4),
        ("Qualified", 3),
        ("Proposal", 3),
        ("Negotiation", 1),
        ("Won", 1),
    ]
    assert [step.conversion for step in f.steps] == [None, 0.75, 1.0, 1 / 3, 1.0]
    assert (hers.created, hers.lost) == (2, 1)
    assert [step.reached for step in hers.steps] == [2, 1, 1, 0, 0]
    assert hers.steps[4].conversion is None  # nothing reached Negotiation: no rate


def test_lost_reasons_with_counts_and_amounts(services, ayse, mehmet):
    at = lambda d: datetime(2026, 11, d, 9, tzinfo=UTC)  # noqa: E731
    deal(services, ayse, "Lost", "1000", lost_reason="Price", closed_at=at(3))
    deal(services, ayse, "Lost", "500", lost_reason=" Price ", closed_at=at(4))
    deal(services, mehmet, "Lost", "200", closed_at=at(5))
    deal(services, mehmet, "Lost", "100", currency="USD", lost_reason="Competitor", closed_at=at(6))
    deal(
        services,
        ayse,
        "Lost",
        "7",
        lost_reason="Price",
        closed_at=datetime(2026, 10, 2, tzinfo=UTC),
    )
    archive_deal(services, deal(services, ayse, "Lost", "9", lost_reason="Price", closed_at=at(7)))

    with services.db.session() as s:
        found = lost.lost(s, NOV, DEC)
        hers = lost.lost(s, NOV, DEC, (ayse.id,))

    assert [(r.reason, r.currency, r.count, r.amount) for r in found.overall] == [
        ("Price", "TRY", 2, Decimal(1500)),
        (None, "TRY", 1, Decimal(200)),
        ("Competitor", "USD", 1, Decimal(100)),
    ]
    by_rep = sorted((r.rep_id, r.reason or "", r.count, r.amount) for r in found.by_rep)
    assert by_rep == sorted(
        [
            (ayse.id, "Price", 2, Decimal(1500)),
            (mehmet.id, "", 1, Decimal(200)),
            (mehmet.id, "Competitor", 1, Decimal(100)),
        ]
    )
    assert [(r.reason, r.count) for r in hers.overall] == [("Price", 2)]


def test_stale_deals_and_rep_load(services, ayse, mehmet):
    old = START - timedelta(days=30)
    quiet = deal(services, ayse, "Proposal", "1", created=old)
    busy = customer(services, "Busy")
    deal(services, ayse, "Proposal", "1", created=old, customer_id=busy)
    log(services, ayse, "call", busy, START - timedelta(days=2))
    deal(services, mehmet, "Lead", "1", created=START - timedelta(days=5))
    archive_deal(services, deal(services, mehmet, "Lead", "1", created=old))
    deal(services, mehmet, "Won", "1", created=old)
    task(services, ayse, START - timedelta(days=1), START - timedelta(days=3))  # overdue
    task(services, ayse, START + timedelta(days=1), START - timedelta(days=40))  # old
    task(services, mehmet, START + timedelta(days=1), START - timedelta(days=1))  # fine
    task(services, mehmet, START - timedelta(days=1), old, archived_at=START)  # archived

    with services.db.session() as s:
        found = attention.stale(s, START, 14)
        none_of_his = attention.stale(s, START, 14, (mehmet.id,))
        loads = attention.load(s, START, max_open=20, age_days=30)
        crowded = attention.load(s, START, max_open=0, age_days=30, scope=(mehmet.id,))

    assert ([d.id for d in found.deals], found.total) == ([quiet], 1)
    assert found.deals[0].last_touch is None
    assert none_of_his.total == 0
    assert loads == [RepLoad(ayse.id, 2, 1, 1)]  # type: ignore[arg-type]
    assert crowded == [RepLoad(mehmet.id, 1, 0, 0)]  # type: ignore[arg-type]
