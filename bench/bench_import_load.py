"""A 50,000-row customer import while forty reps keep writing in chat to the same SQLite file.

The import runs through the real CLI code path (``crm-bot import customers FILE``, in this
process). The reps write as in production: from the bot's own process, through one
dispatcher on one event loop, each rep sending ``/log`` (a customer of their book, by name or
``#id``) or ``/task`` about every two seconds, with delivery keys as the adapters send them,
so under the per-rep write limit (30 a minute). Every reply is judged: a write that was not
saved (the rate limit, "nothing was saved", a customer not found, an error) is a failure; a
question (a namesake the import has just added) is counted apart. Why this shape: the first
version had four threads write as one rep, ten times a second, and most of its "writes" were
refused by the rate limit or found no customer, which flattered the wait.

Printed: rows/s overall and per 10,000-row slice (flatness), chat write wait p50/p95/p99/max
(the whole command as the rep feels it, counted only while the import runs), saved / asked /
failed writes, cores, and cold start (the first ``crm-bot`` command on the file). Never run in CI.

    .venv/bin/python bench/bench_import_load.py            # 50,000 rows
    .venv/bin/python bench/bench_import_load.py --n 1000   # smoke
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import import_file
from bulkload import SUMMARIES, load
from measure import parser, revision, save, summary
from names import CustomerGenerator
from sqlalchemy import text

from bot import cli
from bot.app import build_services
from bot.dispatcher import Dispatcher
from handlers.kit import Incoming, Settings
from storage import reps
from storage.folding import name_key
from storage.models import Rep
from storage.transfer import importer

REPS = 40
BOOK = 4_000  # customers already in the CRM before the import, spread over the reps
PACE_S = 2.2  # between one rep's writes: 27 a minute, under the limit of 30 (--pace)


def seed_book(url: str, seed: int) -> dict[int, list[tuple[int, str]]]:
    """The reps, and the book they already work: per rep, (id, name) of customers whose name
    is theirs alone (a name shared by two customers would rightly get a question)."""
    settings = Settings(_env_file=None, crm_database_url=url, crm_language="en")
    services = build_services(settings)
    with services.db.session(write=True) as session:
        ids = [reps.add(session, Rep(name=f"Temsilci {i + 1}", role="rep")).id for i in range(REPS)]
    records = CustomerGenerator(seed + 1).many(BOOK)
    load(services.db, records, 0, ids[0], datetime.now(UTC), seed)
    with services.db.engine.begin() as conn:
        conn.execute(
            text("UPDATE customer SET owner_id = :first + (id % :n)"), {"first": ids[0], "n": REPS}
        )
    keys = Counter(name_key(r.name) for r in records)
    book: dict[int, list[tuple[int, str]]] = {rep_id: [] for rep_id in ids}
    for customer_id, record in enumerate(records, start=1):
        if keys[name_key(record.name)] == 1:
            book[ids[0] + customer_id % REPS].append((customer_id, record.name))
    services.db.dispose()
    return book


def bot_process(
    url: str,
    book: dict[int, list[tuple[int, str]]],
    ready: Any,
    stop: Any,
    results: Any,
    pace: float = PACE_S,
) -> None:
    """The bot's process: one dispatcher, every rep writing at their own pace until ``stop``."""
    settings = Settings(_env_file=None, crm_database_url=url, crm_language="en")
    services = build_services(settings)
    dispatcher = Dispatcher(services)
    log: list[tuple[float, float, str]] = []

    async def run() -> None:
        first = next(iter(book))
        await dispatcher.handle(Incoming("console", "c", str(first), f"/find {book[first][0][1]}"))
        ready.set()  # the name index is built: the import may start
        await asyncio.gather(*(rep(i, rep_id) for i, rep_id in enumerate(book)))

    async def rep(i: int, rep_id: int) -> None:
        rng = random.Random(i)
        await asyncio.sleep(rng.uniform(0, pace))
        n = 0
        while not stop.is_set():
            customer_id, name = rng.choice(book[rep_id])
            ref = f"#{customer_id}" if n % 4 == 0 else name
            text = (
                f"/log call {ref} {rng.choice(SUMMARIES)}"
                if n % 2 == 0
                else f"/task teklifi gönder yarın #{customer_id}"
            )
            key = f"bench-{rep_id}-{n}"
            incoming = Incoming("console", f"c{rep_id}", str(rep_id), text, key, delivery_key=key)
            at, started = time.time(), time.perf_counter()
            replies = await dispatcher.handle(incoming)
            log.append((at, (time.perf_counter() - started) * 1000, judged(replies, text)))
            n += 1
            await asyncio.sleep(rng.uniform(0.75, 1.25) * pace)

    asyncio.run(run())
    results.put(log)
    services.db.dispose()


def judged(replies: list[Any], text: str) -> str:
    """saved, asked (a question: which namesake?) or failed (anything else)."""
    reply = replies[0] if len(replies) == 1 else None
    if reply is None:
        return "failed"
    if reply.choices:
        return "asked"
    saved = "Logged" if text.startswith("/log") else "Task set"
    return "saved" if reply.text.startswith(saved) else "failed"


def main() -> None:
    cli_args = parser("import with concurrent chat writes", 50_000)
    cli_args.add_argument(
        "--pace",
        type=float,
        default=PACE_S,
        help="seconds between one rep's writes (2.2: every rep at its limit; 10: a busy team)",
    )
    args = cli_args.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'crm.sqlite3'}"
        os.environ.update(CRM_DATABASE_URL=url, CRM_LANGUAGE="en")
        csv_path = folder / "customers.csv"
        import_file.write(csv_path, args.n, args.seed)
        cold = time.perf_counter()
        cli.main(["db", "upgrade"])
        cli.main(["rep", "add", "Ayşe Kaya", "--role", "admin"])
        cold_s = time.perf_counter() - cold
        book = seed_book(url, args.seed)
        marks: list[tuple[int, float]] = []
        real_run = importer.run

        def timed_run(*a, **kw):  # the CLI's own call, with progress marks recorded
            step = kw.get("progress")

            def mark(done: int, total: int) -> None:
                marks.append((done, time.perf_counter()))
                if step:
                    step(done, total)

            kw["progress"] = mark
            return real_run(*a, **kw)

        importer.run = timed_run
        spawn = multiprocessing.get_context("spawn")
        ready, stop, results = spawn.Event(), spawn.Event(), spawn.Queue()
        bot = spawn.Process(target=bot_process, args=(url, book, ready, stop, results, args.pace))
        bot.start()
        ready.wait()
        time.sleep(args.pace)  # every rep has begun writing before the import starts
        began, started = time.time(), time.perf_counter()
        code = cli.main(["import", "customers", str(csv_path), "--quiet"])
        total_s = time.perf_counter() - started
        ended = time.time()
        stop.set()
        log = results.get()
        bot.join()
    during = [(ms, verdict) for at, ms, verdict in log if began <= at <= ended]
    outcomes = Counter(verdict for _, verdict in during)
    slices, last = [], (0, started)
    step = max(args.n // 5, 1)
    for done, at in marks:
        if done - last[0] >= step or done == args.n:
            slices.append(round((done - last[0]) / (at - last[1])))
            last = (done, at)
    stats = summary([ms for ms, _ in during])
    print(
        f"Import with {REPS} reps writing every ~{args.pace:g} s from the bot's process · "
        f"{revision()} · "
        f"{os.cpu_count()} cores",
        file=sys.stderr,
    )
    print(
        f"  rows {args.n:,}  exit {code}  {total_s:.1f} s  {args.n / total_s:,.0f} rows/s overall"
    )
    print(f"  rows/s per {step:,}-row slice: {slices}")
    print(
        f"  chat writes n={stats['n']}  wait p50 {stats['p50']:.0f}  p95 {stats['p95']:.0f}  "
        f"p99 {stats['p99']:.0f}  max {stats['max']:.0f} ms"
    )
    print(f"  saved {outcomes['saved']}  asked {outcomes['asked']}  failed {outcomes['failed']}")
    print(f"  cold start (crm-bot db upgrade + rep add, fresh file) {cold_s:.2f} s")
    save(
        "import_load",
        {
            "rows": args.n,
            "rows_s": args.n / total_s,
            "slices": slices,
            "waits": stats,
            "outcomes": dict(outcomes),
            "cold_s": cold_s,
        },
    )


if __name__ == "__main__":
    main()
