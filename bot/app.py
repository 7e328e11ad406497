"""Wiring: build the services, prepare the database, run whatever is configured."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.i18n import Translator
from bot.services import Clock, Services
from bot.settings import Settings
from storage import deals, demo, migrate
from storage.db import Database
from storage.types import utcnow

log = logging.getLogger(__name__)


class SetupError(Exception):
    """A problem the operator must fix; the message says how."""


def build_services(settings: Settings, clock: Clock = utcnow) -> Services:
    return Services(db=Database(settings.database_url), settings=settings, clock=clock)


def prepare_database(services: Services, *, demo_data: bool = False) -> None:
    """Bring the schema up to date and load demo data where it belongs.

    The embedded database is migrated automatically and seeded on its first run. A database
    named by CRM_DATABASE_URL is never migrated or seeded behind the operator's back: it must be
    upgraded with ``crm-bot db upgrade`` and gets demo data only with --demo.
    """
    db, settings = services.db, services.settings
    fresh = migrate.current(db) is None
    if settings.embedded:
        migrate.upgrade(db)
    elif not migrate.is_current(db):
        t = Translator(settings.crm_language)
        raise SetupError(t("cli.needs_upgrade", url=_safe_url(settings.database_url)))
    with db.session(write=True) as session:
        deals.ensure_default_pipeline(session)
        if demo_data or (settings.embedded and fresh):
            demo.seed(session, services.clock())


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def embedded_path(settings: Settings) -> Path | None:
    return None if not settings.embedded else Path(make_url(settings.database_url).database or "")
