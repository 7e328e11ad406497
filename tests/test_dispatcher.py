"""The dispatcher's promises: an answer to everything, one transaction per command, an audit
trail for every change, help by example, and both languages."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from handlers.kit import REGISTRY, Context, Incoming, Reply, command, unregister
from storage import customers
from storage.models import AuditEvent, Customer, Interaction, Task
from tests.conftest import Chat, add_customer, add_rep, count


def explode(ctx: Context) -> Reply:
    """Writes, then fails: a real registered command to prove the rollback."""
    customers.create(ctx.session, Customer(name="Half Written"))
    raise RuntimeError("disk on fire")


@pytest.fixture
def register() -> Iterator[object]:
    names: list[str] = []

    def _register(name: str, **options: object) -> None:
        command(name, writes=True, **options)(explode)  # type: ignore[arg-type]
        names.append(name)

    yield _register
    for name in names:
        unregister(name)


def audit(services) -> list[AuditEvent]:
    """Audit events written by chat commands (setup writes some with no platform)."""
    with Session(services.db.engine) as s:
        query = select(AuditEvent).where(AuditEvent.platform == "console")
        return list(s.exec(query.order_by(AuditEvent.id)))


def test_unknown_command_suggests_the_closest(chat: Chat) -> None:
    reply = chat.say("/fnd acme")
    assert reply.text == 'I don\'t know "fnd". Did you mean /find?'
    assert reply.buttons[0].command == "/help find"
    assert "Send /help" in chat.say("/xyzzy").text


def test_bot_name_suffix_and_missing_slash_are_accepted(chat: Chat) -> None:
    assert chat.say("/help@CrmBot find").text.startswith("/find — look a customer up")
    assert chat.say("help find").text.startswith("/find")
    assert chat.send("   ") == []


def test_unregistered_user_is_refused_with_their_id(services) -> None:
    stranger = Chat(services, add_rep(services, "Tmp"), platform="telegram")
    reply = stranger.say("/find acme")
    assert reply.text == (
        f"Sorry, you are not registered with this CRM. Ask an admin to add you; "
        f"your user id is {stranger.rep.id}."
    )
    assert reply.card is None and not reply.buttons


def test_inactive_rep_is_refused(services) -> None:
    gone = add_rep(services, "Gone", active=False)
    assert "not registered" in Chat(services, gone).say("/tasks").text


def test_role_restricted_command(services, register) -> None:
    register("explode", roles=("manager", "admin"))
    rep = add_rep(services, "Plain Rep", role="rep")
    assert Chat(services, rep).say("/explode").text == "Only a manager or admin may use /explode."
    assert count(services, Customer) == 0


def test_failure_rolls_back_and_answers_with_a_reference(
    services, chat: Chat, register, caplog
) -> None:
    register("explode")
    with caplog.at_level(logging.ERROR):
        reply = chat.say("/explode")
    assert reply.text.startswith("Sorry, something went wrong and nothing was saved. Reference: ")
    ref = reply.text.rsplit(" ", 1)[1]
    assert "Traceback" not in reply.text and "disk on fire" not in reply.text
    assert count(services, Customer) == 0 and audit(services) == []
    logged = [r for r in caplog.records if ref in r.getMessage()]
    assert logged and logged[0].exc_info is not None


def test_every_change_is_audited_with_actor_and_platform(services, chat: Chat, admin) -> None:
    chat.say("/customer add Acme Corporation 0532 555 12 34")
    chat.say("/log call acme intro call next: send deck tomorrow")
    chat.say("/done send deck")
    events = [(e.action, e.entity) for e in audit(services)]
    assert events == [
        ("create", "customer"),
        ("create", "interaction"),
        ("create", "task"),
        ("update", "task"),
    ]
    created, *_, done = audit(services)
    assert created.actor_rep_id == admin.id and created.platform == "console"
    assert created.at == services.clock()
    assert created.changes["name"] == [None, "Acme Corporation"]
    assert created.changes["phone"] == [None, "+905325551234"]
    assert done.changes["status"] == ["open", "done"]
    assert set(done.changes) == {"status", "done_at"}


def test_stage_move_is_audited(services, chat: Chat) -> None:
    add_customer(services, "Acme Corporation")
    chat.say("/deal add acme renewal 40000")
    chat.say("/stage renewal won")
    update = [e for e in audit(services) if e.action == "update" and e.entity == "deal"][-1]
    assert update.changes["stage_id"][0] != update.changes["stage_id"][1]
    assert update.changes["closed_at"][0] is None and update.changes["closed_at"][1]


def test_a_question_or_refusal_writes_nothing(services, chat: Chat) -> None:
    add_customer(services, "Acme Corporation")
    chat.say("/log call acme intro next: send deck yesterday")  # asks about the past date
    assert (count(services, Interaction), count(services, Task), audit(services)) == (0, 0, [])


def test_help_lists_every_command_with_examples(chat: Chat) -> None:
    text = chat.say("/help").text
    listed = {line.split(" — ")[0] for line in text.splitlines()}  # "/name — what it does"
    for spec in REGISTRY.values():
        assert (f"/{spec.name}" in listed) != spec.hidden, spec.name
    detail = chat.say("/help log")
    assert "Usage: /log <call|meeting|visit|email|note>" in detail.text
    assert detail.buttons[0].command.startswith("/log call ")
    assert "There is no command" in chat.say("/help dance").text


def test_language_switch_and_turkish_replies(services, chat: Chat) -> None:
    assert chat.say("/lang tr").text == "Bundan sonra Türkçe yanıt vereceğim."
    assert chat.say("/fnd x").text.startswith('"fnd" komutunu tanımıyorum')
    assert "Kullanım: /find" in chat.say("/find").text
    assert chat.say("/dil en").text == "I'll answer in English from now on."
    assert "Choose a language: en, tr." in chat.say("/lang de").text


def test_turkish_aliases(services, chat: Chat) -> None:
    add_customer(services, "Uğur Özmen")
    assert chat.say("/bul ugur").card is not None
    assert chat.say("/gorev teklif gönder yarın 14:00").text.startswith("Task set: teklif gönder")
    assert chat.say("/gorevler").text.startswith("Your open tasks (1)")


def test_a_repeated_delivery_runs_once(services, chat: Chat) -> None:
    add_customer(services, "Acme Corporation")
    first = Incoming("console", "c", str(chat.rep.id), "/log call acme hello", delivery_key="u-7")
    assert asyncio.run(chat.dispatcher.handle(first))[0].text.startswith("Logged")
    assert asyncio.run(chat.dispatcher.handle(first)) == []
    assert count(services, Interaction) == 1


def test_a_failed_delivery_may_be_retried(services, chat: Chat, register) -> None:
    register("explode")
    attempt = Incoming("console", "c", str(chat.rep.id), "/explode", delivery_key="u-8")
    assert "nothing was saved" in asyncio.run(chat.dispatcher.handle(attempt))[0].text
    assert "nothing was saved" in asyncio.run(chat.dispatcher.handle(attempt))[0].text


def test_strangers_in_groups_get_silence(services) -> None:
    group = Incoming("telegram", "-100", "42", "/find acme", is_private=False)
    assert asyncio.run(Chat(services, add_rep(services, "X")).dispatcher.handle(group)) == []
