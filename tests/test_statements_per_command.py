"""How many SQL statements a chat command costs, pinned so that a regression shows.

Why a count and not a time: throughput under a burst (``bench/bench_burst.py``) is decided
by the Python work per statement, and each statement is also a round trip on PostgreSQL; a
count is exact on any machine, a time is not. Counted here: every statement the command
runs, on any connection of the engine (the name index's refresh included), except the
transaction control an engine may or may not send as a statement of its own (``BEGIN``,
SQLite's ``PRAGMA``), so that both engines give the same figures. Each command carries a
delivery key, as the adapters pass them, and is the rep's second or later in its minute
(the first one also sweeps earlier minutes' rate counters).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from bot.dispatcher import Dispatcher
from handlers.kit import Incoming, Services
from storage.models import Rep
from tests.conftest import add_customer, add_deal

# What each command costs now, on SQLite and on PostgreSQL. Lower is welcome (update the
# figure); higher needs a reason. On PostgreSQL the delivery key and the rep are one statement
# (``deliveries.claimed_rep``), a write command's rate count ends the chat's flow in the
# same statement (``rates.count_ending_flow``), a typed read's rate count is in the claim's
# statement too, and a card's read writes its access log.
PINNED = {
    # delivery key, rep, rate counter, index refresh, customer, access log, the card's parts
    # (owner, consent, contacts, open deals, interactions, open tasks: one UNION ALL)
    "/find Ayşe Yılmaz": (7, 4),
    # the same without the index refresh, the customer found by its phone
    "/find 0532 111 22 33": (6, 3),
    # delivery key, rep, rate counter, flow ended, the customer, its open deals' ids (to
    # link), the interaction, its audit row
    "/log call #{cid} asked for a quote": (8, 6),
    # delivery key, rep, rate counter, flow ended, customer, stages, deal, stage change, the
    # audit of both (the owner's name is the rep's own; nobody else to tell of a new deal)
    "/deal add #{cid} renewal 5000": (9, 7),
    # delivery key, rep, rate counter, the count of open tasks
    "/tasks": (4, 2),
}
TRANSACTION_CONTROL = ("BEGIN", "PRAGMA", "COMMIT", "ROLLBACK")


class Counted:
    def __init__(self) -> None:
        self.statements: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            with self._lock:
                self.statements.append(" ".join(statement.split())[:100])


@pytest.fixture
def counted(services: Services) -> Iterator[Counted]:
    counter = Counted()
    event.listen(services.db.engine, "before_cursor_execute", counter)
    yield counter
    event.remove(services.db.engine, "before_cursor_execute", counter)


def test_statements_per_command_are_pinned(
    services: Services, admin: Rep, counted: Counted
) -> None:
    customer = add_customer(services, "Ayşe Yılmaz", phone="+905321112233")
    add_deal(services, customer, "Support", "1000")
    dispatcher = Dispatcher(services)
    keys = iter(range(1, 1000))

    def send(text: str) -> str:
        incoming = Incoming(
            "console", "chat-1", str(admin.id), text, delivery_key=f"k-{next(keys)}"
        )
        replies = asyncio.run(dispatcher.handle(incoming))
        assert replies, text
        return replies[0].text

    assert "Ayşe Yılmaz" in send("/find Ayşe")  # builds the index; the minute's first
    seen: dict[str, int] = {}
    said: dict[str, list[str]] = {}
    for typed in PINNED:
        counted.statements.clear()
        answer = send(typed.format(cid=customer.id))
        assert "nothing was saved" not in answer.lower(), answer
        seen[typed], said[typed] = len(counted.statements), list(counted.statements)
    engine = 0 if services.db.is_sqlite else 1
    pinned = {typed: counts[engine] for typed, counts in PINNED.items()}
    changed = [f"{k}: {line}" for k in said if seen[k] != pinned[k] for line in said[k]]
    assert seen == pinned, "\n".join(changed)
