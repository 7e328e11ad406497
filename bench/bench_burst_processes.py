"""Two processes, one PostgreSQL: 200 reps x 10 commands within one second, split between them.

Why: issue 14 asks that two replicas behind a load balancer answer a burst p99 <= 2.5 s and
behave as one. ``bench_burst.py`` measures one process; here the book is loaded once, then two
fresh processes (spawned, each with its own Services, Dispatcher, name index and connection
pool) serve it at once. Each message carries a delivery key and a message id, as the adapters
pass them. A load balancer may send a chat's messages to either process: most chats stay with
one process, some are spread over both, and a few deliveries are sent twice, once to each
process (a platform's retry landing on the other replica), so the exactly-once ledger and the
order of one chat's messages are exercised across processes, not only within one.

Both processes warm up (the first ``/find`` builds the index), say they are ready, and get one
start moment a little ahead from the parent (the barrier), so neither starts early because the
other was slow to spawn. Time to answer counts from when each message was due.

Printed: p50/p99 (all, and per process), commands/s, errors, duplicates answered twice (must
be 0) and deliveries never answered, what the database kept (one claim per delivery, one
interaction per ``/log`` message id), one chat's messages that ran out of their sending order
or overlapping across the two processes, CPU per command per process, and the PostgreSQL
backends' CPU (read from ``/proc`` when the server runs on this machine).

    .venv/bin/python bench/bench_burst_processes.py --n 10000 \\
        --url postgresql+psycopg://postgres@127.0.0.1:5433/crmbench_burst2
    .venv/bin/python bench/bench_burst_processes.py --reuse --n 10000 --url ...   # same book
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing as mp
import os
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench_burst import REPS, SPREAD_S, Book, add_reps, floor_us, mix, settings_for, settle, setup
from bulkload import load
from burst_checks import kept_once, order_across, pg_backend_cpu
from measure import ErrorCount, fmt_summary, revision, save, summary
from names import generate
from sqlalchemy import select

from bot.app import build_services, prepare_database
from bot.dispatcher import Dispatcher
from handlers.kit import Incoming, Reply
from storage.models import Rep
from storage.types import utcnow

PROCESSES = 2  # the default; --processes 1 runs the same plan through one, to compare
ROUNDS = 2  # bench_burst's five commands twice: ten per rep
SHARED_CHATS = 50  # chats whose messages the balancer spreads over both processes
DUPLICATES = 40  # deliveries sent twice, once to each process
RETRY_LAG_S = 0.5  # half the duplicates arrive at once, half up to this much later
HEAD_START_S = 0.5  # the start moment is this far ahead of "both ready"
P99_TARGET_S = 2.5
WAIT_S = 900.0  # a process that has not answered by then has hung


@dataclass(frozen=True)
class Send:
    """One delivery to one process. ``seq``: the message's place in its chat's sending order;
    ``copy`` 1 is a duplicate of the delivery that ``key`` names."""

    at: float
    process: int
    rep_id: int
    seq: int
    kind: str
    text: str
    key: str
    copy: int = 0


def plan(
    rep_ids: list[int], n: int, records: list[Any], tag: str, seed: int, processes: int
) -> list[Send]:
    rng = random.Random(seed)
    shared = set(rng.sample(rep_ids, SHARED_CHATS))
    book = Book.for_admins(n)
    sends: list[Send] = []
    for place, rep_id in enumerate(rep_ids):
        commands = [c for _ in range(ROUNDS) for c in mix(rep_id, book, records, rng)]
        times = sorted(rng.uniform(0, SPREAD_S) for _ in commands)
        rng.shuffle(commands)
        for seq, (at, (kind, typed)) in enumerate(zip(times, commands, strict=True)):
            key = f"{tag}-{rep_id}-{seq}"
            if kind == "log":  # one stored interaction per message, found by its text too
                typed += f" (burst {key})"
            process = rng.randrange(processes) if rep_id in shared else place % processes
            sends.append(Send(at, process, rep_id, seq, kind, typed, key))
    for first in rng.sample(sends, DUPLICATES):
        lag = 0.0 if rng.random() < 0.5 else rng.uniform(0, RETRY_LAG_S)
        other = (first.process + 1) % processes
        sends.append(Send(first.at + lag, other, first.rep_id, first.seq, first.kind,
                          first.text, first.key, copy=1))  # fmt: skip
    return sorted(sends, key=lambda s: s.at)


def _incoming(send: Send) -> Incoming:
    return Incoming("console", f"chat-{send.rep_id}", str(send.rep_id), send.text,
                    message_id=send.key, delivery_key=send.key)  # fmt: skip


async def _burst(dispatcher: Dispatcher, sends: list[Send], start: float) -> list[dict[str, Any]]:
    """Each delivery at its moment, through the chat-ordered pool as ``Dispatcher.handle``
    does; when its command began and ended on the worker, when it was answered, and what.
    One sender hands them over in their order, as a socket would: two messages due a few
    microseconds apart must not swap places on their way in."""
    done: list[dict[str, Any]] = []

    async def answered(send: Send, due: float, future: Any, ran: dict[str, float]) -> None:
        replies = await asyncio.wrap_future(future)
        text = replies[0].text if replies else ""
        done.append({
            "key": send.key, "copy": send.copy, "seq": send.seq, "rep": send.rep_id,
            "kind": send.kind, "due": due, "answered_at": time.perf_counter(), **ran,
            "answered": bool(replies),
            "bad": bool(replies) and ("reference" in text.lower() or "saved" in text),
        })  # fmt: skip

    def runner(send: Send, ran: dict[str, float]) -> Callable[[], list[Reply]]:
        def run() -> list[Reply]:
            ran["began"] = time.perf_counter()
            try:
                return dispatcher._run(_incoming(send))
            finally:
                ran["ended"] = time.perf_counter()

        return run

    waiting = []
    for send in sends:  # sorted by their moment
        due = start + send.at
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        ran: dict[str, float] = {}
        future = dispatcher.workers.submit(("console", f"chat-{send.rep_id}"), runner(send, ran))
        waiting.append(asyncio.create_task(answered(send, due, future, ran)))
    await asyncio.gather(*waiting)
    return done


def serve(index: int, url: str, workers: int | None, sends: list[Send], warm_rep: int,
          ready: Any, go: Any, results: Any) -> None:  # fmt: skip
    """One replica: its own services and dispatcher on the shared database."""
    errors = ErrorCount()
    logging.getLogger("bot.dispatcher").addHandler(errors)
    services = build_services(settings_for(url, workers))
    prepare_database(services)
    dispatcher = Dispatcher(services)
    cold = time.perf_counter()
    warm = Incoming("console", f"warm-{index}", str(warm_rep), "/find x")
    asyncio.run(dispatcher.handle(warm))
    ready.put((index, time.perf_counter() - cold))
    start = go.get()
    cpu = time.process_time()
    done = asyncio.run(_burst(dispatcher, sends, start))
    cpu = time.process_time() - cpu
    for record in done:
        record["process"] = index
    results.put({"process": index, "done": done, "cpu_s": cpu, "errors": errors.count})
    go.get()  # stay connected until the parent has read the server's CPU
    services.db.dispose()


def _book(args: argparse.Namespace) -> tuple[list[int], list[Any]]:
    """The reps and customers: loaded now, or those of an earlier run (``--reuse``)."""
    records = generate(args.n, seed=args.seed)
    if args.reuse:
        services = build_services(settings_for(args.url, 1))
        with services.db.session() as session:
            query = select(Rep.id).where(Rep.name.like("Bench Rep %")).order_by(Rep.id)  # type: ignore[attr-defined]
            rep_ids = [i for i in session.execute(query).scalars() if i is not None]
        services.db.dispose()
        if len(rep_ids) != REPS:
            raise SystemExit(f"--reuse: {len(rep_ids)} bench reps in the database, not {REPS}")
        return rep_ids, records
    services = setup(args.url, args.workers)
    rep_ids = add_reps(services, admins=True)  # every rep reads every customer, as planned
    started = time.perf_counter()
    load(services.db, records, args.n * 2, rep_ids[0], utcnow(), args.seed)
    settle(services)
    print(f"  load: {time.perf_counter() - started:.1f} s")
    services.db.dispose()
    return rep_ids, records


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--n", type=int, default=100_000, help="customers")
    ap.add_argument("--url", required=True, help="a scratch PostgreSQL database (wiped)")
    ap.add_argument("--workers", type=int, help="command workers per process (the product's own)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--processes", type=int, default=PROCESSES, help="replicas (1: to compare)")
    ap.add_argument("--reuse", action="store_true", help="keep the book of an earlier run")
    args = ap.parse_args()
    if args.url.startswith("sqlite"):
        raise SystemExit("two processes on one database: PostgreSQL only (--url postgresql+...)")
    tag = secrets.token_hex(3)  # this run's delivery keys: a reused book has older ones
    workers = settings_for(args.url, args.workers).command_workers
    print(
        f"Burst over {args.processes} process(es): {REPS} reps x {ROUNDS * 5} commands within "
        f"{SPREAD_S:.0f} s, PostgreSQL, {args.n:,} customers, {workers} workers each, "
        f"{SHARED_CHATS} chats on both, {DUPLICATES} deliveries twice; code {revision()}; "
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
    )
    rep_ids, records = _book(args)
    sends = plan(rep_ids, args.n, records, tag, args.seed, args.processes)
    ctx = mp.get_context("spawn")  # fresh interpreters, as two replicas would be
    ready, results = ctx.Queue(), ctx.Queue()
    gos = [ctx.Queue() for _ in range(args.processes)]
    procs = [
        ctx.Process(target=serve, args=(i, args.url, args.workers,
                    [s for s in sends if s.process == i], rep_ids[0], ready, gos[i], results))
        for i in range(args.processes)
    ]  # fmt: skip
    for proc in procs:
        proc.start()
    for _ in procs:
        index, cold = ready.get(timeout=WAIT_S)
        print(f"  process {index}: first /find after start (builds the index) {cold:.2f} s")
    server_cpu = pg_backend_cpu(args.url)
    start = time.perf_counter() + HEAD_START_S  # one moment for both: CLOCK_MONOTONIC
    for go in gos:
        go.put(start)
    served = sorted((results.get(timeout=WAIT_S) for _ in procs), key=lambda r: r["process"])
    server_cpu = pg_backend_cpu(args.url, since=server_cpu)
    for go in gos:
        go.put(None)
    for proc in procs:
        proc.join(timeout=60)
    report(args, tag, sends, served, server_cpu)


def report(args: argparse.Namespace, tag: str, sends: list[Send], served: list[dict[str, Any]],
           server_cpu: dict[str, Any]) -> None:  # fmt: skip
    done = [d for r in served for d in r["done"]]
    answered = [d for d in done if d["answered"]]
    keys = {s.key for s in sends}
    times: dict[str, int] = {}
    for d in answered:
        times[d["key"]] = times.get(d["key"], 0) + 1
    twice = sum(1 for c in times.values() if c > 1)
    never = len(keys - times.keys())
    start = min(d["due"] for d in done) - min(s.at for s in sends)
    wall = max(d["answered_at"] for d in done) - start
    stats = summary([(d["answered_at"] - d["due"]) * 1000 for d in answered])
    print(f"  {len(answered)} commands in {wall:.2f} s: {len(answered) / wall:.0f} commands/s")
    print(f"  time to answer: {fmt_summary(stats)}")
    per_process = []
    for r in served:
        mine = [d for d in r["done"] if d["answered"]]
        cpu_ms = r["cpu_s"] / max(1, len(r["done"])) * 1000
        ms = summary([(d["answered_at"] - d["due"]) * 1000 for d in mine])
        per_process.append({"answered": len(mine), "handled": len(r["done"]), "answer_ms": ms,
                            "cpu_per_command_ms": cpu_ms, "errors": r["errors"]})  # fmt: skip
        print(f"    process {r['process']}: {len(r['done'])} handled, {len(mine)} answered; "
              f"{fmt_summary(ms)}; CPU per command {cpu_ms:.2f} ms")  # fmt: skip
    errors = sum(r["errors"] for r in served)
    bad = sum(1 for d in answered if d["bad"])
    print(f"  errors: {errors} logged, {bad} bad answers")
    dup_keys = {s.key for s in sends if s.copy}
    print(f"  duplicates: {len(dup_keys)} deliveries sent twice; answered twice {twice} "
          f"(must be 0); deliveries never answered {never}")  # fmt: skip
    kept = kept_once(args.url, tag, keys, {s.key for s in sends if s.kind == "log"})
    print(f"  database: {kept['claims']} delivery claims for {len(keys)} deliveries; /log "
          f"messages stored {kept['logs_stored']} of {kept['logs_sent']}, "
          f"stored more than once {kept['logs_twice']}")  # fmt: skip
    order = order_across(answered)
    print(f"  one chat's consecutive messages run by different processes: {order['pairs']}; "
          f"started out of sending order {order['inverted']}, overlapping {order['overlapped']}; "
          f"same process out of order {order['same_process_inverted']} (must be 0)")  # fmt: skip
    floor = floor_us()
    cpu_ms = sum(r["cpu_s"] for r in served) / max(1, len(done)) * 1000
    print(f"  CPU per command (all processes) {cpu_ms:.2f} ms; empty PTB handler floor "
          f"{floor:.0f} us: {cpu_ms * 1000 / floor:.0f}x")  # fmt: skip
    if server_cpu.get("cpu_s") is not None:
        print(f"  PostgreSQL backends' CPU: {server_cpu['cpu_s'] * 1000 / len(done):.2f} ms "
              f"per command ({server_cpu['backends']} backends)")  # fmt: skip
    p99 = stats["p99"] / 1000
    print(f"  target p99 <= {P99_TARGET_S} s: {'met' if p99 <= P99_TARGET_S else 'NOT met'}")
    save(
        f"bench_burst_processes{args.processes}_postgresql_{args.n}",
        {
            "n": args.n, "engine": "PostgreSQL", "processes": args.processes,
            "workers": settings_for(args.url, args.workers).command_workers,
            "revision": revision(), "cores": os.cpu_count(),
            "commands": len(answered), "commands_per_s": len(answered) / wall,
            "answer_ms": stats, "per_process": per_process,
            "cpu_per_command_ms": cpu_ms, "floor_us": floor,
            "server_cpu_per_command_ms": None if server_cpu.get("cpu_s") is None
            else server_cpu["cpu_s"] * 1000 / len(done),
            "errors": errors, "bad_answers": bad, "answered_twice": twice,
            "never_answered": never, "kept": kept, "order": order,
        },
    )  # fmt: skip


if __name__ == "__main__":
    main()
