"""A fresh, migrated database for every test, without migrating for every test.

Alembic migrates one template per test session; each test gets a copy of it. On SQLite the
copy is the database file (checkpointed first, so the file alone is complete); on PostgreSQL
it is ``CREATE DATABASE … TEMPLATE``, which needs a role that may create databases (the test
database named by CRM_TEST_DATABASE_URL is dropped and re-created for each test).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.app import build_services, prepare_database
from handlers.kit import Settings
from storage import migrate


def _migrate(settings: Settings) -> None:
    services = build_services(settings)
    try:
        migrate.upgrade(services.db)
        prepare_database(services)
        if services.db.is_sqlite:
            with services.db.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        services.db.dispose()


class SqliteTemplate:
    def __init__(self, folder: Path, settings: Settings) -> None:
        self.path = folder / "template.sqlite3"
        _migrate(settings.model_copy(update={"crm_database_url": f"sqlite:///{self.path}"}))

    def fresh(self, folder: Path) -> str:
        target = folder / "crm.sqlite3"
        shutil.copyfile(self.path, target)
        return f"sqlite:///{target}"


class PostgresTemplate:
    def __init__(self, url: str, settings: Settings) -> None:
        self.url = make_url(url)
        self.name = self.url.database or "crmtest"
        self.template = f"{self.name}_template"
        self._admin = create_engine(self.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        self._recreate(self.template)
        template_url = self.url.set(database=self.template)
        _migrate(
            settings.model_copy(update={"crm_database_url": template_url.render_as_string(False)})
        )

    def _recreate(self, name: str, template: str | None = None) -> None:
        with self._admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            like = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{like}'))

    def fresh(self, _folder: Path) -> str:
        self._recreate(self.name, self.template)
        return self.url.render_as_string(hide_password=False)
