"""Lookups by phone, e-mail, id and name use their indexes, for an admin and for a rep whose
session is scoped to what they may read: checked on SQLite's plan for every statement the
commands run, never by timing. (PostgreSQL's plan depends on its statistics; the commit that
made these plans shows it at 100,000 customers.)"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Chat, add_customer, add_rep, selects_sent

pytestmark = pytest.mark.sqlite_only

PER_CUSTOMER = ("customer", "contact", "contactpoint", "interaction", "consent", "deal")
COMMANDS = [
    "/find 0532 111 22 33",
    "/find 0533 444 55 66",  # a contact's phone
    "/find ops@acme.example",  # a further e-mail (a contact point)
    "/find #2",
    "/log call 0532 111 22 33 talked about prices",
    "/log call acme discussed the offer",
    "/customer add Acme Ltd 0532 111 22 33",  # the duplicate check on entry
]


def plans(services: Any, chat: Chat, command: str) -> list[tuple[str, list[str]]]:
    """(statement, plan steps) of every SELECT the command ran."""
    seen = selects_sent(services, lambda: chat.send(command))
    with services.db.engine.connect() as conn:
        return [
            (sql, [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)])
            for sql, params in seen
        ]


@pytest.mark.parametrize("role", ["rep", "admin"])
def test_lookups_walk_no_customer_table(services, role):
    ayse = add_rep(services, "Ayşe Kaya", role=role)
    other = add_rep(services, "Mert Aydın")
    for i in range(40):
        add_customer(services, f"Firma {i}", phone=f"+9053001122{i:02d}", owner_id=other.id)
    acme = add_customer(services, "Acme Ltd", phone="+905321112233", owner_id=ayse.id)
    chat = Chat(services, ayse)
    chat.say(f"/contact add #{acme.id} Deniz Ak 0533 444 55 66")
    chat.say(f"/edit #{acme.id} email+ ops@acme.example")
    chat.say("/find acme")  # builds the name index: one scan at start-up, by design

    for command in COMMANDS:
        for sql, steps in plans(services, chat, command):
            walks = [s for s in steps if s.split()[:2] in (["SCAN", t] for t in PER_CUSTOMER)]
            assert not walks, (command, sql, steps)
            # A scope's "customer_id IN (SELECT … visible customers)" walked them by owner.
            by_owner = [s for s in steps if "ix_customer_owner_id" in s]
            assert not by_owner, (command, sql, steps)

    # The phone look-up is one UNION over the three places a number lives (the card's
    # UNION ALL of its parts is another statement of the same command).
    found = plans(services, chat, COMMANDS[0])
    [lookup] = [steps for sql, steps in found if "UNION" in sql and "contactpoint" in sql]
    used = " ".join(lookup)
    assert "ix_customer_phone" in used and "ix_contact_phone" in used, lookup
    assert "ix_contactpoint_kind_value" in used, lookup
