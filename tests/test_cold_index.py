"""The name index built in the background at start-up: commands answered from the database
while it is cold, nothing written meanwhile missed (storage.search_cold,
NameIndex.build_in_background). The build is held between reading the rows and storing them
by events, never by sleeping."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlmodel import col, select

from handlers.kit import Services
from storage import privacy
from storage.models import Customer, Interaction
from storage.search import NameIndex, pick
from storage.search_cold import NAME_FTS, PG_NAME_INDEX, ColdLookup
from tests.conftest import Chat, add_customer, rows, selects_sent

WAIT_S = 60  # a bound on event waits so a broken build fails the test instead of hanging it
FILLER = 2_000  # customers besides the book, for a plan test

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


def outcome(chat: Chat, query: str) -> tuple[int | None, list[str]]:
    """What a rep sees for /find: the card's id, or the choices offered."""
    reply = chat.say(f"/find {query}")
    return (reply.card.id if reply.card else None), [c.label for c in reply.choices]


def test_a_rename_merge_archive_and_erasure_while_cold_are_seen_as_warm_sees_them(
    chat: Chat, services: Services, book: dict[str, int], held: Held
) -> None:
    """The full-text index follows every write that changes what a name look-up may find
    (its triggers, migration 0023): the cold answers equal the warm index's afterwards."""
    with services.db.session() as s:
        mehmets = s.exec(
            select(Customer.id).where(Customer.name == "Mehmet Yıldırım").order_by(col(Customer.id))
        ).all()
    chat.say(f"/edit #{book['Acme Corporation']} name Kaya İnşaat")
    chat.say(f"/merge #{mehmets[0]} #{mehmets[1]} --confirm")
    chat.press(chat.say(f"/delete customer #{book['Şahin Şahin']}"), "Delete")
    with services.db.session(write=True) as s:
        privacy.forget(s, book["Anadolu Lojistik A.Ş."], services.clock())
    queries = ["kaya insaat", "kaya", "acme", "mehmet yildirim", "sahin", "anadolu", "ugur"]
    words = ("kaya", "acme", "mehmet", "sahin", "anadolu", "lojistik")
    assert services.index.cold
    cold = {q: outcome(chat, q) for q in queries}
    cold_knows = {w: services.index.knows(w) for w in words}
    assert cold["kaya insaat"][0] == book["Acme Corporation"]
    assert cold["mehmet yildirim"][0] == mehmets[0]  # the merged namesake is gone
    assert cold["acme"] == cold["sahin"] == cold["anadolu"] == (None, [])
    assert cold_knows == {
        "kaya": True, "acme": False, "mehmet": True, "sahin": False, "anadolu": False,
        "lojistik": False,
    }  # fmt: skip
    held.release()
    assert {q: outcome(chat, q) for q in queries} == cold
    assert {w: services.index.knows(w) for w in words} == cold_knows


def test_a_rare_word_is_looked_up_in_the_full_text_index(
    services: Services, book: dict[str, int]
) -> None:
    """No cold look-up walks the customer table: a rare or unknown word read all of it when
    it was a LIKE (0.3 s CPU at a million customers). SQLite's plan must search the FTS5
    table; PostgreSQL's, with sequential and plain index scans turned off (at a test's few
    rows it rightly prefers them), must be a bitmap scan of the GIN index, which proves the
    query's expression is the index's (``bench_dispatch.py --url`` shows the plan at scale)."""
    with services.db.session(write=True) as s:  # enough rows for a plan to mean something
        s.add_all(Customer(name=f"Filler W{i}", name_key=f"filler w{i}") for i in range(FILLER))
    lookup = ColdLookup(services.db.engine)
    seen = selects_sent(
        services, lambda: (lookup.candidates(("zzrare", "oz")), lookup.holds("zzrare"))
    )
    assert len(seen) == 3  # the name keys, the words, the word held
    postgres = services.db.engine.dialect.name == "postgresql"
    with services.db.engine.connect() as conn:
        for sql, params in seen:
            if postgres:
                conn.exec_driver_sql("ANALYZE customer")  # else it guesses merges are rare
                conn.exec_driver_sql("SET enable_seqscan = off")
                conn.exec_driver_sql("SET enable_indexscan = off")
                plan = " ".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {sql}", params))
                assert "Seq Scan" not in plan, plan
                if "name_key IN" not in sql:
                    assert PG_NAME_INDEX in plan, plan
            else:
                plan = " ".join(
                    r[-1] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)
                )
                assert "SCAN customer" not in plan.replace("SCAN customer_fts", ""), plan
                if "name_key IN" not in sql:
                    assert f"SCAN {NAME_FTS} VIRTUAL TABLE" in plan, plan


def test_words_that_are_query_syntax_are_looked_up_as_words(services: Services) -> None:
    """FTS5 reads AND, OR, NOT and NEAR as operators, and a bare word with a star or a
    quote as syntax: every word goes quoted, so a name made of them is found, not an error."""
    odd = add_customer(services, "Near Or Not And 2024")
    orhan = add_customer(services, "Orhan Nota")
    lookup = ColdLookup(services.db.engine)
    found = {row[0] for row in lookup.candidates(("near", "or", "not", "and", "2024"))}
    assert found == {odd.id}
    assert {row[0] for row in lookup.candidates(("or", "not"))} == {odd.id, orhan.id}
    assert lookup.holds("and") and lookup.holds("2024") and not lookup.holds("orh")
    stray = lookup.candidates(('or"', "*", "no:t"))  # reduced to plain words, never an error
    assert {row[0] for row in stray} == {odd.id, orhan.id}
