"""stage_move_time: stage moves indexed by time and by deal and time, covering what reports read

The summary's "advanced", the activity report's deals advanced and time in stage read a
period's moves (350,000 in three years in the benchmark, ~100,000 in a year). With indexes on
``at`` and on ``deal_id`` alone each move found was a table row look-up: SQLite, a year for
everyone, "advanced" 186 ms -> 50 ms and time in stage 333 ms -> 226 ms with these two.
``ix_dealstagechange_time`` replaces the index on ``at`` (its leading column serves every
lookup by time), ``ix_dealstagechange_deal_time`` the one on ``deal_id``.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_dealstagechange_time",
        "dealstagechange",
        ["at", "deal_id", "from_stage_id", "to_stage_id", "rep_id"],
        unique=False,
    )
    op.drop_index("ix_dealstagechange_at", table_name="dealstagechange")
    op.create_index(
        "ix_dealstagechange_deal_time",
        "dealstagechange",
        ["deal_id", "at", "id", "to_stage_id"],
        unique=False,
    )
    op.drop_index("ix_dealstagechange_deal_id", table_name="dealstagechange")


def downgrade() -> None:
    op.create_index("ix_dealstagechange_deal_id", "dealstagechange", ["deal_id"], unique=False)
    op.drop_index("ix_dealstagechange_deal_time", table_name="dealstagechange")
    op.create_index("ix_dealstagechange_at", "dealstagechange", ["at"], unique=False)
    op.drop_index("ix_dealstagechange_time", table_name="dealstagechange")
