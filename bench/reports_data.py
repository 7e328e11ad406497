"""A sales book for the reports benchmark: 200 reps in teams, customers, deals over three years
with their stage history, interactions of every kind, tasks, products and exchange rates.

Why shaped like this: a report's cost depends on how rows spread over stages, periods, owners
and currencies. Old deals are mostly closed (won or lost, with closed amounts, close dates and
lost reasons), recent ones mostly open; each deal's stage history walks the stages in order,
as ``/stage`` writes it; interactions and tasks follow the customer's owner. Rows go in with
Core executemany in one transaction (``bulkload``), through the real, migrated schema.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from bulkload import SUMMARIES, batches
from names import generate
from sqlalchemy import insert

from handlers.kit import Services
from storage import deals
from storage.folding import name_key
from storage.models import (
    INTERACTION_KINDS,
    Customer,
    Deal,
    DealStageChange,
    ExchangeRate,
    Interaction,
    Product,
    Quota,
    Rep,
    Task,
)
from storage.models.rates import RATE_SCALE

# Wednesday 11:00 in Istanbul, mid-quarter: "this week", "last quarter", "this year" all hold data.
NOW = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)
HISTORY = timedelta(days=3 * 365)
MANAGERS = 10
REPS_PER_TEAM = 19  # 10 managers + 190 reps = 200
REGIONS = ("Istanbul", "Ankara", "Izmir", "Bursa", "Antalya")
LOST_REASONS = ("price", "timing", "competitor", "no budget", "no decision", "fiyat", "rakip")
CURRENCIES = (("TRY", 0.8), ("USD", 0.12), ("EUR", 0.08))
RATES = {"USD": 32.0, "EUR": 35.0}  # three years ago; they drift up weekly


@dataclass(frozen=True)
class Book:
    admin_tg: int
    manager_tg: int  # the first team's manager
    team: tuple[int, ...]  # that manager and their reps (ids)


def _rows(model: Any, rows: Any) -> tuple[Any, Any]:
    return model.__table__, rows


def _rep(
    rep_id: int, name: str, role: str, manager: int | None, region: str | None
) -> dict[str, Any]:
    """Every row has every key: executemany takes its columns from the first row."""
    return {
        "id": rep_id,
        "name": name,
        "role": role,
        "manager_id": manager,
        "telegram_user_id": rep_id,
        "region": region,
        "created_at": NOW - HISTORY,
    }


def _reps() -> Iterator[dict[str, Any]]:
    yield _rep(1, "Bench Admin", "admin", None, None)
    rep_id = 2
    for m in range(MANAGERS):
        manager = rep_id
        region = REGIONS[m % len(REGIONS)]
        yield _rep(manager, f"Manager {m + 1:02d}", "manager", None, region)
        for r in range(REPS_PER_TEAM):
            rep_id += 1
            yield _rep(rep_id, f"Rep {m + 1:02d}-{r + 1:02d}", "rep", manager, region)
        rep_id += 1


def _rates() -> Iterator[dict[str, Any]]:
    start = (NOW - HISTORY).date()
    for currency, first in RATES.items():
        for week in range(0, 3 * 53):
            rate = Decimal(str(round(first * (1 + week * 0.004), 4)))
            yield {
                "base": "TRY",
                "currency": currency,
                "valid_from": start + timedelta(weeks=week),
                "rate_units": int(rate * RATE_SCALE),
                "source": "bench",
                "set_at": NOW,
            }


def _products() -> Iterator[dict[str, Any]]:
    for i in range(1, 21):
        yield {
            "id": i,
            "name": f"Product {i}",
            "key": f"product{i}",
            "price": Decimal(5_000 * i),
            "currency": "TRY" if i % 4 else "USD",
            "created_at": NOW - HISTORY,
        }


def load(services: Services, n_deals: int, n_interactions: int, seed: int) -> Book:
    """Fill the migrated, empty database behind ``services``; customers = deals."""
    rng = random.Random(seed)
    with services.db.session(write=True) as s:
        stages = deals.stages(s)
    opens = [st for st in stages if not st.is_closed]
    won = next(st for st in stages if st.is_won)
    lost = next(st for st in stages if st.is_lost)
    rep_rows = list(_reps())
    sellers = [r["id"] for r in rep_rows if r["role"] != "admin"]
    n_customers = n_deals
    owner = [0] + [rng.choice(sellers) for _ in range(n_customers)]
    span = HISTORY.total_seconds()

    def ago(fraction: float) -> datetime:
        return NOW - timedelta(seconds=span * fraction)

    def customers() -> Iterator[dict[str, Any]]:
        for i, rec in enumerate(generate(n_customers, seed=seed), start=1):
            created = ago(rng.random())
            yield {
                "id": i,
                "name": rec.name,
                "name_key": name_key(rec.name),
                "kind": rec.kind,
                "phone": rec.phone,
                "email": rec.email,
                "city": rec.city,
                "tags": ["vip"] if i % 17 == 0 else [],
                "owner_id": owner[i],
                "do_not_contact": False,
                "created_at": created,
                "updated_at": created,
            }

    changes: list[dict[str, Any]] = []

    def deal_rows() -> Iterator[dict[str, Any]]:
        for i in range(1, n_deals + 1):
            age = rng.random()
            created = ago(age)
            closes = rng.random() < min(0.95, 0.15 + age * 2)  # old deals are mostly closed
            reached = rng.randrange(len(opens))
            final = (won if rng.random() < 0.35 else lost) if closes else opens[reached]
            steps = [st.id for st in opens[: reached + 1]] + ([final.id] if closes else [])
            life = (NOW - created) * rng.uniform(0.1, 1.0 if not closes else 0.6)
            at, prev = created, None
            for step in steps:
                changes.append({"deal_id": i, "from_stage_id": prev, "to_stage_id": step, "at": at})
                prev, at = step, at + life / len(steps)
            cust = 1 + int(n_customers * rng.random() ** 1.5) % n_customers
            amount = Decimal(rng.randrange(10_000, 3_000_000, 500))
            currency = rng.choices([c for c, _ in CURRENCIES], [w for _, w in CURRENCIES])[0]
            yield {
                "id": i,
                "title": f"Deal {i}",
                "customer_id": cust,
                "amount": None if rng.random() < 0.03 else amount,
                "closed_amount": amount * Decimal(rng.choice(("0.8", "1", "1.1")))
                if final is won
                else None,
                "currency": currency,
                "stage_id": final.id,
                "owner_id": owner[cust] if rng.random() > 0.01 else None,
                "product_id": rng.randint(1, 20) if rng.random() < 0.8 else None,
                "expected_close": (created + timedelta(days=rng.randint(20, 180))).date(),
                "lost_reason": rng.choice(LOST_REASONS) if final is lost else None,
                "stage_changed_at": changes[-1]["at"],
                "closed_at": changes[-1]["at"] if closes else None,
                "created_at": created,
                "updated_at": changes[-1]["at"],
            }

    def interactions() -> Iterator[dict[str, Any]]:
        for _ in range(n_interactions):
            at = ago(rng.random() ** 1.3)  # busier lately
            cust = 1 + int(n_customers * rng.random() ** 2) % n_customers
            yield {
                "kind": rng.choice(INTERACTION_KINDS),
                "summary": rng.choice(SUMMARIES),
                "occurred_at": at,
                "created_at": at,
                "customer_id": cust,
                "rep_id": owner[cust],
                "deal_id": rng.randint(1, n_deals) if rng.random() < 0.3 else None,
            }

    def tasks() -> Iterator[dict[str, Any]]:
        for _ in range(n_deals // 2):
            due = NOW + timedelta(days=rng.uniform(-60, 30))
            is_open = rng.random() < 0.3
            yield {
                "title": rng.choice(("follow up", "send the offer", "teklif gönder", "call back")),
                "due_at": due,
                "assignee_id": rng.choice(sellers),
                "customer_id": rng.randint(1, n_customers),
                "status": "open" if is_open else "done",
                "done_at": None if is_open else due,
                "created_at": due - timedelta(days=rng.uniform(1, 60)),
            }

    quotas = [
        {
            "rep_id": r,
            "period": "2026-Q4",
            "amount": Decimal(1_500_000),
            "currency": "TRY",
            "set_at": NOW,
        }
        for r in sellers
    ]
    with services.db.engine.begin() as conn:
        for table, rows in (
            _rows(Rep, iter(rep_rows)),
            _rows(ExchangeRate, _rates()),
            _rows(Product, _products()),
            _rows(Quota, iter(quotas)),
            _rows(Customer, customers()),
            _rows(Deal, deal_rows()),
            _rows(DealStageChange, iter(changes)),
            _rows(Interaction, interactions()),
            _rows(Task, tasks()),
        ):
            for batch in batches(rows, 10_000):
                conn.execute(insert(table), batch)
        if not services.db.is_sqlite:  # ids were given: move the sequences past them
            for table in ("rep", "customer", "deal", "product"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            conn.exec_driver_sql("ANALYZE")  # autovacuum would, soon after a load
    if services.db.is_sqlite:
        with services.db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return book()


def book() -> Book:
    """Who asks: the same for every size and seed, so a kept database needs no reload."""
    team = tuple(r["id"] for r in _reps() if r["id"] == 2 or r.get("manager_id") == 2)
    return Book(admin_tg=1, manager_tg=2, team=team)


def today() -> date:
    return NOW.date()
