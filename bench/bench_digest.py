"""The digest and the reminder scan, on SQLite and PostgreSQL.

Targets: the weekday digest in at most 1 s at a tenth of the size (issue 5: 50 reps, 10,000
deals), and both the weekday and the Monday digest (the latter with its data-quality section)
for 500 reps and 100,000 deals (1,000,000 interactions) in at most 2 s (issue 14), with a
number of statements that does not grow with the number of reps or deals; the reminder scan
over 100,000 tasks in at most 1 s.

The digest is the head of sales' team digest (every rep), measured at a tenth of the size and
at full size: the statement counts (a ``before_cursor_execute`` listener) must be equal. The
first (cold) digest is reported apart: it imports matplotlib and, with no quality snapshot
yet, computes the quality figures itself; then the daily job's snapshot refresh is timed, and
the weekday and Monday digests after it. Wall and CPU time are both given: the machine is
shared, and CPU time is the less disturbed figure. The load (``digest_book``) takes about
3.5 minutes at full size on SQLite. The reminder scan is measured as the first scan of a
working morning (every overdue task claimed in the run ledger, one message per rep to an
in-memory adapter, tasks stamped) and as the steady-state scan that runs every sweep.

    .venv/bin/python bench/bench_digest.py                       # 500 reps, 100,000 deals
    .venv/bin/python bench/bench_digest.py --n 10000 --reps 50   # issue 5's size
    .venv/bin/python bench/bench_digest.py --engine sqlite --tasks 0 --profile
    .venv/bin/python bench/bench_digest.py --keep /tmp/crm-bench-digest   # load once, time often

``--keep DIR`` keeps the loaded books (SQLite: a file per size under DIR; PostgreSQL: a schema
per size) and reuses them on the next run with the same sizes and seed, after applying any new
migration, so a query rework is timed in seconds rather than after a several-minute load. A
reused book already holds a quality snapshot, so its first digest is not quite the cold one.
"""

from __future__ import annotations

import asyncio
import cProfile
import os
import pstats
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from digest_book import NOW, Size, load, services_for
from measure import fmt_summary, parser, revision, save, summary, target_line
from sqlalchemy import event
from sqlmodel import col, func, select

from bot.adapters.base import Notifier
from bot.jobs import Jobs
from handlers.digest import all_reps, audience, build
from handlers.kit import Reply, Services
from storage.models import Task
from storage.quality import snapshot

TARGET_S = 1.0  # the weekday digest at 50 reps / 10,000 deals (issue 5); the reminder scan
FULL_TARGET_S = 2.0  # weekday and Monday digests at 500 reps / 100,000 deals (issue 14)
RUNS = 5
IST = ZoneInfo("Europe/Istanbul")
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5433/crmbench_digest"
FULL = Size(reps=500, deals=100_000, interactions=1_000_000, tasks=1_000)
T = TypeVar("T")


class Sink:
    """An in-memory chat platform (the Adapter protocol): the scan's cost, not the network's."""

    platform = "telegram"

    def __init__(self) -> None:
        self.messages = 0

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send(self, chat_id: str, replies: list[Reply]) -> None:
        self.messages += len(replies)


def counted(services: Services, run: Callable[[], T]) -> tuple[T, float, float, int]:
    """(result, wall seconds, CPU seconds of this process, statements executed).

    CPU time is reported beside wall time because other work shares the 2-core machine: it
    is the less disturbed figure (it leaves out the database server's own work on PostgreSQL)."""
    statements = [0]

    def note(*_args: Any) -> None:
        statements[0] += 1

    event.listen(services.db.engine, "before_cursor_execute", note)
    try:
        start, cpu = time.perf_counter(), time.process_time()
        result = run()
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    finally:
        event.remove(services.db.engine, "before_cursor_execute", note)
    return result, elapsed, cpu, statements[0]


DAILY = NOW + timedelta(days=1)  # a Tuesday: the daily digest the target is about
WEEKLY = NOW  # a Monday: the team digest also carries the weekly data-quality section


def digest_once(services: Services, at: datetime = DAILY) -> list[Reply]:
    """The head of sales' team digest: every rep of the book."""
    with services.db.session() as s:
        reps = all_reps(s)
        who = audience(reps, "team", 1, "en", IST)
        data, replies = build(s, services.settings, who, "bench:1", at, reps)
    assert data.pipeline and not data.attention.empty, "the bench data should need attention"
    return replies


def refresh_quality(services: Services) -> None:
    with services.db.session(write=True) as s:
        snapshot.refresh(s, WEEKLY - timedelta(hours=5))  # the night's first sweep


def statement_times(services: Services, at: datetime) -> list[tuple[float, str]]:
    """One digest's statements, slowest first: (milliseconds, the statement's text).

    Timed between ``before_cursor_execute`` and ``after_cursor_execute``: the database's work
    and the driver's, not the fetching of rows nor what Python does with them afterwards."""
    times: list[tuple[float, str]] = []
    started: list[float] = []

    def before(*_args: Any) -> None:
        started.append(time.perf_counter())

    def after(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        times.append(((time.perf_counter() - started.pop()) * 1000, statement))

    event.listen(services.db.engine, "before_cursor_execute", before)
    event.listen(services.db.engine, "after_cursor_execute", after)
    try:
        digest_once(services, at)
    finally:
        event.remove(services.db.engine, "before_cursor_execute", before)
        event.remove(services.db.engine, "after_cursor_execute", after)
    return sorted(times, reverse=True)


def print_statements(services: Services, at: datetime) -> None:
    times = statement_times(services, at)
    print(f"    statements of one digest, slowest first (sum {sum(t for t, _ in times):.0f} ms):")
    for ms, statement in times:
        text = " ".join(statement.split())
        where = max(text.find(" WHERE "), 60)  # what the statement selects is in its WHERE
        print(f"      {ms:8.1f} ms  {text[:60]} …{text[where : where + 110]}")


def measured(services: Services, at: datetime, runs: int) -> dict[str, Any]:
    walls, cpus, statements = [], [], set()
    replies: list[Reply] = []
    for _ in range(runs):
        replies, wall, cpu, n = counted(services, lambda: digest_once(services, at))
        walls.append(wall * 1000)
        cpus.append(cpu * 1000)
        statements.add(n)
    return {
        "ms": summary(walls),
        "cpu_ms": summary(cpus),
        "statements": sorted(statements),
        "replies": len(replies),
        "quality": any(r.text.startswith("Data quality") for r in replies),
    }


def line(label: str, figures: dict[str, Any]) -> str:
    return (
        f"    {label:<22} wall {fmt_summary(figures['ms'])}; CPU p50 "
        f"{figures['cpu_ms']['p50']:.0f} ms; statements {figures['statements']}; "
        f"{figures['replies']} replies"
    )


def kept_book(url: str, size: Size, seed: int, keep: Path | None) -> tuple[str, str | None]:
    """The URL and kept-book name for ``size``: under ``keep`` when books are kept."""
    if keep is None:
        return url, None
    name = f"{size.reps}_{size.deals}_{size.interactions}_{size.tasks}_{seed}"
    if url.startswith("sqlite:///"):
        keep.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{keep / f'digest-{name}.sqlite3'}", name
    return url, name


def bench_digest(
    url: str,
    size: Size,
    seed: int,
    profile: bool,
    keep: Path | None = None,
    statements: bool = False,
) -> dict[str, Any]:
    services, reused = services_for(*kept_book(url, size, seed, keep))
    try:
        start = time.perf_counter()
        if not reused:
            load(services, size, seed)
        load_s = time.perf_counter() - start
        print(f"  {size.label()}: {'reused' if reused else 'loaded'} in {load_s:.0f} s")
        _, cold_s, cold_cpu, cold_n = counted(services, lambda: digest_once(services, WEEKLY))
        print(
            f"    first (cold) Monday digest: wall {cold_s * 1000:.0f} ms, CPU "
            f"{cold_cpu * 1000:.0f} ms, {cold_n} statements (matplotlib import, caches; no "
            "quality snapshot yet: its figures computed in the digest)"
        )
        _, refresh_s, refresh_cpu, _ = counted(services, lambda: refresh_quality(services))
        print(
            f"    daily quality snapshot (the scheduler's daily job): wall "
            f"{refresh_s * 1000:.0f} ms, CPU {refresh_cpu * 1000:.0f} ms"
        )
        weekday = measured(services, DAILY, RUNS)
        print(line("weekday digest:", weekday))
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
        monday = measured(services, WEEKLY, RUNS)
        if profile:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        print(line("Monday digest:", monday))
        if statements:
            print_statements(services, WEEKLY)
        assert monday["quality"], "the Monday digest should carry the data-quality section"
        return {
            "size": asdict(size),
            "load_s": load_s,
            "cold_ms": cold_s * 1000,
            "cold_cpu_ms": cold_cpu * 1000,
            "refresh_ms": refresh_s * 1000,
            "refresh_cpu_ms": refresh_cpu * 1000,
            "weekday": weekday,
            "monday": monday,
        }
    finally:
        services.db.dispose()


def bench_reminders(url: str, n_tasks: int, seed: int) -> dict[str, Any]:
    services, _ = services_for(url)
    load(services, Size(reps=50, deals=100, interactions=1_000, tasks=n_tasks), seed)
    try:
        sink = Sink()
        jobs = Jobs(services, Notifier([sink]))
        sent, first_s, _, first_q = counted(services, lambda: asyncio.run(jobs.reminders(NOW)))
        with services.db.session() as s:
            reminded = s.exec(
                select(func.count()).where(col(Task.last_reminded_at).is_not(None))
            ).one()
        steady, queries, more = [], set(), 0
        for minute in range(1, RUNS * 4 + 1):
            later = NOW + timedelta(minutes=minute)
            n, seconds, _, q = counted(services, lambda at=later: asyncio.run(jobs.reminders(at)))
            more += n  # tasks falling due since the last minute
            steady.append(seconds * 1000)
            queries.add(q)
        stats = summary(steady)
        print(
            f"  first scan of the morning: {first_s * 1000:.0f} ms, {first_q} statements, "
            f"{sent} messages, {reminded:,} overdue tasks reminded"
        )
        print(
            f"  steady-state scan, every minute after: {fmt_summary(stats)}; "
            f"statements {sorted(queries)}; {more} messages for tasks falling due meanwhile"
        )
        return {
            "tasks": n_tasks,
            "first_ms": first_s * 1000,
            "first_statements": first_q,
            "messages": sent,
            "reminded": reminded,
            "steady_ms": stats,
            "steady_statements": sorted(queries),
        }
    finally:
        services.db.dispose()


def engines(choice: str, folder: Path, pg_url: str) -> list[tuple[str, str]]:
    found = []
    if choice in ("sqlite", "both"):
        found.append(("sqlite", f"sqlite:///{folder / 'bench.sqlite3'}"))
    if choice in ("postgres", "both"):
        found.append(("postgres", pg_url))
    return found


def main() -> None:
    p = parser("digest and reminder scan", FULL.deals)
    p.add_argument("--reps", type=int, default=FULL.reps, help="reps (default 500)")
    p.add_argument("--interactions", type=int, help="default: ten per deal")
    p.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--pg-url", default=os.environ.get("CRM_BENCH_PG_URL", PG_URL))
    p.add_argument("--tasks", type=int, default=100_000, help="reminder scan (0: skip it)")
    p.add_argument("--keep", type=Path, help="keep the loaded books here and reuse them")
    p.add_argument("--statements", action="store_true", help="time each statement of a digest")
    args = p.parse_args()
    size = Size(args.reps, args.n, args.interactions or args.n * 10, FULL.tasks)
    print(f"Digest and reminder benchmark; code {revision()}; {os.cpu_count()} cores")
    results: dict[str, Any] = {"revision": revision(), "cores": os.cpu_count()}
    verdicts: list[str] = []
    with tempfile.TemporaryDirectory(prefix="crm-bench-") as tmp:
        for name, url in engines(args.engine, Path(tmp), args.pg_url):
            print(f"{name}: the head of sales' team digest (every rep), chart included")
            small = bench_digest(url, size.tenth(), args.seed, False, args.keep)
            large = bench_digest(url, size, args.seed, args.profile, args.keep, args.statements)
            results[name] = {"small": small, "large": large}
            small_weekday = small["weekday"]["ms"]["max"] / 1000
            verdicts.append(
                target_line(f"{name} weekday max, a tenth", small_weekday, TARGET_S, "s")
            )
            for kind in ("weekday", "monday"):
                figures = large[kind]["ms"]
                for stat in ("p50", "max"):
                    verdicts.append(
                        target_line(
                            f"{name} {kind} {stat}", figures[stat] / 1000, FULL_TARGET_S, "s"
                        )
                    )
                a, b = small[kind]["statements"], large[kind]["statements"]
                verdicts.append(
                    f"  {name} {kind} statements, a tenth vs full size: {a} vs {b}  "
                    f"{'OK' if a == b else 'MISSED'}"
                )
            if args.tasks and name == "sqlite":
                print("reminder scan:")
                scan = bench_reminders(url, args.tasks, args.seed)
                results["reminders"] = scan
                verdicts.append(
                    target_line("reminder scan, first", scan["first_ms"] / 1000, TARGET_S, "s")
                )
                verdicts.append(
                    target_line(
                        "reminder scan, steady max", scan["steady_ms"]["max"] / 1000, TARGET_S, "s"
                    )
                )
    print("targets:")
    print("\n".join(verdicts))
    print(f"  figures saved to {save('bench_digest', results)}")


if __name__ == "__main__":
    main()
