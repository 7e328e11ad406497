"""The digest and the reminder scan on a team-sized SQLite database.

Targets (issue 5): the digest of a team of 50 reps with 10,000 open deals and 100,000
interactions in at most 1 s, with a number of queries that does not grow with the number of
deals; the reminder scan over 100,000 tasks in at most 1 s.

The digest is measured twice, at a tenth of the size and at full size: the query counts
(every statement, counted with a ``before_cursor_execute`` listener) must be equal. The
digest time includes the chart (matplotlib, imported in the warm-up run, which is reported
apart). The reminder scan is measured as the first scan of a working morning (every overdue
task claimed in the run ledger, one message per rep to an in-memory adapter, tasks stamped)
and as the steady-state scan that runs every sweep (nothing left to send).

    .venv/bin/python bench/bench_digest.py             # 10,000 open deals, 100,000 tasks
    .venv/bin/python bench/bench_digest.py --n 2000    # quicker (deals; the rest scales)
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from bulkload import batches
from measure import fmt_summary, parser, revision, save, summary, target_line
from sqlalchemy import event, insert
from sqlmodel import col, func, select

from bot.adapters.base import Notifier
from bot.app import build_services, prepare_database
from bot.jobs import Jobs
from handlers.digest import all_reps, audience, build
from handlers.kit import Reply, Services, Settings
from storage import deals, migrate
from storage.models import Customer, Deal, DealStageChange, Interaction, Rep, Task

TARGET_S = 1.0
REPS = 50
RUNS = 10
IST = ZoneInfo("Europe/Istanbul")
# Monday 10:00 in Istanbul: inside working hours, so the reminder scan has work to do.
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
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


def setup(folder: Path, n_deals: int, n_interactions: int, n_tasks: int, seed: int) -> Services:
    """A fresh database: one manager and 49 reps under them, customers, deals (open and
    closed, some unowned, some recently moved), interactions and tasks, bulk-inserted."""
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        crm_database_url=f"sqlite:///{folder / 'bench.sqlite3'}",
        crm_language="en",
        crm_timezone="Europe/Istanbul",
    )
    services = build_services(settings, clock=lambda: NOW)
    migrate.upgrade(services.db)
    prepare_database(services)
    rng = random.Random(seed)
    with services.db.session(write=True) as s:
        manager = Rep(name="Manager", role="manager", telegram_user_id=1)
        s.add(manager)
        s.flush()
        for n in range(1, REPS):
            s.add(Rep(name=f"Rep {n:02d}", manager_id=manager.id, telegram_user_id=1 + n))
        s.flush()
        stages = deals.stages(s)
    rep_ids = list(range(1, REPS + 1))
    open_stages = [st.id for st in stages if not st.is_closed]
    won = next(st.id for st in stages if st.is_won)
    lost = next(st.id for st in stages if st.is_lost)
    n_customers = max(n_deals // 2, 1)
    span = timedelta(days=180)

    def when() -> datetime:
        return NOW - span * rng.random()

    customers = (
        {
            "id": i,
            "name": f"Customer {i}",
            "name_key": f"customer {i}",
            "kind": "company",
            "tags": [],
            "do_not_contact": False,
            "created_at": NOW - span,
            "updated_at": NOW - span,
        }
        for i in range(1, n_customers + 1)
    )

    def deal_rows() -> Iterator[dict[str, Any]]:
        closed = n_deals // 5
        for i in range(1, n_deals + closed + 1):
            created = when()
            is_open = i <= n_deals
            stage = rng.choice(open_stages) if is_open else rng.choice((won, lost))
            amount = Decimal(rng.randrange(5_000, 2_000_000, 1_000))
            yield {
                "id": i,
                "title": f"Deal {i}",
                "customer_id": rng.randint(1, n_customers),
                "amount": amount,
                "closed_amount": amount * Decimal(rng.choice(("0.4", "1", "1.3"))),
                "currency": "TRY",
                "stage_id": stage,
                "owner_id": None if rng.random() < 0.02 else rng.choice(rep_ids),
                "expected_close": (created + timedelta(days=60)).date(),
                "lost_reason": rng.choice((None, "price", "timing")),
                "stage_changed_at": created + (NOW - created) * rng.random(),
                "closed_at": None if is_open else created + (NOW - created) * rng.random(),
                "created_at": created,
                "updated_at": created,
            }

    def changes() -> Iterator[dict[str, Any]]:
        for i in range(1, n_deals + 1):
            yield {"deal_id": i, "to_stage_id": open_stages[0], "at": NOW - span}
            if i % 20 == 0:
                yield {
                    "deal_id": i,
                    "from_stage_id": open_stages[0],
                    "to_stage_id": open_stages[1],
                    "at": NOW - timedelta(hours=rng.randint(1, 30)),
                }

    interactions = (
        {
            "kind": "call",
            "summary": "talked",
            "occurred_at": (at := when()),
            "created_at": at,
            "customer_id": rng.randint(1, n_customers),
            "rep_id": rng.choice(rep_ids),
        }
        for _ in range(n_interactions)
    )

    def tasks() -> Iterator[dict[str, Any]]:
        for _ in range(n_tasks):
            due = NOW + timedelta(days=rng.uniform(-30, 30))
            is_open = rng.random() < 0.3
            yield {
                "title": "follow up",
                "due_at": due,
                "assignee_id": rng.choice(rep_ids),
                "status": "open" if is_open else "done",
                "done_at": None if is_open else due,
                "created_at": due - timedelta(days=rng.uniform(1, 40)),
            }

    with services.db.engine.begin() as conn:
        for model, rows in (
            (Customer, customers),
            (Deal, deal_rows()),
            (DealStageChange, changes()),
            (Interaction, interactions),
            (Task, tasks()),
        ):
            for batch in batches(rows, 10_000):
                conn.execute(insert(model.__table__), batch)  # type: ignore[attr-defined]
    with services.db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return services


def counted(services: Services, run: Callable[[], T]) -> tuple[T, float, int]:
    """(result, seconds, statements executed)."""
    statements = [0]

    def note(*_args: Any) -> None:
        statements[0] += 1

    event.listen(services.db.engine, "before_cursor_execute", note)
    try:
        start = time.perf_counter()
        result = run()
        elapsed = time.perf_counter() - start
    finally:
        event.remove(services.db.engine, "before_cursor_execute", note)
    return result, elapsed, statements[0]


DAILY = NOW + timedelta(days=1)  # a Tuesday: the daily digest the target is about
WEEKLY = NOW  # a Monday: the team digest also carries the weekly data-quality section


def digest_once(services: Services, at: datetime = DAILY) -> list[Reply]:
    with services.db.session() as s:
        reps = all_reps(s)
        who = audience(reps, "team", 1, "en", IST)  # the manager's team: all 50 reps
        data, replies = build(s, services.settings, who, "bench:1", at, reps)
    assert data.pipeline and not data.attention.empty, "the bench data should need attention"
    return replies


def bench_digest(folder: Path, n_deals: int, seed: int) -> dict[str, Any]:
    n_interactions = n_deals * 10
    services = setup(folder, n_deals, n_interactions, 1_000, seed)
    try:
        _, warm_s, _ = counted(services, lambda: digest_once(services))
        times, queries = [], set()
        for _ in range(RUNS):
            replies, seconds, n = counted(services, lambda: digest_once(services))
            times.append(seconds * 1000)
            queries.add(n)
        stats = summary(times)
        print(
            f"  {n_deals:>6,} open deals, {n_interactions:>7,} interactions: "
            f"{fmt_summary(stats)}; queries {sorted(queries)}; replies {len(replies)}; "
            f"first run (matplotlib import) {warm_s * 1000:.0f} ms"
        )
        weekly = [
            counted(services, lambda: digest_once(services, WEEKLY))[1] * 1000 for _ in range(3)
        ]
        print(f"      Monday, with the weekly data-quality section: {fmt_summary(summary(weekly))}")
        return {
            "deals": n_deals,
            "interactions": n_interactions,
            "ms": stats,
            "queries": sorted(queries),
            "warmup_ms": warm_s * 1000,
        }
    finally:
        services.db.dispose()


def bench_reminders(folder: Path, n_tasks: int, seed: int) -> dict[str, Any]:
    services = setup(folder, 100, 1_000, n_tasks, seed)
    try:
        sink = Sink()
        jobs = Jobs(services, Notifier([sink]))
        sent, first_s, first_q = counted(services, lambda: asyncio.run(jobs.reminders(NOW)))
        with services.db.session() as s:
            reminded = s.exec(
                select(func.count()).where(col(Task.last_reminded_at).is_not(None))
            ).one()
        steady, queries, more = [], set(), 0
        for minute in range(1, RUNS * 2 + 1):
            later = NOW + timedelta(minutes=minute)
            n, seconds, q = counted(services, lambda at=later: asyncio.run(jobs.reminders(at)))
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


def main() -> None:
    args = parser("digest and reminder scan", 10_000).parse_args()
    print(f"Digest and reminder benchmark ({REPS} reps); code {revision()}")
    results: dict[str, Any] = {"revision": revision()}
    with tempfile.TemporaryDirectory(prefix="crm-bench-") as tmp:
        print("digest (team of 50, chart included):")
        small = bench_digest(Path(tmp) / "small", max(args.n // 10, 100), args.seed)
        large = bench_digest(Path(tmp) / "large", args.n, args.seed)
        print("reminder scan:")
        scan = bench_reminders(Path(tmp) / "tasks", args.n * 10, args.seed)
    results.update({"digest_small": small, "digest_large": large, "reminders": scan})
    print("targets:")
    print(target_line("digest p50", large["ms"]["p50"] / 1000, TARGET_S, "s"))
    print(target_line("digest max", large["ms"]["max"] / 1000, TARGET_S, "s"))
    same = small["queries"] == large["queries"]
    print(
        f"  digest queries, {small['deals']:,} vs {large['deals']:,} deals: "
        f"{small['queries']} vs {large['queries']}  {'OK' if same else 'MISSED'}"
    )
    print(target_line("reminder scan, first", scan["first_ms"] / 1000, TARGET_S, "s"))
    print(target_line("reminder scan, steady max", scan["steady_ms"]["max"] / 1000, TARGET_S, "s"))
    print(f"  figures saved to {save('bench_digest', results)}")


if __name__ == "__main__":
    main()
