"""import raw values: what an import kept as typed because it failed the entry standards

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rawvalue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("problem", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_rawvalue_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rawvalue")),
    )
    with op.batch_alter_table("rawvalue", schema=None) as batch_op:
        batch_op.create_index("ix_rawvalue_entity", ["entity", "entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rawvalue_customer_id"), ["customer_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rawvalue", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rawvalue_customer_id"))
        batch_op.drop_index("ix_rawvalue_entity")
    op.drop_table("rawvalue")
