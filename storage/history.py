"""A record's changes from the audit trail, newest first: what ``/history`` shows.

Newest means last written (the trail's ids), not the latest ``at``: two processes' clocks
may disagree, the order of writes may not.

A customer's history includes the changes to its further phones and e-mails and to its
contacts (those it has now: a contact point since deleted is found by its own id no more).
The trail itself is not scoped: the caller has already found the record in the rep's scope.
"""

from __future__ import annotations

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from storage.models import AuditEvent, Contact, ContactPoint


def _records(session: Session, entity: str, entity_id: int) -> dict[str, list[int]]:
    found = {entity: [entity_id]}
    if entity == "customer":
        points = session.exec(select(ContactPoint.id).where(ContactPoint.customer_id == entity_id))
        people = session.exec(select(Contact.id).where(Contact.customer_id == entity_id))
        found["contactpoint"] = [i for i in points if i is not None]
        found["contact"] = [i for i in people if i is not None]
    return {name: ids for name, ids in found.items() if ids}


def events(
    session: Session, entity: str, entity_id: int, *, limit: int = 2_000
) -> list[AuditEvent]:
    """The newest ``limit`` changes (a record's trail is short; the caller pages it, after
    leaving out what it does not show)."""
    about = or_(
        *(
            and_(col(AuditEvent.entity) == name, col(AuditEvent.entity_id).in_(ids))
            for name, ids in _records(session, entity, entity_id).items()
        )
    )
    query = (
        select(AuditEvent)
        .where(about)
        .order_by(col(AuditEvent.id).desc())  # the order written, whatever the clocks said
        .limit(limit)
    )
    return list(session.exec(query))
