"""Entities made from rows read on the driver (``storage.driver``), as the ORM makes loaded ones.

Why: the rep and the customer by id are asked by most chat commands, and the ORM's select and
load of one row cost about twice what the row on the driver and this cost together (the rep:
105 against 51 us, in-process on SQLite). What comes back is the entity the ORM would have
given: persistent in the session, its row as its committed state, so ``is_modified`` is
false until a change and a change is flushed as an UPDATE of what changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Table, inspect, select
from sqlalchemy.orm import Session, make_transient_to_detached

Entity = TypeVar("Entity")


def row_select(model: type) -> Any:
    """A Core select of every column of ``model``'s table, in ``attached``'s order."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return select(*table.columns)


def attached(session: Session, model: type[Entity], row: Sequence[Any]) -> Entity:
    """The session's entity for ``row`` (all the table's columns, the key first): the one it
    holds, or a new one built without validation (the row is the database's)."""
    held = session.identity_map.get(Session.identity_key(model, row[0]))
    if held is not None:
        return held  # type: ignore[no-any-return]
    entity = inspect(model).class_manager.new_instance()
    entity.__dict__.update(zip(_keys(model), row, strict=True))
    make_transient_to_detached(entity)
    session.add(entity)
    return entity  # type: ignore[no-any-return]


def autoflush(session: Session) -> None:
    """Flush pending changes before a read on the driver, as the ORM's autoflush would before
    its own select: the read must see what this session has already changed."""
    if session.new or session.dirty or session.deleted:
        session.flush()


@cache
def _keys(model: type) -> tuple[str, ...]:
    return tuple(column.key for column in model.__table__.columns)  # type: ignore[attr-defined]
