"""Interactions: the customer's history of calls, meetings, visits, e-mails and notes."""

from __future__ import annotations

from sqlmodel import Session, select

from storage.models import Interaction


def add(session: Session, interaction: Interaction) -> Interaction:
    session.add(interaction)
    session.flush()
    return interaction


def by_source(session: Session, platform: str, message_id: str) -> Interaction | None:
    """The interaction already logged from this platform message, so a retry logs nothing."""
    query = select(Interaction).where(
        Interaction.source_platform == platform, Interaction.source_message_id == message_id
    )
    return session.exec(query).first()
