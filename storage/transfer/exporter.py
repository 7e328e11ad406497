"""Export: customers, deals, interactions and tasks as flat rows for CSV or JSON.

Rows are plain strings and numbers with names resolved (owner, customer, stage, product) so a
spreadsheet needs no look-ups; ids stay in their own columns. Customers merged into another
are left out, as everywhere else. The customer columns use header names the importer knows,
so an export can be edited and imported back.

A text cell that a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a
carriage return: a customer named "=HYPERLINK(…)", or a phone "+90…") is written with a
leading apostrophe, in every format; the importer takes the apostrophe off again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from storage.models import ContactPoint, Customer, Deal, Interaction, Product, Rep, Stage, Task

KINDS = ("customers", "deals", "interactions", "tasks")
BATCH = 2_000


def _columns(text: str) -> list[str]:
    return text.split()


COLUMNS = {
    "customers": _columns(
        "id name kind phone email other_phones other_emails city country industry revenue "
        "employees founded parent owner tags external_source external_id created_at updated_at"
    ),
    "deals": _columns(
        "id title customer_id customer product stage amount closed_amount currency owner "
        "expected_close created_at closed_at lost_reason external_source external_id"
    ),
    "interactions": _columns(
        "id occurred_at kind customer_id customer rep deal_id summary outcome"
    ),
    "tasks": _columns("id title due_at status assignee customer_id customer deal_id done_at"),
}


def plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value


def _names(session: Session, model: Any) -> dict[int, str]:
    return {i: n for i, n in session.exec(select(model.id, model.name)) if i is not None}


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: Any) -> Any:
    """A text that a spreadsheet would evaluate, made inert; anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def rows(session: Session, kind: str) -> Iterator[dict[str, Any]]:
    """One dict per record, keys as in ``COLUMNS[kind]``, in id order; formulas neutralised."""
    for row in _rows(session, kind):
        yield {key: neutralised(value) for key, value in row.items()}


def _rows(session: Session, kind: str) -> Iterator[dict[str, Any]]:
    reps = _names(session, Rep)
    customers = _names(session, Customer)
    if kind == "customers":
        yield from _customers(session, reps, customers)
    elif kind == "deals":
        stages, products = _names(session, Stage), _names(session, Product)
        for d in _all(session, Deal):
            yield {
                **_pick(d, COLUMNS["deals"]),
                "customer": customers.get(d.customer_id or 0, ""),
                "product": products.get(d.product_id or 0, ""),
                "stage": stages.get(d.stage_id, ""),
                "owner": reps.get(d.owner_id or 0, ""),
            }
    elif kind == "interactions":
        for i in _all(session, Interaction):
            yield {
                **_pick(i, COLUMNS["interactions"]),
                "customer": customers.get(i.customer_id, ""),
                "rep": reps.get(i.rep_id or 0, ""),
            }
    elif kind == "tasks":
        for t in _all(session, Task):
            yield {
                **_pick(t, COLUMNS["tasks"]),
                "assignee": reps.get(t.assignee_id, ""),
                "customer": customers.get(t.customer_id or 0, ""),
            }
    else:
        raise ValueError(kind)


def _pick(obj: Any, names: list[str]) -> dict[str, Any]:
    return {n: plain(getattr(obj, n, None)) for n in names}


def _all(session: Session, model: Any, *where: Any) -> Iterator[Any]:
    """Every row in id order, read in batches so memory stays flat on large tables."""
    last = 0
    while True:
        query = select(model).where(col(model.id) > last, *where).order_by(col(model.id))
        batch = list(session.exec(query.limit(BATCH)))
        if not batch:
            return
        yield from batch
        last = batch[-1].id
        session.expunge_all()


def _customers(
    session: Session, reps: dict[int, str], names: dict[int, str]
) -> Iterator[dict[str, Any]]:
    extra: dict[int, dict[str, list[str]]] = {}
    for cid, kind, value in session.exec(
        select(ContactPoint.customer_id, ContactPoint.kind, ContactPoint.value).order_by(
            col(ContactPoint.id)
        )
    ):
        extra.setdefault(cid, {"phone": [], "email": []})[kind].append(value)
    for c in _all(session, Customer, col(Customer.merged_into_id).is_(None)):
        points = extra.get(c.id or 0, {"phone": [], "email": []})
        yield {
            **_pick(c, COLUMNS["customers"]),
            "other_phones": "; ".join(points["phone"]),
            "other_emails": "; ".join(points["email"]),
            "parent": names.get(c.parent_id or 0, ""),
            "owner": reps.get(c.owner_id or 0, ""),
        }
