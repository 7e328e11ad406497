"""Importing deals; reps and products are in ``import_catalog`` (the run: ``importer``).

Deals are matched on (source, external id), e.g. Maven's opportunity_id, or failing an id on
(customer, title). Their reps, stages and products must exist unless ``--create-missing``: a
typo in a stage name must not quietly become a new stage. A deal whose stage is unknown is
rejected (placing it in another stage would falsify the pipeline); a row whose customer or whose
external id is archived is refused or restores it (``storage.transfer.archived``); an unknown
rep, product or customer, an unreadable date or amount, only leaves that field empty, with the
text kept as typed (``RawValue``) and the row flagged, so the deal itself is never lost. A
product named differently only by spacing or punctuation ("GTXPro" for "GTX Pro") is the same
product, and counted as a note. A deal's dates become moments at noon UTC (``rows.noon``); an
open deal's close date is its expected close, a closed deal's is when it closed.

New deals are added a batch at a time and flushed once, with their first DealStageChange
rows, instead of one flush per deal: it is what keeps 8,800 audited deals within seconds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from storage import archive, deals
from storage.folding import fold, name_key
from storage.models import Customer, Deal, DealStageChange, Product, Stage
from storage.quality import normalize
from storage.transfer import archived
from storage.transfer.archived import ArchivedCustomers, ArchivedMatch
from storage.transfer.csvmap import product_key
from storage.transfer.import_catalog import apply
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
        self.archived = ArchivedCustomers()
        self.gone: dict[str, tuple[int, str]] = {}  # key -> archived deal's id and title

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
        self.archived.load(session, self.o.source)
        gone = select(Deal).where(col(Deal.archived_at).is_not(None))
        for deal in session.exec(archive.with_archived(gone)):
            key = self._key(deal.external_id, deal.customer_id, deal.title)
            self.gone[key] = (deal.id or 0, deal.title)

    def prefetch(self, session: Session, rows: Sequence[Row]) -> None:
        return None  # what a row compares is in memory (``existing``); only changes read

    def _restore(self, session: Session, kind: str, record_id: int, name: str) -> None:
        """Refused without --restore-archived; else restored, with what went with it."""
        if not self.o.restore_archived:
            raise ArchivedMatch(kind, record_id, name)
        for batch in archived.restore(session, kind, record_id):
            self.notes[Issue.of(f"restored_{archive.kind_of(batch.record)}")] += 1
            for record in [batch.record, *batch.deals]:
                if isinstance(record, Customer):
                    self.archived.forget(record.id or 0)
                    self.customers.setdefault(record.name_key, []).append(record.id or 0)
                elif isinstance(record, Deal):
                    key = self._key(record.external_id, record.customer_id, record.title)
                    self.gone.pop(key, None)
                    self.existing[key] = (record.id or 0, _snapshot(record))

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

    def _customer(self, session: Session, row: Row) -> int | None:
        """The one customer the row names; an unknown or ambiguous name is kept as typed."""
        name = row.get("customer")
        if not name:
            return None
        ids = self.customers.get(name_key(name), [])
        gone = self.archived.by_key.get(name_key(name), [])
        if not ids and len(gone) == 1:
            ids = [gone[0]]
            self._restore(session, "customer", ids[0], self.archived.people[ids[0]].name)
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
        customer_id = self._customer(session, row)
        currency = (row.get("currency") or self.o.currency).upper()[:3]
        ext = row.get("external_id") or None
        stage = self._stage(session, row.get("stage"))
        owner_id = find_rep(session, self.reps, row, "owner", self.o, self.notes)
        product_id = self._product(session, row)
        title = row.get("title") or self._title(product_id, ext)
        key = self._key(ext, customer_id, title)
        if key not in self.existing and key in self.gone:
            self._restore(session, "deal", *self.gone[key])
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
        apply(deal, values)
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
