"""archived_index: partial indexes of archived customers and deals

Every report leaves archived rows out with ``id NOT IN (SELECT id … WHERE archived_at IS NOT
NULL)``; without an index that subquery read the whole customer (or deal) table — 100,000
rows — on every report query, for the handful of archived ones. A partial index holds only
those.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ARCHIVED = sa.text("archived_at IS NOT NULL")


def upgrade() -> None:
    for table in ("customer", "deal"):
        op.create_index(
            f"ix_{table}_archived",
            table,
            ["id"],
            unique=False,
            sqlite_where=ARCHIVED,
            postgresql_where=ARCHIVED,
        )


def downgrade() -> None:
    for table in ("customer", "deal"):
        op.drop_index(f"ix_{table}_archived", table_name=table)
