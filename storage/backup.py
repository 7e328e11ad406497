"""Backup and restore of an SQLite database (``crm-bot backup|restore``).

Why SQLite's online backup API and not a file copy: the bot keeps writing while the backup
runs, and under WAL the committed data may sit in the ``-wal`` file, not in the database file.
The API reads one consistent snapshot through SQLite's own locks (a reader beside the writer
under WAL, so the bot is never held up) and writes a single self-contained file.

A restore never touches the backup file: it is copied into a scratch file first, upgraded there
when its schema is older than this code's, and only then copied into the target through the
same API, which takes the target's write lock, so a reader never sees half a database.

Erasure, retention and purges delete for good; a backup is the only way back from a mistake.
PostgreSQL has pg_dump and pg_restore for this, and nothing here handles it.
"""

from __future__ import annotations

import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from storage import migrate
from storage.db import Database
from storage.models import AuditEvent, Customer, Deal, Interaction, Pipeline, Stage

SQLITE_MAGIC = b"SQLite format 3\x00"
# Rows a freshly upgraded database already holds (the default pipeline, its stages and their
# audit events): restoring over them loses nothing.
_SET_UP = (Stage.__table__.name, Pipeline.__table__.name)
_SET_UP_BY_UPGRADE = {"alembic_version", *_SET_UP}
_AUDIT = AuditEvent.__table__.name
COUNTED = {
    "customers": Customer.__table__.name,
    "deals": Deal.__table__.name,
    "interactions": Interaction.__table__.name,
}


class BackupError(Exception):
    """Why a backup or restore cannot be done: ``code`` is a catalog key under
    ``backup.error``, ``values`` its placeholders."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(code)
        self.code = code
        self.values = values


@dataclass(frozen=True)
class Restored:
    """What a restore put in place: the row counts the operator is told, and the schema
    revision the backup was taken at (``upgraded_from`` when it had to be brought up)."""

    counts: dict[str, int]
    revision: str
    upgraded_from: str | None = None


def sqlite_file(url: str) -> Path | None:
    """The database file an SQLite URL names; None for another engine or an in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def backup(db: Database, target: Path, *, force: bool = False) -> dict[str, int]:
    """Copy the live database into ``target`` (a new file unless ``force``), while it runs."""
    source = sqlite_file(db.url)
    if source is None or not source.exists():
        raise BackupError("no_source", path=str(source or db.url))
    if target.exists() and not force:
        raise BackupError("target_exists", path=str(target))
    if target.resolve() == source.resolve():
        raise BackupError("same_file", path=str(target))
    revision = _revision_of(source)
    if revision is None:
        raise BackupError("not_crm", path=str(source))
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = target.with_name(f".{target.name}.part")
    scratch.unlink(missing_ok=True)
    with _open(source, readonly=True) as src, _open(scratch) as dst:
        src.backup(dst)  # one step: one read transaction, one consistent snapshot
        # A single file, whatever the source's journal mode: the backup can be copied alone.
        dst.execute("PRAGMA journal_mode=DELETE")
        counts = _counts(dst)
    scratch.replace(target)  # a half-written backup never carries the final name
    return counts


def inspect(path: Path) -> str:
    """The schema revision of a crm-bot backup file; refuses anything else."""
    if not path.is_file():
        raise BackupError("missing", path=str(path))
    with path.open("rb") as fh:
        if fh.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupError("not_crm", path=str(path))
    revision = _revision_of(path)
    if revision is None:
        raise BackupError("not_crm", path=str(path))
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    if revision not in {script.revision for script in scripts.walk_revisions()}:
        raise BackupError("unknown_revision", path=str(path), revision=revision)
    return revision


def restore(source: Path, target_url: str, *, force: bool = False) -> Restored:
    """Put the backup ``source`` in place of the database ``target_url`` names.

    A target holding data is only overwritten with ``force``: a restore over the wrong file
    would be the very loss a backup is for."""
    target = sqlite_file(target_url)
    if target is None:
        raise BackupError("not_sqlite")
    revision = inspect(source)
    if target.exists() and target.resolve() == source.resolve():
        raise BackupError("same_file", path=str(source))
    if not force and (filled := holding_data(target)):
        raise BackupError("target_not_empty", path=str(target), tables=", ".join(filled))
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".crm-restore-", dir=target.parent) as folder:
        scratch = Path(folder) / "restore.sqlite3"
        with _open(source, readonly=True) as src, _open(scratch) as dst:
            src.backup(dst)
        upgraded_from = None
        if revision != migrate.head():
            scratch_db = Database(f"sqlite:///{scratch}")
            try:
                migrate.upgrade(scratch_db)
            finally:
                scratch_db.dispose()
            upgraded_from = revision
        with _open(scratch, readonly=True) as src, _open(target) as dst:
            src.backup(dst)  # under the target's write lock: readers see before or after
            counts = _counts(dst)
    return Restored(counts, migrate.head() or revision, upgraded_from)


def holding_data(path: Path) -> list[str]:
    """The tables of ``path`` with rows in them, beyond what ``crm-bot db upgrade`` puts
    there; empty for a missing file."""
    if not path.exists() or path.stat().st_size == 0:
        return []
    with _open(path, readonly=True) as conn:
        try:
            names = [
                row[0]
                for row in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
        except sqlite3.DatabaseError:  # not a database at all: its bytes are still data
            return [path.name]
        filled = []
        for name in names:
            if name in _SET_UP_BY_UPGRADE or "_fts" in name:  # the index follows its table
                continue
            beyond = " WHERE entity NOT IN (?, ?)" if name == _AUDIT else ""
            params = _SET_UP if name == _AUDIT else ()
            if conn.execute(f'SELECT 1 FROM "{name}"{beyond} LIMIT 1', params).fetchone():
                filled.append(name)
        return filled


def _revision_of(path: Path) -> str | None:
    try:
        with _open(path, readonly=True) as conn:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:  # not SQLite, or no alembic_version table
        return None
    return str(row[0]) if row else None


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    # Plain SQL, not the ORM: archived records count too (the ORM's filter hides them).
    return {
        label: int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
        for label, table in COUNTED.items()
    }


class _open:
    """A plain sqlite3 connection, closed on exit (``sqlite3``'s own context manager only
    ends the transaction). Read-only opens never create the file."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        uri = f"{path.resolve().as_uri()}?mode={'ro' if readonly else 'rwc'}"
        self.conn = sqlite3.connect(uri, uri=True, isolation_level=None)
        self.conn.execute("PRAGMA busy_timeout=5000")

    def __enter__(self) -> sqlite3.Connection:
        return self.conn

    def __exit__(self, *_exc: object) -> None:
        self.conn.close()
