"""Small measuring helpers shared by the benchmarks, so both report figures the same way.

Why nearest-rank percentiles: with a thousand samples p99 is the tenth-slowest call, an actual
observation a user waited through, not an interpolation between two of them.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import resource
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine

OUT_DIR = Path(__file__).with_name("out")  # git-ignored


class ErrorCount(logging.Handler):
    """Counts the tracebacks the dispatcher logs: the user only sees "nothing was saved", so
    a fast answer that saved nothing must not pass for a figure."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


class GcPauses:
    """Times the garbage collector's passes: a full pass over 100,000 indexed names is a pause
    a rep can feel, and it lands on whichever command happens to allocate at that moment."""

    def __init__(self) -> None:
        self.started = 0.0
        self.pauses: dict[int, list[float]] = defaultdict(list)

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self.started = time.perf_counter()
        else:
            self.pauses[info["generation"]].append((time.perf_counter() - self.started) * 1000)

    def describe(self) -> str:
        return "; ".join(
            f"gen{g}: {len(p)} passes, total {sum(p):.0f} ms, max {max(p):.1f} ms"
            for g, p in sorted(self.pauses.items())
        )


def revision() -> str:
    """The commit measured, and whether the tree had changes: figures mean little without it."""
    root = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


def percentile(samples: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of ``samples`` (which need not be sorted)."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def summary(samples_ms: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(samples_ms),
        "p50": percentile(samples_ms, 50),
        "p95": percentile(samples_ms, 95),
        "p99": percentile(samples_ms, 99),
        "max": max(samples_ms) if samples_ms else math.nan,
    }


def fmt_summary(stats: dict[str, float]) -> str:
    return (
        f"n={int(stats['n'])}  p50 {stats['p50']:.2f}  p95 {stats['p95']:.2f}  "
        f"p99 {stats['p99']:.2f}  max {stats['max']:.2f} ms"
    )


def peak_rss_mb() -> float:
    """High-water resident set size of this process (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def status_mb(field: str) -> float | None:
    """A memory line of /proc/self/status (VmRSS, VmHWM) in MB, or None off Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def reset_peak_rss() -> bool:
    """Restart VmHWM from the current RSS (Linux), so a later phase gets its own peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def verdict(value: float, limit: float) -> str:
    return "OK" if value <= limit else "MISSED"


def target_line(label: str, value: float, limit: float, unit: str) -> str:
    return (
        f"  {label:<34} {value:9.2f} {unit:<3} target <= {limit:g} {unit}  {verdict(value, limit)}"
    )


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """Yields a one-element list that holds the elapsed seconds once the block ends."""
    box = [0.0]
    start = time.perf_counter()
    try:
        yield box
    finally:
        box[0] = time.perf_counter() - start


def parser(description: str, default_n: int) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--n", type=int, default=default_n, help=f"customers (default {default_n:,})")
    p.add_argument("--seed", type=int, default=42, help="data and query seed (default 42)")
    p.add_argument("--profile", action="store_true", help="cProfile the timed calls")
    return p


def save(name: str, results: dict[str, Any]) -> Path:
    """Keep the figures as JSON under bench/out/ so runs can be compared later. A run started
    by ``bench_scale.py`` names its file itself (``CRM_BENCH_SAVE_AS``), so it finds each
    size's and engine's figures where it expects them."""
    OUT_DIR.mkdir(exist_ok=True)
    path = OUT_DIR / f"{os.environ.get('CRM_BENCH_SAVE_AS') or name}.json"
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    return path


def kept_schema(url: str, schema: str, keep: bool) -> tuple[str, bool]:
    """A PostgreSQL book kept in a schema of its own between runs: (the URL that reads it,
    whether it is already loaded). A book not kept, or not loaded yet, starts from an empty
    schema."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        found = conn.exec_driver_sql(
            "SELECT 1 FROM information_schema.tables "
            f"WHERE table_schema = '{schema}' AND table_name = 'interaction'"
        ).first()
        reuse = keep and found is not None
        if not reuse:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    admin.dispose()
    return (f"{url}?options=-csearch_path%3D{schema}" if keep else url), reuse
