"""A new row written on the driver (``storage.entities.inserted``) is what a flush would have
written: the same row, the same audit, the same refusals, and an entity the session holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect
from sqlmodel import Session

from handlers.kit.registry import Usage
from handlers.kit.storable import guard_lengths
from storage.access import Forbidden, restrict
from storage.audit import watch
from storage.entities import inserted
from storage.guard import ReadOnlyViolation, refuse_record_writes
from storage.models import AuditEvent, Interaction
from tests.conftest import add_customer, add_rep, count, rows

ISTANBUL = timezone(timedelta(hours=3))


def _note(customer_id: int, rep_id: int, message: str, **fields) -> Interaction:
    return Interaction(
        kind="visit",
        summary="Filo yenileme konuşuldu",
        occurred_at=datetime(2026, 11, 20, 14, 30, tzinfo=ISTANBUL),
        created_at=datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
        rep_id=rep_id,
        customer_id=customer_id,
        source_platform="telegram",
        source_message_id=message,
        latitude=41.0082,
        **fields,
    )


def test_the_row_and_its_audit_are_a_flushs(services, admin) -> None:
    customer = add_customer(services, "Anadolu Lojistik", owner_id=admin.id)
    with Session(services.db.engine, expire_on_commit=False) as session:
        flushed = _note(customer.id, admin.id, "m-1")
        session.add(flushed)
        session.flush()
        written = inserted(session, _note(customer.id, admin.id, "m-2"))
        assert written.id == flushed.id + 1
        assert inspect(written).persistent and session.get(Interaction, written.id) is written
        assert not session.is_modified(written)
        session.commit()
    stored = {row.id: row for row in rows(services, Interaction)}
    skip = {"id", "source_message_id"}
    same = [k for k in Interaction.model_fields if k not in skip]
    assert [getattr(stored[written.id], k) for k in same] == [
        getattr(stored[flushed.id], k) for k in same
    ]
    audited = {e.entity_id: e for e in rows(services, AuditEvent) if e.entity == "interaction"}
    by_flush, by_driver = audited[flushed.id], audited[written.id]
    by_driver.changes["source_message_id"] = by_flush.changes["source_message_id"]
    assert by_driver.changes == by_flush.changes and by_driver.action == "create"


def test_a_change_after_it_is_an_update(services, admin) -> None:
    customer = add_customer(services, "Anadolu Lojistik", owner_id=admin.id)
    with Session(services.db.engine, expire_on_commit=False) as session:
        watch(session)
        written = inserted(session, _note(customer.id, admin.id, "m-1"))
        written.outcome = "teklif istendi"
        session.commit()
    [row] = rows(services, Interaction)
    assert (row.id, row.outcome) == (written.id, "teklif istendi")
    trail = [(e.action, e.entity_id) for e in rows(services, AuditEvent)]
    assert trail[-2:] == [("create", written.id), ("update", written.id)]


@pytest.mark.parametrize("refusal", ["read-only", "scope", "length"])
def test_what_a_flush_refuses_it_refuses(services, admin, refusal) -> None:
    """The session's before-flush checks run on it, and nothing is written."""
    boss = add_rep(services, "Mehmet Kaya", role="manager")
    ayse = add_rep(services, "Ayşe Yılmaz", manager_id=boss.id)
    theirs = add_customer(services, "Boğaziçi Gıda", owner_id=admin.id)
    with Session(services.db.engine, expire_on_commit=False) as session:
        note = _note(theirs.id, ayse.id, "m-1")
        if refusal == "read-only":
            refuse_record_writes(session)
            expected: type[Exception] = ReadOnlyViolation
        elif refusal == "scope":
            from handlers.kit.visibility import scope_for

            restrict(session, scope_for(session, ayse, "all"))  # reads it, may not change it
            expected = Forbidden
        else:
            guard_lengths(session)
            note.outcome = "x" * 501
            expected = Usage
        with pytest.raises(expected):
            inserted(session, note)
        session.rollback()
    assert count(services, Interaction) == 0
    assert [e for e in rows(services, AuditEvent) if e.entity == "interaction"] == []


def test_a_deal_and_its_first_stage_row_are_audited_as_by_a_flush(services, admin) -> None:
    """A new deal (money, a date, the stage moved at) goes in on the driver and is audited
    exactly as a flush of the same deal; its first stage row beside it."""
    from datetime import date
    from decimal import Decimal

    from storage import deals
    from storage.models import Deal, DealStageChange

    customer = add_customer(services, "Anadolu Lojistik", owner_id=admin.id)
    with Session(services.db.engine, expire_on_commit=False) as session:
        lead = deals.stages(session)[0]

        def deal(title: str) -> Deal:
            at = datetime(2026, 11, 20, 14, 30, tzinfo=ISTANBUL)
            return Deal(
                customer_id=customer.id,
                title=title,
                amount=Decimal("250000.50"),
                currency="EUR",
                stage_id=lead.id,
                expected_close=date(2027, 1, 15),
                owner_id=admin.id,
                stage_changed_at=at,
                created_at=at,
                updated_at=at,
            )

        flushed = deal("Filo")
        session.add(flushed)
        session.flush()
        written = deals.create(session, deal("Filo"))
        session.commit()
    audited = {
        (e.entity, e.entity_id): e.changes for e in rows(services, AuditEvent) if e.entity == "deal"
    }
    assert audited[("deal", written.id)] == audited[("deal", flushed.id)]
    assert audited[("deal", written.id)]["amount"] == [None, "250000.50"]
    [first] = [r for r in rows(services, DealStageChange) if r.deal_id == written.id]
    assert (first.to_stage_id, first.rep_id) == (lead.id, admin.id)


def test_a_row_read_on_the_driver_is_the_entity_the_orm_would_load(services, admin) -> None:
    """``attached``: persistent and unchanged, the one entity per id in the session, found by
    ``session.get`` without a query, and a change to it flushed as an UPDATE of that column."""
    from sqlalchemy import event

    from storage.entities import attached, row_select
    from storage.models import Customer

    customer = add_customer(services, "Anadolu Lojistik", city="Ankara", owner_id=admin.id)
    said: list[str] = []
    with services.db.session(write=True) as session:
        row = session.execute(row_select(Customer).where(Customer.id == customer.id)).one()
        entity = attached(session, Customer, row)
        state = inspect(entity)
        assert state.persistent and not session.is_modified(entity)
        assert attached(session, Customer, row) is entity
        event.listen(session.connection(), "before_cursor_execute", lambda *a: said.append(a[2]))
        assert session.get(Customer, customer.id) is entity and said == []
        entity.city = "İzmir"
        session.flush()
        [sql] = [s for s in said if s.lstrip().upper().startswith("UPDATE")]
        assert "city" in sql and "name" not in sql.split("WHERE")[0]
    [stored] = rows(services, Customer)
    assert (stored.name, stored.city) == ("Anadolu Lojistik", "İzmir")
