"""What ``/healthz`` and ``crm-bot doctor`` ask the database: does it answer, and what time
does it think it is."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from storage.db import Database


def ping(db: Database) -> None:
    """A round trip on a fresh transaction; raises what the driver raises."""
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def server_now(db: Database) -> datetime | None:
    """The database server's clock (UTC); None for SQLite, which has no clock of its own."""
    if db.is_sqlite:
        return None
    with db.engine.connect() as connection:
        value = connection.execute(text("SELECT now()")).scalar_one()
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
