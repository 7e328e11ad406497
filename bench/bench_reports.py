"""Every report over 100,000 deals and 1,000,000 interactions, on SQLite and PostgreSQL.

Target (issue 13, "Speed"): each report's figures in at most 500 ms (its chart in at most
300 ms more), with a number of SQL statements that does not grow with the data. The kinds wired
into ``/report`` (``handlers.reports.registry.KINDS``) go through the real dispatcher, as an
adapter sends them (a Telegram user, a delivery key), as a team's manager ("team") and as the
admin ("everyone"), for three periods; the figures not wired yet are timed as the
``storage.reports`` functions their kinds will call; the lists and /search ride along. Each case
runs once cold (reported apart) and then ``--runs`` times (p50, p99 of the figures: the time
of a run less the chart's, timed apart as the issue budgets it). Statements are counted
with a ``before_cursor_execute`` listener at two sizes (a tenth, then the full book): equal
counts mean no query per row. A chart is timed apart when a reply carries one.

    .venv/bin/python bench/bench_reports.py                        # both engines, full size
    .venv/bin/python bench/bench_reports.py --engine sqlite --deals 10000 --interactions 100000
    .venv/bin/python bench/bench_reports.py --keep /tmp/crm-bench   # load once, time many times

``--keep DIR`` keeps the loaded books (SQLite: a file per size under DIR; PostgreSQL: a schema
per size) and reuses them on the next run with the same sizes and seed, after applying any new
migration, so a query rework is timed in seconds rather than after a two-minute load.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import reports_data
from measure import ErrorCount, kept_schema, revision, save, summary
from sqlalchemy import event

from bot.app import build_services, prepare_database
from bot.dispatcher import Dispatcher
from bot.settle import settle
from handlers.kit import Incoming, Reply, Services, Settings
from handlers.reports import kind_charts
from handlers.reports import period as periods
from handlers.reports.registry import KINDS
from storage import deals, migrate
from storage.reports import activity, attention, forecast, funnel, lost, pipeline

TARGET_MS = 500.0  # the figures
CHART_MS = 300.0  # the chart, drawn after them
PERIODS = ("this week", "last quarter", "this year")
TZ = ZoneInfo("Europe/Istanbul")
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5433/crmbench_reports"
Case = tuple[str, str, Callable[[], Any]]  # (label, who, run)


class ChartClock:
    """Time spent drawing charts during a run: a report draws its chart after its figures
    (``kind_charts.attach``), and the issue gives each its own budget, so a run's time is
    split into the two."""

    def __init__(self) -> None:
        self.ms = 0.0
        self._draw = kind_charts.attach

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return self._draw(*args, **kwargs)
        finally:
            self.ms += (time.perf_counter() - start) * 1000


def fresh(engine: str, folder: Path, kept: str | None) -> tuple[Services, bool]:
    """Services on an empty migrated database, or on the kept one ``kept`` names (then True)."""
    reuse = False
    if engine == "sqlite":
        file = folder / f"reports-{kept or 'fresh'}.sqlite3"
        reuse = kept is not None and file.exists()
        url = f"sqlite:///{file}"
    else:
        url = os.environ.get("CRM_BENCH_PG_URL", PG_URL)
        schema = f"bench_{kept}" if kept else "public"
        url, reuse = kept_schema(url, schema, kept is not None)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        crm_database_url=url,
        crm_language="en",
        crm_timezone="Europe/Istanbul",
        crm_rate_commands_per_minute=10**9,
        crm_rate_writes_per_minute=10**9,
    )
    services = build_services(settings, clock=lambda: reports_data.NOW)
    migrate.upgrade(services.db)
    prepare_database(services)
    if reuse and not services.db.is_sqlite:
        with services.db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")  # a new migration's index has no statistics yet
    return services, reuse


def chat_cases(services: Services, book: reports_data.Book) -> list[Case]:
    dispatcher = Dispatcher(services)
    loop = asyncio.new_event_loop()

    def send(tg: int, text: str) -> Callable[[], list[Reply]]:
        def run() -> list[Reply]:
            msg = Incoming("telegram", str(tg), str(tg), text, delivery_key=uuid4().hex)
            return loop.run_until_complete(dispatcher.handle(msg))

        return run

    cases: list[Case] = []
    for kind in KINDS:
        for p in PERIODS:
            cases.append(
                (
                    f"/report {kind} {p}",
                    "manager",
                    send(book.manager_tg, f"/report {kind} {p} team"),
                )
            )
            cases.append(
                (
                    f"/report {kind} {p}",
                    "admin",
                    send(book.admin_tg, f"/report {kind} {p} everyone"),
                )
            )
    for text in (
        "/customers no activity 30 days",
        "/deals no activity 30 days",
        "/deals all",
        "/search price",
        "/search teklif gönder",
    ):
        cases.append((text, "manager", send(book.manager_tg, text)))
        cases.append((text, "admin", send(book.admin_tg, text)))
    return cases


def figure_cases(services: Services, book: reports_data.Book) -> list[Case]:
    """The kinds not wired into /report yet: the storage functions they will call."""
    s = services.settings
    now, today = reports_data.NOW, reports_data.today()

    def figures(p: periods.Period, scope: tuple[int, ...] | None) -> dict[str, Callable[[], Any]]:
        weeks = (p.after - p.first).days > 31
        bounds = activity.day_bounds(p.first, p.last, TZ, weeks=weeks)

        def inside(fn: Callable[..., Any]) -> Callable[[], Any]:
            def run() -> Any:
                with services.db.session() as session:
                    return fn(session)

            return run

        def pipe(session: Any) -> Any:
            stages = deals.stages(session)
            return pipeline.by_stage(session, stages, p.start, scope), pipeline.by_rep(
                session, stages, scope
            )

        def attend(session: Any) -> Any:
            return (
                attention.stale(session, now, s.crm_digest_stale_days, scope),
                attention.load(session, now, 20, 30, scope),
            )

        return {
            "forecast": inside(
                lambda x: forecast.forecast(
                    x,
                    p.first,
                    p.after + timedelta(days=366),
                    today,
                    scope,
                    s.crm_commit_probability,
                )
            ),
            "activity": inside(lambda x: activity.activity(x, bounds, scope)),
            "funnel": inside(lambda x: funnel.funnel(x, p.start, p.end, scope)),
            "lost": inside(lambda x: lost.lost(x, p.start, p.end, scope)),
            "attention": inside(attend),
            "pipeline": inside(pipe),
        }

    cases: list[Case] = []
    for text in PERIODS:
        p = periods.read(text, reports_data.NOW, TZ)
        assert p is not None
        for who, scope in (("manager", book.team), ("admin", None)):
            for kind, run in figures(p, scope).items():
                if kind not in KINDS:
                    cases.append((f"{kind} {text} (storage)", who, run))
    return cases


def measure(
    services: Services, cases: list[Case], runs: int
) -> dict[tuple[str, str], dict[str, Any]]:
    counted = [0]

    def note(*_args: Any) -> None:
        counted[0] += 1

    event.listen(services.db.engine, "before_cursor_execute", note)
    drawing = ChartClock()
    kind_charts.attach = drawing  # type: ignore[assignment]
    out: dict[tuple[str, str], dict[str, Any]] = {}
    try:
        for label, who, run in cases:
            times, charts, statements, chart, first = [], [], set(), None, ""
            for i in range(runs + 1):
                counted[0] = 0
                drawing.ms = 0.0
                start = time.perf_counter()
                result = run()
                ms = (time.perf_counter() - start) * 1000 - drawing.ms
                if i == 0:
                    cold = ms
                    if isinstance(result, list) and result:
                        first = result[0].text.splitlines()[0][:70]
                        pngs = [a for r in result for a in r.attachments if a.mime == "image/png"]
                        chart = bool(pngs)
                else:  # the cold run may fill a cache: its statements are not the steady count
                    times.append(ms)
                    charts.append(drawing.ms)
                    statements.add(counted[0])
            out[(label, who)] = {
                "cold": cold,
                **summary(times),
                "chart_p99": summary(charts)["p99"] if chart else 0.0,
                "statements": sorted(statements),
                "chart": chart,
                "first_line": first,
            }
    finally:
        event.remove(services.db.engine, "before_cursor_execute", note)
        kind_charts.attach = drawing._draw  # type: ignore[assignment]
    return out


def bench_engine(
    engine: str,
    sizes: list[tuple[int, int]],
    runs: int,
    seed: int,
    keep: Path | None,
    only: str | None,
) -> list[dict[str, Any]]:
    results = []
    with tempfile.TemporaryDirectory(prefix="crm-bench-reports-") as tmp:
        for n_deals, n_interactions in sizes:
            folder = keep or Path(tmp)
            folder.mkdir(parents=True, exist_ok=True)
            kept = f"{n_deals}_{n_interactions}_{seed}" if keep else None
            services, reused = fresh(engine, folder, kept)
            start = time.perf_counter()
            if reused:
                book = reports_data.book()
            else:
                book = reports_data.load(services, n_deals, n_interactions, seed)
            took = time.perf_counter() - start
            how = "reused" if reused else "loaded"
            print(
                f"  {engine}: {n_deals:,} deals, {n_interactions:,} interactions "
                f"{how} in {took:.0f} s"
            )
            try:
                settle()  # as the bot does once it has started (bot/settle.py)
                cases = chat_cases(services, book) + figure_cases(services, book)
                cases = [c for c in cases if only is None or only in f"{c[0]} {c[1]}"]
                results.append(
                    {
                        "deals": n_deals,
                        "interactions": n_interactions,
                        "cases": measure(services, cases, runs),
                    }
                )
            finally:
                services.db.dispose()
    return results


def table(engine: str, small: dict[str, Any], large: dict[str, Any]) -> list[str]:
    lines = [
        f"{engine}: {large['deals']:,} deals, {large['interactions']:,} interactions; "
        f"statements at {small['deals']:,} → {large['deals']:,} deals",
        f"  {'case':<44} {'who':<8} {'p50':>7} {'p99':>7} {'cold':>7} {'chart':>7}  "
        f"{'stmts':>9}  verdict (figures p99 <= {TARGET_MS:g} ms, chart p99 <= {CHART_MS:g} ms)",
    ]
    for key, big in large["cases"].items():
        little = small["cases"][key]
        same = little["statements"] == big["statements"]
        ok = big["p99"] <= TARGET_MS and big["chart_p99"] <= CHART_MS and same
        stmts = (
            f"{'/'.join(map(str, little['statements']))}→{'/'.join(map(str, big['statements']))}"
        )
        drawn = f"{big['chart_p99']:7.1f}" if big["chart"] else f"{'—':>7}"
        ms = f"{big['p50']:7.1f} {big['p99']:7.1f} {big['cold']:7.1f} {drawn}"
        lines.append(f"  {key[0]:<44} {key[1]:<8} {ms}  {stmts:>9}  {'OK' if ok else 'MISSED'}")
    return lines


def main() -> None:
    p = argparse.ArgumentParser(description="reports at 100,000 deals and 1M interactions")
    p.add_argument("--deals", type=int, default=100_000)
    p.add_argument("--interactions", type=int, default=1_000_000)
    p.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--runs", type=int, default=10, help="timed runs per case after the cold one")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--keep", type=Path, help="keep the loaded books here and reuse them")
    p.add_argument("--only", help="time only the cases whose label holds this text")
    args = p.parse_args()
    errors = ErrorCount()
    logging.getLogger("bot.dispatcher").addHandler(errors)
    sizes = [(args.deals // 10, args.interactions // 10), (args.deals, args.interactions)]
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    cores = os.cpu_count()
    print(
        f"Reports benchmark; code {revision()}; {cores} cores; target: figures p99 <= "
        f"{TARGET_MS:g} ms, chart p99 <= {CHART_MS:g} ms more"
    )
    saved: dict[str, Any] = {"revision": revision(), "cores": os.cpu_count()}
    for engine in engines:
        small, large = bench_engine(engine, sizes, args.runs, args.seed, args.keep, args.only)
        print("\n".join(table(engine, small, large)), flush=True)
        saved[engine] = [
            {**r, "cases": {f"{k[0]} | {k[1]}": v for k, v in r["cases"].items()}}
            for r in (small, large)
        ]
    print(f"errors logged by the dispatcher: {errors.count}")
    print(f"figures saved to {save('bench_reports', saved)}")


if __name__ == "__main__":
    main()
