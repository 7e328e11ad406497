"""Idempotent delivery: a platform's retry of the same update or event is recognised.

The key is claimed inside the command's own transaction, so a command that fails rolls its
claim back and may be retried, while one that succeeded is never run twice. One statement,
``INSERT … ON CONFLICT DO NOTHING``, built once per dialect and run as Core
(``storage.prebuilt``): every chat command with a delivery key pays for it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, literal, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlmodel import Session

from storage import reps
from storage.chat import rates
from storage.driver import run
from storage.entities import attached, column_keys
from storage.models import ProcessedEvent, Rep
from storage.prebuilt import PerDialect, side_execute
from storage.types import utcnow

_TABLE: Any = ProcessedEvent.__table__
_REP_WIDTH = len(column_keys(Rep))  # the rep's columns in the claim's row


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
    session: Session,
    platform: str,
    key: str | None,
    user_id: str,
    read_at: datetime | None = None,
) -> tuple[bool, Rep | None, tuple[int, int] | None]:
    """``claim`` (true without a key) and then, if claimed, ``reps.for_platform``: what
    every command asks first. On PostgreSQL both are one statement, the claim a
    data-modifying WITH: each round trip cost a command about 0.1 ms in Python and as much
    in its backend. SQLite has no such WITH, and its statements cost no round trip.

    The same statement reads the rep's teammates, which the rep's scope asks next (most
    reps are in a team): ``reps.teammates`` takes them from the session once. Given
    ``read_at`` (a read command's moment), it also counts the command in the rep's minute
    (``rates.counting_reads``) and returns the minute's totals; None when it did not (another
    engine, no key, no rep), and the caller counts it then (``rates.count``)."""
    user = reps.platform_user(platform, user_id)
    if key is None or user is None or session.get_bind().dialect.name != "postgresql":
        claimed = key is None or claim(session, platform, key)
        return claimed, reps.for_platform(session, platform, user_id) if claimed else None, None
    params: dict[str, Any] = {"platform": platform, "key": key[:128], "at": utcnow(), "user": user}
    statement = _CLAIMED_REP[platform]
    if read_at is not None:
        statement, params["window"] = _CLAIMED_REP_COUNTED[platform], rates.window_of(read_at)
    row = run(session.connection(), statement, params).one()
    if row[0] is None:
        return False, None, None
    if row[1] is None:
        return True, None, None
    rep = attached(session, Rep, row[1 : 1 + _REP_WIDTH])
    if rep.manager_id is not None:
        reps.remember_teammates(session, rep.manager_id, row[1 + _REP_WIDTH] or [])
    counted = (row[2 + _REP_WIDTH], row[3 + _REP_WIDTH]) if read_at is not None else None
    return True, rep, counted


def _claimed_rep(column: Any, counting: bool) -> Any:
    """One row: the claim's id (none for a repeat), the rep's columns (all null if no rep
    has this id), the ids of those who report to the rep's manager, and when ``counting``
    the rep's totals this minute with this read counted. Each WITH runs exactly once
    whatever the select reads of it; the count only if the delivery was claimed."""
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
    found = select(
        select(claimed.c.id).scalar_subquery().label("claimed"),
        *rep.columns,
        team.scalar_subquery().label("team"),
    ).select_from(one.outerjoin(rep, column == bindparam("user")))
    if not counting:
        return found
    counter = rep.alias("counter")
    who = select(counter.c.id).where(
        counter.c[column.key] == bindparam("user"), select(claimed.c.id).exists()
    )
    counted, stale = rates.counting_reads(who)
    totals = [
        select(c).scalar_subquery().label(c.key) for c in (counted.c.commands, counted.c.writes)
    ]
    return found.add_columns(*totals).add_cte(stale)


# Built once (``storage.prebuilt`` says why), one per platform's id column.
_CLAIMED_REP = {platform: _claimed_rep(c, False) for platform, c in reps.PLATFORM_COLUMNS.items()}
_CLAIMED_REP_COUNTED = {
    platform: _claimed_rep(c, True) for platform, c in reps.PLATFORM_COLUMNS.items()
}
