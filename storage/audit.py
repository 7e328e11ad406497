"""The audit trail, written for every change without any handler having to remember it.

An ``after_flush`` hook sees each flushed object with its attribute history still intact and
its primary key already assigned, and inserts one AuditEvent row per object through Core (the
ORM may not be re-entered mid-flush). The actor comes from ``session.info["actor"]``, which the
Database sets per transaction. Each row carries the digest of its values, which the hash chain
(``storage.audit_chain``) links; a lawful erasure (``pause``) writes its own row instead.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from storage.driver import run
from storage.models import AuditEvent
from storage.types import utcnow


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _changes(obj: Any, action: str) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    if action == "create":  # every value as stored; read from the state, not the history
        loaded = state.dict
        for attr in state.mapper.column_attrs:
            key = attr.key
            value = loaded[key] if key in loaded else getattr(obj, key)
            if value is not None and key != "id":
                changes[key] = [None, _plain(value)]
        return changes
    for attr in state.mapper.column_attrs:
        if action == "delete":
            value = getattr(obj, attr.key)
            if value is not None:
                changes[attr.key] = [_plain(value), None]
        elif (hist := state.attrs[attr.key].history).has_changes():
            before = hist.deleted[0] if hist.deleted else None
            after = hist.added[0] if hist.added else None
            if before != after:
                changes[attr.key] = [_plain(before), _plain(after)]
    return changes


def digest_of(changes: dict[str, Any]) -> str:
    """SHA-256 of the values as stored (canonical JSON: sorted keys, no spaces)."""
    text = json.dumps(changes, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


AUDITED = "crm_audited"  # session.info: the audit rows written since ``watch``
WROTE = "crm_wrote"  # session.info: this session changed a record (an /undo can take it back)


def watch(session: Session) -> None:
    """Keep this session's audit rows for ``audited`` (a chat command's, to tell the owners;
    an import's session does not keep its thousands)."""
    session.info[AUDITED] = []


def audited(session: Session) -> list[dict[str, Any]]:
    """The audit rows written since ``watch`` (each handed out once)."""
    rows = session.info.get(AUDITED) or []
    session.info[AUDITED] = []
    return rows


def pause(session: Session) -> None:
    """This transaction writes its own audit rows (an erasure must not record what it erases)."""
    session.info["audit_paused"] = True


def _after_flush(session: Session, _context: Any) -> None:
    if session.info.get("audit_paused"):
        return
    actor = session.info.get("actor")
    now = (actor.at if actor else None) or utcnow()
    rows: list[dict[str, Any]] = []
    for action, objects in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            if not getattr(type(obj), "__audit__", True) or not hasattr(obj, "__tablename__"):
                continue
            changes = _changes(obj, action)
            if action == "update" and not changes:
                continue
            rows.append(
                _event(actor, now, action, obj.__tablename__, getattr(obj, "id", None), changes)
            )
    _write(session, rows)


def _event(
    actor: Any, now: datetime, action: str, entity: str, entity_id: Any, changes: dict[str, Any]
) -> dict[str, Any]:
    return {
        "at": now,
        "actor_rep_id": actor.rep_id if actor else None,
        "platform": actor.platform if actor else None,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "changes": changes,
        "digest": digest_of(changes),
        "command": actor.command if actor else None,
    }


_HELD = "crm_audit_held"  # session.info: rows ``held`` back, to be written as one statement


@contextmanager
def held(session: Session) -> Iterator[None]:
    """The audit rows of what this block writes go in as one statement when it ends (a new
    deal and its first stage row: one INSERT of two rows, not two INSERTs). Only for a
    block that reads no audit row itself; they are written even when the block fails, so
    no change it made stays unaudited if the transaction is kept."""
    if _HELD in session.info:  # within another: that one writes them
        yield
        return
    session.info[_HELD] = []
    try:
        yield
    finally:
        _write(session, session.info.pop(_HELD))


def _write(session: Session, rows: list[dict[str, Any]]) -> None:
    if (waiting := session.info.get(_HELD)) is not None:
        waiting.extend(rows)
    elif rows:
        run(session.connection(), _INSERT, rows)
        session.info[WROTE] = True
        if (watched := session.info.get(AUDITED)) is not None:
            watched.extend(rows)


def record_created(session: Session, entity: str, rows: list[dict[str, Any]]) -> None:
    """Audit rows inserted through Core (a bulk import), exactly as the flush hook would have
    audited the same rows created through the ORM: every value but the id, as stored."""
    if session.info.get("audit_paused"):
        return
    actor = session.info.get("actor")
    now = (actor.at if actor else None) or utcnow()
    events = []
    for row in rows:
        changes = {k: [None, _plain(v)] for k, v in row.items() if v is not None and k != "id"}
        events.append(_event(actor, now, "create", entity, row["id"], changes))
    _write(session, events)


# Built once (``storage.prebuilt`` says why).
_INSERT = insert(AuditEvent.__table__)  # type: ignore[attr-defined]


def install_audit(session_class: type[Session]) -> None:
    if not event.contains(session_class, "after_flush", _after_flush):
        event.listen(session_class, "after_flush", _after_flush)
