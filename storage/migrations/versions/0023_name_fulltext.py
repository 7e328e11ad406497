"""name_fulltext: customer.name_key served by a full-text index (the cold look-up's words)

While the in-memory name index is built at start-up, a look-up finds the names holding every
typed word (whole or as a prefix) in the database (``storage.search_cold``). That was a
``LIKE '% word%'`` walk no index could serve: a rare word read the whole table. SQLite: an
external-content FTS5 table over ``customer.name_key``, filled here and kept in step by
triggers on insert, delete and an update of ``name_key``; its text is the column as stored
(already folded), so FTS5's 'rebuild' would give the same index. PostgreSQL: a GIN index on
``to_tsvector('simple', name_key)``.

A later migration that rebuilds ``customer`` on SQLite (``batch_alter_table``) drops these
triggers with the old table and must create them again (``tests/test_cold_index.py`` fails
without them), as 0021's.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

from storage.search_cold import NAME_FTS, NAME_FTS_OPTIONS, PG_NAME_DOCUMENT, PG_NAME_INDEX

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INSERT = f"INSERT INTO {NAME_FTS}(rowid, name_key) VALUES (new.id, new.name_key);"
_DELETE = (
    f"INSERT INTO {NAME_FTS}({NAME_FTS}, rowid, name_key) VALUES ('delete', old.id, old.name_key);"
)
TRIGGERS = (
    f"CREATE TRIGGER {NAME_FTS}_ai AFTER INSERT ON customer BEGIN {_INSERT} END",
    f"CREATE TRIGGER {NAME_FTS}_ad AFTER DELETE ON customer BEGIN {_DELETE} END",
    f"CREATE TRIGGER {NAME_FTS}_au AFTER UPDATE OF name_key ON customer "
    f"BEGIN {_DELETE} {_INSERT} END",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE INDEX {PG_NAME_INDEX} ON customer USING gin ("
            + PG_NAME_DOCUMENT.format("")
            + ")"
        )
        return
    op.execute(
        f"CREATE VIRTUAL TABLE {NAME_FTS} USING fts5(name_key, content='customer', "
        f"content_rowid='id', {NAME_FTS_OPTIONS})"
    )
    op.execute(f"INSERT INTO {NAME_FTS}(rowid, name_key) SELECT id, name_key FROM customer")
    for statement in TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {PG_NAME_INDEX}")
        return
    for suffix in ("ai", "ad", "au"):
        op.execute(f"DROP TRIGGER IF EXISTS {NAME_FTS}_{suffix}")
    op.execute(f"DROP TABLE IF EXISTS {NAME_FTS}")
