"""Commands of different chats at once, one chat's in order: the worker pool (``bot.worker``),
SQLite's one writer and the shared name index under threads, on both engines.

Overlap is proven with barriers and events inside real code paths (a statement of a real
command, a job of the pool), never with sleeps: a barrier that two commands must reach
together breaks, and its command fails, if they ran one after the other."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session, col, select

from bot.app import build_services
from bot.dispatcher import Dispatcher
from bot.worker import ChatOrderedPool
from handlers.kit import Incoming, Reply, Services
from storage.models import Customer, Interaction
from storage.search import NameIndex
from tests.conftest import FakeClock, add_customer, add_rep, make_settings

WAIT_S = 10.0  # how long a barrier waits before it breaks: a failure path only


@pytest.fixture
def pooled(tmp_path: Path, clock: FakeClock, template: Any) -> Iterator[Services]:
    """Eight workers, rate limits off (so a read command's transaction is a plain read)."""
    settings = make_settings(
        tmp_path,
        crm_database_url=template.fresh(tmp_path),
        crm_workers=8,
        crm_rate_commands_per_minute=0,
        crm_rate_writes_per_minute=0,
    )
    svc = build_services(settings, clock)
    yield svc
    svc.db.dispose()


async def _send_all(dispatcher: Dispatcher, messages: list[Incoming]) -> list[list[Reply]]:
    """Hand every message to the dispatcher at once, as adapters do under a burst."""
    return list(await asyncio.gather(*(dispatcher.handle(m) for m in messages)))


def test_the_pool_runs_other_chats_while_one_chat_waits_its_turn() -> None:
    pool = ChatOrderedPool(workers=2)
    release = threading.Event()
    ran: list[str] = []

    def first() -> str:
        assert release.wait(WAIT_S), "never released"
        ran.append("a1")
        return "a1"

    a1 = pool.submit(("console", "a"), first)
    a2 = pool.submit(("console", "a"), lambda: ran.append("a2") or "a2")
    b1 = pool.submit(("console", "b"), lambda: ran.append("b1") or "b1")
    assert b1.result(WAIT_S) == "b1"  # chat b ran while chat a's first message still ran
    assert not a2.done() and ran == ["b1"]  # chat a's second waits for its first
    release.set()
    assert (a1.result(WAIT_S), a2.result(WAIT_S)) == ("a1", "a2")
    assert ran == ["b1", "a1", "a2"]
    assert pool.busy_chats() == 0


def test_a_failing_message_does_not_stop_its_chat() -> None:
    pool = ChatOrderedPool(workers=2)

    def boom() -> None:
        raise ValueError("bad")

    failed = pool.submit("chat", boom)
    after = pool.submit("chat", lambda: "next")
    assert after.result(WAIT_S) == "next"
    assert isinstance(failed.exception(WAIT_S), ValueError)


def test_two_chats_commands_overlap_inside_the_database_work(pooled: Services) -> None:
    """PostgreSQL: each worker's first statement waits for the other's, so only commands
    running at the same time pass. SQLite has one writer and every command writes (a card
    shown is logged): the two run on two workers, the second waiting for the first's commit."""
    add_customer(pooled, "Acme Lojistik")
    admin = add_rep(pooled, "Elif Şahin", role="admin")
    meet = threading.Barrier(1 if pooled.db.is_sqlite else 2, timeout=WAIT_S)
    met: set[int] = set()
    dispatcher = Dispatcher(pooled)
    # The first command is held until the second is handed over: one that ended before it
    # would leave its worker idle, and the pool would reuse that worker for the second.
    both_sent = threading.Event()
    submit = dispatcher.workers.submit

    def counted(key: Any, fn: Any) -> Any:
        future = submit(key, fn)
        if dispatcher.workers.busy_chats() == 2:
            both_sent.set()
        return future

    dispatcher.workers.submit = counted  # type: ignore[method-assign]

    def both_inside(*_args: Any) -> None:
        me = threading.get_ident()
        if threading.current_thread().name.startswith("crm-commands") and me not in met:
            met.add(me)
            assert both_sent.wait(WAIT_S)
            meet.wait()

    event.listen(pooled.db.engine, "before_cursor_execute", both_inside)
    try:
        replies = asyncio.run(
            _send_all(
                dispatcher,
                [Incoming("console", chat, str(admin.id), "/find acme") for chat in ("c1", "c2")],
            )
        )
    finally:
        event.remove(pooled.db.engine, "before_cursor_execute", both_inside)
    assert len(met) == 2 and not meet.broken  # two workers, each inside a command
    for answer in replies:
        assert answer[0].card is not None and "Acme Lojistik" in answer[0].text


def test_one_chats_messages_keep_their_order_while_other_chats_run(pooled: Services) -> None:
    add_customer(pooled, "Acme Lojistik")
    admin = add_rep(pooled, "Elif Şahin", role="admin")
    others = [add_rep(pooled, f"Rep {i}", role="admin") for i in range(6)]
    ours = [
        Incoming("console", "ordered", str(admin.id), f"/log note acme step {i:02d}")
        for i in range(12)
    ]
    theirs = [
        Incoming("console", f"other-{r.id}", str(r.id), f"/log note acme from {r.id} {i}")
        for r in others
        for i in range(3)
    ]
    mixed: list[Incoming] = []
    for i in range(max(len(ours), len(theirs))):
        mixed += [*ours[i : i + 1], *theirs[i : i + 1]]
    assert sorted(m.text for m in mixed if m.chat_id == "ordered") == [m.text for m in ours]
    replies = asyncio.run(_send_all(Dispatcher(pooled), mixed))
    assert all(r and r[0].text.startswith("Logged") for r in replies), replies
    with Session(pooled.db.engine) as s:
        query = select(Interaction).where(Interaction.rep_id == admin.id)
        stored = list(s.exec(query.order_by(col(Interaction.id))))
    assert [i.summary for i in stored] == [f"step {i:02d}" for i in range(12)]


def test_a_burst_of_writes_from_many_chats_is_never_locked_out(pooled: Services) -> None:
    """Forty chats write at once on eight workers: each waits its turn, none is refused."""
    add_customer(pooled, "Acme Lojistik")
    reps = [add_rep(pooled, f"Rep {i}", role="admin") for i in range(40)]
    burst = [
        Incoming("console", f"chat-{r.id}", str(r.id), f"/log call acme burst {r.id}",
                 message_id=f"m-{r.id}")
        for r in reps
    ]  # fmt: skip
    replies = asyncio.run(_send_all(Dispatcher(pooled), burst))
    assert all(r and r[0].text.startswith("Logged") for r in replies), replies
    with Session(pooled.db.engine) as s:
        summaries = {i.summary for i in s.exec(select(Interaction))}
    assert summaries == {f"burst {r.id}" for r in reps}


def test_the_index_stays_whole_under_concurrent_refreshes_and_searches(services: Services) -> None:
    """Writers add customers while four threads refresh and search the shared index."""
    index = NameIndex()
    with services.db.session() as s:
        index.refresh(s)
    problems: list[BaseException] = []
    stop = threading.Event()
    names = [f"Şirket{n:03d} Lojistik" for n in range(60)]

    def write() -> None:
        for name in names:
            add_customer(services, name)
        stop.set()

    def read() -> None:
        try:
            while not stop.is_set():
                with services.db.session() as s:
                    index.refresh(s)
                for match in index.search("lojistik", limit=5):
                    assert index.knows("lojistik") and match.customer_id > 0
        except BaseException as problem:  # handed to the test thread
            problems.append(problem)
            stop.set()

    threads = [threading.Thread(target=write), *(threading.Thread(target=read) for _ in range(4))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not problems, problems
    with services.db.session() as s:
        index.refresh(s)
        ids = {c.name: c.id for c in s.exec(select(Customer))}
    assert len(index) == len(names)
    for name in names:
        assert index.named(name) == [ids[name]]


def test_a_refresh_asked_for_during_another_waits_and_shares_it(services: Services) -> None:
    """Callers that arrive while a refresh runs wait for it; if another refresh began after
    they asked, they use it instead of reading again."""
    index = NameIndex()
    with services.db.session() as s:
        index.refresh(s)
    add_customer(services, "Acme Lojistik")
    inside, go_on = threading.Event(), threading.Event()
    statements: list[str] = []

    def hold(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if threading.current_thread().name == "first" and not inside.is_set():
            inside.set()  # the first refresh is reading: others now arrive behind it
            assert go_on.wait(WAIT_S)
        statements.append(threading.current_thread().name)

    def refresh() -> None:
        with services.db.session() as s:
            index.refresh(s)

    event.listen(services.db.engine, "before_cursor_execute", hold)
    try:
        first = threading.Thread(target=refresh, name="first")
        first.start()
        assert inside.wait(WAIT_S)
        later = [threading.Thread(target=refresh, name=f"later-{i}") for i in range(3)]
        for thread in later:
            thread.start()
        go_on.set()
        for thread in [first, *later]:
            thread.join(WAIT_S)
    finally:
        event.remove(services.db.engine, "before_cursor_execute", hold)
    # The three latecomers arrived during the first refresh: one of them refreshes again
    # (the first's snapshot may predate them), the other two share that one.
    refreshers = {name for name in statements if name.startswith("later")}
    assert len(refreshers) == 1, statements
    assert index.named("acme lojistik")


@pytest.mark.parametrize(
    ("url", "workers", "expected"),
    [
        ("sqlite:///crm.sqlite3", None, 1),  # every command takes the writer turn: one thread
        ("postgresql+psycopg://crm@db/crm", None, 4),
        ("sqlite:///crm.sqlite3", 3, 3),  # CRM_WORKERS, when set, is taken as it is
        ("postgresql+psycopg://crm@db/crm", 8, 8),
    ],
)
def test_the_worker_count_follows_the_engine_unless_set(tmp_path, url, workers, expected):
    settings = make_settings(tmp_path, crm_database_url=url, crm_workers=workers)
    assert settings.command_workers == expected
