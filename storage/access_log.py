"""Reads of personal data, logged: a customer card shown, an export written (who, what, when).

Kept apart from the audit trail, which records changes: a read changes nothing, and the access
log is written by read-only commands too (it is one of ``storage.guard``'s side tables). The row
is inserted at once as Core (``storage.prebuilt``): added to the session instead, it made a
read-only command's commit run a whole ORM flush (unit of work, the flush hooks) for one row
that no hook has anything to say about (it is neither audited nor in a scope).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert
from sqlmodel import Session

from storage.models import AccessLog
from storage.prebuilt import side_execute

_TABLE: Any = AccessLog.__table__
_INSERT = insert(_TABLE)


def row(
    *,
    rep_id: int | None,
    platform: str | None,
    action: str,
    entity: str,
    entity_id: int | None,
    at: datetime,
    detail: str | None = None,
) -> dict[str, Any]:
    """One access, as ``record`` writes it (or a statement that writes it with its read:
    ``logging_cte``)."""
    return {
        "at": at,
        "rep_id": rep_id,
        "platform": platform,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "detail": detail,
    }


def record(session: Session, **access: Any) -> None:
    """Write one access (``row``'s fields) in the session's transaction."""
    write(session, row(**access))


def write(session: Session, access: Mapping[str, Any]) -> None:
    side_execute(session, _INSERT, access)


PREFIX = "log_"  # the parameters of ``logging_cte``: a row's fields, prefixed


def logging_cte() -> Any:
    """A data-modifying WITH that writes one access (``row``'s fields as ``PREFIX`` + field),
    for a PostgreSQL read to carry along: the card's read and its access then cost one round
    trip, not two."""
    fields = {c.key: bindparam(PREFIX + c.key) for c in _TABLE.columns if not c.primary_key}
    return insert(_TABLE).values(fields).cte("logged")
