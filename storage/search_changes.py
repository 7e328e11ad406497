"""The change-sequence reads behind the name index's refresh (``storage.search`` holds the
proof that no committed write is missed); apart so the index module holds the index."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import BigInteger, Connection, Integer, bindparam, column, text
from sqlalchemy.sql import Executable

from storage.driver import run

# The mark (see ``storage.search``'s docstring), per dialect.
MARK = {
    "sqlite": "max(coalesce((SELECT max(change_seq) FROM customer), 0),"
    " coalesce((SELECT max(change_seq) FROM customergone), 0)) + 1",
    "postgresql": "pg_snapshot_xmin(pg_current_snapshot())::text::bigint",
}


def _changes(mark_sql: str) -> Executable:
    return (
        text(
            f"SELECT CAST(NULL AS BIGINT) AS id, {mark_sql} AS seq, 0 AS gone UNION ALL"
            " SELECT customer_id, change_seq, 1 FROM customergone WHERE change_seq >= :since"
            " UNION ALL SELECT id, change_seq, 0 FROM customer WHERE change_seq >= :since"
        )
        .bindparams(bindparam("since", type_=BigInteger))
        .columns(column("id", BigInteger), column("seq", BigInteger), column("gone", Integer))
    )


_CHANGES = {dialect: _changes(mark_sql) for dialect, mark_sql in MARK.items()}


def changes(conn: Connection, since: int) -> tuple[int, dict[int, int]]:
    """The mark, and the ids numbered ``>= since`` with their numbers, from one snapshot.

    On the driver (``storage.driver``): a command asking for a name pays this on each
    look-up, and SQLAlchemy's execution of it cost 190 us of CPU where the driver's costs 60
    (in-process, PostgreSQL). On a plain connection, so
    neither a rep's scope nor the archive filter applies: the index serves every rep (each
    answer is filtered by what its asker may see) and must see archived rows to drop them. A
    row's own number wins over a tombstone of a reused id."""
    mark: int | None = None
    numbers: dict[int, int] = {}
    for cid, seq, gone in run(conn, _CHANGES[conn.dialect.name], {"since": since}).rows:
        if cid is None:
            mark = int(seq)
        elif not gone or cid not in numbers:
            numbers[int(cid)] = int(seq)
    assert mark is not None
    return mark, numbers


def chunks(ids: list[int] | None, size: int = 500) -> Iterator[list[int] | None]:
    """``ids`` a few hundred at a time (SQLite's variable limit); None stays one "all"."""
    if ids is None:
        yield None
        return
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
