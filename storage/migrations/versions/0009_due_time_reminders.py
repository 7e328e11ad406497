"""due-time reminders: a rep's reminder lead time; tasks found by the end of their snooze

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rep", schema=None) as batch_op:
        # Existing reps are reminded at the due time itself, as before.
        batch_op.add_column(
            sa.Column(
                "remind_before_minutes", sa.Integer(), nullable=False, server_default=sa.text("0")
            )
        )

    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index(
            "ix_task_assignee_status_snoozed",
            ["assignee_id", "status", "snoozed_until"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index("ix_task_assignee_status_snoozed")

    with op.batch_alter_table("rep", schema=None) as batch_op:
        batch_op.drop_column("remind_before_minutes")
