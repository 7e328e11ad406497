"""Storage guarantees: the migration builds exactly the models, SQLite is tuned as promised,
write transactions take the lock up front, and the search index follows other processes."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import delete, text
from sqlmodel import SQLModel, col

from bot.app import build_services, prepare_database
from bot.errors import SetupError
from handlers.kit import Translator
from storage import customers, deals, migrate
from storage.db import Database
from storage.fulltext import not_modelled
from storage.models import Customer, Pipeline, Rep
from tests.conftest import Chat, add_customer, count, make_settings


def test_migration_builds_exactly_the_models(services) -> None:
    with services.db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": not_modelled})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []
    assert migrate.is_current(services.db)


@pytest.mark.sqlite_only
def test_sqlite_is_tuned_on_every_connection(services) -> None:
    with services.db.engine.connect() as conn:
        pragmas = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        }
    assert pragmas == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": 5000,
        "synchronous": 1,
    }


@pytest.mark.sqlite_only
def test_write_transaction_holds_the_write_lock_from_its_first_read(services) -> None:
    path = services.db.engine.url.database
    with services.db.session(write=True) as session:
        session.exec(text("SELECT 1"))  # only a read so far
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
    with services.db.session() as session:  # a read transaction takes no write lock
        session.exec(text("SELECT 1"))
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        other.close()


def test_foreign_keys_are_enforced(services) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), services.db.session(write=True) as s:
        s.add(Customer(name="Orphan", name_key="orphan", owner_id=999))
    assert count(services, Customer) == 0


def test_naive_datetimes_are_refused(services) -> None:
    with pytest.raises(Exception, match="naive"), services.db.session(write=True) as s:
        s.add(Rep(name="Naive", created_at=datetime(2026, 1, 1)))
        s.flush()


def test_index_sees_another_process_writes(services, chat: Chat) -> None:
    assert "No customer matches" in chat.say("/find Boğaziçi Danışmanlık").text
    other_process = Database(services.db.url)  # its own engine and pool, like a second bot
    with other_process.session(write=True) as s:
        customers.create(s, Customer(name="Boğaziçi Danışmanlık Ltd. Şti."))
    other_process.dispose()
    assert chat.say("/find bogazici danismanlik").card is not None


def test_index_drops_a_customer_another_process_deleted_and_sees_its_id_reused(
    services, chat: Chat
) -> None:
    """A purge deletes the row, which can no longer say so: its tombstone does. An id used
    again (SQLite hands out the top id again) shows the new row only."""
    doomed = add_customer(services, "Kapadokya Turizm")
    assert chat.say("/find Kapadokya Turizm").card is not None  # indexed
    other_process = Database(services.db.url)
    with other_process.session(write=True) as s:
        s.exec(delete(Customer).where(col(Customer.id) == doomed.id))
    assert "No customer matches" in chat.say("/find Kapadokya Turizm").text
    with other_process.session(write=True) as s:
        customers.create(s, Customer(id=doomed.id, name="Marmara Gıda"))
    other_process.dispose()
    assert "No customer matches" in chat.say("/find Kapadokya Turizm").text
    assert chat.say("/find Marmara Gıda").card.id == doomed.id


def test_index_reads_committed_rows_only(services) -> None:
    """A refresh inside a transaction that later rolls back must neither index its rows nor
    skip the numbers it used, which a later commit may be given again."""
    index = services.index
    with services.db.session(write=True) as s:
        index.refresh(s)
        customers.create(s, Customer(name="Toros Madencilik"))
        index.refresh(s)
        assert index.search("Toros Madencilik") == []
        s.rollback()
    kept = add_customer(services, "Toros Enerji")
    with services.db.session() as s:
        index.refresh(s)
    assert [m.customer_id for m in index.search("Toros")] == [kept.id]


@pytest.mark.sqlite_only
def test_named_database_must_be_upgraded_first(tmp_path) -> None:
    services = build_services(make_settings(tmp_path))
    with pytest.raises(SetupError) as problem:
        prepare_database(services)
    assert "crm-bot db upgrade" in problem.value.said(Translator("en"))
    migrate.upgrade(services.db)
    prepare_database(services)
    assert count(services, Pipeline) == 1 and count(services, Rep) == 0  # no demo data
    services.db.dispose()


@pytest.mark.sqlite_only
def test_demo_only_on_a_fresh_embedded_database_or_when_asked(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    embedded = build_services(make_settings(tmp_path, crm_database_url=None))
    prepare_database(embedded)
    seeded = count(embedded, Customer)
    assert seeded >= 10 and (tmp_path / "crm.sqlite3").exists()
    prepare_database(embedded)  # a second start seeds nothing more
    prepare_database(embedded, demo_data=True)  # nor does --demo on an already seeded one
    assert count(embedded, Customer) == seeded
    embedded.db.dispose()


def test_migrations_go_down_and_up_again(services) -> None:
    cfg = migrate.alembic_config(services.db)
    with services.db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert migrate.current(services.db) is None
    migrate.upgrade(services.db)
    assert migrate.is_current(services.db)


@pytest.mark.sqlite_only
def test_upgrading_a_database_that_holds_data(tmp_path) -> None:
    """Later migrations rebuild SQLite tables that other rows point at; data must survive."""
    db = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    migrate.upgrade(db, "0001")
    stamp = "'2026-01-01 00:00:00'"
    with db.engine.begin() as c:
        for sql in (
            f"INSERT INTO rep (name, role, active, created_at) VALUES ('A', 'admin', 1, {stamp})",
            "INSERT INTO customer (name, name_key, kind, tags, do_not_contact, created_at,"
            f" updated_at, owner_id) VALUES ('Acme', 'acme', 'company', '[]', 0, {stamp},"
            f" {stamp}, 1)",
            "INSERT INTO pipeline (name, is_default) VALUES ('Sales', 1)",
            "INSERT INTO stage (pipeline_id, name, position, probability, is_won, is_lost)"
            " VALUES (1, 'Lead', 0, 10, 0, 0)",
            "INSERT INTO deal (customer_id, title, currency, stage_id, owner_id,"
            f" stage_changed_at, created_at, updated_at) VALUES (1, 'd', 'TRY', 1, 1, {stamp},"
            f" {stamp}, {stamp})",
            "INSERT INTO interaction (kind, summary, occurred_at, customer_id, created_at)"
            f" VALUES ('call', 'x', {stamp}, 1, {stamp})",
            "INSERT INTO task (title, due_at, assignee_id, customer_id, status, created_at)"
            f" VALUES ('t', {stamp}, 1, 1, 'open', {stamp})",
        ):
            c.exec_driver_sql(sql)
    migrate.upgrade(db)
    assert migrate.is_current(db)
    with db.engine.connect() as c:
        tables = ("customer", "deal", "interaction", "task")
        assert [c.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in tables] == [
            1,
            1,
            1,
            1,
        ]
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    db.dispose()


@pytest.mark.sqlite_only
def test_an_upgraded_database_keeps_owners_and_its_open_invites(tmp_path) -> None:
    """From the schema before the security work: owners stay owners under the team policy,
    an open invite is stored hashed and still works, old audit rows join the chain."""
    import hashlib

    from storage import audit_chain

    db = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    migrate.upgrade(db, "0003")
    stamp, later = "'2026-01-01 00:00:00'", "'2099-01-01 00:00:00'"
    with db.engine.begin() as c:
        for sql in (
            f"INSERT INTO rep (name, role, active, created_at) VALUES ('Ayşe', 'rep', 1, {stamp})",
            "INSERT INTO customer (name, name_key, kind, tags, do_not_contact, created_at,"
            f" updated_at, owner_id) VALUES ('Acme', 'acme', 'company', '[]', 0, {stamp},"
            f" {stamp}, 1)",
            "INSERT INTO invitecode (code, rep_id, created_at, expires_at) VALUES"
            f" ('old-open-code', 1, {stamp}, {later})",
            "INSERT INTO auditevent (at, action, entity, entity_id, changes) VALUES"
            f" ({stamp}, 'create', 'customer', 1, '{{\"name\": [null, \"Acme\"]}}')",
        ):
            c.exec_driver_sql(sql)
    migrate.upgrade(db)
    with db.session(write=True) as s:
        assert s.exec(text("SELECT owner_id FROM customer")).one()[0] == 1
        stored = s.exec(text("SELECT code, platform FROM invitecode")).one()
        assert stored == (hashlib.sha256(b"old-open-code").hexdigest(), None)
        # the old row, then the default pipeline and its stages the upgrade created
        assert audit_chain.extend(s) == 1 + 1 + len(deals.DEFAULT_STAGES)
    with db.session() as s:
        assert audit_chain.verify(s).broken_at is None
    db.dispose()
