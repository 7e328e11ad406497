"""Record ids of any size are read from "#…", in both languages and on both engines: "#1000000"
finds customer 1000000, and a number past any id column is "not found", never an overflow."""

from __future__ import annotations

import pytest

from handlers.refs import MAX_ID, NO_RECORD, parse_id
from tests.conftest import Chat, add_customer, add_rep

HUGE = "#99999999999999999999"


def test_parse_id():
    assert parse_id("#1000000") == 1_000_000
    assert parse_id("12") == 12
    assert parse_id("5321112233") is None  # a bare number that long is a phone
    assert parse_id(f"#{MAX_ID}") == MAX_ID
    assert parse_id(f"#{MAX_ID + 1}") == NO_RECORD
    assert parse_id("#12a") is None


@pytest.mark.parametrize(
    ("language", "not_found", "restore_missing"),
    [
        ("en", f'No customer matches "{HUGE}".', f"There is no customer {HUGE} that you may see."),
        (
            "tr",
            f'"{HUGE}" ile eşleşen müşteri yok.',
            f"Görebileceğiniz {HUGE} numaralı bir müşteri yok.",
        ),
    ],
)
def test_large_ids(services, language, not_found, restore_missing):
    rep = add_rep(services, "Ayşe Kaya", role="admin", language=language)
    add_customer(services, "Acme Ltd", id=1_000_000)
    chat = Chat(services, rep)
    assert chat.say("/find #1000000").card.title == "Acme Ltd"
    assert chat.say("/log call #1000000 talked").text.endswith("Acme Ltd")
    assert chat.say(f"/find {HUGE}").text == not_found
    assert chat.say(f"/log call {HUGE} talked").text == not_found
    assert chat.say(f"/restore customer {HUGE}").text == restore_missing
    for command in (f"/deal {HUGE}", f"/done {HUGE}", f"/ask customer {HUGE}", f"/delete {HUGE}"):
        assert HUGE in chat.say(command).text, command
