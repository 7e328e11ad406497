"""A 50,000-row customer import while four chat writers keep writing to the same SQLite file.

The import runs through the real CLI code path (``crm-bot import customers FILE``, in this
process). The chat writers run as in production: in another process (the bot's), four threads
with their own dispatcher, each sending ``/log`` and ``/task`` every ~100 ms; a wait is the
whole command as the rep would feel it, counted only while the import runs. Printed: rows/s
overall and per 10,000-row slice (flatness), chat write wait p50/p95/p99/max, failed chat
writes, cores, and cold start (the first ``crm-bot`` command on the file). Never run in CI.

    .venv/bin/python bench/bench_import_load.py            # 50,000 rows
    .venv/bin/python bench/bench_import_load.py --n 1000   # smoke
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import import_file
from measure import parser, revision, save, summary

from bot import cli
from bot.app import build_services
from bot.dispatcher import Dispatcher
from handlers.kit import Incoming, Settings
from storage import reps
from storage.transfer import importer

WRITERS = 4
EVERY_S = 0.1


def bot_process(url: str, rep_id: int, stop: Any, results: Any) -> None:
    """The bot's process: four chat users writing at once until ``stop``."""
    settings = Settings(_env_file=None, crm_database_url=url, crm_language="en")
    halt, waits, fails = threading.Event(), [], []
    threads = [
        threading.Thread(target=writer, args=(settings, rep_id, halt, waits, fails))
        for _ in range(WRITERS)
    ]
    for t in threads:
        t.start()
    stop.wait()
    halt.set()
    for t in threads:
        t.join()
    results.put((waits, fails))


def writer(settings: Settings, rep_id: int, stop: threading.Event, waits: list, fails: list):
    services = build_services(settings)
    dispatcher = Dispatcher(services)
    n = 0
    while not stop.is_set():
        text = "/log call Demir ödeme planını sordu" if n % 2 else "/task teklifi gönder yarın"
        at, started = time.time(), time.perf_counter()
        replies = asyncio.run(dispatcher.handle(Incoming("console", "c", str(rep_id), text)))
        waits.append((at, (time.perf_counter() - started) * 1000))
        if any("something went wrong" in r.text.lower() for r in replies):
            fails.append(text)
        n += 1
        stop.wait(EVERY_S)
    services.db.dispose()


def main() -> None:
    args = parser("import with concurrent chat writes", 50_000).parse_args()
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
        settings = Settings(_env_file=None, crm_database_url=url, crm_language="en")
        services = build_services(settings)
        with services.db.session() as session:
            rep_id = reps.by_name(session, "Ayşe Kaya").id  # type: ignore[union-attr]
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
        stop, results = spawn.Event(), spawn.Queue()
        bot = spawn.Process(target=bot_process, args=(url, rep_id, stop, results))
        bot.start()
        time.sleep(2.0)  # the bot process is up and writing before the import starts
        began, started = time.time(), time.perf_counter()
        code = cli.main(["import", "customers", str(csv_path), "--quiet"])
        total_s = time.perf_counter() - started
        ended = time.time()
        stop.set()
        timed, fails = results.get()
        waits = [ms for at, ms in timed if began <= at <= ended]  # only writes during the import
        bot.join()
        services.db.dispose()
    slices, last = [], (0, started)
    step = max(args.n // 5, 1)
    for done, at in marks:
        if done - last[0] >= step or done == args.n:
            slices.append(round((done - last[0]) / (at - last[1])))
            last = (done, at)
    stats = summary(waits)
    print(
        f"Import with {WRITERS} chat writers in a bot process · {revision()} · "
        f"{os.cpu_count()} cores",
        file=sys.stderr,
    )
    print(
        f"  rows {args.n:,}  exit {code}  {total_s:.1f} s  {args.n / total_s:,.0f} rows/s overall"
    )
    print(f"  rows/s per {step:,}-row slice: {slices}")
    print(
        f"  chat writes n={stats['n']}  wait p50 {stats['p50']:.0f}  p95 {stats['p95']:.0f}  "
        f"p99 {stats['p99']:.0f}  max {stats['max']:.0f} ms  failures {len(fails)}"
    )
    print(f"  cold start (crm-bot db upgrade + rep add, fresh file) {cold_s:.2f} s")
    save(
        "import_load",
        {
            "rows": args.n,
            "rows_s": args.n / total_s,
            "slices": slices,
            "waits": stats,
            "failures": len(fails),
            "cold_s": cold_s,
        },
    )


if __name__ == "__main__":
    main()
