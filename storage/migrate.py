"""Schema migrations through Alembic, driven from code (``crm-bot db upgrade``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage import deals
from storage.db import Database

_SCRIPTS = Path(__file__).with_name("migrations")


def alembic_config(db: Database | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_SCRIPTS))
    if db is not None:
        cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    return cfg


class MigrationError(RuntimeError):
    """The schema changed but the data no longer holds together; nothing was committed."""


def upgrade(db: Database, revision: str = "head") -> None:
    """Apply migrations in one transaction.

    On SQLite, altering a table means rebuilding it (copy, drop, rename), which foreign-key
    enforcement forbids while other rows point at it; so migrations run with enforcement off,
    on their own connection, and ``PRAGMA foreign_key_check`` must come back clean before the
    transaction commits.
    """
    target = Database(db.url, foreign_keys=False) if db.is_sqlite else db
    cfg = alembic_config(target)
    try:
        with target.engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)
            if target.is_sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise MigrationError(f"foreign keys broken by the migration: {broken[:5]}")
    finally:
        if target is not db:
            target.dispose()
    if revision == "head":
        # The stages every deal needs, so that no read-only command (a customer card's deal
        # section) ever has to create them: a database upgraded by the CLI and filled by an
        # import is served by a bot that never ran its own start-up.
        with db.session(write=True) as session:
            deals.ensure_default_pipeline(session)


def head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current(db: Database) -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_current(db: Database) -> bool:
    return current(db) == head()
