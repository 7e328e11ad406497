"""The book the digest benchmark reads: reps in a manager tree, customers, deals, history.

Why a module of its own: the load is half the benchmark's code, and it is shared by the
SQLite and the PostgreSQL runs. Rows go in with Core ``insert()`` executemany in one
transaction per table (``bulkload.batches``); every row of one table names the same columns,
since an executemany batch takes its column list from its first row (a missing key in a later
row is what crashed the old load at 100,000 deals).

Customers are the generated long-tail names of ``names.py`` with their phones and e-mails, so
the weekly duplicate scan meets real namesakes; a few hundred planted copies (same phone,
typo'd name) give it duplicates to find.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bulkload import batches, customer_rows
from measure import kept_schema
from names import generate
from sqlalchemy import insert

from bot.app import build_services, prepare_database
from handlers.kit import Services, Settings
from storage import deals, migrate
from storage.folding import name_key
from storage.models import Customer, Deal, DealStageChange, Interaction, Rep, Task

# Monday 10:00 in Istanbul: inside working hours, so the reminder scan has work to do.
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
BATCH = 10_000
MANAGERS = 10  # under the head of sales; the other reps are spread under them


@dataclass(frozen=True)
class Size:
    reps: int
    deals: int  # open and closed together (a fifth closed)
    interactions: int
    tasks: int

    def tenth(self) -> Size:
        return Size(
            max(self.reps // 10, 12),
            max(self.deals // 10, 100),
            self.interactions // 10,
            max(self.tasks // 10, 100),
        )

    def label(self) -> str:
        return f"{self.reps} reps, {self.deals:,} deals, {self.interactions:,} interactions"


def services_for(url: str, kept: str | None = None) -> tuple[Services, bool]:
    """Services on an empty, migrated database at ``url`` (PostgreSQL: its schema re-created),
    or, when ``kept`` names a book loaded by an earlier run, on that book (then True).

    A kept book is a SQLite file named by ``url`` that already exists, or on PostgreSQL the
    schema ``kept``; new migrations are applied to it, and PostgreSQL re-analyses it so that a
    new index has statistics."""
    reuse = False
    if url.startswith("sqlite:///"):
        file = Path(url.removeprefix("sqlite:///"))
        reuse = kept is not None and file.exists()
        if not reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{file}{suffix}").unlink(missing_ok=True)
    else:
        schema = f"digest_{kept}" if kept else "public"
        url, reuse = kept_schema(url, schema, kept is not None)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        crm_database_url=url,
        crm_language="en",
        crm_timezone="Europe/Istanbul",
    )
    services = build_services(settings, clock=lambda: NOW)
    migrate.upgrade(services.db)
    prepare_database(services)
    if reuse and not services.db.is_sqlite:
        with services.db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    return services, reuse


def _reps(size: Size) -> Iterator[dict[str, Any]]:
    """Rep 1 heads sales; reps 2..MANAGERS+1 are managers under them; the rest under those."""
    managers = min(MANAGERS, max(size.reps - 1, 1))
    for i in range(1, size.reps + 1):
        if i == 1:
            role, boss = "manager", None
        elif i <= managers + 1:
            role, boss = "manager", 1
        else:
            role, boss = "rep", 2 + (i % managers)
        yield {
            "id": i,
            "name": f"Rep {i:03d}",
            "role": role,
            "manager_id": boss,
            "telegram_user_id": 1000 + i,
            "language": "en",
            "timezone": "Europe/Istanbul",
            "active": True,
            "remind_before_minutes": 0,
            "created_at": NOW - timedelta(days=400),
        }


def load(services: Services, size: Size, seed: int) -> None:
    rng = random.Random(seed)
    with services.db.session() as s:
        stages = deals.stages(s)
    rep_ids = list(range(1, size.reps + 1))
    open_stages = [st.id for st in stages if not st.is_closed]
    won = next(st.id for st in stages if st.is_won)
    lost = next(st.id for st in stages if st.is_lost)
    n_customers = max(size.deals // 2, 1)
    records = generate(n_customers, seed)
    span = timedelta(days=180)

    def when() -> datetime:
        return NOW - span * rng.random()

    def customers() -> Iterator[dict[str, Any]]:
        for row in customer_rows(records, 1, NOW, rng):
            row["owner_id"] = rng.choice(rep_ids)
            if row["id"] % 200 == 0:  # a planted copy: same phone, name typed differently
                twin = records[rng.randrange(n_customers)]
                row.update(name=twin.name.upper(), phone=twin.phone, email=None)
                row["name_key"] = name_key(twin.name)
            yield row

    def deal_rows() -> Iterator[dict[str, Any]]:
        closed = size.deals // 5
        for i in range(1, size.deals + 1):
            created = when()
            is_open = i > closed
            stage = rng.choice(open_stages) if is_open else rng.choice((won, lost))
            amount = Decimal(rng.randrange(5_000, 2_000_000, 1_000))
            yield {
                "id": i,
                "title": f"Deal {i}",
                "customer_id": None if rng.random() < 0.005 else rng.randint(1, n_customers),
                "amount": None if rng.random() < 0.01 else amount,
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
        for i in range(1, size.deals + 1):
            first = {"deal_id": i, "from_stage_id": None, "to_stage_id": open_stages[0]}
            yield first | {"at": NOW - span}
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
        for _ in range(size.interactions)
    )

    def tasks() -> Iterator[dict[str, Any]]:
        for _ in range(size.tasks):
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
            (Rep, _reps(size)),
            (Customer, customers()),
            (Deal, deal_rows()),
            (DealStageChange, changes()),
            (Interaction, interactions),
            (Task, tasks()),
        ):
            for batch in batches(rows, BATCH):
                conn.execute(insert(model.__table__), batch)  # type: ignore[attr-defined]
    with services.db.engine.connect() as conn:
        if services.db.is_sqlite:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            conn.exec_driver_sql("COMMIT")
            conn.exec_driver_sql("ANALYZE")
