"""Retention: interactions of customers inactive for ``years`` are purged.

A customer is inactive when nothing happened with them since the cut-off: no interaction, no
change to one of their deals, no change to the customer itself. Purging deletes their
interactions (the notes of calls and visits, the most personal part of a CRM) and keeps the
customer, the deals and their figures. The audit trail records how many were purged, never
what they said.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, func, select

from storage import audit
from storage.audit import digest_of
from storage.models import AuditEvent, Customer, Deal, Interaction


@dataclass(frozen=True)
class Due:
    customers: list[int]
    interactions: int


def due(session: Session, cutoff: datetime) -> Due:
    """Customers inactive since ``cutoff`` that still have interactions, and how many."""
    last_talk = dict(
        session.exec(
            select(Interaction.customer_id, func.max(Interaction.occurred_at)).group_by(
                col(Interaction.customer_id)
            )
        ).all()
    )
    last_deal = dict(
        session.exec(
            select(Deal.customer_id, func.max(Deal.updated_at))
            .where(col(Deal.customer_id).is_not(None))
            .group_by(col(Deal.customer_id))
        ).all()
    )
    inactive = [
        cid
        for cid, touched in session.exec(select(Customer.id, Customer.updated_at)).all()
        if cid in last_talk
        and max(t for t in (touched, last_talk[cid], last_deal.get(cid)) if t is not None) < cutoff
    ]
    if not inactive:
        return Due([], 0)
    count = session.exec(
        select(func.count())
        .select_from(Interaction)
        .where(col(Interaction.customer_id).in_(inactive))
    ).one()
    return Due(sorted(c for c in inactive if c is not None), count)


def purge(session: Session, found: Due, now: datetime) -> None:
    if not found.customers:
        return
    audit.pause(session)
    session.exec(
        delete(Interaction).where(col(Interaction.customer_id).in_(found.customers))  # type: ignore[call-overload]
    )
    changes = {"customers": len(found.customers), "interactions": found.interactions}
    row = AuditEvent(at=now, action="purge", entity="interaction", entity_id=None)
    row.changes, row.digest = changes, digest_of(changes)
    session.add(row)
    session.flush()
