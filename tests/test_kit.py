"""The kit's promises: a registry that refuses clashes and loads every command module, a
read-only command that cannot write a CRM record, and keywords read from the catalogs."""

from __future__ import annotations

import logging
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

import handlers
from handlers.kit import (
    REGISTRY,
    Context,
    RegistryClash,
    Reply,
    command,
    is_keyword,
    keywords,
    lookup,
    unregister,
)
from handlers.kit.i18n import catalog
from storage import customers
from storage.guard import SIDE_TABLES
from storage.models import ChatFlow, Customer
from tests.conftest import Chat, add_customer, count, rows


@pytest.fixture
def throwaway() -> Iterator[list[str]]:
    """Names registered by a test, forgotten afterwards."""
    names: list[str] = []
    yield names
    for name in names:
        unregister(name)


def test_a_name_claimed_twice_fails_with_both_places_named():
    def find_again(ctx: Context) -> Reply:
        return Reply("never")

    with pytest.raises(RegistryClash) as clash:
        command("lookup", writes=False, aliases=("bul",))(find_again)
    message = str(clash.value)
    assert '"bul"' in message
    assert "handlers.customers.find" in message
    assert "find_again" in message
    assert "lookup" not in REGISTRY  # nothing half-registered


def test_an_alias_folds_before_it_clashes(throwaway):
    def upper(ctx: Context) -> Reply:
        return Reply("never")

    with pytest.raises(RegistryClash, match="/customer add"):
        command("müşteri ekle", writes=True)(upper)  # folds to "musteri ekle", an alias


def test_registering_the_same_handler_again_replaces_it(throwaway):
    def ping(ctx: Context) -> Reply:
        return Reply("pong")

    command("ping", writes=False)(ping)
    throwaway.append("ping")
    command("ping", writes=False, aliases=("pingle",))(ping)  # a module imported twice
    assert lookup(["pingle"])[0] is REGISTRY["ping"]


def test_an_async_handler_is_refused():
    async def slow(ctx: Context) -> Reply:
        return Reply("never")

    with pytest.raises(TypeError, match="plain function"):
        command("slow", writes=False)(slow)  # type: ignore[arg-type]


def test_every_module_of_handlers_is_imported_and_its_commands_registered():
    found = {m.name for m in pkgutil.iter_modules(handlers.__path__) if not m.ispkg}
    loaded = {m.__name__.rsplit(".", 1)[1] for m in handlers.COMMAND_MODULES}
    assert found == loaded
    registered = {spec.handler.__module__ for spec in REGISTRY.values()}
    folder = Path(handlers.__file__).parent
    declaring = {
        f"handlers.{name}"
        for name in found
        if "@command(" in (folder / f"{name}.py").read_text(encoding="utf-8")
    }
    assert declaring and declaring <= registered
    assert {"handlers.customers", "handlers.tasks", "handlers.subscriptions"} <= declaring


def test_a_read_only_command_cannot_write_a_record(chat: Chat, throwaway, caplog):
    def sneaky(ctx: Context) -> Reply:
        customers.create(ctx.session, Customer(name="Written By A Reader"))
        return Reply("done")

    command("sneaky", writes=False)(sneaky)
    throwaway.append("sneaky")
    with caplog.at_level(logging.ERROR, logger="bot.dispatcher"):
        reply = chat.say("/sneaky")
    assert "nothing was saved" in reply.text
    assert "ReadOnlyViolation" in caplog.text and "customer" in caplog.text
    assert [c.name for c in rows(chat.services, Customer)] == []


def test_a_read_only_command_cannot_write_in_bulk_either(chat: Chat, throwaway):
    acme = add_customer(chat.services, "Acme Corporation")

    def renamer(ctx: Context) -> Reply:
        ctx.session.exec(update(Customer).where(Customer.id == acme.id).values(name="Renamed"))
        return Reply("done")

    command("renamer", writes=False)(renamer)
    throwaway.append("renamer")
    assert "nothing was saved" in chat.say("/renamer").text
    assert [c.name for c in rows(chat.services, Customer)] == ["Acme Corporation"]


def test_a_read_only_command_may_still_ask_a_question(chat: Chat, throwaway):
    """Guided-flow state is a side table: a reader may keep it, and nothing else."""

    def asker(ctx: Context) -> Reply:
        return ctx.ask("Which one?", "/find")

    command("asker", writes=False)(asker)
    throwaway.append("asker")
    assert chat.say("/asker").text.startswith("Which one?")
    assert count(chat.services, ChatFlow) == 1
    assert {
        "chatflow",
        "processedevent",
        "buttoncommand",
        "notice",
        "ratecounter",
        "accesslog",
    } == SIDE_TABLES


def test_declared_writers_still_write(chat: Chat):
    chat.say("/customer add Zeytin Dalı Kooperatifi")
    assert [c.name for c in rows(chat.services, Customer)] == ["Zeytin Dalı Kooperatifi"]


def test_keywords_come_from_both_catalogs_and_fold():
    assert is_keyword("TÜMÜ", "kw.all") and is_keyword("tumu", "kw.all")
    assert is_keyword("all", "kw.all") and not is_keyword("mine", "kw.all")
    assert is_keyword("Gecikmiş", "kw.overdue") and is_keyword("overdue", "kw.overdue")
    assert {"ziyaret", "visit"} <= keywords("kw.kind.visit")


@pytest.mark.parametrize("group", ["kw.kind.", "kw.subscribe.", "kw.amount.", "kw."])
def test_no_keyword_means_two_things_in_one_group(group):
    keys = {k for k in catalog("en") if k.startswith(group) and "." not in k.removeprefix(group)}
    assert keys
    seen: dict[str, str] = {}
    for key in sorted(keys):
        for word in keywords(key):
            assert word not in seen, f"{word!r} is in both {seen[word]} and {key}"
            seen[word] = key
