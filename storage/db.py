"""Engine, sessions and the one-transaction-per-command rule.

SQLite is tuned on every connection (WAL so readers run beside the writer, a busy timeout,
foreign keys on, ``synchronous=NORMAL`` which is safe under WAL). A write transaction begins
``IMMEDIATE``: a transaction that reads and then writes would otherwise fail at once with
"database is locked" when another process holds the write lock, whatever the busy timeout.
PostgreSQL needs none of this and gets a plain engine.

Commands run on several worker threads (``bot.worker``). SQLite has one writer per file, so
the process's own write transactions queue on a lock here before they ask SQLite for its
lock: waiting in order on a lock costs nothing, while several threads polling
``BEGIN IMMEDIATE`` every few milliseconds burnt the interpreter's time that the running
writer needed and served them in no order (a p99 of seconds under a burst). Other processes
are still waited for by polling (``_begin_immediate``). Both engines keep a connection pool
sized for the workers: each holds one connection for its command, plus one for the name
index's refresh (``storage.search``) and a few for the scheduler and the CLI.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine

from storage.access import install_scoping
from storage.archive import install_archive_filter
from storage.audit import install_audit
from storage.deals import install_stage_memo
from storage.fulltext import FTS_TABLES
from storage.guard import install_guard

BUSY_S = 5.0  # how long a write waits for SQLite's lock before it gives up
POLL_S = 0.002
QUIET_S = 0.01  # a long writer resumes after the lock has been left alone this long
YIELD_MAX_S = 0.2  # and never yields longer than this at once (its own throughput)
BUSY_MS = int(BUSY_S * 1000)
_BUSY_KEY = "crm_busy_timeout_ms"  # what a pooled connection's busy timeout is set to now
SPARE_CONNECTIONS = 4  # beyond one per worker: the index refresh, the scheduler, notices
PREPARE_AFTER = 2  # psycopg prepares a statement after this many runs on one connection


@dataclass(frozen=True)
class Actor:
    """Who is acting and when (the injected clock), stamped on every audit event."""

    rep_id: int | None
    platform: str | None
    at: datetime | None = None
    command: str | None = None  # the chat command's short id (see storage.undo)


class Database:
    def __init__(
        self, url: str, *, echo: bool = False, foreign_keys: bool = True, workers: int = 1
    ) -> None:
        self.url = url
        self.is_sqlite = make_url(url).get_backend_name() == "sqlite"
        if self.is_sqlite:
            _ensure_parent_dir(url)
        pool: dict[str, Any] = {}
        if not _in_memory(url):  # a memory database keeps SQLAlchemy's one-connection pool
            pool = {"pool_size": workers + SPARE_CONNECTIONS, "max_overflow": workers}
        # hide_parameters: an SQL error's message never carries the values (names, phones).
        self.engine: Engine = create_engine(
            url, echo=echo, hide_parameters=True, **pool, **_postgres_options(url)
        )
        # This process's SQLite writers, one at a time (the module's docstring); reentrant, as
        # SQLite's own lock would refuse a nested writer of the same thread just the same.
        self._writer = threading.RLock()
        self._patience = BUSY_S
        if self.is_sqlite:
            _tune_sqlite(self.engine, foreign_keys)
        elif self.engine.dialect.driver == "psycopg":
            event.listen(self.engine, "connect", _one_integer_type)
        self._write_engine = self.engine.execution_options(crm_immediate=True)

    @contextmanager
    def session(
        self, *, write: bool = False, actor: Actor | None = None, turn: bool = False
    ) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises.

        ``turn``: a read that may still write a side table (a chat command) waits for the
        process's writer turn on SQLite too, but begins deferred, so a long write of another
        process does not hold it up unless it writes."""
        # Past its patience a writer goes on to SQLite, whose own wait then answers "locked".
        waits = (write or turn) and self.is_sqlite
        queued = waits and self._writer.acquire(timeout=self._patience)
        try:
            with Session(self._write_engine if write else self.engine, expire_on_commit=False) as s:
                s.info["actor"] = actor
                try:
                    yield s
                    s.commit()
                except BaseException:
                    s.rollback()
                    raise
        finally:
            if queued:
                self._writer.release()

    @contextmanager
    def patience(self, seconds: float) -> Iterator[None]:
        """Write transactions begun inside wait at most ``seconds`` for SQLite's lock."""
        saved, saved_patience = self._write_engine, self._patience
        self._write_engine = self.engine.execution_options(crm_immediate=True, crm_busy_s=seconds)
        self._patience = seconds
        try:
            yield
        finally:
            self._write_engine, self._patience = saved, saved_patience

    @contextmanager
    def sharing(
        self,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> Iterator[Callable[[], None]]:
        """For a long writer (an import): ``make_way``, to call between two of its transactions.

        Why: SQLite grants its write lock to whoever asks first, and a writer that begins its
        next transaction a moment after committing takes it again before a chat command that
        polls for it (``_begin_immediate``) notices the gap. The commands then queue behind one
        worker, and waits grow to seconds. ``make_way`` leaves the lock free until it has stayed
        unused for ``QUIET_S``: while other connections keep committing (``PRAGMA data_version``
        moves) or hold the lock, it waits on, up to ``YIELD_MAX_S``. An idle bot costs the
        import one short pause per transaction. PostgreSQL locks rows, not the database, and
        needs nothing.
        """
        if not self.is_sqlite:
            yield lambda: None
            return
        raw = self.engine.raw_connection()
        cursor = raw.cursor()

        def version() -> int:
            return int(cursor.execute("PRAGMA data_version").fetchone()[0])

        def busy() -> bool:
            try:
                cursor.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                return is_locked(error)
            cursor.execute("ROLLBACK")
            return False

        def make_way() -> None:
            deadline = clock() + YIELD_MAX_S
            seen = version()  # after our own commit, which moves it too
            while True:
                sleep(QUIET_S)
                now = version()
                if (now == seen and not busy()) or clock() >= deadline:
                    return
                seen = now

        cursor.execute("PRAGMA busy_timeout=0")
        raw.info[_BUSY_KEY] = 0  # the next deferred transaction on it sets it back
        try:
            yield make_way
        finally:
            cursor.close()
            raw.close()

    def compact(self) -> None:
        """Rewrite an SQLite file without its free pages (after an erasure: no old page may
        keep a copy). PostgreSQL reuses freed space by itself, and has nothing to do here."""
        if not self.is_sqlite:
            return
        raw = self.engine.raw_connection()
        try:
            raw.cursor().execute(f"PRAGMA busy_timeout={BUSY_MS}")  # a write may have left 0
            raw.info[_BUSY_KEY] = BUSY_MS
            # Merging a full-text index's segments drops the words of deleted and changed rows,
            # which its 'delete' entries only mask until then (storage.fulltext).
            for table in FTS_TABLES:
                raw.cursor().execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
            for statement in (
                "PRAGMA wal_checkpoint(TRUNCATE)",
                "VACUUM",
                "PRAGMA wal_checkpoint(TRUNCATE)",
            ):
                raw.cursor().execute(statement)
        finally:
            raw.close()

    def dispose(self) -> None:
        self.engine.dispose()


def _postgres_options(url: str) -> dict[str, Any]:
    """PostgreSQL's engine options: statements prepared per connection, the pool used LIFO.

    Why prepared: parsing and planning cost PostgreSQL more than running most of our
    statements (the customer card's ``UNION ALL`` plans in 2-9 ms and runs in 0.2 ms at 100,000
    customers), and every command runs the same few dozen. psycopg prepares a statement on a
    connection once it has run there ``PREPARE_AFTER`` times; PostgreSQL then plans it
    generically when that costs no more than planning it per call (``plan_cache_mode=auto``).
    Why LIFO: commands one at a time then reuse the connection whose statements are prepared
    and whose backend is warm, instead of walking the whole pool (FIFO) and preparing
    everything on each."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return {}
    options: dict[str, Any] = {"pool_use_lifo": True}
    if parsed.get_driver_name() == "psycopg":
        options["connect_args"] = {"prepare_threshold": PREPARE_AFTER}
    return options


def _one_integer_type(dbapi_connection: Any, _record: Any) -> None:
    """Send every Python int as a bigint (the SQL casts it to its column's type).

    Why: psycopg types an int by its size, a smallint below 32,768 and an integer above, and
    a statement is prepared (by psycopg) and planned (by PostgreSQL) once per set of
    parameter types: a customer card for customer 31,000 and one for 33,000 were two
    statements, each run unprepared and planned anew until it had run often enough itself."""
    from psycopg.types.numeric import Int8Dumper  # psycopg is the PostgreSQL extra's

    dbapi_connection.adapters.register_dumper(int, Int8Dumper)


def _in_memory(url: str) -> bool:
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


def _ensure_parent_dir(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _tune_sqlite(engine: Engine, foreign_keys: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            f"busy_timeout={BUSY_MS}",
            f"foreign_keys={'ON' if foreign_keys else 'OFF'}",
            "synchronous=NORMAL",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()
        record.info[_BUSY_KEY] = BUSY_MS

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        immediate = options.get("crm_immediate")
        if immediate:
            _begin_immediate(conn, options.get("crm_busy_s", BUSY_S))
            return
        # A deferred transaction may still come to write, and then waits for the lock; one
        # that says it is a plain read (``crm_immediate=False``: the name index's refresh)
        # never does, and leaves the connection as the last writer left it.
        if immediate is None:
            busy_timeout(conn, BUSY_MS)
        conn.exec_driver_sql("BEGIN")


def busy_timeout(conn: Any, ms: int) -> None:
    """Set SQLite's busy timeout on a pooled connection, unless it is set so already.

    Why remembered: a write command flipped it to 0 and back around every ``BEGIN IMMEDIATE``,
    two statements of every command's dozen. It is now left at 0 after a write begins (a
    transaction that holds the write lock under WAL waits for nothing more: its writes and
    its commit need no other lock) and set back only when a deferred transaction begins on
    that connection, which may have to wait for the lock if it comes to write. What it is
    set to is kept in the pool record's ``info``, which lives as long as the connection."""
    info = conn.connection.info
    if info.get(_BUSY_KEY) != ms:
        conn.exec_driver_sql(f"PRAGMA busy_timeout={int(ms)}")
        info[_BUSY_KEY] = ms


def _begin_immediate(conn: Any, patience: float) -> None:
    """Take the write lock, asking for it every few milliseconds for up to ``patience`` s.

    Why not SQLite's busy timeout: its handler sleeps longer and longer (up to 100 ms between
    tries), so a chat write waiting behind an import that takes the lock again a moment
    after each commit could miss every gap and fail after 5 s. Polling often finds the gap
    the import leaves between two batches (``storage.transfer.importer``)."""
    deadline = time.monotonic() + patience
    busy_timeout(conn, 0)
    while True:
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as error:
            if not is_locked(error) or time.monotonic() >= deadline:
                raise
        time.sleep(POLL_S)


def is_locked(error: BaseException) -> bool:
    """SQLite's "database is locked" (another process holds the write lock)."""
    return "database is locked" in str(error) or "database is busy" in str(error)


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Call ``callback`` once ``session``'s transaction has committed (never if it rolls back)."""
    event.listen(session, "after_commit", lambda _session: callback(), once=True)


install_audit(Session)
install_guard(Session)
install_scoping(Session)
install_archive_filter(Session)
install_stage_memo(Session)
