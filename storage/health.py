"""What ``/healthz`` and ``crm-bot doctor`` ask the database: does it answer, and what time
does it think it is."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from storage.db import Database
from storage.reads import standalone


def ping(db: Database) -> None:
    """One round trip (no transaction around it on PostgreSQL); raises what the driver raises."""
    with standalone(db.engine) as connection:  # no BEGIN/ROLLBACK around it (storage.reads)
        connection.execute(text("SELECT 1"))


def server_now(db: Database) -> datetime | None:
    """The database server's clock (UTC); None for SQLite, which has no clock of its own."""
    if db.is_sqlite:
        return None
    with standalone(db.engine) as connection:
        value = connection.execute(text("SELECT now()")).scalar_one()
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
