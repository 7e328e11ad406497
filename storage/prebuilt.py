"""Statements built once (per dialect) for the bookkeeping every chat command runs.

Why: a command's own SQL takes SQLite tens of microseconds, while SQLAlchemy spent several
times that building each statement anew (coercing every ``==``), computing its cache key and
taking it through the ORM's execution. A statement object built once with bind parameters
keeps its cache key (SQLAlchemy memoises it on the object), and one on a side table
(``storage.guard.SIDE_TABLES``: delivery keys, rate counters, flows, the access log) runs on
the session's connection as Core: no ORM compile state, no ``do_orm_execute`` hooks. Those
hooks have nothing to do there: the scope and the archive filter read no side table, and the
guard lets every command write them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.sql import Executable
from sqlmodel import Session

from storage.driver import Rows, run


class PerDialect:
    """One statement per dialect, built on first use (SQLite's and PostgreSQL's upserts differ)."""

    def __init__(self, build: Callable[[Dialect], Executable]) -> None:
        self._build = build
        self._built: dict[str, Executable] = {}
        self._lock = threading.Lock()

    def __call__(self, session: Session) -> Executable:
        dialect = session.get_bind().dialect
        built = self._built.get(dialect.name)
        if built is None:
            with self._lock:
                built = self._built.setdefault(dialect.name, self._build(dialect))
        return built


def side_execute(session: Session, statement: Executable, params: Mapping[str, Any]) -> Rows:
    """Run a side table's statement in the session's transaction, straight on the driver
    (``storage.driver``): no hook of the ORM's, nor of SQLAlchemy's execution, has anything
    to do there."""
    return run(session.connection(), statement, params)


PREBUILT = "crm_prebuilt"  # an execution option: this statement object is built once
# An execution option, or a key of ``session.info``: archived rows are seen too
# (``storage.archive``); here so that a read on the driver can ask it without that module.
WITH_ARCHIVED = "crm_with_archived"


def prebuilt(statement: Any) -> Any:
    """Mark a module-level statement as built once: the hooks that add the scope's and the
    archive's criteria to every ORM query (``storage.access``, ``storage.archive``) then
    remember what they made of it, so its cache key is computed once, not per execution."""
    return statement.execution_options(**{PREBUILT: True})
