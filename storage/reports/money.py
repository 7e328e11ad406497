"""Amounts in reports: exact per-currency totals, and one figure converted to the base currency.

A closed deal converts at the rate in force on its close date, an open one at the latest rate
(the one in force today). Queries group amounts by currency and by the day the deal's rate came
into force (``rate_day``: the close date would do, but a year of closes per rep and currency
was 19,000 groups, where the rates change weekly and the base currency needs none), so the
conversion needs one query for the whole rate history and no query per deal. A currency with
no rate in force is left out of the converted figure and named (``missing``), never guessed.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, localcontext
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from storage.models import ExchangeRate
from storage.types import total


@dataclass(frozen=True)
class Amounts:
    """Per-currency totals, and their sum in ``base`` (None when no currency could be
    converted); ``missing`` names the currencies with no rate, left out of ``converted``."""

    base: str
    by_currency: tuple[tuple[str, Decimal], ...] = ()
    converted: Decimal | None = None
    missing: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not any(amount for _, amount in self.by_currency)


class Rates:
    """Every rate against ``base``, read once: the one in force on any day is a lookup."""

    def __init__(self, session: Session, base: str) -> None:
        self.base = base
        history: dict[str, list[tuple[date, Decimal]]] = defaultdict(list)
        query = (
            select(ExchangeRate)
            .where(ExchangeRate.base == base)
            .order_by(col(ExchangeRate.currency), col(ExchangeRate.valid_from))
        )
        for row in session.exec(query):
            history[row.currency].append((row.valid_from, row.rate))
        self._days = {c: [d for d, _ in rows] for c, rows in history.items()}
        self._rates = {c: [r for _, r in rows] for c, rows in history.items()}

    def on(self, currency: str, day: date) -> Decimal | None:
        if currency == self.base:
            return Decimal(1)
        days = self._days.get(currency)
        at = bisect_right(days, day) if days else 0
        return self._rates[currency][at - 1] if at else None


@dataclass
class Tally:
    """Adds amounts as SQL returns them (currency, day, the two halves of ``money_sum``)."""

    rates: Rates
    sums: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    converted: Decimal = Decimal(0)
    some_converted: bool = False
    missing: set[str] = field(default_factory=set)

    def add(self, currency: str, day: date, high: object, low: object) -> None:
        amount = total(high, low)  # type: ignore[arg-type]
        if not amount:
            return
        self.sums[currency] += amount
        rate = self.rates.on(currency, day)
        if rate is None:
            self.missing.add(currency)
            return
        with localcontext() as exact:
            exact.prec = 60
            self.converted += amount * rate
        self.some_converted = True

    def amounts(self) -> Amounts:
        return Amounts(
            self.rates.base,
            tuple(sorted(self.sums.items())),
            self.converted if self.some_converted else None,
            tuple(sorted(self.missing)),
        )


def rate_day(currency: Any, day: Any, base: str) -> Any:
    """SQL: the first day of the ``base`` rate of ``currency`` in force on ``day`` (a
    ``date(...)``), NULL for the base currency itself or when no rate is in force yet; grouped
    by it, amounts convert exactly as by their own day (``Tally.add`` takes ``day_of`` of it)."""
    rate = ExchangeRate.__table__
    in_force = (
        select(func.max(rate.c.valid_from))
        .where(rate.c.base == base, rate.c.currency == currency, rate.c.valid_from <= day)
        .correlate_except(rate)
        .scalar_subquery()
    )
    return case((currency == base, None), else_=in_force)


def day_of(value: object) -> date:
    """A SQL ``date(...)``: a date on PostgreSQL, "YYYY-MM-DD" text on SQLite; NULL (no rate
    day, see ``rate_day``) is a day before any rate."""
    if value is None:
        return date.min
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
