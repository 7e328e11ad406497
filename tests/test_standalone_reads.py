"""Reads outside a command's transaction leave the pooled connection as they found it.

Why: on PostgreSQL a command's statements are prepared per connection (``storage.db``), and
psycopg forgets them all when the connection rolls back. The name index's refresh, a cold
look-up and the health ping used to close their connection with a ROLLBACK, so no statement
of any command stayed prepared and PostgreSQL parsed and planned each one again (the card's
statement plans in milliseconds and runs in a fifth of one). On SQLite the same reads must
never ask for the write lock, which another process may hold for long.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import text
from sqlmodel import select

from handlers.kit import Services
from storage import health
from storage.models import Rep
from storage.search_cold import ColdLookup
from tests.conftest import add_customer, add_rep


def _prepared(services: Services) -> int:
    """Statements prepared on the connection the pool hands out next (LIFO: the last one)."""
    with services.db.engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one()
        conn.commit()
        return int(count)


def test_standalone_reads_keep_prepared_statements(services: Services) -> None:
    rep = add_rep(services, "Ayşe Yılmaz")
    add_customer(services, "Anadolu Lojistik", owner_id=rep.id)
    if services.db.is_sqlite:
        _reads_beside_a_writer(services)
        return
    with services.db.session() as session:
        for _ in range(3):  # past psycopg's threshold on this connection
            session.exec(select(Rep).where(Rep.id == rep.id)).one()
    before = _prepared(services)
    assert before >= 1
    with services.db.session() as session:
        assert services.index.refresh(session) >= 0  # binds no connection of its own
    ColdLookup(services.db.engine).candidates(("anadolu",))
    health.ping(services.db)
    assert _prepared(services) == before


def _reads_beside_a_writer(services: Services) -> None:
    """SQLite: the same reads answer while another connection holds the write lock."""
    path = services.db.engine.url.database
    assert path
    writer = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        writer.execute("BEGIN IMMEDIATE")
        with services.db.session() as session:
            assert services.index.refresh(session) >= 1  # the customer added above
        assert [row[1] for row in ColdLookup(services.db.engine).candidates(("anadolu",))] == [
            "Anadolu Lojistik"
        ]
        health.ping(services.db)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
