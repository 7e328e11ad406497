"""/find and /log end to end through the real dispatcher, on a SQLite file holding 100,000
customers and 1,000,000 interactions.

Why end to end: what a rep waits for is the whole command (rep lookup, the index refresh
query, the search, the card's five queries, the audited write and its commit), not the index
alone (``bench_lookup.py``). Cold start is measured as a process start meets it, in a fresh
process (``cold_start.py``): services on the loaded database, the index build started in the
background (``bot.app.warm_index``, as ``serve()`` does), and the first /find timed from that
moment while the build runs; then the /finds answered from the database until the build ends,
how long the build took, and that process's RSS with the index loaded. The percentiles are
taken afterwards, in this process, on the warm index. Replies are checked too
(``chat_plan.py``), and what /log stored is read back, so speed is never bought with errors.

    .venv/bin/python bench/bench_dispatch.py            # 100,000 customers, 1M interactions
    .venv/bin/python bench/bench_dispatch.py --n 10000  # quick run (interactions scale along)
    .venv/bin/python bench/bench_dispatch.py --n 1000000 --keep /tmp/crm-1m  # load once, reuse
    .venv/bin/python bench/bench_dispatch.py --url postgresql+psycopg://postgres@127.0.0.1:5433/x
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import io
import itertools
import logging
import pstats
import random
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from bulkload import load
from burst_checks import pg_backend_cpu
from chat_plan import Command, Verdicts, plan
from cold_start import measure, open_services
from measure import (
    ErrorCount,
    GcPauses,
    fmt_summary,
    parser,
    peak_rss_mb,
    reset_peak_rss,
    revision,
    save,
    status_mb,
    stopwatch,
    summary,
    target_line,
)
from names import generate
from sqlalchemy import func, text
from sqlmodel import Session, col, select

from bot.app import prepare_database
from bot.dispatcher import Dispatcher
from handlers.kit import Incoming, Reply, Services
from storage import migrate, reps
from storage.folding import name_key
from storage.models import Customer, Interaction, Rep
from storage.types import utcnow

P99_TARGET_MS = 15.0  # issue 14, at 1,000,000 customers
FINDS = 1_000
LOGS = 1_000
INTERACTIONS_PER_CUSTOMER = 10
PROFILE_SAMPLE = 200
SLOWEST = 8


def kept_rep(url: str, n: int) -> int | None:
    """The bench rep of a database an earlier run loaded with ``n`` customers, or None (then
    ``setup`` starts it afresh). It is brought to the current schema first (a kept database
    may predate a migration)."""
    services = open_services(url)
    try:
        migrate.upgrade(services.db)
        with services.db.session() as session:
            rep = reps.by_name(session, "Bench Admin")
            held = session.exec(select(func.count()).select_from(Customer)).one()
    finally:
        services.db.dispose()
    return rep.id if rep is not None and held == n else None


def setup(url: str) -> tuple[Services, int]:
    """A fresh, migrated database with the default pipeline and one admin rep."""
    services = open_services(url)
    if not services.db.is_sqlite:  # a scratch database: start from nothing
        with services.db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    elif (path := Path(services.db.engine.url.database or "")).exists():
        services.db.dispose()
        path.unlink()
        for extra in ("-wal", "-shm"):
            Path(f"{path}{extra}").unlink(missing_ok=True)
        services = open_services(url)
    migrate.upgrade(services.db)
    prepare_database(services)
    with services.db.session(write=True) as session:
        rep = reps.add(session, Rep(name="Bench Admin", role="admin"))
        assert rep.id is not None
        return services, rep.id


_deliveries = itertools.count()


def incoming(rep_id: int, cmd: Command) -> Incoming:
    """The command as an adapter passes it: with a delivery key, so the statements that make
    each delivery run once are paid as in production."""
    key = f"bench-{time.time_ns()}-{next(_deliveries)}"  # unique on a reused database too
    return Incoming(
        "console", "bench", str(rep_id), cmd.text, message_id=cmd.message_id, delivery_key=key
    )


async def timed(dispatcher: Dispatcher, rep_id: int, cmd: Command) -> tuple[float, list[Reply]]:
    start = time.perf_counter()
    replies = await dispatcher.handle(incoming(rep_id, cmd))
    return (time.perf_counter() - start) * 1000, replies


async def run(
    dispatcher: Dispatcher,
    rep_id: int,
    warmup: Command,
    commands: list[Command],
    names: list[str],
    keys: list[str],
) -> tuple[float, dict[str, list[float]], Verdicts, list[tuple[float, Command]]]:
    """Warm-up ms, latencies per command ("find"/"log" and each kind), verdicts, the slowest."""
    verdicts = Verdicts()
    warm_ms, replies = await timed(dispatcher, rep_id, warmup)
    card = replies[0].card if replies else None
    if card is None or card.id != warmup.target:
        print(f"  warm-up {warmup.text!r} did not show #{warmup.target}: {replies}")
    latencies: dict[str, list[float]] = defaultdict(list)
    slowest: list[tuple[float, Command]] = []
    for cmd in commands:
        ms, replies = await timed(dispatcher, rep_id, cmd)
        latencies[cmd.kind.split()[0]].append(ms)
        latencies[cmd.kind].append(ms)
        slowest = sorted([*slowest, (ms, cmd)], key=lambda s: -s[0])[:SLOWEST]
        verdicts.judge(cmd, replies, names, keys)
    return warm_ms, latencies, verdicts, slowest


def stored_logs(services: Services, commands: list[Command]) -> tuple[int, list[str]]:
    """Re-read what each /log stored: (rows as intended, descriptions of the others)."""
    wanted = {c.message_id: c for c in commands if c.message_id}
    with Session(services.db.engine) as session:
        query = select(Interaction).where(col(Interaction.source_message_id).in_(list(wanted)))
        rows = {i.source_message_id: i for i in session.exec(query)}
    good, bad = 0, []
    for message_id, cmd in wanted.items():
        row = rows.get(message_id)
        if row is not None and row.customer_id == cmd.target and row.summary == cmd.summary:
            good += 1
        elif row is not None:
            bad.append(f"{cmd.text!r}: stored customer #{row.customer_id}, summary {row.summary!r}")
    return good, bad


def profile(dispatcher: Dispatcher, rep_id: int, commands: list[Command], label: str) -> str:
    """cProfile of a separate pass (the timed pass stays unprofiled)."""
    profiler = cProfile.Profile()

    async def go() -> None:
        for cmd in commands:
            await dispatcher.handle(incoming(rep_id, cmd))

    profiler.enable()
    asyncio.run(go())
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(15)
    return f"--- {label}: {len(commands)} commands ---\n{out.getvalue()}"


def report(verdicts: Verdicts) -> None:
    print("\n  replies (card / choice list / text) and checks:")
    for kind in sorted(verdicts.shapes):
        shapes = verdicts.shapes[kind]
        total = sum(shapes.values())
        other = {k: v for k, v in shapes.items() if k not in ("card", "choices", "text")}
        print(
            f"    {kind:<22} n={total:<4} card {shapes['card']:<4} choices {shapes['choices']:<4} "
            f"text {shapes['text']:<4}{' ' + str(other) if other else ''} "
            f"as intended {verdicts.good[kind]}/{total}"
        )
    print("    as intended: find exact (unique) / phone: the intended customer's card; namesakes:")
    print("    a choice list with same-name customers first; typo: the intended card, or it or a")
    print('    namesake among the choices; log: "Logged ..." naming the intended customer')
    for kind, problems in sorted(verdicts.problems.items()):
        print(f"    not as intended, {kind}: {len(problems)}, e.g.")
        for line in problems[:4]:
            print(f"      {line}")


def main() -> None:
    cli = parser("/find and /log through the dispatcher", 100_000)
    cli.add_argument(
        "--interactions",
        type=int,
        help=f"interactions to load (default {INTERACTIONS_PER_CUSTOMER} per customer; "
        "a 1M-customer run takes 2M in a few minutes)",
    )
    cli.add_argument(
        "--keep",
        type=Path,
        help="a folder for the database: loaded on the first run, reused (as loaded) after",
    )
    cli.add_argument(
        "--url",
        help="a scratch PostgreSQL database instead of SQLite: loaded when it has no bench "
        "rep yet, reused after (like --keep)",
    )
    args = cli.parse_args()
    interactions = args.interactions or args.n * INTERACTIONS_PER_CUSTOMER
    print(f"Dispatcher benchmark: {args.n:,} customers, {interactions:,} interactions")
    print(f"  code {revision()}")
    errors = ErrorCount()
    logging.getLogger("bot.dispatcher").addHandler(errors)
    with tempfile.TemporaryDirectory(prefix="crm-bench-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        url = args.url or f"sqlite:///{folder / 'bench.sqlite3'}"
        records = generate(args.n, seed=args.seed)
        keys = [name_key(r.name) for r in records]
        times = None
        if rep_id := kept_rep(url, args.n):  # data of the same --n and --seed, loaded before
            print(f"  reusing {'the database' if args.url else folder / 'bench.sqlite3'}")
        else:
            services, rep_id = setup(url)
            times = load(services.db, records, interactions, rep_id, utcnow(), args.seed)
            services.db.dispose()
            print(
                f"  load: {times.total_s:.1f} s (customers {times.customers_s:.1f} s, "
                f"interactions {times.interactions_s:.1f} s, checkpoint "
                f"{times.checkpoint_s:.1f} s)"
            )
        rng = random.Random(args.seed)
        finds, logs = min(FINDS, args.n), min(LOGS, args.n)
        warmup, commands = plan(records, keys, finds, logs, rng)
        if times is None:  # a reused database holds an earlier run's message ids: fresh ones,
            # or every /log is answered "already logged" and nothing is measured
            run_tag = f"-{time.time_ns()}"
            commands = [
                replace(c, message_id=c.message_id + run_tag) if c.message_id else c
                for c in commands
            ]
        names = [r.name for r in records]
        del records
        start = measure(url, rep_id, warmup, [c for c in commands if c.kind.startswith("find")])
        cold = start.pop("cold_find_ms")
        print(
            f"  cold start, a fresh process ({start['names']:,} names indexed in the background):"
            f" first /find answered {start['first_find_ms']:.0f} ms after start "
            f"({start['first_find_from_exec_ms']:.0f} ms after exec, imports "
            f"{start['import_s']:.1f} s), as intended: {start['first_find_as_intended']}; "
            f"index built in {start['built_s']:.1f} s; meanwhile {len(cold)} /find from the "
            f"database: {fmt_summary(summary(cold)) if cold else '-'}; its RSS with the index "
            f"{start['rss_mb']:.0f} MB (peak {start['peak_rss_mb']:.0f} MB)"
        )
        services = open_services(url)
        with stopwatch() as build:
            services.index.build_in_background(services.db.engine, at_once_below=sys.maxsize)
        print(f"  index built in this process for the warm figures: {build[0]:.1f} s")
        rss_before = status_mb("VmRSS")
        hwm_reset = reset_peak_rss()
        dispatcher = Dispatcher(services)
        pauses = GcPauses()
        gc.callbacks.append(pauses)
        server = pg_backend_cpu(url) if args.url else None
        cpu = time.process_time()
        with stopwatch() as wall:
            warm_ms, lat, verdicts, slowest = asyncio.run(
                run(dispatcher, rep_id, warmup, commands, names, keys)
            )
        cpu_ms = (time.process_time() - cpu) * 1000 / (len(commands) + 1)
        server = pg_backend_cpu(url, since=server) if server is not None else None
        server_ms = (server["cpu_s"] or 0) * 1000 / (len(commands) + 1) if server else None
        gc.callbacks.remove(pauses)
        phase_peak = status_mb("VmHWM") if hwm_reset else None
        stored_good, stored_bad = stored_logs(services, commands)

        print(f"  first /find on the warm index: {warm_ms:.0f} ms")
        print(f"  {len(commands)} commands in {wall[0]:.1f} s, interleaved:")
        for kind in ("find", "log"):
            print(f"    /{kind:<5} {fmt_summary(summary(lat[kind]))}")
        print("      by kind of reference:")
        for kind in sorted(k for k in lat if " " in k):
            print(f"      {kind:<22} {fmt_summary(summary(lat[kind]))}")
        print(f"    slowest {SLOWEST}:")
        for ms, cmd in slowest:
            print(f"      {ms:7.1f} ms  {cmd.kind:<22} {cmd.text}")
        print(f"    garbage collector during the commands: {pauses.describe()}")
        print(
            f"    CPU per command: this process {cpu_ms:.2f} ms"
            + (f", PostgreSQL's backends {server_ms:.2f} ms" if server_ms is not None else "")
        )
        report(verdicts)
        print(f"    /log rows stored as intended (customer and summary): {stored_good}/{logs}")
        for line in stored_bad[:6]:
            print(f"      {line}")
        print(f"    errors logged by the dispatcher: {errors.count}")
        print("\n  memory:")
        print(
            f"    RSS of the serving process after its build (the fresh one above) "
            f"{start['rss_mb']:.1f} MB"
        )
        print(
            f"    RSS of this process (with the generated data) before the commands "
            f"{rss_before or 0:.1f} MB"
        )
        if phase_peak is not None:
            print(f"    peak RSS while serving commands (VmHWM, index loaded) {phase_peak:.1f} MB")
        print(f"    peak RSS of the whole run incl. the load (getrusage) {peak_rss_mb():.1f} MB")
        print("\n  targets:")
        for kind in ("find", "log"):
            p99 = summary(lat[kind])["p99"]
            print(target_line(f"/{kind} p99", p99, P99_TARGET_MS, "ms"))
        path = save(
            "bench_dispatch" if args.n == 100_000 else f"bench_dispatch_{args.n}",
            {
                "n": args.n,
                "engine": "SQLite" if args.url is None else "PostgreSQL",
                "revision": revision(),
                "interactions": interactions,
                "load_s": times.total_s if times else None,
                "warmup_ms": warm_ms,
                "cold_start": start,
                "cold_find_ms": summary(cold) if cold else None,
                "latency_ms": {k: summary(v) for k, v in lat.items()},
                "cpu_per_command_ms": cpu_ms,
                "server_cpu_per_command_ms": server_ms,
                "shapes": {k: dict(v) for k, v in verdicts.shapes.items()},
                "as_intended": dict(verdicts.good),
                "stored_as_intended": stored_good,
                "errors": errors.count,
                "peak_rss_mb": peak_rss_mb(),
                "phase_peak_rss_mb": phase_peak,
            },
        )
        print(f"\n  figures saved to {path}")
        if args.profile:
            again = random.Random(args.seed + 1)
            _, extra = plan(generate(args.n, seed=args.seed), keys, finds, logs, again)
            extra = [
                Command(c.kind, c.text, c.target, c.summary, f"p{c.message_id}")
                if c.message_id
                else c
                for c in extra
            ]
            for label in ("find", "log #id", "log name"):
                sample = [c for c in extra if c.kind.startswith(label)][:PROFILE_SAMPLE]
                print(profile(dispatcher, rep_id, sample, f"/{label}"))
        services.db.dispose()


if __name__ == "__main__":
    main()
