"""Exchange rates to the base currency (``CRM_CURRENCY``), so totals in several currencies
can also be shown as one converted figure.

A rate is kept exactly, as an integer count of 10⁻⁸ units (``rate_units``): SQLite would store
a ``Numeric`` as a binary float, and an integer reads back the same on every database. Eight
decimal places cover every rate a bank publishes; the CLI refuses more rather than round.
``base`` is the base currency the rate was given against, so changing ``CRM_CURRENCY`` later
never reads a rate against the wrong currency.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import created_field

RATE_PLACES = 8
RATE_SCALE = 10**RATE_PLACES


class ExchangeRate(SQLModel, table=True):
    """One unit of ``currency`` is worth ``rate`` units of ``base`` from ``valid_from`` on,
    until a later rate of the same pair takes over. One row per pair and day: setting the
    same day again updates the row (the audit trail keeps the value before)."""

    __table_args__ = (UniqueConstraint("base", "currency", "valid_from"),)
    id: int | None = Field(default=None, primary_key=True)
    base: str = Field(max_length=3)
    currency: str = Field(max_length=3)
    valid_from: date
    rate_units: int = Field(sa_type=BigInteger)
    source: str = Field(max_length=80)  # "cli", or "import rates.csv"
    set_at: datetime = created_field()

    @property
    def rate(self) -> Decimal:
        return Decimal(self.rate_units) / RATE_SCALE

    @staticmethod
    def units(rate: Decimal) -> int:
        """``rate`` in 10⁻⁸ units; it must have no more than eight decimal places."""
        scaled = rate * RATE_SCALE
        if scaled != scaled.to_integral_value():
            raise ValueError("more than eight decimal places")
        return int(scaled)
