"""Idempotent delivery: a platform's retry of the same update or event is recognised.

The key is claimed inside the command's own transaction, so a command that fails rolls its
claim back and may be retried, while one that succeeded is never run twice.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage.models import ProcessedEvent


def claim(session: Session, platform: str, key: str) -> bool:
    """True the first time (platform, key) is seen; False for a repeat."""
    try:
        with session.begin_nested():
            session.add(ProcessedEvent(platform=platform, key=key[:128]))
    except IntegrityError:
        return False
    return True
