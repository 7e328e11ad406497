"""interaction_time: interactions indexed by time, so reports read a period, not the table

Reports count and group interactions of a period (by rep, day or week, kind, customer) and ask
whether an open deal was touched since a day. Without an index on ``occurred_at`` both read all
of the table: on SQLite 1,000,000 rows, in rep order, row by row. ``ix_interaction_time_rep``
holds every column those groupings read, so a period is one range of the index;
``ix_interaction_rep_time`` is the same led by the rep, for a team's figures (it replaces the
index on ``rep_id`` alone: its leading column serves every lookup by rep);
``ix_interaction_deal_time`` replaces the index on ``deal_id`` alone (its leading column still
serves every lookup by deal) so "touched since" is one seek per deal.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_interaction_time_rep",
        "interaction",
        ["occurred_at", "rep_id", "kind", "customer_id"],
        unique=False,
    )
    op.create_index(
        "ix_interaction_rep_time",
        "interaction",
        ["rep_id", "occurred_at", "kind", "customer_id"],
        unique=False,
    )
    op.drop_index("ix_interaction_rep_id", table_name="interaction")
    op.create_index(
        "ix_interaction_deal_time", "interaction", ["deal_id", "occurred_at"], unique=False
    )
    op.drop_index("ix_interaction_deal_id", table_name="interaction")


def downgrade() -> None:
    op.create_index("ix_interaction_deal_id", "interaction", ["deal_id"], unique=False)
    op.drop_index("ix_interaction_deal_time", table_name="interaction")
    op.create_index("ix_interaction_rep_id", "interaction", ["rep_id"], unique=False)
    op.drop_index("ix_interaction_rep_time", table_name="interaction")
    op.drop_index("ix_interaction_time_rep", table_name="interaction")
