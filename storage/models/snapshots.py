"""Figures computed ahead of time and kept for the digests that read them.

Why a table: the weekly data-quality section re-validates every phone and scans every
customer for duplicates (about 15 s at 50,000 customers on SQLite); computed once a day by the
scheduler's daily job and read by every digest, it costs one primary-key read per digest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from storage.models.base import ts_field


class QualitySnapshot(SQLModel, table=True):
    """The data-quality findings over one view of the data (``view``: ``all`` for the whole
    CRM, the only one the daily job computes), as of ``computed_at``."""

    __audit__: ClassVar[bool] = False
    view: str = Field(primary_key=True, max_length=64)
    computed_at: datetime = ts_field(nullable=False)
    findings: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
