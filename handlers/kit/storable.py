"""Text that the store can keep, checked before a command touches it.

PostgreSQL refuses a NUL byte in any text (even in a search's parameter) and a value longer
than its column; SQLite keeps both without a word. Both would differ by engine, and the first
would surface as an internal error on PostgreSQL only. So a command's typed text is checked
before its handler runs, and every value a command writes is checked against its column's
length when the session flushes: either way the rep gets a ``Usage`` (what was wrong, the
command's usage and an example) in their language, on both engines, and nothing is written.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from handlers.kit.registry import Usage

_GUARDED = "crm_storable"  # session.info: the length guard is on


def refuse_unstorable(*texts: str | None) -> None:
    """A NUL byte, or half of a UTF-16 surrogate pair, cannot be stored (nor searched for)."""
    for text in texts:
        if text and ("\x00" in text or _not_utf8(text)):
            raise Usage("text.unstorable")


def _not_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def guard_lengths(session: Session) -> None:
    """From now on, a flush refuses (as a ``Usage``) a text longer than its column.

    One listener on the session's class, switched on per session: a listener on the session
    itself cost each command ~13 us to add (SQLAlchemy builds the instance's own dispatch)."""
    session.info[_GUARDED] = True
    kind = type(session)
    if kind not in _LISTENING:
        with _INSTALLING:
            if not event.contains(kind, "before_flush", _check_lengths):
                event.listen(kind, "before_flush", _check_lengths)
            _LISTENING.add(kind)


_LISTENING: set[type[Session]] = set()
_INSTALLING = threading.Lock()


def _check_lengths(session: Session, _context: Any, _instances: Any) -> None:
    if not session.info.get(_GUARDED):
        return
    for record in (*session.new, *session.dirty):
        for field in inspect(type(record)).column_attrs:
            limit = getattr(field.columns[0].type, "length", None)  # String and AutoString
            value = getattr(record, field.key, None)
            if limit and isinstance(value, str) and len(value) > limit:
                raise Usage("text.too_long", length=len(value), limit=limit)
