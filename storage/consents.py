"""Consent to be contacted: recorded as it is given or withdrawn (the card reads the latest,
``storage.card_reads``)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage.models import Consent, Customer


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
