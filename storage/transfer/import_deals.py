"""Importing reps, products and deals (see ``storage.transfer.importer`` for the run itself).

Deals are matched on (source, external id), e.g. Maven's opportunity_id, or failing an id on
(customer, title). Their reps, stages and products must exist unless ``--create-missing``:
a typo in a stage name must not quietly become a new stage. A deal whose stage is unknown is
rejected (placing it in another stage would falsify the pipeline); an unknown rep, product or
customer, an unreadable date or amount, only leaves that field empty, with the text kept as
typed (``RawValue``) and the row flagged, so the deal itself is never lost. A product named
differently only by spacing or punctuation ("GTXPro" for "GTX Pro") is the same product, and
counted as a note. A deal's dates become moments at noon UTC (``rows.noon``); an open deal's
close date is its expected close, a closed deal's is when it closed.

New deals are added a batch at a time and flushed once, with their first DealStageChange
rows, instead of one flush per deal: it is what keeps 8,800 audited deals within seconds.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from storage import deals
from storage.folding import fold, name_key
from storage.models import ROLES, Customer, Deal, DealStageChange, Product, Rep, Stage
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
    noon,
    rep_ids,
)
from storage.types import utcnow

WON_WORDS = ("won", "win", "kazanildi", "kazanilan")
LOST_WORDS = ("lost", "lose", "kaybedildi", "kaybedilen")
# Win probabilities for stage names commonly found in exports, for stages created on import.
PROBABILITIES = {"prospecting": 10, "prospect": 10, "engaging": 40, "discovery": 20, "demo": 40}
COMPARED = (
    "customer_id",
    "title",
    "amount",
    "closed_amount",
    "currency",
    "stage_id",
    "expected_close",
    "owner_id",
    "product_id",
    "closed_at",
    "lost_reason",
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
        changed = _apply(rep, values)
        changed = keep_raw(session, row, "rep", rep_id, None, self.o.source, self.raw) or changed
        return Outcome("updated" if changed else "unchanged")

    def end_batch(self, session: Session) -> None:
        session.flush()

    def finish(self, session: Session) -> None:
        return None


def _apply(obj: Any, values: dict[str, Any]) -> bool:
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
        changed = _apply(product, values)
        added = keep_raw(session, row, "product", product_id, None, self.o.source, self.raw)
        return Outcome("updated" if changed or added else "unchanged")

    def end_batch(self, session: Session) -> None:
        session.flush()

    def finish(self, session: Session) -> None:
        return None


class Deals:
    def __init__(self, options: Options) -> None:
        self.o = options
        self.notes: Counter[Issue] = Counter()
        self.stages: dict[str, Stage] = {}
        self.reps: dict[str, int] = {}
        self.products: dict[str, tuple[int, str]] = {}
        self.customers: dict[str, list[int]] = {}
        self.existing: dict[str, tuple[int, tuple[Any, ...]]] = {}
        self.seen: dict[str, int] = {}
        self.pending: list[tuple[Deal, Row]] = []
        self.raw: set[tuple[str, int, str, str]] = set()

    def prepare(self, session: Session) -> None:
        self.raw = known_raw(session, "deal")
        for st in deals.stages(session):
            self.stages[fold(st.name)] = st
        self.reps = rep_ids(session)
        for pid, key, name in session.exec(select(Product.id, Product.key, Product.name)):
            self.products[key] = (pid or 0, name)
        query = select(Customer.id, Customer.name_key).where(col(Customer.merged_into_id).is_(None))
        for cid, key in session.exec(query):
            self.customers.setdefault(key, []).append(cid or 0)
        for deal in session.exec(select(Deal)):
            self.existing[self._key(deal.external_id, deal.customer_id, deal.title)] = (
                deal.id or 0,
                _snapshot(deal),
            )

    def _key(self, ext: str | None, customer_id: int | None, title: str) -> str:
        return f"ext:{ext}" if ext else f"title:{customer_id}:{fold(title)}"

    def _stage(self, session: Session, name: str) -> Stage:
        if not name:
            return min((s for s in self.stages.values() if not s.is_closed), key=_position)
        found = self.stages.get(fold(name))
        if found is not None:
            return found
        if not self.o.create_missing:
            raise Invalid("unknown_stage", name=name)
        words = set(fold(name).split())
        won, lost = bool(words & set(WON_WORDS)), bool(words & set(LOST_WORDS))
        pipeline_id = next(iter(self.stages.values())).pipeline_id
        ordered = sorted(self.stages.values(), key=lambda s: s.position)
        probability = 100 if won else 0 if lost else PROBABILITIES.get(fold(name), 20)
        stage = Stage(
            pipeline_id=pipeline_id,
            name=normalize.display_name(name, self.o.region),
            position=0,
            probability=probability,
            is_won=won,
            is_lost=lost,
        )
        # Open stages go in before the closed ones, ordered by probability.
        opened = [s for s in ordered if not s.is_closed] + ([] if won or lost else [stage])
        opened.sort(key=lambda s: (s.probability, s.position if s is not stage else 10**6))
        closed = [s for s in ordered if s.is_closed] + ([stage] if won or lost else [])
        for position, st in enumerate(opened + closed):
            if st.position != position or st is stage:
                st.position = position
                session.add(st)
        session.flush()
        self.stages[fold(name)] = stage
        self.notes[Issue.of("stage_created", name=stage.name)] += 1
        return stage

    def _product(self, session: Session, row: Row) -> int | None:
        name = row.get("product")
        if not name:
            return None
        key = product_key(name)
        if key in self.products:
            product_id, canonical = self.products[key]
            if canonical != name:
                self.notes[Issue.of("product_spacing", value=name, fixed=canonical)] += 1
            return product_id
        if not self.o.create_missing:
            row.keep("product", name, "unknown_product")
            return None
        product = Product(name=" ".join(name.split()), key=key, currency=self.o.currency)
        session.add(product)
        session.flush()
        self.products[key] = (product.id or 0, product.name)
        self.notes[Issue.of("product_created", name=product.name)] += 1
        return product.id

    def _customer(self, row: Row) -> int | None:
        """The one customer the row names; an unknown or ambiguous name is kept as typed."""
        name = row.get("customer")
        if not name:
            return None
        ids = self.customers.get(name_key(name), [])
        if len(ids) == 1:
            return ids[0]
        why = ", ".join(f"#{i}" for i in ids)
        row.keep(
            "customer", name, "deal_ambiguous_customer" if ids else "deal_unknown_customer", why
        )
        return None

    def row(self, session: Session, row: Row) -> Outcome:
        amount = row.number("amount")
        created, close = row.date("created"), row.date("close_date")
        customer_id = self._customer(row)
        currency = (row.get("currency") or self.o.currency).upper()[:3]
        ext = row.get("external_id") or None
        stage = self._stage(session, row.get("stage"))
        owner_id = find_rep(session, self.reps, row, "owner", self.o, self.notes)
        product_id = self._product(session, row)
        title = row.get("title") or self._title(product_id, ext)
        key = self._key(ext, customer_id, title)
        if key in self.seen:
            return Outcome("duplicate", Issue.of("repeats", line=self.seen[key]))
        self.seen[key] = row.line
        if customer_id is None and not row.get("customer"):
            code = "deal_no_customer_closed" if stage.is_closed else "deal_no_customer_open"
            self.notes[Issue.of(code)] += 1
        closed_at = noon(close) if close and stage.is_closed else None
        values: dict[str, Any] = {
            "customer_id": customer_id,
            "title": title[:200],
            "amount": amount,
            "closed_amount": amount if stage.is_won else None,
            "currency": currency,
            "stage_id": stage.id,
            "expected_close": close if close and not stage.is_closed else None,
            "owner_id": owner_id,
            "product_id": product_id,
            "closed_at": closed_at,
            "lost_reason": row.get("lost_reason") or None,
        }
        if key in self.existing:
            deal_id = self.existing[key][0]
            outcome = self._update(session, *self.existing[key], values)
            if keep_raw(session, row, "deal", deal_id, customer_id, self.o.source, self.raw):
                return Outcome("updated")
            return outcome
        start = noon(created) if created else (self.o.now or utcnow())
        deal = Deal(
            **values,
            external_source=self.o.source if ext else None,
            external_id=ext,
            created_at=start,
            stage_changed_at=closed_at or start,
            updated_at=closed_at or start,
        )
        session.add(deal)
        self.pending.append((deal, row))
        return Outcome("new")

    def _title(self, product_id: int | None, ext: str | None) -> str:
        names = {pid: name for pid, name in self.products.values()}
        base = names.get(product_id or 0, "Deal")
        return f"{base} ({ext})" if ext else base

    def _update(
        self, session: Session, deal_id: int, before: tuple[Any, ...], values: dict[str, Any]
    ) -> Outcome:
        if tuple(values[k] for k in COMPARED) == before:
            return Outcome("unchanged")
        deal = session.get(Deal, deal_id)
        assert deal is not None
        target = next(st for st in self.stages.values() if st.id == values["stage_id"])
        now = self.o.now or utcnow()
        if deal.stage_id != target.id:
            deals.move(session, deal, target, None, values["closed_at"] or now)
        _apply(deal, values)
        deal.updated_at = now
        session.add(deal)
        return Outcome("updated")

    def end_batch(self, session: Session) -> None:
        session.flush()
        for deal, row in self.pending:
            keep_raw(session, row, "deal", deal.id or 0, deal.customer_id, self.o.source, self.raw)
            session.add(
                DealStageChange(
                    deal_id=deal.id, to_stage_id=deal.stage_id, at=deal.stage_changed_at
                )
            )
            self.existing[self._key(deal.external_id, deal.customer_id, deal.title)] = (
                deal.id or 0,
                _snapshot(deal),
            )
        self.pending.clear()
        session.flush()

    def finish(self, session: Session) -> None:
        return None


def _snapshot(deal: Deal) -> tuple[Any, ...]:
    return tuple(_plain(getattr(deal, k)) for k in COMPARED)


def _plain(value: Any) -> Any:
    return Decimal(value) if isinstance(value, Decimal) else value


def _position(stage: Stage) -> int:
    return stage.position
