"""Read-only transactions: a session that refuses writes to CRM records.

A command registered with ``writes=False`` runs in such a session, so the declaration cannot
lie: Slack's "Share in channel" re-runs only read-only commands, and must never repeat a write.
The guard is an allow-list: bookkeeping of the conversation (below) stays writable for every
command, anything else — customers, contacts, deals, interactions, tasks, reps, the change
audit, and any table added later — is refused until it is listed here on purpose.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from storage.models import (
    AccessLog,
    ButtonCommand,
    ChatFlow,
    Notice,
    ProcessedEvent,
    RateCounter,
)

# Tables any command may write, read-only ones included: delivery keys (a repeated delivery
# runs once), button tokens (long button commands), guided-flow state (a question asked),
# notices (a card sent to the rep's private chat, a question to a record's owner), the
# per-rep rate counters, and the access log (reading a card is logged).
SIDE_TABLES = frozenset(
    t.__tablename__
    for t in (ProcessedEvent, ButtonCommand, ChatFlow, Notice, RateCounter, AccessLog)
)

_FLAG = "records_read_only"


class ReadOnlyViolation(RuntimeError):
    """A read-only command tried to change a CRM record: a bug in that command."""


def refuse_record_writes(session: Session) -> None:
    """From now on, writes outside ``SIDE_TABLES`` raise (a command's session is its own)."""
    session.info[_FLAG] = True


def _refuse(session: Session, tables: set[str]) -> None:
    if session.info.get(_FLAG) and (refused := tables - SIDE_TABLES):
        raise ReadOnlyViolation(f"a read-only command wrote to {', '.join(sorted(refused))}")


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if not session.info.get(_FLAG):
        return
    changed = [*session.new, *session.deleted]
    changed += [obj for obj in session.dirty if session.is_modified(obj)]
    _refuse(session, {getattr(obj, "__tablename__", type(obj).__name__) for obj in changed})


def _on_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        _refuse(state.session, {getattr(table, "name", str(table))})


def install_guard(session_class: type[Session]) -> None:
    for name, fn in (
        ("before_flush", _before_flush),
        ("do_orm_execute", _on_execute),
    ):
        if not event.contains(session_class, name, fn):
            event.listen(session_class, name, fn)
