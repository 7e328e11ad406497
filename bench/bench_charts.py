"""How long a report chart takes to draw (issue 13: at most 300 ms on top of the figures).

Each generic chart (``handlers.reports.charts``) is drawn at its largest — 12 bars, 12
periods, 12 stacked bars of 3 parts — in Turkish, with its labels formatted by the
Translator, as a report would. The first draw of the process is reported apart: it imports
matplotlib and loads its font cache (a cold start, paid once per process); the rest are
warm draws, of which the median and the slowest are printed, with the CPU time beside
the wall time (on a busy shared machine the wall time is mostly waiting for a core).

    .venv/bin/python bench/bench_charts.py            # 30 warm draws of each
    .venv/bin/python bench/bench_charts.py --n 5
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from handlers.kit import Translator
from handlers.reports import charts
from handlers.reports.kind_charts import formatter

TARGET_MS = 300.0


def drawings() -> dict[str, Callable[[], bytes | None]]:
    t = Translator("tr")
    money = formatter(t, "money", "TRY")
    words = charts.Words("Kazanılan tutar (temsilci bazında)", "1 Kas 2026 – 30 Kas 2026", "TRY")
    names = [f"Temsilci Adı Soyadı {n}" for n in range(1, 21)]
    items = charts.fold([(n, 1_234_567.0 * i) for i, n in enumerate(names, 1)], "Diğerleri")
    months = [f"Ay {n}" for n in range(1, 13)]
    points = [(m, 0.3 + 0.02 * i) for i, m in enumerate(months)]
    layers = [(name, [100_000.0 * (i % 4) for i in range(12)]) for name in ("A", "B", "C")]
    return {
        "bars (12)": lambda: charts.bars(words, items, money),
        "trend (12 periods)": lambda: charts.trend(words, points, formatter(t, "share", "TRY")),
        "stacked (12 x 3)": lambda: charts.stacked(words, months, layers, money),
    }


def timed(draw: Callable[[], bytes | None]) -> tuple[float, float]:
    """Wall and CPU milliseconds: on a shared machine the CPU time is the drawing's own."""
    wall, cpu = time.perf_counter(), time.process_time()
    assert draw() is not None
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=30)
    n = parser.parse_args().n
    todo = drawings()
    wall, cpu = timed(todo["bars (12)"])
    print(f"cold start (import matplotlib, font cache, first draw): {wall:.0f} ms (CPU {cpu:.0f})")
    worst = worst_cpu = 0.0
    for name, draw in todo.items():
        walls, cpus = zip(*(timed(draw) for _ in range(n)), strict=True)
        worst = max(worst, statistics.median(walls))
        worst_cpu = max(worst_cpu, statistics.median(cpus))
        print(
            f"{name:<20} median {statistics.median(walls):5.0f} ms (CPU "
            f"{statistics.median(cpus):3.0f})   slowest {max(walls):5.0f} ms"
        )
    for what, figure in (("wall", worst), ("CPU", worst_cpu)):
        verdict = "meets" if figure <= TARGET_MS else "MISSES"
        print(f"{what}: {verdict} the target (every median at most {TARGET_MS:.0f} ms)")
    return 0 if worst <= TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
