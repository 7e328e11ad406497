"""Entities made from rows read on the driver (``storage.driver``), as the ORM makes loaded ones,
and new ones written there, as a flush writes them (``inserted``).

Why: the rep and the customer by id are asked by most chat commands, and the ORM's select and
load of one row cost about twice what the row on the driver and this cost together (the rep:
105 against 51 us, in-process on SQLite). What comes back is the entity the ORM would have
given: persistent in the session, its row as its committed state, so ``is_modified`` is
false until a change and a change is flushed as an UPDATE of what changed. Both rely on
the model's key being its table's first column (``id``, as in every model passed here).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Table, insert, inspect, select
from sqlalchemy.orm import Mapper, Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state

from storage.audit import record_created
from storage.driver import run

Entity = TypeVar("Entity")


def row_select(model: type) -> Any:
    """A Core select of every column of ``model``'s table, in ``attached``'s order."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return select(*table.columns)


def attached(session: Session, model: type[Entity], row: Sequence[Any]) -> Entity:
    """The session's entity for ``row`` (all the table's columns, the key first): the one it
    holds, or a new one built without validation (the row is the database's)."""
    mapper = _mapper(model)
    key = mapper.identity_key_from_primary_key((row[0],))
    held = session.identity_map.get(key)
    if held is not None:
        return held  # type: ignore[no-any-return]
    entity = mapper.class_manager.new_instance()
    entity.__dict__.update(zip(column_keys(model), row, strict=True))
    # What ``make_transient_to_detached`` does, for an instance made here with every column
    # set: it has nothing to commit or expire, so its identity key is all it lacks. The
    # function looked for unloaded attributes and work to undo, a third of an attach.
    instance_state(entity).key = key
    session.add(entity)
    return entity  # type: ignore[no-any-return]


def inserted(session: Session, entity: Entity) -> Entity:
    """``entity`` (new) written as a flush would write it, on the driver: the session's
    before-flush checks run on it first (the read-only guard, the scope's ownership check,
    the column lengths), its row goes in with one INSERT, it becomes persistent with its
    new id, and its creation is audited as the flush hook would have (``record_created``).

    Why: a flush of one new row cost ``/log`` about a third of its CPU (the unit of work,
    SQLAlchemy's execution, the hooks walking the session), where the row and its audit
    need none of the machinery. Pending changes are flushed first, so that the checks and
    the order of the writes are as they were. Only for a model without server-side values
    or relationships set on it (its row is the attributes as given)."""
    autoflush(session)
    session.add(entity)
    session.dispatch.before_flush(session, None, None)  # may refuse: the caller rolls back
    model = type(entity)
    values = {key: entity.__dict__.get(key) for key in column_keys(model)[1:]}
    new_id = run(session.connection(), _insert(model), values).one()[0]
    session.expunge(entity)
    entity.__dict__[column_keys(model)[0]] = new_id
    make_transient_to_detached(entity)
    session.add(entity)
    record_created(session, model.__tablename__, [{"id": new_id, **values}])  # type: ignore[attr-defined]
    return entity


@cache
def _mapper(model: type) -> Mapper[Any]:
    """``model``'s mapper, found once: ``Session.identity_key`` looked it up on every call.

    Why an attach is worth trimming: in a command, with the caches as cold as they are there,
    one cost about 50 us (17 us in a loop of its own), and a command attaches about three."""
    return inspect(model)


@cache
def _insert(model: type) -> Any:
    """Built once per model (``storage.prebuilt`` says why): its row, the new id back."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return insert(table).returning(table.primary_key.columns.values()[0])


def autoflush(session: Session) -> None:
    """Flush pending changes before a read on the driver, as the ORM's autoflush would before
    its own select: the read must see what this session has already changed."""
    if session.new or session.dirty or session.deleted:
        session.flush()


@cache
def column_keys(model: type) -> tuple[str, ...]:
    """The keys of ``model``'s table's columns, in the order ``row_select`` reads them."""
    return tuple(column.key for column in model.__table__.columns)  # type: ignore[attr-defined]
