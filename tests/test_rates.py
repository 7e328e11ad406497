"""Per-rep rate limits: a friendly answer past N writes or M commands a minute, counted in the
database (every process of the bot adds to the same count), and back the next minute."""

from __future__ import annotations

from storage.chat.rates import window_of
from storage.models import Customer, RateCounter
from tests.conftest import Chat, add_customer, count, rows


def limited(chat: Chat, commands: int, writes: int) -> Chat:
    settings = chat.services.settings
    settings.crm_rate_commands_per_minute, settings.crm_rate_writes_per_minute = commands, writes
    return chat


def test_writes_are_limited_first_and_reading_still_works(chat: Chat, clock):
    limited(chat, commands=5, writes=3)
    for n in range(3):
        assert chat.say(f"/customer add Firma {n} Ltd --confirm").card is not None
    slowed = chat.say("/customer add Firma 9 Ltd").text  # the fourth command: refused
    assert slowed.startswith("Slow down a little") and "reading still works" in slowed
    assert count(chat.services, Customer) == 3
    assert chat.say("/find firma 1").card is not None  # a read: the fifth command
    assert "a lot of commands" in chat.say("/tasks").text  # the sixth
    clock.advance(minutes=1)
    assert chat.say("/customer add Firma 9 Ltd").card is not None
    assert count(chat.services, Customer) == 4


def test_bad_input_counts_too(chat: Chat):
    limited(chat, commands=2, writes=0)
    assert chat.say("/log").text  # a question: counted
    assert chat.say("/stage nonsense").text.startswith("Usage")  # bad input: counted
    assert "a lot of commands" in chat.say("/tasks").text
    assert "a lot of commands" in chat.say("/tasks").text  # and so is a refused one


def test_no_limit_when_both_are_zero(chat: Chat):
    limited(chat, commands=0, writes=0)
    for n in range(40):
        chat.say(f"/customer add Firma {n} A.Ş. --confirm")
    assert count(chat.services, Customer) == 40


def test_only_the_current_minute_is_kept(chat: Chat, clock):
    """A rep's count of an earlier minute goes with their first command of a new one."""
    limited(chat, commands=5, writes=3)
    chat.say("/tasks")
    chat.say("/tasks")
    clock.advance(minutes=3)
    chat.say("/tasks")
    kept = rows(chat.services, RateCounter)
    assert [(r.window, r.commands) for r in kept] == [(window_of(clock.now), 1)]
    chat.say("/tasks")
    assert [r.commands for r in rows(chat.services, RateCounter)] == [2]


def test_a_write_refused_for_the_rate_leaves_the_open_question(services, chat: Chat, clock):
    """A typed write ends the chat's open question only if it runs: refused for the rate,
    the question stays (on PostgreSQL the count and the ending are one statement)."""
    add_customer(services, "Acme Corporation")
    limited(chat, commands=10, writes=1)
    assert "Who was it with?" in chat.say("/log call").text  # the minute's one write
    refused = chat.say("/task call the bank tomorrow")
    assert refused.text.startswith("Slow down a little")
    clock.advance(minutes=1)
    assert "What happened with Acme Corporation?" in chat.say("acme").text
    clock.advance(minutes=1)
    assert chat.say("/task call the bank tomorrow").text.startswith("Task set")
    assert chat.say("acme").card is not None  # that write ended the question
