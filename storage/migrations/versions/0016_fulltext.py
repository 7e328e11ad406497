"""fulltext: interaction notes and task titles searchable (SQLite FTS5, PostgreSQL GIN)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29

SQLite: external-content FTS5 tables over ``interaction`` (summary, outcome) and ``task``
(title), with the ``unicode61 remove_diacritics 2`` tokenizer, filled here and kept in step by
triggers; the indexed text is ``FOLD_SQL`` of the column (see ``storage.fulltext``). PostgreSQL:
GIN indexes on the ``to_tsvector`` expressions the queries use.
"""

from collections.abc import Sequence

from alembic import op

from storage.fulltext import FOLD_SQL, PG_DOCUMENT, PG_INDEXES, PG_INTERACTION_TEXT

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOKENIZE = "tokenize = 'unicode61 remove_diacritics 2'"
# table, its FTS table, the indexed columns
SOURCES = (
    ("interaction", "interaction_fts", ("summary", "outcome")),
    ("task", "task_fts", ("title",)),
)


def _values(prefix: str, columns: Sequence[str]) -> str:
    return ", ".join(FOLD_SQL.format(f"{prefix}.{c}") for c in columns)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE INDEX {PG_INDEXES[0]} ON interaction USING gin ("
            + PG_DOCUMENT.format(PG_INTERACTION_TEXT.format(t=""))
            + ")"
        )
        op.execute(
            f"CREATE INDEX {PG_INDEXES[1]} ON task USING gin (" + PG_DOCUMENT.format("title") + ")"
        )
        return
    for table, fts, columns in SOURCES:
        names = ", ".join(columns)
        op.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}', "
            f"content_rowid='id', {TOKENIZE})"
        )
        op.execute(
            f"INSERT INTO {fts}(rowid, {names}) SELECT id, {_values(table, columns)} FROM {table}"
        )
        insert = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {_values('new', columns)});"
        delete = (
            f"INSERT INTO {fts}({fts}, rowid, {names}) "
            f"VALUES ('delete', old.id, {_values('old', columns)});"
        )
        op.execute(f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END")
        op.execute(f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END")
        op.execute(
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {names} ON {table} "
            f"BEGIN {delete} {insert} END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {PG_INDEXES[1]}")
        op.execute(f"DROP INDEX IF EXISTS {PG_INDEXES[0]}")
        return
    for _table, fts, _columns in SOURCES:
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {fts}")
