"""What every table shares: the naming convention, timestamp fields, and fixed vocabularies.

Conventions, chosen so the same schema runs on SQLite and PostgreSQL:
- every timestamp is a ``UTCDateTime`` (aware UTC in Python, naive UTC in the column);
- money is ``Money``: exact hundredths in a BigInteger, read back as ``Decimal``;
- lists (tags) are JSON, which both engines store natively or as text.
Tables with ``__audit__ = False`` are bookkeeping and are not written to the audit trail.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow

# Named constraints, so later migrations can drop or alter them on SQLite (batch mode) too.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("rep", "manager", "admin")
INTERACTION_KINDS = ("call", "meeting", "visit", "email", "note")
TASK_STATUSES = ("open", "done", "cancelled")


def ts_field(index: bool = False, nullable: bool = True) -> Any:
    return Field(default=None, sa_type=UTCDateTime, index=index, nullable=nullable)


def created_field() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
