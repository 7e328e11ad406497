"""The name index built in the background at start-up: commands answered from the database
while it is cold, nothing written meanwhile missed (storage.search_cold,
NameIndex.build_in_background). The build is held between reading the rows and storing them
by events, never by sleeping."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlmodel import select

from handlers.kit import Services
from storage.models import Customer, Interaction
from storage.search import NameIndex, pick
from tests.conftest import Chat, add_customer, rows

WAIT_S = 60  # a bound on event waits so a broken build fails the test instead of hanging it

NAMES = [
    "Uğur Özmen",
    "Ayşe Özmen",
    "Anadolu Lojistik A.Ş.",
    "Mehmet Yıldırım",
    "Mehmet Yıldırım",
    "Acme Corporation",
    "Şahin Şahin",
]


@dataclass
class Held:
    """A background build stopped after reading the rows, until ``release``."""

    thread: threading.Thread
    go: threading.Event

    def release(self) -> None:
        self.go.set()
        self.thread.join(WAIT_S)
        assert not self.thread.is_alive()


@pytest.fixture
def book(services: Services) -> dict[str, int]:
    ids: dict[str, int] = {}
    for name in NAMES:
        customer = add_customer(services, name)
        assert customer.id is not None
        ids.setdefault(name, customer.id)
    return ids


def hold(index: NameIndex, services: Services) -> Held:
    read, go = threading.Event(), threading.Event()

    def after_read() -> None:
        read.set()
        go.wait(WAIT_S)

    thread = index.build_in_background(services.db.engine, at_once_below=0, after_read=after_read)
    assert thread is not None
    assert read.wait(WAIT_S)
    return Held(thread, go)


@pytest.fixture
def held(services: Services, book: dict[str, int]) -> Iterator[Held]:
    building = hold(services.index, services)
    yield building
    building.go.set()
    building.thread.join(WAIT_S)


def test_commands_are_answered_from_the_database_while_the_index_builds(
    chat: Chat, book: dict[str, int], held: Held
) -> None:
    assert chat.services.index.cold
    for query in ("ugur ozmen", "Özmen Uğur", "Dr. Uğur Hami Özmen", "anadolu", "acme"):
        reply = chat.say(f"/find {query}")
        wanted = book["Anadolu Lojistik A.Ş."] if query == "anadolu" else book["Uğur Özmen"]
        if query == "acme":
            wanted = book["Acme Corporation"]
        assert reply.card is not None and reply.card.id == wanted, query
    namesakes = chat.say("/find Mehmet Yıldırım")  # homonyms: asked, never guessed
    assert namesakes.card is None and len(namesakes.choices) == 2
    both = chat.say("/find özmen")
    assert both.card is None and len(both.choices) == 2
    assert len(chat.services.index) == 0  # nothing came from the index itself
    held.release()
    assert not chat.services.index.cold


def test_a_log_by_name_while_cold_is_stored_on_the_right_customer(
    chat: Chat, book: dict[str, int], held: Held
) -> None:
    reply = chat.say("/log call ugur ozmen -- talked about the price")
    assert "Uğur Özmen" in reply.text
    logged = rows(chat.services, Interaction)
    assert [i.customer_id for i in logged] == [book["Uğur Özmen"]]


def test_a_customer_written_during_the_build_is_found_during_and_after_it(
    chat: Chat, services: Services, held: Held
) -> None:
    newcomer = add_customer(services, "Zeynep Kaya")  # after the build read its rows
    during = chat.say("/find zeynep kaya")
    assert during.card is not None and during.card.id == newcomer.id
    held.release()
    after = chat.say("/find zeynep kaya")
    assert after.card is not None and after.card.id == newcomer.id
    assert services.index.knows("zeynep")
    assert len(services.index) == len(NAMES) + 1


def test_a_rename_and_an_archive_during_the_build_are_caught_up(
    chat: Chat, services: Services, book: dict[str, int], held: Held
) -> None:
    asked = chat.say(f"/delete customer #{book['Acme Corporation']}")
    assert chat.press(asked, "Delete").buttons  # the restore button
    assert chat.say("/find acme").card is None
    held.release()
    assert chat.say("/find acme").card is None
    assert not services.index.knows("acme")


def test_cold_and_warm_searches_rank_the_same_customers_first(
    services: Services, book: dict[str, int]
) -> None:
    """Cold, a search sees only names holding every query word (or held by the query); those
    come in the warm order, and what may resolve unasked is the same."""
    queries = ["ugur ozmen", "ozmen", "anadolu lojistik", "Şahin Şahin", "mehmet", "acme corp"]
    index = services.index
    building = hold(index, services)
    cold = {q: index.search(q) for q in queries}
    cold_named = {q: index.named(q) for q in queries}
    cold_knows = {w: index.knows(w) for w in ("ozmen", "lojistik", "zzz", "ozm")}
    building.release()
    for query in queries:
        warm = index.search(query)
        found = [m.customer_id for m in cold[query]]
        assert found and found[0] == warm[0].customer_id, query
        assert found == [m.customer_id for m in warm if m.customer_id in found], query
        assert cold[query][0] == warm[0]  # same tier and score
        chosen, warm_chosen = pick(cold[query]), pick(warm)
        assert (chosen and chosen.customer_id) == (warm_chosen and warm_chosen.customer_id)
    assert cold_named == {q: index.named(q) for q in queries}
    assert cold_knows == {"ozmen": True, "lojistik": True, "zzz": False, "ozm": False}


def test_a_small_book_is_built_at_once(services: Services, book: dict[str, int]) -> None:
    assert services.index.build_in_background(services.db.engine) is None
    assert not services.index.cold
    assert len(services.index) == len(NAMES)


def test_a_failed_build_leaves_the_next_command_to_build_it(
    chat: Chat, services: Services, book: dict[str, int]
) -> None:
    def broken() -> None:
        raise RuntimeError("the database went away")

    thread = services.index.build_in_background(
        services.db.engine, at_once_below=0, after_read=broken
    )
    assert thread is not None
    thread.join(WAIT_S)
    assert not services.index.cold and len(services.index) == 0
    reply = chat.say("/find ugur ozmen")
    assert reply.card is not None and reply.card.id == book["Uğur Özmen"]
    with services.db.session() as s:
        assert len(s.exec(select(Customer)).all()) == len(NAMES)
