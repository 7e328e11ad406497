"""Idempotent delivery: a platform's retry of the same update or event is recognised.

The key is claimed inside the command's own transaction, so a command that fails rolls its
claim back and may be retried, while one that succeeded is never run twice. One statement,
``INSERT … ON CONFLICT DO NOTHING``: every chat command with a delivery key pays for it, and
the earlier savepoint, ORM insert and release were three statements and a flush.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from storage.models import ProcessedEvent
from storage.types import utcnow


def claim(session: Session, platform: str, key: str) -> bool:
    """True the first time (platform, key) is seen; False for a repeat."""
    added = (
        _insert(session)
        .values(platform=platform, key=key[:128], at=utcnow())
        .on_conflict_do_nothing(index_elements=["platform", "key"])
    )
    if not session.get_bind().dialect.insert_returning:  # an SQLite older than 3.35
        return session.execute(added).rowcount == 1
    return session.execute(added.returning(ProcessedEvent.__table__.c.id)).first() is not None


def _insert(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    return insert(ProcessedEvent.__table__)  # type: ignore[arg-type]
