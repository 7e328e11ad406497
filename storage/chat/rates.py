"""Per-rep rate counters: how many commands, and how many of them writes, in this minute.

A fixed one-minute window (UTC) per rep, counted with one upsert in the command's own
transaction, so every process of the bot counts into the same row. Rows of earlier minutes
are deleted as the rep's next command comes in.
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


def seen(session: Session, rep_id: int, now: datetime) -> tuple[int, int]:
    """(commands, writes) this rep has sent in the current window."""
    query = select(RateCounter.commands, RateCounter.writes).where(
        RateCounter.rep_id == rep_id, RateCounter.window == window_of(now)
    )
    found = session.exec(query).first()
    return (found[0], found[1]) if found else (0, 0)


def count(session: Session, rep_id: int, now: datetime, write: bool) -> None:
    window = window_of(now)
    stale = delete(RateCounter).where(
        RateCounter.rep_id == rep_id, col(RateCounter.window) < window
    )
    session.exec(stale)  # type: ignore[call-overload]
    values = {"rep_id": rep_id, "window": window, "commands": 1, "writes": int(write)}
    added = {"commands": RateCounter.commands + 1, "writes": RateCounter.writes + int(write)}
    session.execute(
        _insert(session)
        .values(**values)
        .on_conflict_do_update(index_elements=["rep_id", "window"], set_=added)
    )


def _insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert  # type: ignore[assignment]
    else:
        raise NotImplementedError(f"rate counters are not implemented for {dialect}")
    return insert(RateCounter.__table__)  # type: ignore[arg-type]
