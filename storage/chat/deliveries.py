"""Idempotent delivery: a platform's retry of the same update or event is recognised.

The key is claimed inside the command's own transaction, so a command that fails rolls its
claim back and may be retried, while one that succeeded is never run twice. One statement,
``INSERT … ON CONFLICT DO NOTHING``, built once per dialect and run as Core
(``storage.prebuilt``): every chat command with a delivery key pays for it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.engine import Dialect
from sqlmodel import Session

from storage.models import ProcessedEvent
from storage.prebuilt import PerDialect, side_execute
from storage.types import utcnow

_TABLE: Any = ProcessedEvent.__table__


def _build(dialect: Dialect) -> Any:
    if dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    added = (
        insert(_TABLE)
        .values(platform=bindparam("platform"), key=bindparam("key"), at=bindparam("at"))
        .on_conflict_do_nothing(index_elements=["platform", "key"])
    )
    # an SQLite older than 3.35 has no RETURNING: the row count says it then
    return added.returning(_TABLE.c.id) if dialect.insert_returning else added


_CLAIM = PerDialect(_build)


def claim(session: Session, platform: str, key: str) -> bool:
    """True the first time (platform, key) is seen; False for a repeat."""
    result = side_execute(
        session, _CLAIM(session), {"platform": platform, "key": key[:128], "at": utcnow()}
    )
    if not result.returns_rows:
        return result.rowcount == 1
    return result.first() is not None
