"""Issue 14's figures in one table: each book size on SQLite and PostgreSQL side by side.

Why one script: the figures come from four benchmarks that each isolate one thing — the name
index alone (``bench_lookup.py``), /find and /log one at a time through the dispatcher with a
cold start first (``bench_dispatch.py``), 200 reps at once (``bench_burst.py``), and 200 reps
x 10 commands over two processes on one PostgreSQL (``bench_burst_processes.py``) — and a
reader comparing sizes and engines should not have to stitch their outputs together by hand.
Each runs in its own process (so one's memory does not inflate the next one's RSS), saves its
figures as JSON under a name this script gives it (``CRM_BENCH_SAVE_AS``), and the table is
printed from those files; ``--table`` prints it again from the last runs without running.

    .venv/bin/python bench/bench_scale.py                                  # 100k, 300k, 1M
    .venv/bin/python bench/bench_scale.py --sizes 100000 --engine sqlite
    .venv/bin/python bench/bench_scale.py --table                          # reprint only

PostgreSQL runs on a scratch database (``--url``; wiped by each run). SQLite books are kept
under ``--keep`` and reused by ``bench_dispatch`` on the next run of the same size. A 1M run
loads a million customers and ten million interactions on each engine: hours, not minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from measure import OUT_DIR

HERE = Path(__file__).resolve().parent
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5433/crmbench_scale"
ENGINES = ("sqlite", "postgres")
COLUMNS = (
    ("customers", 10),
    ("engine", 10),
    ("search p95", 11),
    ("/find p99", 10),
    ("/log p99", 10),
    ("RSS", 8),
    ("1st /find", 10),
    ("build", 8),
    ("burst cmd/s", 12),
    ("burst p99", 10),
    ("CPU/cmd", 14),
    ("2-proc cmd/s", 13),
    ("2-proc p99", 11),
    ("errors", 7),
)
TARGETS = (
    "targets at 1M: 5 ms | 15 ms | 15 ms | 400 MB | 1 s | - | - | 2 s | 15x floor | - | 2.5 s | 0"
)


def _name(bench: str, n: int, engine: str | None = None) -> str:
    return f"scale_{bench}_{engine}_{n}" if engine else f"scale_{bench}_{n}"


def _run(script: str, save_as: str, *args: str) -> None:
    """One benchmark in a process of its own; its output goes straight to ours."""
    env = {**os.environ, "CRM_BENCH_SAVE_AS": save_as}
    command = [sys.executable, str(HERE / script), *args]
    print(f"\n$ {' '.join(command[1:])}", flush=True)
    done = subprocess.run(command, env=env, cwd=HERE, check=False)
    if done.returncode != 0:
        print(f"  {script} failed (exit {done.returncode}); its row stays empty")


def run_size(n: int, engines: list[str], url: str, keep: Path) -> None:
    _run("bench_lookup.py", _name("lookup", n), "--n", str(n))
    for engine in engines:
        where = ["--url", url] if engine == "postgres" else ["--keep", str(keep / f"dispatch-{n}")]
        _run("bench_dispatch.py", _name("dispatch", n, engine), "--n", str(n), *where)
        burst = ["--url", url] if engine == "postgres" else []
        _run("bench_burst.py", _name("burst", n, engine), "--n", str(n), *burst)
        if engine == "postgres":  # two processes on one database: PostgreSQL only
            _run("bench_burst_processes.py", _name("burst2p", n, engine), "--n", str(n), *burst)


def _read(name: str) -> dict[str, Any]:
    path = OUT_DIR / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} ms"


def row(n: int, engine: str) -> list[str]:
    lookup = _read(_name("lookup", n))
    dispatch = _read(_name("dispatch", n, engine))
    burst = _read(_name("burst", n, engine))
    two = _read(_name("burst2p", n, engine))
    latency = dispatch.get("latency_ms", {})
    start = dispatch.get("cold_start") or {}
    rss = start.get("rss_mb")  # the fresh serving process's, not the benchmark's own
    cpu, floor = burst.get("cpu_per_command_ms"), burst.get("floor_us")
    counts = (dispatch.get("errors"), burst.get("errors"), two.get("errors"))
    errors = [x for x in counts if x is not None]
    errors += [two["answered_twice"]] if two else []  # a duplicate answered twice is one too
    return [
        f"{n:,}",
        engine,
        _ms(lookup.get("latency_ms", {}).get("p95")),
        _ms(latency.get("find", {}).get("p99")),
        _ms(latency.get("log", {}).get("p99")),
        "-" if rss is None else f"{rss:.0f} MB",
        "-" if "first_find_ms" not in start else f"{start['first_find_ms'] / 1000:.2f} s",
        "-" if "built_s" not in start else f"{start['built_s']:.1f} s",
        "-" if not burst else f"{burst['commands_per_s']:.0f}",
        "-" if not burst else f"{burst['answer_ms']['p99'] / 1000:.1f} s",
        "-" if cpu is None else f"{cpu:.2f} ms ({cpu * 1000 / floor:.0f}x)",
        "-" if not two else f"{two['commands_per_s']:.0f}",
        "-" if not two else f"{two['answer_ms']['p99'] / 1000:.1f} s",
        "-" if not errors else str(sum(errors)),
    ]


def table(sizes: list[int], engines: list[str]) -> str:
    lines = ["".join(title.ljust(width) for title, width in COLUMNS)]
    for n in sizes:
        for engine in engines:
            cells = row(n, engine)
            lines.append("".join(c.ljust(w) for c, (_, w) in zip(cells, COLUMNS, strict=True)))
    lines.append(TARGETS)
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--sizes", default="100000,300000,1000000", help="customers, comma-separated")
    ap.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    ap.add_argument("--url", default=os.environ.get("CRM_BENCH_PG_URL", PG_URL))
    ap.add_argument("--keep", type=Path, default=Path("/tmp/crm-bench-scale"))
    ap.add_argument("--table", action="store_true", help="print the last runs' table only")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    engines = list(ENGINES) if args.engine == "both" else [args.engine]
    if not args.table:
        for n in sizes:
            run_size(n, engines, args.url, args.keep)
    print(f"\nIssue 14's figures ({os.cpu_count()} cores):\n")
    print(table(sizes, engines))


if __name__ == "__main__":
    main()
