"""The run ledger: every scheduled send is recorded before it is made, so it is made once.

One row per (job, target, run_date), kept unique by the database. The protocol:

1. **claim**, in its own committed transaction: INSERT the row as ``pending``. The unique
   constraint lets exactly one process win; the others' inserts are ignored (``ON CONFLICT DO
   NOTHING``, which SQLite and PostgreSQL both have). A row that is ``failed`` (the send
   raised) is re-claimed by a conditional UPDATE once its back-off has passed, and so is a row
   left ``pending`` for longer than the stale window by a process that died between claim and
   send. Both are compare-and-set: the UPDATE names the state it saw, so two processes cannot
   both take a row.
2. **send**, outside any transaction.
3. **finish**: ``sent`` (with ``sent_at``) or ``failed`` (with the error; the caller logs it).

A job that decides not to send (an empty digest, one missed by more than the grace window)
records ``skipped`` with the reason, so the decision is taken and logged once.

The job store of APScheduler plays no part in this: job stores must never be shared between
processes, while this table is, so a restart, a retry or a second bot process all consult it.

``created_at`` holds the time of the latest claim (a re-claim refreshes it): the back-off and
the stale window are measured from it, and the table has no other column for that.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, or_, update
from sqlalchemy.sql.expression import Insert
from sqlmodel import Session, col, func, select

from storage.models import RunLedger

CHUNK = 1_000  # keys per statement: well under SQLite's (32,766) and PostgreSQL's limits


class Key(NamedTuple):
    """What one scheduled send is: a job, where it goes, and the local date it is for.

    A tuple rather than a dataclass: a morning's reminder scan builds and hashes tens of
    thousands of these."""

    job: str
    target: str
    run_date: date


@dataclass(frozen=True)
class Policy:
    """When a failed or abandoned claim may be taken again.

    A failed send is retried after ``retry_after`` times the attempts so far (linear back-off:
    1, 2, 3 … minutes by default), up to ``max_attempts`` sends in all. A ``pending`` row
    older than ``stale_after`` belonged to a process that died mid-send; it is taken over. The
    window is far longer than any send takes, so a live process's slow send is never doubled;
    the price is that a crash in the instant between a send and its ``sent`` mark can repeat
    that one post, which we prefer to losing it.
    """

    max_attempts: int = 6
    retry_after: timedelta = timedelta(minutes=1)
    stale_after: timedelta = timedelta(minutes=30)

    def may_retake(self, row: RunLedger, now: datetime) -> bool:
        if row.status == "failed":
            wait = self.retry_after * max(row.attempts, 1)
            return row.attempts < self.max_attempts and row.created_at + wait <= now
        if row.status == "pending":
            return row.created_at + self.stale_after <= now
        return False


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _matching(keys: Sequence[Key]) -> Any:
    """A WHERE clause for these keys: grouped by (job, run_date), targets in an IN list."""
    groups: dict[tuple[str, date], list[str]] = {}
    for key in keys:
        groups.setdefault((key.job, key.run_date), []).append(key.target)
    return or_(
        *(
            and_(
                RunLedger.job == job,
                RunLedger.run_date == run_date,
                col(RunLedger.target).in_(targets),
            )
            for (job, run_date), targets in groups.items()
        )
    )


def _key(row: Any) -> Key:
    return Key(row.job, row.target, row.run_date)


def _unique(keys: Iterable[Key]) -> list[Key]:
    return list(dict.fromkeys(keys))


def rows(session: Session, keys: Iterable[Key]) -> dict[Key, RunLedger]:
    """The existing rows for these keys."""
    found: dict[Key, RunLedger] = {}
    for part in _chunks(_unique(keys)):
        for row in session.exec(select(RunLedger).where(_matching(part))):
            found[_key(row)] = row
    return found


def _insert_ignoring_conflicts(session: Session) -> Insert:
    """``INSERT … ON CONFLICT (job, target, run_date) DO NOTHING`` in the engine's dialect."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert  # type: ignore[assignment]
    else:  # pragma: no cover - the project supports these two
        raise NotImplementedError(f"run ledger claims are not implemented for {dialect}")
    return insert(RunLedger.__table__).on_conflict_do_nothing(  # type: ignore[arg-type]
        index_elements=["job", "target", "run_date"]
    )


def claim(
    session: Session,
    keys: Iterable[Key],
    now: datetime,
    policy: Policy = Policy(),
    seen: dict[Key, RunLedger] | None = None,
) -> dict[Key, int]:
    """Claim these sends; returns the ones this caller won and must now make (with their
    rows' ids, for ``finish_ids``).

    Commit the session before sending: the claim is what other processes see. Every key is
    first inserted (conflicts ignored); only the keys that were not won are then read, to
    retake the failed and the stale ones. ``seen`` may pass rows the caller has just read, to
    spare reading them again: both steps are compare-and-set, so stale rows never let two
    claimers win.
    """
    wanted = _unique(keys)
    if not wanted:
        return {}
    table = RunLedger.__table__
    won: dict[Key, int] = {}
    for part in _chunks(wanted):
        values = [
            {
                "job": k.job,
                "target": k.target,
                "run_date": k.run_date,
                "status": "pending",
                "attempts": 1,
                "created_at": now,
            }
            for k in part
        ]
        stmt = _insert_ignoring_conflicts(session).returning(
            table.c.id,  # type: ignore[attr-defined]
            table.c.job,  # type: ignore[attr-defined]
            table.c.target,  # type: ignore[attr-defined]
            table.c.run_date,  # type: ignore[attr-defined]
        )
        won.update((_key(row), row.id) for row in session.execute(stmt, values))
    lost = [k for k in wanted if k not in won]
    if not lost:
        return won
    existing = seen if seen is not None else rows(session, lost)
    retake = [existing[k].id for k in lost if k in existing and policy.may_retake(existing[k], now)]
    for part in _chunks(retake):
        # Compare-and-set: only a row still failed, or still stale, changes hands.
        stmt = (
            update(RunLedger)
            .where(col(RunLedger.id).in_(part))
            .where(
                or_(
                    RunLedger.status == "failed",
                    and_(
                        RunLedger.status == "pending",
                        col(RunLedger.created_at) <= now - policy.stale_after,
                    ),
                )
            )
            .values(status="pending", attempts=RunLedger.attempts + 1, created_at=now)
            .returning(
                col(RunLedger.id),
                col(RunLedger.job),
                col(RunLedger.target),
                col(RunLedger.run_date),
            )
        )
        won.update((_key(row), row.id) for row in session.execute(stmt))
    return won


def finish(session: Session, keys: Iterable[Key], now: datetime, error: str | None = None) -> None:
    """Mark claimed sends ``sent``, or ``failed`` with the error when one is given."""
    wanted = _unique(keys)
    values: dict[str, Any] = (
        {"status": "sent", "sent_at": now, "error": None}
        if error is None
        else {"status": "failed", "error": error[:1000]}
    )
    for part in _chunks(wanted):
        session.execute(update(RunLedger).where(_matching(part)).values(**values))


def ids_in(column: Any, ids: Sequence[int]) -> Any:
    """``column IN (1, 2, …)`` with the integers written into the statement: one statement
    for any number of ids, without SQLAlchemy processing a bound parameter per id (which
    costs more than the update itself for the thousands a morning's reminders touch)."""
    values = [int(i) for i in ids]
    return col(column).in_(bindparam("ids", values, expanding=True, literal_execute=True))


def finish_ids(
    session: Session, ids: Sequence[int], now: datetime, error: str | None = None
) -> None:
    """``finish`` for rows named by id (as ``claim`` returns them)."""
    if not ids:
        return
    values: dict[str, Any] = (
        {"status": "sent", "sent_at": now, "error": None}
        if error is None
        else {"status": "failed", "error": error[:1000]}
    )
    session.execute(update(RunLedger).where(ids_in(RunLedger.id, ids)).values(**values))


def fail(
    session: Session, keys: Iterable[Key], now: datetime, error: str, policy: Policy
) -> list[RunLedger]:
    """Mark claimed sends ``failed``; returns those that have now used up their attempts."""
    wanted = _unique(keys)
    finish(session, wanted, now, error=error)
    return [row for row in rows(session, wanted).values() if row.attempts >= policy.max_attempts]


def skip(
    session: Session, key: Key, now: datetime, reason: str, over: tuple[str, ...] = ()
) -> bool:
    """Record a send deliberately not made; False when a row for it already existed.

    ``over`` names the states an existing row may be turned ``skipped`` from: a claimer
    skipping its own claim passes ``("pending",)``; giving up a failed send, ``("failed",)``.
    """
    table = RunLedger.__table__
    inserted = session.execute(
        _insert_ignoring_conflicts(session).returning(table.c.id),  # type: ignore[attr-defined]
        {
            "job": key.job,
            "target": key.target,
            "run_date": key.run_date,
            "status": "skipped",
            "attempts": 0,
            "error": reason[:1000],
            "created_at": now,
        },
    ).first()
    if inserted is not None:  # (rowcount is not reliable here: psycopg reports -1)
        return True
    if over:
        session.execute(
            update(RunLedger)
            .where(_matching([key]))
            .where(col(RunLedger.status).in_(over))
            .values(status="skipped", error=reason[:1000])
        )
    return False


def last_sent(session: Session, job: str, target: str, before: datetime) -> datetime | None:
    """When this job last reached this target before ``before`` (for "changes since")."""
    query = select(func.max(RunLedger.sent_at)).where(
        RunLedger.job == job,
        RunLedger.target == target,
        RunLedger.status == "sent",
        col(RunLedger.sent_at) < before,
    )
    return session.exec(query).one()


def prune(session: Session, before: date) -> int:
    """Forget rows for dates before ``before``; they can no longer prevent anything."""
    result = session.execute(
        RunLedger.__table__.delete().where(  # type: ignore[attr-defined]
            col(RunLedger.run_date) < before
        )
    )
    return int(result.rowcount or 0)


def recent(session: Session, job: str | None = None, limit: int = 100) -> list[RunLedger]:
    """The newest rows (for tests, the CLI and operators)."""
    query = select(RunLedger).order_by(col(RunLedger.id).desc()).limit(limit)
    if job is not None:
        query = query.where(RunLedger.job == job)
    return list(session.exec(query))
