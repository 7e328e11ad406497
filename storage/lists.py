"""Customer and deal lists with filters: one query per page and one count, filters in SQL.

Each list runs in the command's scoped session (``storage.access``), so it holds only what the
asker may read, and archived records are out (``storage.archive``). A customer's last activity
is its latest interaction; a deal's is its customer's (the rule the digest's stale-deal alert
uses). It is read only for the page's customers, by a third query that seeks the
(customer, time) index, and "no activity since" is a NOT EXISTS on that index: grouping every
customer's interactions to find the latest read the whole table, twice, for any list. Cities
and tags are matched as stored: ``cities_like``/``tags_like`` first turn a typed value into the
stored spellings it stands for ("istanbul" → "İstanbul"), so the list query itself compares
with a plain ``IN``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import exists, false, func, text
from sqlmodel import Session, col, select

from storage.folding import fold
from storage.models import Customer, Deal, Interaction, Stage


@dataclass(frozen=True)
class Filters:
    """What a list is narrowed to; every field given must hold (AND)."""

    cities: list[list[str]] = field(default_factory=list)  # per filter: stored spellings (OR)
    tags: list[list[str]] = field(default_factory=list)
    owners: frozenset[int] | None = None
    idle_since: datetime | None = None  # no interaction at or after this moment
    stage_ids: frozenset[int] | None = None  # deals only; None: the open stages


@dataclass(frozen=True)
class CustomerRow:
    customer: Customer
    last_activity: datetime | None


@dataclass(frozen=True)
class DealRow:
    deal: Deal
    customer_name: str | None
    last_activity: datetime | None


def _last_activity(session: Session, customer_ids: set[int | None]) -> dict[int, datetime]:
    """The latest interaction of each of these customers (a page's worth)."""
    ids = sorted(i for i in customer_ids if i is not None)
    if not ids:
        return {}
    query = (
        select(Interaction.customer_id, func.max(Interaction.occurred_at))
        .where(col(Interaction.customer_id).in_(ids))
        .group_by(col(Interaction.customer_id))
    )
    return {customer: at for customer, at in session.execute(query)}


def _idle(customer_id: Any, since: datetime) -> Any:
    """No interaction with the customer at or after ``since`` (none at all counts as idle)."""
    recent = (col(Interaction.customer_id) == customer_id) & (col(Interaction.occurred_at) >= since)
    return ~exists().where(recent)


def _is_json_array_holding(session: Session) -> Any:
    """SQL that is true when the customer's JSON tag list holds ``:tag_n`` (per dialect)."""
    if session.get_bind().dialect.name == "postgresql":
        return (
            "EXISTS (SELECT 1 FROM json_array_elements_text(customer.tags) AS t(v) WHERE v IN ({}))"
        )
    return "EXISTS (SELECT 1 FROM json_each(customer.tags) WHERE json_each.value IN ({}))"


def _customer_filters(session: Session, f: Filters, customer_id: Any) -> list[Any]:
    where: list[Any] = [col(Customer.merged_into_id).is_(None)]
    for spellings in f.cities:
        where.append(col(Customer.city).in_(spellings))
    holding = _is_json_array_holding(session)
    for n, spellings in enumerate(f.tags):
        if not spellings:  # no customer has that tag
            where.append(false())
            continue
        names = [f"tag_{n}_{i}" for i in range(len(spellings))]
        clause = text(holding.format(", ".join(f":{name}" for name in names)))
        where.append(clause.bindparams(**dict(zip(names, spellings, strict=True))))
    if f.owners is not None:
        where.append(col(Customer.owner_id).in_(sorted(f.owners)))
    if f.idle_since is not None:
        where.append(_idle(customer_id, f.idle_since))
    return where


def customers_page(
    session: Session, f: Filters, limit: int, offset: int
) -> tuple[int, list[CustomerRow]]:
    """(how many match, this page of them by name)."""
    where = _customer_filters(session, f, Customer.id)
    total = session.exec(select(func.count()).select_from(Customer).where(*where)).one()
    query = (
        select(Customer)
        .where(*where)
        .order_by(col(Customer.name), col(Customer.id))
        .limit(limit)
        .offset(offset)
    )
    page = list(session.exec(query))
    last = _last_activity(session, {c.id for c in page})
    return total, [CustomerRow(c, last.get(c.id or 0)) for c in page]


def deals_page(session: Session, f: Filters, limit: int, offset: int) -> tuple[int, list[DealRow]]:
    """(how many match, this page of them, newest first)."""
    where: list[Any] = []
    if f.stage_ids is not None:
        where.append(col(Deal.stage_id).in_(sorted(f.stage_ids)))
    else:
        open_stage = (Stage.id == Deal.stage_id) & ~col(Stage.is_won) & ~col(Stage.is_lost)
        where.append(exists().where(open_stage))
    if f.owners is not None:
        where.append(col(Deal.owner_id).in_(sorted(f.owners)))
    customer_side = _customer_filters(
        session, Filters(f.cities, f.tags, None, f.idle_since), Deal.customer_id
    )
    if f.cities or f.tags or f.idle_since is not None:
        where += customer_side

    def joined(query: Any) -> Any:
        return query.outerjoin(Customer, col(Customer.id) == Deal.customer_id).where(*where)

    total = session.exec(joined(select(func.count()).select_from(Deal))).one()
    query = (
        joined(select(Deal, Customer.name))
        .order_by(col(Deal.created_at).desc(), col(Deal.id).desc())
        .limit(limit)
        .offset(offset)
    )
    page = list(session.execute(query))
    last = _last_activity(session, {d.customer_id for d, _ in page})
    return total, [DealRow(d, name, last.get(d.customer_id or 0)) for d, name in page]


def cities_like(session: Session, typed: str) -> list[str]:
    """The stored spellings of a city as typed, letters and case aside (a few hundred at most)."""
    query = select(Customer.city).where(col(Customer.city).is_not(None)).distinct()
    return sorted(c for c in session.exec(query) if c and fold(c) == fold(typed))


def tags_like(session: Session, typed: str) -> list[str]:
    """The stored spellings of a tag as typed."""
    if session.get_bind().dialect.name == "postgresql":
        sql = "SELECT DISTINCT json_array_elements_text(tags) FROM customer"
    else:
        sql = "SELECT DISTINCT json_each.value FROM customer, json_each(customer.tags)"
    found = session.execute(text(sql)).all()
    return sorted(str(v) for (v,) in found if v is not None and fold(str(v)) == fold(typed))
