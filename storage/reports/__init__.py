"""Report figures: SQL aggregates per kind of report, one module each.

Every function takes a Session, a time range (aware UTC datetimes, start inclusive, end
exclusive) and a scope (a tuple of rep ids whose records count, or None for everyone,
unowned records included) and returns small frozen dataclasses. The number of queries a
function runs is fixed: rows are grouped in the database (GROUP BY, CASE, window functions),
never read one deal at a time. Amounts come back per currency and converted to the base
currency (``reports.money``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col

Scope = tuple[int, ...] | None


def owned_by(column: Any, scope: Scope) -> Any:
    """The condition "this owner column is within the scope" (always true for everyone)."""
    return col(column).in_(scope) if scope is not None else True


def within(column: Any, start: datetime, end: datetime) -> Any:
    return (col(column) >= start) & (col(column) < end)


def days_between(session: Session, start: Any, end: Any) -> Any:
    """Days from ``start`` to ``end`` (fractional) in the engine's own arithmetic."""
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(end) - func.julianday(start)
    return func.extract("epoch", end - start) / 86400.0
