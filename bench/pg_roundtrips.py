"""What one /find and one /log send to PostgreSQL, message by message (libpq's trace).

Why: a command's time on PostgreSQL is mostly round trips, and some of them are not the
handlers' statements at all (the transaction's BEGIN and COMMIT, the name index's change
poll, anything the pool does on checkout or return). SQLAlchemy's statement events miss the
ones the driver sends by itself, so this reads the wire: every frontend message of a few warm
commands, grouped into round trips (a simple ``Query``, or an extended-protocol batch ended by
``Sync``), with the statement each carried.

    .venv/bin/python bench/pg_roundtrips.py --url postgresql+psycopg://postgres@127.0.0.1:5433/x

The database must hold ``bench_dispatch.py``'s data (run that first with the same ``--n``).
"""

from __future__ import annotations

import asyncio
import random
import re
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench_dispatch import incoming, kept_rep
from chat_plan import plan
from cold_start import open_services
from measure import parser
from names import generate
from sqlalchemy import event

from bot.dispatcher import Dispatcher
from storage.folding import name_key

WIDTH = 160
WARM = 60  # commands run first, so statements are prepared and caches are full
SHOWN = ("find exact", "find phone", "find typo", "log #id", "log name")


def main() -> None:
    cli = parser("PostgreSQL round trips per command", 100_000)
    cli.add_argument("--url", required=True, help="the bench database (bench_dispatch.py's)")
    cli.add_argument("--raw", action="store_true", help="print the trace itself too")
    args = cli.parse_args()
    rep_id = kept_rep(args.url, args.n)
    if rep_id is None:
        sys.exit("load the database with bench_dispatch.py --url first")
    records = generate(args.n, seed=args.seed)
    keys = [name_key(r.name) for r in records]
    _, commands = plan(records, keys, 400, 400, random.Random(args.seed + 7))
    tag = f"-{time.time_ns()}"  # a reused database holds earlier runs' message ids
    commands = [replace(c, message_id=c.message_id + tag) if c.message_id else c for c in commands]
    services = open_services(args.url)
    services.index.build_in_background(services.db.engine, at_once_below=sys.maxsize)
    dispatcher = Dispatcher(services)
    traces: list[Any] = []
    files = ExitStack()
    tracing = {"on": False}

    @event.listens_for(services.db.engine, "checkout")
    def _checkout(dbapi: Any, record: Any, proxy: Any) -> None:
        if tracing["on"]:
            handle = files.enter_context(tempfile.TemporaryFile("w+"))  # noqa: SIM115 (closed by files)
            dbapi.pgconn.trace(handle.fileno())
            dbapi.pgconn.set_trace_flags(1)  # suppress timestamps
            traces.append((dbapi, handle))

    @event.listens_for(services.db.engine, "checkin")
    def _checkin(dbapi: Any, record: Any) -> None:
        if dbapi is not None and any(d is dbapi for d, _ in traces):
            dbapi.pgconn.untrace()

    async def go() -> None:
        for cmd in commands[:WARM]:
            await dispatcher.handle(incoming(rep_id, cmd))
        seen: set[str] = set()
        for cmd in commands[WARM:]:
            kind = next((k for k in SHOWN if cmd.kind.startswith(k)), None)
            if kind is None or kind in seen:
                await dispatcher.handle(incoming(rep_id, cmd))
                continue
            seen.add(kind)
            tracing["on"] = True
            await dispatcher.handle(incoming(rep_id, cmd))
            tracing["on"] = False
            if "--raw" in sys.argv:
                for _, h in traces:
                    h.seek(0)
                    print(h.read()[:6000])
            show(kind, cmd.text, traces)
            traces.clear()
            if len(seen) == len(SHOWN):
                return

    with files:
        asyncio.run(go())
    services.db.dispose()


def show(kind: str, text: str, traces: list[Any]) -> None:
    """Print each connection's round trips for one command."""
    print(f"\n=== {kind}: {text[:70]}")
    total = 0
    for dbapi, handle in traces:
        handle.seek(0)
        trips = [_named(trip, dbapi) for trip in round_trips(handle.read())]
        total += len(trips)
        print(f"  connection: {len(trips)} round trips")
        for trip in trips:
            print(f"    {trip}")
    print(f"  total {total} round trips")


def round_trips(trace: str) -> list[str]:
    """One line per round trip: a simple query, or one extended-protocol batch (to Sync)."""
    trips: list[str] = []
    batch: list[str] = []
    sql = ""
    messages: list[str] = []
    for line in trace.splitlines():  # a statement's own line breaks continue its message
        if line[:2] in ("F\t", "B\t") or not messages:
            messages.append(line)
        else:
            messages[-1] += " " + line
    for line in messages:
        parts = line.split("\t", 3)
        if len(parts) < 3 or parts[0] != "F":
            continue
        message, payload = parts[2].strip(), parts[3] if len(parts) > 3 else ""
        if message == "Query":
            trips.append(f"Query {_sql(payload)}")
        elif message == "Sync":
            trips.append(f"[{','.join(batch)}] {sql}")
            batch.clear()
            sql = ""
        else:
            batch.append(message)
            if message == "Parse":
                sql = _sql(payload)
            elif message == "Bind" and not sql:
                sql = "prepared " + payload.split(" ")[2]
    return trips


def _named(trip: str, dbapi: Any) -> str:
    """A prepared statement's trip with its SQL: it was parsed before tracing began, so the
    trace names it only. psycopg keeps each prepared query under its name (``_prepared``,
    not a public attribute: a bench may read it, the product does not)."""
    found = re.search(r'prepared "(_pg3_\d+)"', trip)
    if found is None:
        return trip
    names = {n.decode(): q for (q, _), n in dbapi._prepared._names.items()}
    query = names.get(found.group(1))
    text = " ".join(query.decode().split()) if query else "?"
    return f"{trip[: found.start()]}{found.group(1)}: {text}"[:WIDTH]


def _sql(payload: str) -> str:
    found = re.search(r'"(?:[^"]*)" "(.*)"', payload, re.S) or re.search(r'"(.*)"', payload)
    text = found.group(1) if found else payload
    return " ".join(text.split())[:WIDTH]


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
