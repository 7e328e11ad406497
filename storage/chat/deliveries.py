"""Idempotent delivery: a platform's retry of the same update or event is recognised.

The key is claimed inside the command's own transaction, so a command that fails rolls its
claim back and may be retried, while one that succeeded is never run twice. One statement,
``INSERT … ON CONFLICT DO NOTHING``, built once per dialect and run as Core
(``storage.prebuilt``): every chat command with a delivery key pays for it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, literal, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlmodel import Session

from storage import reps
from storage.driver import run
from storage.entities import attached
from storage.models import ProcessedEvent, Rep
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


def claimed_rep(
    session: Session, platform: str, key: str | None, user_id: str
) -> tuple[bool, Rep | None]:
    """``claim`` (true without a key) and then, if claimed, ``reps.for_platform``: what
    every command asks first. On PostgreSQL both are one statement, the claim a
    data-modifying WITH: each round trip cost a command about 0.1 ms in Python and as much
    in its backend. SQLite has no such WITH, and its statements cost no round trip.

    The same statement reads the rep's teammates, which the rep's scope asks next (most
    reps are in a team): ``reps.teammates`` takes them from the session once."""
    user = reps.platform_user(platform, user_id)
    if key is None or user is None or session.get_bind().dialect.name != "postgresql":
        claimed = key is None or claim(session, platform, key)
        return claimed, reps.for_platform(session, platform, user_id) if claimed else None
    params = {"platform": platform, "key": key[:128], "at": utcnow(), "user": user}
    row = run(session.connection(), _CLAIMED_REP[platform], params).one()
    if row[0] is None:
        return False, None
    if row[1] is None:
        return True, None
    rep = attached(session, Rep, row[1:-1])
    if rep.manager_id is not None:
        reps.remember_teammates(session, rep.manager_id, row[-1] or [])
    return True, rep


def _claimed_rep(column: Any) -> Any:
    """One row: the claim's id (none for a repeat), the rep's columns (all null if no rep
    has this id), then the ids of those who report to the rep's manager. The WITH runs
    exactly once whatever the select reads of it."""
    claimed = (
        postgresql.insert(_TABLE)
        .values(platform=bindparam("platform"), key=bindparam("key"), at=bindparam("at"))
        .on_conflict_do_nothing(index_elements=["platform", "key"])
        .returning(_TABLE.c.id)
        .cte("claimed")
    )
    one = select(literal(1).label("one")).subquery("one")
    rep: Any = Rep.__table__
    mates = rep.alias("mates")
    team = select(func.array_agg(mates.c.id)).where(mates.c.manager_id == rep.c.manager_id)
    return select(
        select(claimed.c.id).scalar_subquery().label("claimed"),
        *rep.columns,
        team.scalar_subquery().label("team"),
    ).select_from(one.outerjoin(rep, column == bindparam("user")))


# Built once (``storage.prebuilt`` says why), one per platform's id column.
_CLAIMED_REP = {platform: _claimed_rep(c) for platform, c in reps.PLATFORM_COLUMNS.items()}
