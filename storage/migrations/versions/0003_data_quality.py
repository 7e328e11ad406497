"""data quality: contact points, merges, products, import ids

Reviewed after autogenerate: every constraint is named by the metadata's naming convention
(so SQLite's batch mode can drop it again on downgrade); nothing here is SQLite-only.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("series", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("price", sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product")),
        sa.UniqueConstraint("key", name=op.f("uq_product_key")),
        sa.UniqueConstraint("name", name=op.f("uq_product_name")),
    )
    op.create_table(
        "contactpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_contactpoint_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contactpoint")),
        sa.UniqueConstraint(
            "customer_id", "kind", "value", name=op.f("uq_contactpoint_customer_id")
        ),
    )
    with op.batch_alter_table("contactpoint", schema=None) as batch_op:
        batch_op.create_index("ix_contactpoint_kind_value", ["kind", "value"], unique=False)

    op.create_table(
        "customermerge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kept_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=True),
        sa.Column("evidence", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.Column("copied_points", sa.JSON(), nullable=False),
        sa.Column("filled", sa.JSON(), nullable=False),
        sa.Column("at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("undone_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("undone_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["kept_id"], ["customer.id"], name=op.f("fk_customermerge_kept_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["other_id"], ["customer.id"], name=op.f("fk_customermerge_other_id_customer")
        ),
        sa.ForeignKeyConstraint(["rep_id"], ["rep.id"], name=op.f("fk_customermerge_rep_id_rep")),
        sa.ForeignKeyConstraint(
            ["undone_by_id"], ["rep.id"], name=op.f("fk_customermerge_undone_by_id_rep")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customermerge")),
    )
    with op.batch_alter_table("customermerge", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customermerge_kept_id"), ["kept_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_customermerge_other_id"), ["other_id"], unique=False)

    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("industry", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True)
        )
        batch_op.add_column(sa.Column("revenue", sa.Numeric(precision=16, scale=2), nullable=True))
        batch_op.add_column(sa.Column("employees", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("founded", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True)
        )
        batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("external_source", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch_op.add_column(
            sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_customer_merged_into_id"), ["merged_into_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_customer_parent_id"), ["parent_id"], unique=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_customer_external_source"), ["external_source", "external_id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_customer_merged_into_id_customer"),
            "customer",
            ["merged_into_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_customer_parent_id_customer"), "customer", ["parent_id"], ["id"]
        )

    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("product_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("external_source", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch_op.add_column(
            sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_deal_product_id"), ["product_id"], unique=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_deal_external_source"), ["external_source", "external_id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_deal_product_id_product"), "product", ["product_id"], ["id"]
        )

    with op.batch_alter_table("rep", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("rep", schema=None) as batch_op:
        batch_op.drop_column("region")

    with op.batch_alter_table("deal", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_deal_product_id_product"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_deal_external_source"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_deal_product_id"))
        batch_op.drop_column("external_id")
        batch_op.drop_column("external_source")
        batch_op.drop_column("product_id")

    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_customer_parent_id_customer"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_customer_merged_into_id_customer"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("uq_customer_external_source"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_customer_parent_id"))
        batch_op.drop_index(batch_op.f("ix_customer_merged_into_id"))
        batch_op.drop_column("external_id")
        batch_op.drop_column("external_source")
        batch_op.drop_column("merged_into_id")
        batch_op.drop_column("parent_id")
        batch_op.drop_column("country")
        batch_op.drop_column("founded")
        batch_op.drop_column("employees")
        batch_op.drop_column("revenue")
        batch_op.drop_column("industry")

    with op.batch_alter_table("customermerge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customermerge_other_id"))
        batch_op.drop_index(batch_op.f("ix_customermerge_kept_id"))

    op.drop_table("customermerge")
    with op.batch_alter_table("contactpoint", schema=None) as batch_op:
        batch_op.drop_index("ix_contactpoint_kind_value")

    op.drop_table("contactpoint")
    op.drop_table("product")
