"""Connections for reads that stand alone: the name index's refresh, a cold look-up, a ping.

Why not a plain ``engine.connect()``: on PostgreSQL that begins a transaction (a ``BEGIN``
round trip) which the connection's return to the pool then rolls back (another), and psycopg
forgets every statement it had prepared on a connection that rolls back, so each refresh cost
its connection's prepared statements (``storage.db``). Such a read is one statement, or a few
that need no common snapshot (each already had its own under READ COMMITTED), so on
PostgreSQL it runs in autocommit: one round trip, nothing rolled back. On SQLite it is a
deferred read that never asks for the write lock, as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine


@contextmanager
def standalone(engine: Engine) -> Iterator[Connection]:
    """A connection of ``engine`` for reads outside any transaction of ours."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT")
        else:
            conn.execution_options(crm_immediate=False)  # a plain read, never SQLite's lock
        yield conn
