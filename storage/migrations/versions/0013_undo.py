"""undo: each audit row names the command that wrote it; commands undone are remembered

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("command", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_auditevent_command"), ["command"], unique=False)
    op.create_table(
        "undone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("command", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("by_command", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("rep_id", sa.Integer(), nullable=True),
        sa.Column("at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["rep_id"], ["rep.id"], name=op.f("fk_undone_rep_id_rep")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_undone")),
        sa.UniqueConstraint("command", name=op.f("uq_undone_command")),
    )


def downgrade() -> None:
    op.drop_table("undone")
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auditevent_command"))
        batch_op.drop_column("command")
