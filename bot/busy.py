"""Start-up on a database that another process is writing to (a long import, say).

Why wait instead of failing: the embedded database is SQLite, whose one write lock an import
takes batch after batch; a bot or a ``crm-bot`` command started meanwhile used to die with a
raw "database is locked". Now the start-up step is tried again (tenacity) until the lock comes
free, for up to ``MAX_WAIT_S``, and the user is told once that we are waiting and why. Each
try asks for the lock for only a moment (``Database.patience``), so the line shows at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_delay,
    wait_fixed,
)

from storage.db import Database, is_locked

T = TypeVar("T")

TRY_S = 0.25  # how long one try waits for the lock
PAUSE_S = 0.05  # between tries
MAX_WAIT_S = 600.0


def when_free(db: Database, step: Callable[[], T], say: Callable[[], None]) -> T:
    """``step()``, tried again while the database is locked; ``say()`` once on the first wait.

    Raises the last "database is locked" error after ``MAX_WAIT_S`` (the caller words it)."""
    told: list[bool] = []

    def tell(_state: RetryCallState) -> None:
        if not told:
            told.append(True)
            say()

    retrying = Retrying(
        retry=retry_if_exception(is_locked),
        wait=wait_fixed(PAUSE_S),
        stop=stop_after_delay(MAX_WAIT_S),
        before_sleep=tell,
        reraise=True,
    )
    with db.patience(TRY_S):
        return retrying(step)
