"""Exchange rates: the one in force on a day, and setting one.

The rate in force for a day is the latest one valid on or before it; a rate set for a day
that already has one replaces it (an update, so the audit trail keeps the old value).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Session, col, func, select

from storage.models import ExchangeRate


def in_force(session: Session, base: str, day: date) -> dict[str, ExchangeRate]:
    """Each currency's rate against ``base`` in force on ``day``, by currency code."""
    latest = (
        select(col(ExchangeRate.currency), func.max(ExchangeRate.valid_from).label("day"))
        .where(ExchangeRate.base == base, col(ExchangeRate.valid_from) <= day)
        .group_by(col(ExchangeRate.currency))
        .subquery()
    )
    query = (
        select(ExchangeRate)
        .join(
            latest,
            (col(ExchangeRate.currency) == latest.c.currency)
            & (col(ExchangeRate.valid_from) == latest.c.day),
        )
        .where(ExchangeRate.base == base)
        .order_by(col(ExchangeRate.currency))
    )
    return {row.currency: row for row in session.exec(query)}


def put(
    session: Session,
    base: str,
    currency: str,
    valid_from: date,
    rate: Decimal,
    source: str,
    at: datetime,
) -> Decimal | None:
    """Set the rate of ``currency`` from ``valid_from`` on; the value it replaces, if any."""
    row = session.exec(
        select(ExchangeRate).where(
            ExchangeRate.base == base,
            ExchangeRate.currency == currency,
            ExchangeRate.valid_from == valid_from,
        )
    ).first()
    before = row.rate if row is not None else None
    if row is None:
        row = ExchangeRate(base=base, currency=currency, valid_from=valid_from, rate_units=0)
    row.rate_units = ExchangeRate.units(rate)
    row.source, row.set_at = source, at
    session.add(row)
    session.flush()
    return before
