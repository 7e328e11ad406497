"""The win rate's trend (storage.reports.outcomes.trend): four periods in one query must give
each period exactly what ``outcomes`` gives it alone — a deal closed on a boundary counts in the
later period only, lost deals without an amount at their product's list price, amounts at the
rate of their own close day — and the /report answer shows them in order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest

from handlers.kit import Services
from storage.models import ExchangeRate, Product, Rep
from storage.reports import outcomes
from tests.conftest import Chat, add_rep
from tests.figures_data import archive_deal, deal

# Month starts in Istanbul (UTC+3): 1 July … 1 November 2026, 00:00 local
BOUNDS = [
    datetime(2026, 6, 30, 21, tzinfo=UTC),
    datetime(2026, 7, 31, 21, tzinfo=UTC),
    datetime(2026, 8, 31, 21, tzinfo=UTC),
    datetime(2026, 9, 30, 21, tzinfo=UTC),
    datetime(2026, 10, 31, 21, tzinfo=UTC),
]
TICK = timedelta(microseconds=1)


@pytest.fixture
def ayse(services: Services) -> Rep:
    return add_rep(services, "Ayşe Yılmaz")


def _priced_product(services: Services) -> int:
    with services.db.session(write=True) as s:
        for valid_from, rate in ((datetime(2026, 7, 1), 30), (datetime(2026, 8, 15), 40)):
            s.add(
                ExchangeRate(
                    base="TRY",
                    currency="USD",
                    valid_from=valid_from.date(),
                    rate_units=ExchangeRate.units(Decimal(rate)),
                    source="t",
                )
            )
        product = Product(name="GTX Pro", key="gtxpro", price=Decimal(100), currency="USD")
        s.add(product)
        s.flush()
        return product.id or 0


def test_each_period_of_the_trend_is_what_it_would_be_alone(services, ayse):
    mehmet = add_rep(services, "Mehmet Kaya")
    gtx = _priced_product(services)
    b0, b1, b2, b3, b4 = BOUNDS
    deal(services, ayse, "Won", "1000", closed_at=b0)  # the first instant: July
    deal(services, ayse, "Lost", "400", closed_at=b1 - TICK)  # July's last instant
    deal(services, ayse, "Won", "2000", closed_at=b1)  # exactly on the boundary: August
    deal(services, ayse, "Lost", "0", product_id=gtx, closed_at=b2 - TICK)  # $100 at 40
    deal(services, ayse, "Won", "10", currency="USD", closed_at=b1 + timedelta(days=1))  # at 30
    deal(services, mehmet, "Lost", "700", closed_at=b3)  # October, someone else's
    deal(services, ayse, "Won", "5", closed_at=b4)  # the current period's: not in the trend
    deal(services, ayse, "Won", "5", closed_at=b0 - TICK)  # before the first period
    archive_deal(services, deal(services, ayse, "Lost", "9", closed_at=b3))
    deal(services, ayse, "Negotiation", "50", closed_at=b3)  # open: neither won nor lost

    with services.db.session() as s:
        everyone = outcomes.trend(s, BOUNDS, None, base="TRY")
        hers = outcomes.trend(s, BOUNDS, (ayse.id,), base="TRY")
        alone = [
            outcomes.outcomes(s, start, end, None, base="TRY")[0] for start, end in pairwise(BOUNDS)
        ]

    assert [o.key for o in everyone] == [0, 1, 2, 3]
    figures = [
        (o.won, o.lost, o.won_value.converted, o.lost_value.converted, o.lost_list_priced)
        for o in everyone
    ]
    assert figures == [
        (1, 1, Decimal(1000), Decimal(400), 0),
        (2, 1, Decimal(2000 + 300), Decimal(4000), 1),
        (0, 0, None, None, 0),
        (0, 1, None, Decimal(700), 0),
    ]
    assert [o.win_rate for o in everyone] == [0.5, 2 / 3, None, 0.0]
    assert [(o.won_value, o.lost_value, o.win_rate) for o in everyone] == [
        (o.won_value, o.lost_value, o.win_rate) for o in alone
    ]
    assert [(o.won, o.lost) for o in hers] == [(1, 1), (2, 1), (0, 0), (0, 0)]


def test_one_period_and_nothing_closed(services, ayse):
    with services.db.session() as s:
        [only] = outcomes.trend(s, BOUNDS[:2], None, base="TRY")
        [none] = outcomes.outcomes(s, BOUNDS[0], BOUNDS[1], None, base="TRY")
    assert (only.key, only.won, only.lost, only.win_rate) == (0, 0, 0, None)
    assert (none.won, none.lost, none.win_rate) == (0, 0, None)


def test_the_answer_shows_the_four_months_before_then_this_one(services, chat: Chat, ayse):
    b0, b1, *_, b4 = BOUNDS
    deal(services, ayse, "Won", "1", closed_at=b0)
    deal(services, ayse, "Lost", "1", closed_at=b1)  # August: 0%
    deal(services, ayse, "Won", "1", closed_at=b1 + timedelta(days=3))  # August: 50%
    deal(services, ayse, "Won", "1", closed_at=b4 + timedelta(days=2))  # November
    reply = chat.say("/report winrate 2026-11 everyone")
    assert "Trend (four periods before, then this one): 100.0% → 50.0% → — → — → 100.0%" in (
        reply.text
    )
