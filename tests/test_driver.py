"""Statements run straight on the driver (``storage.driver``) behave as SQLAlchemy runs them.

Why: the driver path does by hand what SQLAlchemy's execution did (bind and result processing
of the column types, a column's Python default, RETURNING, errors, the statement events), on
both engines; a step left out would store a datetime in local time, money as a float, or a
NULL where a default belongs, without any error.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import bindparam, event, insert, select
from sqlalchemy.exc import IntegrityError

from handlers.kit import Services
from storage.driver import run
from storage.models import AuditEvent, Deal, ProcessedEvent
from tests.conftest import add_customer, add_deal

_DEAL = select(Deal.id, Deal.amount, Deal.created_at, Deal.title).where(
    Deal.customer_id == bindparam("customer")
)
_AUDIT = insert(AuditEvent.__table__)  # type: ignore[attr-defined]
_EVENT = insert(ProcessedEvent.__table__).returning(ProcessedEvent.__table__.c.id)  # type: ignore[attr-defined]
_AT = select(Deal.id).where(Deal.created_at.in_(bindparam("at", expanding=True)))  # type: ignore[attr-defined]
# a parameter on both sides of a list (sent twice where parameters are positional)
_AROUND = select(Deal.id).where(
    Deal.customer_id == bindparam("customer"),
    Deal.created_at.in_(bindparam("at", expanding=True)),  # type: ignore[attr-defined]
    Deal.customer_id == bindparam("customer"),
)


def test_rows_come_back_as_sqlalchemy_gives_them(services: Services) -> None:
    customer = add_customer(services, "Anadolu Lojistik")
    add_deal(services, customer, "Fleet extension", "99999999999999.99")
    add_deal(services, customer, "Şoför eğitimi", "0.01")
    with services.db.session() as session:
        connection = session.connection()
        params = {"customer": customer.id}
        expected = [tuple(row) for row in connection.execute(_DEAL, params)]
        got = run(connection, _DEAL, params)
    assert got.rows == expected and len(got.rows) == 2
    assert {type(amount) for _, amount, _, _ in got.rows} == {Decimal}
    assert all(at.utcoffset() == timedelta(0) for _, _, at, _ in got.rows)  # aware UTC
    assert got.returns_rows and got.scalars() == [row[0] for row in expected]


def test_rows_go_in_as_sqlalchemy_would_write_them(services: Services, clock: Any) -> None:
    """Bind processing (an Istanbul time stored as UTC), a column's Python default (the
    rows leave ``erased`` out), several rows in one executemany, RETURNING."""
    local = clock.now.astimezone(ZoneInfo("Europe/Istanbul"))  # stored as the same instant
    rows = [
        {"at": local, "action": "create", "entity": "probe", "entity_id": n, "changes": {}}
        for n in (1, 2)
    ]
    with services.db.session(write=True) as session:
        run(session.connection(), _AUDIT, rows)
        made = run(
            session.connection(), _EVENT, {"platform": "slack", "key": "e1", "at": clock.now}
        )
    assert made.one()[0] is not None and made.rowcount == 1
    with services.db.session() as session:
        query = select(AuditEvent).where(AuditEvent.entity == "probe").order_by(AuditEvent.id)  # type: ignore[arg-type]
        stored = [(e.entity_id, e.erased, e.at) for e in session.execute(query).scalars()]
    assert stored == [(1, False, clock.now), (2, False, clock.now)]


def test_a_driver_error_is_sqlalchemys_with_the_values_hidden(
    services: Services, clock: Any
) -> None:
    secret = "ayse.kaya@example.com"
    with pytest.raises(IntegrityError) as failed, services.db.session(write=True) as session:
        for _ in range(2):  # the same (platform, key) twice
            run(session.connection(), _EVENT, {"platform": "slack", "key": secret, "at": clock.now})
    # the parameters are hidden as the engine hides them (PostgreSQL's own DETAIL still
    # names a duplicate key, as it did through SQLAlchemy's execution)
    assert "parameters hidden" in str(failed.value)
    with services.db.session() as session:  # rolled back whole
        assert session.execute(select(ProcessedEvent)).first() is None


def test_listeners_see_each_statement_and_a_list_parameter_expands(
    services: Services, clock: Any
) -> None:
    """A list parameter is expanded for each list (of its type: Istanbul times matched as
    the UTC instants stored); several rows of one are refused, as SQLAlchemy refuses them."""
    customer = add_customer(services, "Anadolu Lojistik")
    made = [
        add_deal(services, customer, f"deal {n}", "10", created_at=clock.now + timedelta(hours=n))
        for n in range(3)
    ]
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement.split()[0])

    istanbul = ZoneInfo("Europe/Istanbul")
    event.listen(services.db.engine, "before_cursor_execute", note)
    try:
        with services.db.session() as session:
            connection = session.connection()
            at = [d.created_at.astimezone(istanbul) for d in made]  # type: ignore[union-attr]
            assert sorted(run(connection, _AT, {"at": [at[0], at[2]]}).scalars()) == [
                made[0].id,
                made[2].id,
            ]
            assert run(connection, _AT, {"at": [at[1]]}).scalars() == [made[1].id]
            # the same lengths again: the expansion is reused, the values are this call's
            assert sorted(run(connection, _AT, {"at": [at[1], at[2]]}).scalars()) == [
                made[1].id,
                made[2].id,
            ]
            around = {"customer": customer.id, "at": [at[2], at[0]]}
            assert sorted(run(connection, _AROUND, around).scalars()) == [made[0].id, made[2].id]
            around["customer"] = customer.id + 1000
            assert run(connection, _AROUND, around).scalars() == []
            with pytest.raises(ValueError, match="list parameter"):
                run(connection, _AT, [{"at": [at[0]]}, {"at": [at[1]]}])
    finally:
        event.remove(services.db.engine, "before_cursor_execute", note)
    assert seen.count("SELECT") == 5
