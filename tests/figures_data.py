"""Hand-built records for the report figures' tests: each row written with exactly the dates,
owners and stages a test's hand-computed figures assume."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from handlers.kit import Services
from storage import deals
from storage.models import Customer, Deal, Interaction, Rep, Task
from tests.conftest import START


def stage_id(services: Services, name: str) -> int:
    with services.db.session() as s:
        return next(x.id for x in deals.stages(s) if x.name == name)  # type: ignore[misc]


def customer(services: Services, name: str, **kw: Any) -> int:
    with services.db.session(write=True) as s:
        row = Customer(name=name, name_key=name.lower(), **kw)
        s.add(row)
        s.flush()
        return row.id or 0


def deal(
    services: Services,
    owner: Rep | None,
    stage: str,
    amount: str,
    *,
    moves: tuple[tuple[str, datetime], ...] = (),
    created: datetime = START,
    **kw: Any,
) -> int:
    """A deal created at ``created`` in ``stage``, then moved through ``moves`` (stage, when)."""
    cid = kw.pop("customer_id", None) or customer(services, f"C {stage} {amount}")
    with services.db.session(write=True) as s:
        row = Deal(
            customer_id=cid,
            title=f"{stage} {amount}",
            amount=Decimal(amount),
            stage_id=stage_id(services, stage),
            owner_id=owner.id if owner else None,
            created_at=created,
            stage_changed_at=created,
            **kw,
        )
        deals.create(s, row)
        for name, at in moves:
            to = next(x for x in deals.stages(s) if x.name == name)
            deals.move(s, row, to, row.owner_id, at)
            row.stage_changed_at = at
        return row.id or 0


def archive_deal(services: Services, deal_id: int) -> None:
    with services.db.session(write=True) as s:
        row = s.get(Deal, deal_id)
        assert row is not None
        row.archived_at = START
        s.add(row)


def log(services: Services, rep: Rep, kind: str, customer_id: int, at: datetime) -> None:
    with services.db.session(write=True) as s:
        s.add(
            Interaction(
                kind=kind, summary=kind, rep_id=rep.id, customer_id=customer_id, occurred_at=at
            )
        )


def task(services: Services, rep: Rep, due: datetime, created: datetime, **kw: Any) -> None:
    with services.db.session(write=True) as s:
        s.add(Task(title="t", due_at=due, assignee_id=rep.id or 0, created_at=created, **kw))


DAY = date(2026, 11, 23)  # START's date, in Istanbul too
