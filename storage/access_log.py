"""Reads of personal data, logged: a customer card shown, an export written (who, what, when).

Kept apart from the audit trail, which records changes: a read changes nothing, and the access
log is written by read-only commands too (it is one of ``storage.guard``'s side tables). The row
is inserted at once as Core (``storage.prebuilt``): added to the session instead, it made a
read-only command's commit run a whole ORM flush (unit of work, the flush hooks) for one row
that no hook has anything to say about (it is neither audited nor in a scope).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlmodel import Session

from storage.models import AccessLog
from storage.prebuilt import side_execute

_INSERT = insert(AccessLog.__table__)  # type: ignore[arg-type]


def record(
    session: Session,
    *,
    rep_id: int | None,
    platform: str | None,
    action: str,
    entity: str,
    entity_id: int | None,
    at: datetime,
    detail: str | None = None,
) -> None:
    side_execute(
        session,
        _INSERT,
        {
            "at": at,
            "rep_id": rep_id,
            "platform": platform,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "detail": detail,
        },
    )
