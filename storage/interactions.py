"""Interactions: the customer's history of calls, meetings, visits, e-mails and notes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from storage.driver import run
from storage.entities import inserted
from storage.models import Customer, Interaction


def add(session: Session, interaction: Interaction) -> Interaction:
    """Written on the driver with a flush's checks and audit (``entities.inserted``)."""
    return inserted(session, interaction)


_LOGGED_FROM = (
    select(Interaction.id)  # type: ignore[call-overload]
    .where(
        Interaction.source_platform == bindparam("platform"),
        Interaction.source_message_id == bindparam("message"),
    )
    .limit(1)
)


def logged_from(session: Session, platform: str, message_id: str) -> bool:
    """Whether this platform message was logged already, so a retry logs nothing.

    Asked through Core, past the scope: the answer only says "already logged" to the rep who
    sent that very message, and the unique (platform, message) pair would refuse the insert
    anyway; the ORM's entity load and scope criteria cost more than the query itself."""
    rows = run(session.connection(), _LOGGED_FROM, {"platform": platform, "message": message_id})
    return rows.first() is not None


def latest_visit_without_location(
    session: Session, rep_id: int, since: datetime
) -> Interaction | None:
    """The rep's most recent visit logged since ``since`` that has no location yet."""
    query = (
        select(Interaction)
        .where(Interaction.rep_id == rep_id, Interaction.kind == "visit")
        .where(col(Interaction.latitude).is_(None), col(Interaction.occurred_at) >= since)
        .order_by(col(Interaction.occurred_at).desc())
    )
    return session.exec(query).first()


def recent_customers(session: Session, rep_id: int, limit: int = 5) -> list[Customer]:
    """The customers a rep dealt with last, most recent first (for one-tap choices)."""
    query = (
        select(Interaction.customer_id)
        .where(Interaction.rep_id == rep_id)
        .order_by(col(Interaction.occurred_at).desc())
        .limit(limit * 10)
    )
    ids = list(dict.fromkeys(session.exec(query)))[:limit]
    found = {c.id: c for c in session.exec(select(Customer).where(col(Customer.id).in_(ids)))}
    return [found[i] for i in ids if i in found]
