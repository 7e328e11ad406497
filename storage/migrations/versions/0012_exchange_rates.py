"""exchange rates to the base currency, kept exactly as integer 10^-8 units

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.types import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exchangerate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("base", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("rate_units", sa.BigInteger(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("set_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchangerate")),
        sa.UniqueConstraint("base", "currency", "valid_from", name=op.f("uq_exchangerate_base")),
    )


def downgrade() -> None:
    op.drop_table("exchangerate")
