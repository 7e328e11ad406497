"""Per-rep rate counters: how many commands, and how many of them writes, in this minute.

A fixed one-minute window (UTC) per rep, counted with one upsert in the command's own
transaction (it returns the minute's totals), so every process of the bot counts into the same
row. Every attempt counts, a refused one too. Rows of earlier minutes are deleted with the
rep's first command of a new minute.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from storage.models import RateCounter

WINDOW = timedelta(minutes=1)


def window_of(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


def count(session: Session, rep_id: int, now: datetime, write: bool) -> tuple[int, int]:
    """Count one more command (and write) in this minute; returns the minute's totals so far."""
    window = window_of(now)
    added = {"commands": RateCounter.commands + 1, "writes": RateCounter.writes + int(write)}
    upsert = (
        _insert(session)
        .values(rep_id=rep_id, window=window, commands=1, writes=int(write))
        .on_conflict_do_update(index_elements=["rep_id", "window"], set_=added)
    )
    if session.get_bind().dialect.insert_returning:
        commands, writes = session.execute(
            upsert.returning(RateCounter.commands, RateCounter.writes)  # type: ignore[attr-defined]
        ).one()
    else:  # an SQLite older than 3.35
        session.execute(upsert)
        commands, writes = session.exec(
            select(RateCounter.commands, RateCounter.writes).where(
                RateCounter.rep_id == rep_id, RateCounter.window == window
            )
        ).one()
    if commands == 1:  # the rep's first command this minute: earlier minutes go
        stale = delete(RateCounter).where(
            RateCounter.rep_id == rep_id, col(RateCounter.window) < window
        )
        session.exec(stale)  # type: ignore[call-overload]
    return commands, writes


def _insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert  # type: ignore[assignment]
    else:
        raise NotImplementedError(f"rate counters are not implemented for {dialect}")
    return insert(RateCounter.__table__)  # type: ignore[arg-type]
