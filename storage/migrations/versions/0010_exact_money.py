"""exact money: amounts as whole hundredths in BigInteger columns (storage.types.Money)

SQLite kept ``Numeric(16, 2)`` as binary floats; each amount is converted in Python from the
shortest text that reads back as the stored float ("99999999999999.98"), rounded half-even to
hundredths, so what the old code showed is what is kept. PostgreSQL's numeric converts exactly.
A value hundredths in a BigInteger cannot hold (only SQLite could store one, from the old
parser) is left empty rather than guessed: the deal then shows in /quality's "open deals without
an amount", and its id is logged.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

import logging
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("customer", "revenue"),
    ("product", "price"),
    ("deal", "amount"),
    ("deal", "closed_amount"),
)
_MAX = 2**63 - 1
log = logging.getLogger("alembic.runtime.migration")


def _cents(value: object) -> int | None:
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    cents = int(exact.scaleb(2).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    return cents if abs(cents) <= _MAX else None


def _decimal(value: object) -> Decimal:
    return Decimal(int(str(value))).scaleb(-2)


def _convert(table: str, old: str, new: str, change: object) -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text(f"SELECT id, {old} FROM {table} WHERE {old} IS NOT NULL"))
    values = [{"id": i, "v": change(v)} for i, v in rows]  # type: ignore[operator]
    dropped = [v["id"] for v in values if v["v"] is None]
    if dropped:
        log.warning("%s.%s too large to keep exactly, left empty for ids %s", table, old, dropped)
    if values:
        bind.execute(sa.text(f"UPDATE {table} SET {new} = :v WHERE id = :id"), values)


def _swap(kind: sa.types.TypeEngine, change: object) -> None:
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(f"{column}_new", kind, nullable=True))
        _convert(table, column, f"{column}_new", change)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
            batch_op.alter_column(f"{column}_new", new_column_name=column)


def upgrade() -> None:
    _swap(sa.BigInteger(), _cents)


def downgrade() -> None:
    _swap(sa.Numeric(precision=16, scale=2), _decimal)
