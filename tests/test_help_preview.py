"""/help's "Try it" previews the example: the rep sees what it would do, and nothing is kept."""

from __future__ import annotations

import pytest

from handlers.kit import REGISTRY, Translator
from storage.models import AuditEvent, Customer, Deal, Interaction, Task
from tests.conftest import Chat, add_customer, add_rep, count

WRITTEN = (AuditEvent, Customer, Deal, Interaction, Task)


def written(services) -> tuple[int, ...]:
    return tuple(count(services, model) for model in WRITTEN)


@pytest.mark.parametrize("language", ["en", "tr"])
@pytest.mark.parametrize(
    "name", sorted(s.name for s in REGISTRY.values() if s.writes and not s.hidden)
)
def test_trying_an_example_writes_nothing(services, language, name) -> None:
    boss = add_rep(services, "Murat Kaya", role="admin", language=language)
    add_customer(services, "Uğur Özmen")
    add_customer(services, "Anadolu Lojistik")
    before = written(services)
    chat = Chat(services, boss)
    detail = chat.say(f"/help {name}")
    [try_it] = [b for b in detail.buttons if b.label == Translator(language)("button.try_it")]
    replies = chat.send(try_it.command)
    assert written(services) == before
    head = Translator(language)("help.preview")
    assert all(r.text.startswith(head) and not r.choices for r in replies)
    assert all(b.command.startswith("/help ") for r in replies for b in r.buttons)


def test_a_preview_shows_what_the_command_would_answer(services, chat: Chat) -> None:
    add_customer(services, "Uğur Özmen")
    reply = chat.say("/log call ugur ozmen discussed pricing next: send quote fri --preview")
    lines = reply.text.splitlines()
    assert lines[0] == "Preview — nothing was saved. This is what it would do:"
    assert lines[1] == "Logged: call · Uğur Özmen"
    assert lines[-1].endswith("/log call ugur ozmen discussed pricing next: send quote fri")
    assert (count(services, Interaction), count(services, Task)) == (0, 0)
    # the same command without the flag is kept
    chat.say("/log call ugur ozmen discussed pricing next: send quote fri")
    assert (count(services, Interaction), count(services, Task)) == (1, 1)
