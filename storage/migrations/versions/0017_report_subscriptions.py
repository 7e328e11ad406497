"""report subscriptions: a subscription's cadence, its day and its report's relative period

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("subscription") as batch:
        batch.add_column(
            sa.Column("cadence", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True)
        )
        batch.add_column(sa.Column("cadence_day", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("subscription") as batch:
        batch.drop_column("period")
        batch.drop_column("cadence_day")
        batch.drop_column("cadence")
