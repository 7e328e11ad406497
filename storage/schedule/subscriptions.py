"""Subscriptions: which chats get a scheduled post, when, and about whom.

A chat has at most one subscription per kind — the digest, and one per report kind
("report:winrate") — (the table's unique constraint); subscribing
again changes it, unsubscribing deactivates it (kept, so the audit trail and the run ledger
still make sense of past posts).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.models import Subscription


def active(session: Session, kind: str | None = "digest") -> list[Subscription]:
    """The active subscriptions of this kind (of every kind with None)."""
    query = select(Subscription).where(col(Subscription.active)).order_by(col(Subscription.id))
    if kind is not None:
        query = query.where(Subscription.kind == kind)
    return list(session.exec(query))


def in_chat(session: Session, platform: str, chat_id: str) -> list[Subscription]:
    """A chat's active subscriptions, the digest first, then reports by kind."""
    query = select(Subscription).where(
        Subscription.platform == platform,
        Subscription.chat_id == chat_id,
        col(Subscription.active),
    )
    return sorted(session.exec(query), key=lambda s: (s.kind != "digest", s.kind))


def get(session: Session, subscription_id: int) -> Subscription | None:
    return session.get(Subscription, subscription_id)


def for_chat(
    session: Session, platform: str, chat_id: str, kind: str = "digest"
) -> Subscription | None:
    """The chat's subscription of this kind, active or not."""
    query = select(Subscription).where(
        Subscription.platform == platform,
        Subscription.chat_id == chat_id,
        Subscription.kind == kind,
    )
    return session.exec(query).first()


def save(session: Session, wanted: Subscription) -> Subscription:
    """Create the chat's subscription, or update (and re-activate) the one it has."""
    current = for_chat(session, wanted.platform, wanted.chat_id, wanted.kind)
    if current is None:
        session.add(wanted)
        session.flush()
        return wanted
    for field in (
        "at_time",
        "timezone",
        "scope",
        "scope_rep_id",
        "working_days_only",
        "cadence",
        "cadence_day",
        "period",
    ):
        setattr(current, field, getattr(wanted, field))
    current.created_by_id = wanted.created_by_id
    current.active = True
    session.add(current)
    session.flush()
    return current


def deactivate(session: Session, platform: str, chat_id: str, kind: str = "digest") -> bool:
    """Stop the chat's subscription; False when it had none active."""
    current = for_chat(session, platform, chat_id, kind)
    if current is None or not current.active:
        return False
    current.active = False
    session.add(current)
    session.flush()
    return True
