"""Importing reps and products, the lists deals name (see ``storage.transfer.importer``).

Both are matched on their folded name (products on ``csvmap.product_key``, so "GTXPro" is
"GTX Pro"); an update writes only the fields that differ.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, select

from storage.folding import fold
from storage.models import ROLES, Product, Rep
from storage.quality import normalize
from storage.transfer.csvmap import product_key
from storage.transfer.rows import (
    Invalid,
    Issue,
    Options,
    Outcome,
    Row,
    find_rep,
    keep_raw,
    known_raw,
    rep_ids,
)


class Reps:
    def __init__(self, options: Options) -> None:
        self.o = options
        self.notes: Counter[Issue] = Counter()
        self.reps: dict[str, int] = {}
        self.seen: dict[int, int] = {}
        self.raw: set[tuple[str, int, str, str]] = set()

    def prepare(self, session: Session) -> None:
        self.reps = rep_ids(session)
        self.raw = known_raw(session, "rep")

    def prefetch(self, session: Session, rows: Sequence[Row]) -> None:
        return None  # everything a row needs is in memory from ``prepare``

    def row(self, session: Session, row: Row) -> Outcome:
        name = normalize.display_name(row.get("name"), self.o.region)
        if len(name) < 2:
            raise Invalid("missing_name")
        role = fold(row.get("role")) or None
        if role is not None and role not in ROLES:
            row.keep("role", row.get("role"), "bad_role")
            role = None
        email = None
        if row.get("email"):
            checked = normalize.email(row.get("email"))
            if checked.ok:
                email = checked.value
            else:
                row.keep("email", row.get("email"), "bad_email", checked.problem or "")
        region = row.get("region") or None
        manager_id = None
        if manager := row.get("manager"):
            known = fold(manager) in self.reps
            manager_id = find_rep(session, self.reps, row, "manager", self.o, self.notes)
            boss = session.get(Rep, manager_id) if manager_id else None
            if not known and boss is not None:
                boss.role, boss.region = "manager", region
                session.add(boss)
        values = {"role": role, "email": email, "region": region, "manager_id": manager_id}
        values = {k: v for k, v in values.items() if v is not None}
        rep_id = self.reps.get(fold(name))
        if rep_id is not None and rep_id in self.seen:
            return Outcome("duplicate", Issue.of("repeats", line=self.seen[rep_id]))
        if rep_id is None:
            rep = Rep(name=name, **values)
            session.add(rep)
            session.flush()
            self.reps[fold(name)] = rep.id or 0
            self.seen[rep.id or 0] = row.line
            keep_raw(session, row, "rep", rep.id or 0, None, self.o.source, self.raw)
            return Outcome("new")
        self.seen[rep_id] = row.line
        rep = session.get(Rep, rep_id)
        assert rep is not None
        changed = apply(rep, values)
        changed = keep_raw(session, row, "rep", rep_id, None, self.o.source, self.raw) or changed
        return Outcome("updated" if changed else "unchanged")

    def end_batch(self, session: Session) -> None:
        session.flush()

    def finish(self, session: Session) -> None:
        return None


def apply(obj: Any, values: dict[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


class Products:
    def __init__(self, options: Options) -> None:
        self.o = options
        self.notes: Counter[Issue] = Counter()
        self.by_key: dict[str, int] = {}
        self.seen: dict[int, int] = {}
        self.raw: set[tuple[str, int, str, str]] = set()

    def prepare(self, session: Session) -> None:
        self.by_key = {k: i or 0 for i, k in session.exec(select(Product.id, Product.key))}
        self.raw = known_raw(session, "product")

    def prefetch(self, session: Session, rows: Sequence[Row]) -> None:
        return None  # everything a row needs is in memory from ``prepare``

    def row(self, session: Session, row: Row) -> Outcome:
        name = " ".join(row.get("name").split())
        key = product_key(name)
        if not key:
            raise Invalid("missing_name")
        values = {
            "series": row.get("series") or None,
            "price": row.number("price"),
            "currency": (row.get("currency") or self.o.currency).upper()[:3],
        }
        values = {k: v for k, v in values.items() if v is not None}
        product_id = self.by_key.get(key)
        if product_id is not None and product_id in self.seen:
            return Outcome("duplicate", Issue.of("repeats", line=self.seen[product_id]))
        if product_id is None:
            product = Product(name=name, key=key, **values)
            session.add(product)
            session.flush()
            self.by_key[key] = product.id or 0
            self.seen[product.id or 0] = row.line
            keep_raw(session, row, "product", product.id or 0, None, self.o.source, self.raw)
            return Outcome("new")
        self.seen[product_id] = row.line
        product = session.get(Product, product_id)
        assert product is not None
        changed = apply(product, values)
        added = keep_raw(session, row, "product", product_id, None, self.o.source, self.raw)
        return Outcome("updated" if changed or added else "unchanged")

    def end_batch(self, session: Session) -> None:
        session.flush()

    def finish(self, session: Session) -> None:
        return None
