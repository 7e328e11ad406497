"""What an edit in chat changes besides the record itself."""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.models import RawValue


def forget_raw(session: Session, entity: str, entity_id: int, fields: tuple[str, ...]) -> None:
    """A field the rep has just set is no longer the import's raw text: /quality stops
    listing it."""
    if not fields:
        return
    query = select(RawValue).where(
        RawValue.entity == entity, RawValue.entity_id == entity_id, col(RawValue.field).in_(fields)
    )
    for row in session.exec(query):
        session.delete(row)
