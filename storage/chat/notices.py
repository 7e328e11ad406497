"""Notices: messages for reps that the bot process delivers after the writing command commits.

Exactly once across processes, as far as a chat platform allows: a sender first leases the
due rows (``claim`` moves their ``next_at`` ahead by ``LEASE`` in its own transaction), so a
second process does not take them; a delivered notice is deleted; a failed one is tried again
later, with a growing pause, and given up after ``ATTEMPTS`` (the row goes, the log says so).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from storage.models import Notice

LEASE = timedelta(minutes=5)
ATTEMPTS = 6


def add(
    session: Session, rep_id: int, payload: dict[str, Any], now: datetime, platform: str | None
) -> Notice:
    notice = Notice(rep_id=rep_id, platform=platform, payload=payload, created_at=now, next_at=now)
    session.add(notice)
    session.flush()
    return notice


def add_batched(
    session: Session,
    rep_id: int,
    payload: dict[str, Any],
    now: datetime,
    batch: str,
    window: timedelta,
) -> Notice:
    """A notice that goes out with the others of its ``batch`` for that rep: due when the
    batch's first one is (``window`` after it), so a minute of changes is one message. Only
    rows are added (no read-modify-write of another's row); the courier joins them."""
    pending = session.exec(
        select(Notice)
        .where(Notice.rep_id == rep_id, Notice.attempts == 0, col(Notice.next_at) > now)
        .order_by(col(Notice.next_at))
    )
    due = next((n.next_at for n in pending if n.payload.get("batch") == batch), now + window)
    notice = Notice(rep_id=rep_id, payload={**payload, "batch": batch}, created_at=now,
                    next_at=due)  # fmt: skip
    session.add(notice)
    session.flush()
    return notice


def claim(session: Session, now: datetime, limit: int = 100) -> list[Notice]:
    """Due notices, leased to this caller (their attempt counted) until ``now + LEASE``."""
    query = select(Notice).where(col(Notice.next_at) <= now).order_by(col(Notice.id)).limit(limit)
    due = list(session.exec(query))
    for notice in due:
        notice.next_at = now + LEASE
        notice.attempts += 1
        session.add(notice)
    session.flush()
    return due


def delivered(session: Session, ids: list[int]) -> None:
    if ids:
        session.exec(delete(Notice).where(col(Notice.id).in_(ids)))  # type: ignore[call-overload]


def failed(session: Session, notice_id: int, now: datetime, error: str) -> Notice | None:
    """Try again later; returns the notice when it is given up (and deleted) instead."""
    notice = session.get(Notice, notice_id)
    if notice is None:
        return None
    if notice.attempts >= ATTEMPTS:
        session.delete(notice)
        return notice
    notice.next_at = now + timedelta(minutes=notice.attempts)
    notice.error = error[:500]
    session.add(notice)
    return None
