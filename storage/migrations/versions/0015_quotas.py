"""quotas: a sales quota per rep and month or quarter, for the forecast

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.types import UTCDateTime

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quota",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("set_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["rep_id"], ["rep.id"], name=op.f("fk_quota_rep_id_rep")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quota")),
        sa.UniqueConstraint("rep_id", "period", name=op.f("uq_quota_rep_id")),
    )
    op.create_index(op.f("ix_quota_rep_id"), "quota", ["rep_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_quota_rep_id"), table_name="quota")
    op.drop_table("quota")
