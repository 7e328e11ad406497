"""Consent to be contacted: recorded as it is given or withdrawn, read back as the latest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from storage.models import Consent, Customer
from storage.prebuilt import prebuilt


def record(
    session: Session,
    customer: Customer,
    status: str,
    source: str | None,
    rep_id: int | None,
    at: datetime,
) -> Consent:
    row = Consent(customer_id=customer.id or 0, status=status, source=source, rep_id=rep_id, at=at)
    session.add(row)
    session.flush()
    return row


_LATEST = prebuilt(
    select(Consent)
    .where(Consent.customer_id == bindparam("customer"))
    .order_by(col(Consent.at).desc(), col(Consent.id).desc())
    .limit(1)
)


def latest(session: Session, customer_id: int) -> Consent | None:
    return session.execute(_LATEST, {"customer": customer_id}).scalars().first()
