"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, func, type_coerce
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in Python, naive UTC in the column.

    SQLite keeps no offset and PostgreSQL's ``timestamptz`` returns one: storing naive UTC and
    re-attaching UTC on the way out gives one behaviour on both, and refuses naive input so a
    local wall-clock time can never slip in unconverted.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


CENTS = 2  # decimal places every amount is stored with
MAX_CENTS = 2**63 - 1  # a BigInteger; amounts the chat accepts stay below 10**15 cents
_SPLIT = 10**9


class Money(TypeDecorator[Decimal]):
    """Exact money: ``Decimal`` in Python, a whole number of hundredths in a BigInteger column.

    SQLite has no exact decimal (``NUMERIC`` columns keep REAL, so 99,999,999,999,999.99 came
    back as .98), and both engines add integers exactly, so every amount is kept as an integer
    count of hundredths: one fixed scale for every currency, since a currency's minor units
    (JPY 0, TRY 2, see ``handlers.money``) are checked where the amount is read, and the column
    then needs no knowledge of the currency beside it. A value that hundredths cannot hold
    exactly, or that does not fit the column, is refused (``ValueError``), never rounded.
    Values come back with two decimal places: ``Decimal("1100000.00")``.

    Sums: PostgreSQL's ``sum(bigint)`` is an exact numeric, but SQLite's ``sum`` of integers
    fails past 2**63; ``money_sum`` adds the high and low halves apart so neither can overflow.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | int | None, dialect: Any) -> int | None:
        return None if value is None else to_cents(Decimal(value))

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        return None if value is None else from_cents(value)


def to_cents(value: Decimal) -> int:
    cents = value.scaleb(CENTS)
    if cents != cents.to_integral_value() or abs(cents) > MAX_CENTS:
        raise ValueError("an amount money columns cannot hold exactly")
    return int(cents)


def from_cents(value: int | Decimal) -> Decimal:
    return Decimal(int(value)).scaleb(-CENTS)


def money_sum(value: Any) -> tuple[Any, Any]:
    """Two SQL sums of a money expression that together make its exact total (``total``)."""
    raw = type_coerce(func.coalesce(value, 0), BigInteger)
    return func.sum(raw // _SPLIT), func.sum(raw % _SPLIT)


def total(high: int | Decimal | None, low: int | Decimal | None) -> Decimal:
    """The exact sum of amounts from the two halves ``money_sum`` selects."""
    return from_cents(int(high or 0) * _SPLIT + int(low or 0))
