"""A burst: 200 reps each send 5 commands within one second, through the real dispatcher.

Why: what a busy morning looks like is many reps at once, not one rep sending commands one
after another (``bench_dispatch.py``). Each message carries a delivery key, as the adapters
pass them, so the per-delivery statements are paid; the rate limits stay at their defaults.
The mix per rep: /find by name (3 in 10 with a typo), /find by phone, /log by #id,
/deal add by #id, /tasks.

The reps: 20 managers with 9 reps each (``CRM_VISIBILITY=team``), owning 95% of the customers
among them, so a command pays the scope as most commands of a real team do: each finds a
customer it may read (its own, a teammate's or an unowned one) and writes to one it may change
(its own or an unowned one). ``--admins`` makes all 200 admins instead, who skip the scope.

Printed: time to answer (from the moment a message is due to its answer) p50/p99, commands/s,
errors, statements per command by kind, CPU per command (this process's ``process_time``
over the burst; on PostgreSQL, its backends' CPU besides, read from ``/proc`` when the server
runs on this machine), and the floor: an
empty python-telegram-bot handler, measured the same way (CPU per update).

    .venv/bin/python bench/bench_burst.py                      # SQLite, 100,000 customers
    .venv/bin/python bench/bench_burst.py --url postgresql+psycopg://postgres@127.0.0.1:5433/x
    .venv/bin/python bench/bench_burst.py --n 10000 --workers 1   # compare pool sizes
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import pstats
import random
import statistics
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from bulkload import load
from burst_checks import pg_backend_cpu
from measure import ErrorCount, fmt_summary, revision, save, summary
from names import generate
from sqlalchemy import bindparam, event, text, update
from sqlmodel import select
from variants import with_typo

from bot.app import build_services, prepare_database
from bot.dispatcher import Dispatcher
from handlers.kit import Incoming, Reply, Services, Settings
from storage import migrate
from storage.models import Customer, Rep
from storage.types import utcnow

REPS = 200
MANAGERS = 20  # each with (REPS - MANAGERS) / MANAGERS reps
UNOWNED = 0.05  # share of customers nobody owns
PER_REP = 5
SPREAD_S = 1.0
P99_TARGET_S = 2.0
CPU_FACTOR = 15  # per-command CPU at most this many times the empty handler's
FLOOR_UPDATES = 3000


class Statements:
    """Statements per command, by the worker thread that ran them (each runs one at a time).

    With ``keep``, the text of each thread's statements too (``--show-statements``)."""

    def __init__(self, keep: bool = False) -> None:
        self.by_thread: dict[int, int] = defaultdict(int)
        self.keep = keep
        self.texts: dict[int, list[str]] = defaultdict(list)

    def __call__(self, *args: Any) -> None:
        self.by_thread[threading.get_ident()] += 1
        if self.keep:
            self.texts[threading.get_ident()].append(" ".join(str(args[2]).split())[:160])

    def said(self) -> list[str]:
        """The statements' text since the last call, on this thread."""
        return self.texts.pop(threading.get_ident(), [])

    def take(self) -> int:
        """Statements since the last take, on this thread."""
        return self.by_thread.pop(threading.get_ident(), 0)


def settings_for(url: str, workers: int | None) -> Settings:
    """The bench's settings, the same in every process that serves the burst."""
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        crm_database_url=url,
        crm_language="en",
        crm_timezone="Europe/Istanbul",
        crm_phone_region="TR",
        crm_workers=workers,
    )


def setup(url: str, workers: int | None) -> Services:
    services = build_services(settings_for(url, workers))
    if not services.db.is_sqlite:  # a scratch database: start from nothing
        with services.db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    migrate.upgrade(services.db)
    prepare_database(services)
    return services


def add_reps(services: Services, admins: bool) -> list[int]:
    """The reps' ids, managers first; each rep reports to one of them (unless ``admins``)."""
    with services.db.session(write=True) as session:
        if admins:
            people = [Rep(name=f"Bench Rep {i:03d}", role="admin") for i in range(REPS)]
            session.add_all(people)
            session.flush()
            return [r.id for r in people if r.id is not None]
        bosses = [Rep(name=f"Bench Manager {i:02d}", role="manager") for i in range(MANAGERS)]
        session.add_all(bosses)
        session.flush()
        people = [
            Rep(name=f"Bench Rep {i:03d}", role="rep", manager_id=bosses[i % MANAGERS].id)
            for i in range(REPS - MANAGERS)
        ]
        session.add_all(people)
        session.flush()
        return [r.id for r in [*bosses, *people] if r.id is not None]


def settle(services: Services) -> None:
    """On PostgreSQL, what autovacuum does soon after a load: the load and ``spread_owners``
    leave every customer row with a dead version and unset hint bits, which the burst's first
    reads then paid for (its backends' CPU read 5.2 ms a command, 1-2 ms on a settled book).
    A book in service has been vacuumed. SQLite keeps no dead versions and is never ANALYZEd
    in service, so it is left as loaded."""
    if services.db.is_sqlite:
        return
    with services.db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")


def owner_of(index: int, rep_ids: list[int], rng: random.Random) -> int | None:
    return None if rng.random() < UNOWNED else rep_ids[index % len(rep_ids)]


def spread_owners(services: Services, owners: list[int | None]) -> None:
    """Give the loaded customers (ids 1..n in order) their owners, in one executemany."""
    with services.db.engine.begin() as conn:
        conn.execute(
            update(Customer).where(Customer.id == bindparam("cid")).values(owner_id=bindparam("o")),
            [{"cid": i + 1, "o": owner} for i, owner in enumerate(owners)],
        )


class Book:
    """Which customers each rep may read and change, as ``handlers.kit.visibility`` says."""

    def __init__(self, services: Services, owners: list[int | None], admins: bool) -> None:
        self.everyone = list(range(len(owners)))
        self.admins = admins
        by_owner: dict[int | None, list[int]] = defaultdict(list)
        for index, owner in enumerate(owners):
            by_owner[owner].append(index)
        self.by_owner = by_owner
        with services.db.session() as session:
            self.manager = {r.id: r.manager_id for r in session.exec(select(Rep))}

    @classmethod
    def for_admins(cls, n: int) -> Book:
        """A book of ``n`` customers whose reps are all admins: each reads and changes all."""
        book = cls.__new__(cls)
        book.everyone, book.admins, book.by_owner, book.manager = list(range(n)), True, {}, {}
        return book

    def team(self, rep_id: int) -> list[int]:
        boss = self.manager[rep_id]
        if boss is None:  # a manager: their reps and themselves
            return [rep_id, *(r for r, b in self.manager.items() if b == rep_id)]
        return [r for r, b in self.manager.items() if b == boss]

    def readable(self, rep_id: int) -> list[int]:
        if self.admins:
            return self.everyone
        return [i for owner in [*self.team(rep_id), None] for i in self.by_owner[owner]]

    def changeable(self, rep_id: int) -> list[int]:
        if self.admins:
            return self.everyone
        if self.manager[rep_id] is None:
            return self.readable(rep_id)
        return self.by_owner[rep_id] + self.by_owner[None]


# A share of the names typed with a slip, as ``bench_dispatch`` sends them: a name typed whole
# resolves without the ranked search (``handlers.refs``), one with a typo takes it.
TYPOS = 0.3


def mix(rep_id: int, book: Book, records: list[Any], rng: random.Random) -> list[tuple[str, str]]:
    """The rep's five commands: (kind, text)."""
    readable = book.readable(rep_id)
    named = rng.choice(readable)
    phoned = rng.choice([i for i in rng.sample(readable, 50) if records[i].phone] or [named])
    target = rng.choice(book.changeable(rep_id)) + 1
    name = records[named].name
    if rng.random() < TYPOS:
        name = with_typo(name, rng)
    return [
        ("find name", f"/find {name}"),
        ("find phone", f"/find {records[phoned].phone}"),
        ("log", f"/log call #{target} discussed pricing with rep {rep_id}"),
        ("deal add", f"/deal add #{target} renewal {rng.randrange(1, 900)}000"),
        ("tasks", "/tasks"),
    ]


async def burst(
    dispatcher: Dispatcher,
    plan: list[tuple[float, Incoming, str]],
    statements: Statements,
    profile: cProfile.Profile | None = None,
) -> tuple[dict[str, list[float]], dict[str, list[int]], int]:
    """Send each message at its time; (answer times in s by kind, statements by kind, bad).

    ``profile``: enabled around each command on the worker thread that runs it (the event
    loop's thread only waits), so with one worker it sees every command's own work."""
    answered: dict[str, list[float]] = defaultdict(list)
    counted: dict[str, list[int]] = defaultdict(list)
    bad = [0]
    start = time.perf_counter()
    shown: set[str] = set()

    def counting(message: Incoming, kind: str) -> list[Reply]:
        statements.take()
        statements.said()
        if profile is not None:
            profile.enable()
        try:
            replies = dispatcher._run(message)
        finally:
            if profile is not None:
                profile.disable()
        said = statements.said()
        if statements.keep and kind not in shown:
            shown.add(kind)
            print(f"  -- {kind}: {len(said)} statements")
            for line in said:
                print(f"     {line}")
        return [*replies, Reply(str(statements.take()))]

    async def one(at: float, message: Incoming, kind: str) -> None:
        await asyncio.sleep(max(0.0, start + at - time.perf_counter()))
        due = start + at
        key = (message.platform, message.chat_id)
        future = dispatcher.workers.submit(key, lambda: counting(message, kind))
        replies = await asyncio.wrap_future(future)
        answered[kind].append(time.perf_counter() - due)
        counted[kind].append(int(replies.pop().text))
        if not replies or "reference" in replies[0].text.lower() or "saved" in replies[0].text:
            bad[0] += 1

    await asyncio.gather(*(one(at, m, kind) for at, m, kind in plan))
    return answered, counted, bad[0]


def floor_us(rounds: int = 5) -> float:
    """CPU per update of an empty python-telegram-bot handler, against the tests' fake API.

    This thread's CPU, not the process's (a dispatcher's threads may still be busy after a
    burst), and the median of ``rounds`` rounds: one round read 81-186 us from run to run."""
    from telegram import Update
    from telegram.ext import Application, MessageHandler, filters

    from tests.fakes.telegram_api import FakeBotAPI

    async def noop(_update: Any, _context: Any) -> None:
        return None

    async def run() -> float:
        api = FakeBotAPI("1:bench")
        base = await api.start()
        app = Application.builder().token("1:bench").base_url(base).updater(None).build()
        app.add_handler(MessageHandler(filters.ALL, noop))
        await app.initialize()
        message = {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 5, "type": "private"},
            "from": {"id": 5, "is_bot": False, "first_name": "A"},
            "text": "/find x",
        }
        spent = []
        for _ in range(rounds):
            cpu = time.thread_time()
            for i in range(FLOOR_UPDATES):
                update = Update.de_json({"update_id": i, "message": message}, app.bot)
                await app.process_update(update)
            spent.append(time.thread_time() - cpu)
        await app.shutdown()
        await api.stop()
        return statistics.median(spent) / FLOOR_UPDATES * 1e6

    return asyncio.run(run())


def main() -> None:
    ap = argparse.ArgumentParser(description="200 reps x 5 commands within one second")
    ap.add_argument("--n", type=int, default=100_000, help="customers")
    ap.add_argument("--url", help="a scratch PostgreSQL database (wiped); default SQLite")
    ap.add_argument("--workers", type=int, help="command workers (default: the product's own)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--admins", action="store_true", help="all 200 reps admins (no scope)")
    ap.add_argument("--profile", action="store_true", help="cProfile the commands (1 worker)")
    ap.add_argument("--profile-out", help="with --profile: also dump the stats to this file")
    ap.add_argument("--show-statements", action="store_true", help="SQL of one of each kind")
    args = ap.parse_args()
    errors = ErrorCount()
    logging.getLogger("bot.dispatcher").addHandler(errors)
    with tempfile.TemporaryDirectory(prefix="crm-burst-") as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'burst.sqlite3'}"
        engine = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
        print(
            f"Burst: {REPS} reps x {PER_REP} commands within {SPREAD_S:.0f} s, {engine}, "
            f"{args.n:,} customers, {settings_for(url, args.workers).command_workers} workers, "
            f"{'all admins' if args.admins else f'{MANAGERS} managers with teams'}; "
            f"code {revision()}"
        )
        services = setup(url, args.workers)
        rep_ids = add_reps(services, args.admins)
        records = generate(args.n, seed=args.seed)
        started = time.perf_counter()
        load(services.db, records, args.n * 2, rep_ids[0], utcnow(), args.seed)
        owners_rng = random.Random(args.seed)
        if args.admins:
            owners: list[int | None] = [rep_ids[0]] * args.n
        else:
            owners = [owner_of(i, rep_ids, owners_rng) for i in range(args.n)]
            spread_owners(services, owners)
        settle(services)
        book = Book(services, owners, args.admins)
        print(f"  load: {time.perf_counter() - started:.1f} s")
        dispatcher = Dispatcher(services)
        statements = Statements(keep=args.show_statements)
        event.listen(services.db.engine, "before_cursor_execute", statements)
        rng = random.Random(args.seed)
        plan: list[tuple[float, Incoming, str]] = []
        for rep_id in rep_ids:
            for j, (kind, typed) in enumerate(mix(rep_id, book, records, rng)):
                message = Incoming(
                    "console",
                    f"chat-{rep_id}",
                    str(rep_id),
                    typed,
                    message_id=f"{rep_id}-{j}",
                    delivery_key=f"u-{rep_id}-{j}",
                )
                plan.append((rng.uniform(0, SPREAD_S), message, kind))
        plan.sort(key=lambda p: p[0])
        cold = time.perf_counter()
        asyncio.run(dispatcher.handle(Incoming("console", "warm", str(rep_ids[0]), "/find x")))
        print(f"  first /find after start (builds the index): {time.perf_counter() - cold:.2f} s")
        server = pg_backend_cpu(url) if engine == "PostgreSQL" else None
        cpu, wall = time.process_time(), time.perf_counter()
        profile = cProfile.Profile() if args.profile else None
        if profile is not None and services.settings.command_workers != 1:
            raise SystemExit("--profile needs --workers 1 (one profiler, one thread at a time)")
        answered, counted, bad = asyncio.run(burst(dispatcher, plan, statements, profile))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        server = pg_backend_cpu(url, since=server) if server is not None else None
        total = sum(len(v) for v in answered.values())
        every = [s for v in answered.values() for s in v]
        stats = summary([s * 1000 for s in every])
        print(f"  {total} commands in {wall:.2f} s: {total / wall:.0f} commands/s")
        print(f"  time to answer: {fmt_summary(stats)}")
        for kind in sorted(answered):
            kinds = Counter(counted[kind])
            print(
                f"    {kind:<11} {fmt_summary(summary([s * 1000 for s in answered[kind]]))}; "
                f"statements {dict(sorted(kinds.items()))}"
            )
        print(f"  errors: {errors.count} logged, {bad} bad answers")
        per_command_us = cpu / total * 1e6
        floor = floor_us()
        print(
            f"  CPU per command {per_command_us / 1000:.2f} ms; empty PTB handler floor "
            f"{floor:.0f} us: {per_command_us / floor:.0f}x (target <= {CPU_FACTOR}x)"
        )
        server_ms = None
        if server is not None and server["cpu_s"] is not None:
            server_ms = server["cpu_s"] * 1000 / total
            print(
                f"  PostgreSQL backends' CPU: {server_ms:.2f} ms per command "
                f"({server['backends']} backends)"
            )
        p99 = stats["p99"] / 1000
        print(f"  target p99 <= {P99_TARGET_S} s: {'met' if p99 <= P99_TARGET_S else 'NOT met'}")
        save(
            f"bench_burst_{engine.lower()}_{args.n}",
            {
                "n": args.n,
                "engine": engine,
                "workers": services.settings.command_workers,
                "admins": args.admins,
                "revision": revision(),
                "commands": total,
                "commands_per_s": total / wall,
                "answer_ms": stats,
                "cpu_per_command_ms": per_command_us / 1000,
                "server_cpu_per_command_ms": server_ms,
                "floor_us": floor,
                "errors": errors.count,
                "bad_answers": bad,
            },
        )
        if profile is not None:
            pstats.Stats(profile).sort_stats("tottime").print_stats(40)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(60)
            if args.profile_out:
                profile.dump_stats(args.profile_out)
        services.db.dispose()


if __name__ == "__main__":
    main()
