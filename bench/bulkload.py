"""Fill a fresh CRM database with generated customers and their history, fast.

Why Core ``insert()`` executemany in one transaction rather than the ORM or the bot's own
commands: the ORM would build, track and audit a million objects and the load would take far
longer than the benchmark itself. The schema is still the real one (created by Alembic), and
values still go through the column types, so ``UTCDateTime`` refuses a naive datetime here too.

Stamps are spread over the past years on purpose: the name index re-reads every customer whose
``updated_at`` lies within a few seconds of the newest one on every query, so stamping 100,000
rows with one "now" would measure an import artefact rather than a CRM in use.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from names import CustomerRecord
from sqlalchemy import Table, insert

from storage.db import Database
from storage.folding import name_key
from storage.models import INTERACTION_KINDS, Customer, Interaction

BATCH = 20_000
HISTORY = timedelta(days=3 * 365)

# Summary texts, stored and later typed into /log; none of their words is a name word.
SUMMARIES = (
    "discussed pricing for next quarter",
    "asked for a demo next week",
    "sent the brochure and price list",
    "no answer, will try again",
    "wants a discount on volume",
    "fiyatları konuştuk",
    "teklif gönderildi",
    "numune istedi",
    "ödeme planını sordu",
    "toplantı ayarlandı",
    "complained about late delivery",
    "renewal looks likely",
    "yeni sipariş için görüştük",
    "asked about payment terms",
)


@dataclass(frozen=True)
class LoadTimes:
    customers_s: float
    interactions_s: float
    checkpoint_s: float

    @property
    def total_s(self) -> float:
        return self.customers_s + self.interactions_s + self.checkpoint_s


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def customer_rows(
    records: list[CustomerRecord], owner_id: int, now: datetime, rng: random.Random
) -> Iterator[dict[str, Any]]:
    """One row per record, ids 1..n in order, created and last updated somewhere in HISTORY."""
    span = HISTORY.total_seconds()
    for customer_id, record in enumerate(records, start=1):
        created = now - timedelta(seconds=rng.uniform(60, span))
        updated = created + (now - created) * rng.random() * 0.9
        yield {
            "id": customer_id,
            "name": record.name,
            "name_key": name_key(record.name),
            "kind": record.kind,
            "phone": record.phone,
            "email": record.email,
            "city": record.city,
            "tags": [],
            "owner_id": owner_id,
            "do_not_contact": False,
            "created_at": created,
            "updated_at": updated,
        }


def interaction_rows(
    count: int, customers: int, rep_id: int, now: datetime, rng: random.Random
) -> Iterator[dict[str, Any]]:
    """``count`` interactions in time order; busy customers get many, most get a few."""
    at = now - HISTORY
    step = HISTORY.total_seconds() / max(count, 1)
    for _ in range(count):
        at += timedelta(seconds=rng.expovariate(1.0) * step)
        stamp = min(at, now)
        yield {
            "kind": rng.choice(INTERACTION_KINDS),
            "summary": rng.choice(SUMMARIES),
            "occurred_at": stamp,
            "rep_id": rep_id,
            "customer_id": 1 + int(customers * rng.random() ** 2),
            "created_at": stamp,
        }


def batches(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def load(
    db: Database,
    records: list[CustomerRecord],
    interactions: int,
    rep_id: int,
    now: datetime,
    seed: int,
) -> LoadTimes:
    """Insert the customers, then the interactions, each in one transaction; checkpoint WAL."""
    rng = random.Random(seed)
    start = time.perf_counter()
    with db.engine.begin() as conn:
        for batch in batches(customer_rows(records, rep_id, now, rng), BATCH):
            conn.execute(insert(_table(Customer)), batch)
    customers_done = time.perf_counter()
    with db.engine.begin() as conn:
        rows = interaction_rows(interactions, len(records), rep_id, now, rng)
        for batch in batches(rows, BATCH):
            conn.execute(insert(_table(Interaction)), batch)
    interactions_done = time.perf_counter()
    if db.is_sqlite:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return LoadTimes(
        customers_done - start,
        interactions_done - customers_done,
        time.perf_counter() - interactions_done,
    )
