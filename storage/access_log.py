"""Reads of personal data, logged: a customer card shown, an export written (who, what, when).

Kept apart from the audit trail, which records changes: a read changes nothing, and the access
log is written by read-only commands too (it is one of ``storage.guard``'s side tables).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage.models import AccessLog


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
    session.add(
        AccessLog(
            at=at,
            rep_id=rep_id,
            platform=platform,
            action=action,
            entity=entity,
            entity_id=entity_id,
            detail=detail,
        )
    )
