"""Report figures: SQL aggregates per kind of report, one module each.

Every function takes a Session, a time range (aware UTC datetimes, start inclusive, end
exclusive) and a scope (a tuple of rep ids whose records count, or None for everyone,
unowned records included) and returns small frozen dataclasses. The number of queries a
function runs is fixed: rows are grouped in the database (GROUP BY, CASE, window functions),
never read one deal at a time. Amounts come back per currency and converted to the base
currency (``reports.money``).
"""

from __future__ import annotations

from storage.reports.basis import RepScope as Scope
from storage.reports.basis import days_between, owned_by, within

__all__ = ["Scope", "days_between", "owned_by", "within"]
