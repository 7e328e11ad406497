"""Per-rep rate counters: how many commands, and how many of them writes, in this minute.

A fixed one-minute window (UTC) per rep, counted with one upsert in the command's own
transaction (it returns the minute's totals), so every process of the bot counts into the same
row. Every attempt counts, a refused one too. Rows of earlier minutes are deleted with the
rep's first command of a new minute; on PostgreSQL by the upsert itself (a data-modifying
WITH, which finds nothing to delete the rest of the minute), since a rep who sends a command
now and then begins a new minute nearly every time, and paid a round trip more for it.
Every command runs this: its statements are built once and run as Core
(``storage.prebuilt``). On PostgreSQL a typed read is counted by the statement that claims its
delivery (``counting_reads``), and a typed write by the one that ends the chat's flow
(``count_ending_flow``): neither pays a round trip of its own for its count.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, bindparam, delete, func, literal, or_, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlmodel import Session

from storage.chat import flows
from storage.driver import run
from storage.models import RateCounter
from storage.prebuilt import PerDialect, side_execute

WINDOW = timedelta(minutes=1)
_TABLE: Any = RateCounter.__table__
_C = _TABLE.c
_TOTALS = select(_C.commands, _C.writes).where(
    _C.rep_id == bindparam("rep_id"), _C.window == bindparam("window")
)
_WROTE = bindparam("wrote")  # 1 or 0: the new row's writes, and what an existing row adds
_STALE = delete(_TABLE).where(_C.rep_id == bindparam("rep_id"), _C.window < bindparam("window"))


def window_of(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


def _build(dialect: Dialect) -> Any:
    if dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    elif dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert  # type: ignore[assignment]
    else:
        raise NotImplementedError(f"rate counters are not implemented for {dialect.name}")
    upsert = (
        insert(_TABLE)
        .values(rep_id=bindparam("rep_id"), window=bindparam("window"), commands=1, writes=_WROTE)
        .on_conflict_do_update(
            index_elements=["rep_id", "window"],
            set_={"commands": _C.commands + 1, "writes": _C.writes + _WROTE},
        )
    )
    if dialect.name == "postgresql":  # earlier minutes go in the same statement
        upsert = upsert.add_cte(_STALE.cte("stale"))
    # an SQLite older than 3.35 has no RETURNING: the totals are read after the upsert then
    return upsert.returning(_C.commands, _C.writes) if dialect.insert_returning else upsert


_UPSERT = PerDialect(_build)


def counting_reads(rep_ids: Any) -> tuple[Any, Any]:
    """PostgreSQL: data-modifying WITHs that count a read command for each rep ``rep_ids``
    (a select of ids) yields, returning its minute's totals, and delete earlier minutes: for
    a statement that finds the rep to carry (``deliveries.claimed_rep``), so that a read
    command pays no round trip for its count. The caller's statement adds both."""
    who = rep_ids.subquery("who")
    counted = (
        postgresql.insert(_TABLE)
        .from_select(
            ["rep_id", "window", "commands", "writes"],
            select(who.c.id, bindparam("window", type_=_C.window.type), literal(1), literal(0)),
        )
        .on_conflict_do_update(
            index_elements=["rep_id", "window"], set_={"commands": _C.commands + 1}
        )
        .returning(_C.commands, _C.writes)
        .cte("counted")
    )
    stale = delete(_TABLE).where(_C.rep_id.in_(select(who.c.id)), _C.window < bindparam("window"))
    return counted, stale.cte("stale")


def count(session: Session, rep_id: int, now: datetime, write: bool) -> tuple[int, int]:
    """Count one more command (and write) in this minute; returns the minute's totals so far."""
    window = window_of(now)
    upsert = _UPSERT(session)
    keys = {"rep_id": rep_id, "window": window}
    result = side_execute(session, upsert, {**keys, "wrote": int(write)})
    row = result.one() if result.returns_rows else side_execute(session, _TOTALS, keys).one()
    commands, writes = row
    if commands == 1 and session.get_bind().dialect.name != "postgresql":
        side_execute(session, _STALE, keys)  # the rep's first this minute: earlier ones go
    return commands, writes


def count_ending_flow(
    session: Session,
    rep_id: int,
    now: datetime,
    where: tuple[str, str, str],
    limits: tuple[int, int],
) -> tuple[int, int, bool] | None:
    """``count`` of a write and, if it passes neither limit (commands, writes a minute; 0 is
    none), ``flows.clear`` of the chat's flow (``where``: platform, chat, user): one statement
    on PostgreSQL, as every typed write command runs both, a round trip each. Returns the
    totals and whether the flow ended was a question; None on another engine, or when the
    session holds the chat's flow as an entity (``flows.clear`` is run apart then)."""
    if session.get_bind().dialect.name != "postgresql" or flows.holds_flow(session):
        return None
    platform, chat_id, user_id = where
    params = {
        "platform": platform,
        "chat_id": chat_id,
        "user_id": user_id,
        "rep_id": rep_id,
        "window": window_of(now),
        "wrote": 1,
        "most": limits[0],
        "most_writes": limits[1],
    }
    commands, writes, question = run(session.connection(), _COUNTED_ENDING, params).one()
    return commands, writes, bool(question)


def _counted_ending() -> Any:
    """The upsert, earlier minutes' delete and the flow's delete as sibling WITHs (PostgreSQL
    runs each once, and takes data-modifying ones at the top level only); the flow's waits
    on the upsert's totals."""
    counted = _build(postgresql.dialect()).cte("counted")
    most, most_writes = bindparam("most", type_=Integer), bindparam("most_writes", type_=Integer)
    within = (
        select(counted.c.commands)
        .where(or_(most == 0, counted.c.commands <= most))
        .where(or_(most_writes == 0, counted.c.writes <= most_writes))
        .exists()
    )
    ended = flows.ending(within).cte("ended")
    question = select(func.bool_or(ended.c.step != flows.PICK)).scalar_subquery()
    return select(counted.c.commands, counted.c.writes, question)


_COUNTED_ENDING = _counted_ending()
