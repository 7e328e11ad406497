"""Sales quotas: what a rep is expected to close in a month or a quarter."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import created_field
from storage.types import Money


class Quota(SQLModel, table=True):
    """``period`` is "2026-Q4" or "2026-11"; one quota per rep and period (setting it again
    updates the row, and the audit trail keeps the value before)."""

    __table_args__ = (UniqueConstraint("rep_id", "period"),)
    id: int | None = Field(default=None, primary_key=True)
    rep_id: int = Field(foreign_key="rep.id", index=True)
    period: str = Field(max_length=7)
    amount: Decimal = Field(sa_type=Money)
    currency: str = Field(max_length=3)
    set_at: datetime = created_field()
