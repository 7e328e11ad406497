"""change_sequence: customers carry a database-set change number; deleted ones leave a tombstone

Every process's search index refreshes by ``customer.change_seq`` instead of a look-back on
``updated_at`` (``storage.search`` holds the proof that no committed write is missed). Triggers
set it on every insert and update, whoever writes (the ORM, a bulk import through Core, raw
SQL); a delete writes ``customergone``.

- SQLite: one more than the largest number in ``customer`` and ``customergone``, assigned
  inside the write transaction, which holds the file's only write lock until it commits, so the
  numbers are in commit order. A delete's tombstone takes a new number too, so the largest
  never goes down and no number is handed out twice.
- PostgreSQL: the writing transaction's id (``pg_current_xact_id()``, 64 bits, as bigint).

Existing rows are numbered by id (SQLite) or 0 (PostgreSQL: older than any transaction).
A later migration that rebuilds ``customer`` on SQLite (``batch_alter_table``) drops these
triggers with the old table and must create them again (``tests/test_two_processes.py``
fails without them).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_NEXT = (
    "(SELECT max(coalesce((SELECT max(change_seq) FROM customer), 0),"
    " coalesce((SELECT max(change_seq) FROM customergone), 0)) + 1)"
)
SQLITE_TRIGGERS = (
    "CREATE TRIGGER customer_change_ai AFTER INSERT ON customer BEGIN "
    f"UPDATE customer SET change_seq = {SQLITE_NEXT} WHERE id = new.id; END",
    # WHEN: the trigger's own UPDATE (and the insert trigger's) must not number the row again.
    "CREATE TRIGGER customer_change_au AFTER UPDATE ON customer "
    "WHEN new.change_seq IS old.change_seq BEGIN "
    f"UPDATE customer SET change_seq = {SQLITE_NEXT} WHERE id = new.id; END",
    "CREATE TRIGGER customer_change_ad AFTER DELETE ON customer BEGIN "
    "INSERT OR REPLACE INTO customergone (customer_id, change_seq) "
    f"VALUES (old.id, {SQLITE_NEXT}); END",
)
PG_XID = "pg_current_xact_id()::text::bigint"
PG_STATEMENTS = (
    "CREATE FUNCTION crm_customer_changed() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN NEW.change_seq := {PG_XID}; RETURN NEW; END $$",
    "CREATE TRIGGER customer_changed BEFORE INSERT OR UPDATE ON customer "
    "FOR EACH ROW EXECUTE FUNCTION crm_customer_changed()",
    "CREATE FUNCTION crm_customer_gone() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN INSERT INTO customergone (customer_id, change_seq) "
    f"VALUES (OLD.id, {PG_XID}) ON CONFLICT (customer_id) "
    "DO UPDATE SET change_seq = EXCLUDED.change_seq; RETURN OLD; END $$",
    "CREATE TRIGGER customer_gone AFTER DELETE ON customer "
    "FOR EACH ROW EXECUTE FUNCTION crm_customer_gone()",
)


def upgrade() -> None:
    op.add_column("customer", sa.Column("change_seq", sa.BigInteger(), nullable=True))
    op.create_table(
        "customergone",
        sa.Column("customer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("change_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id"),
    )
    op.create_index("ix_customergone_change_seq", "customergone", ["change_seq"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE customer SET change_seq = 0")
        statements = PG_STATEMENTS
    else:
        op.execute("UPDATE customer SET change_seq = id")
        statements = SQLITE_TRIGGERS
    op.create_index("ix_customer_change_seq", "customer", ["change_seq"], unique=False)
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS customer_gone ON customer")
        op.execute("DROP TRIGGER IF EXISTS customer_changed ON customer")
        op.execute("DROP FUNCTION IF EXISTS crm_customer_gone()")
        op.execute("DROP FUNCTION IF EXISTS crm_customer_changed()")
    else:
        for name in ("customer_change_ai", "customer_change_au", "customer_change_ad"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_customer_change_seq", table_name="customer")
    op.drop_index("ix_customergone_change_seq", table_name="customergone")
    op.drop_table("customergone")
    op.drop_column("customer", "change_seq")
