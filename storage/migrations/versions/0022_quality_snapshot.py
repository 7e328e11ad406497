"""quality_snapshot: the data-quality findings, computed once a day, read by every digest

The Monday digest's data-quality section re-validated every phone and scanned every customer
for duplicates in each digest: 15 s of a 16.5 s Monday digest at 100,000 deals (50,000
customers). The scheduler's daily job now stores the findings here; a digest reads one row.

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "qualitysnapshot",
        sa.Column("view", sa.String(length=64), nullable=False),
        sa.Column("computed_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("view", name=op.f("pk_qualitysnapshot")),
    )


def downgrade() -> None:
    op.drop_table("qualitysnapshot")
