"""Sales quotas per rep and period (``2026-11`` or ``2026-Q4``): set and list."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session, col, select

from storage.models import Quota

PERIOD = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|[qQ]([1-4]))$")


def period_of(text: str) -> str | None:
    """ "2026-Q4" / "2026-q4" / "2026-11" as stored ("2026-Q4", "2026-11"), or None."""
    found = PERIOD.match(text.strip())
    if not found:
        return None
    year, month, quarter = found.groups()
    return f"{year}-{month}" if month else f"{year}-Q{quarter}"


def put(
    session: Session, rep_id: int, period: str, amount: Decimal, currency: str, now: datetime
) -> Quota | None:
    """Set a rep's quota for a period; the quota it replaced (a copy), if any."""
    row = session.exec(select(Quota).where(Quota.rep_id == rep_id, Quota.period == period)).first()
    before = None if row is None else Quota.model_validate(row.model_dump())
    row = row or Quota(rep_id=rep_id, period=period, amount=amount, currency=currency)
    row.amount, row.currency, row.set_at = amount, currency, now
    session.add(row)
    session.flush()
    return before


def listed(session: Session, period: str | None = None) -> list[Quota]:
    query = select(Quota).order_by(col(Quota.period), col(Quota.rep_id))
    if period is not None:
        query = query.where(Quota.period == period)
    return list(session.exec(query))
