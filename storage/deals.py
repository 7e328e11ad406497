"""Pipelines, stages and deals: the defined sales process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, bindparam, case, event, insert
from sqlmodel import Session, col, func, select

from storage.access import scope_of
from storage.audit import held, record_created
from storage.driver import run
from storage.entities import attached, autoflush, inserted, row_select
from storage.models import Customer, Deal, DealStageChange, Pipeline, Stage
from storage.prebuilt import prebuilt
from storage.types import money_sum, total

DEFAULT_STAGES: tuple[tuple[str, int, bool, bool], ...] = (
    # name, win probability %, is_won, is_lost
    ("Lead", 10, False, False),
    ("Qualified", 25, False, False),
    ("Proposal", 50, False, False),
    ("Negotiation", 75, False, False),
    ("Won", 100, True, False),
    ("Lost", 0, False, True),
)


def ensure_default_pipeline(session: Session) -> Pipeline:
    """The default pipeline, created with the standard stages on first use."""
    pipeline = session.exec(select(Pipeline).where(col(Pipeline.is_default))).first()
    if pipeline is not None:
        return pipeline
    pipeline = Pipeline(name="Sales", is_default=True)
    session.add(pipeline)
    session.flush()
    assert pipeline.id is not None
    for position, (name, probability, won, lost) in enumerate(DEFAULT_STAGES):
        session.add(
            Stage(
                pipeline_id=pipeline.id,
                name=name,
                position=position,
                probability=probability,
                is_won=won,
                is_lost=lost,
            )
        )
    session.flush()
    return pipeline


def stages(session: Session, pipeline_id: int | None = None) -> list[Stage]:
    """Stages of one pipeline (the default one if none is named), in order.

    The default pipeline's are read once per session, in one statement (they are joined to
    their pipeline): a customer card, a new deal and its card asked for them up to three
    times in one command, two statements each (``install_stage_memo`` says when it is
    forgotten). They are read on the driver and made entities (``storage.entities``): the
    ORM's select was most of a ``/deal add``'s reading."""
    if pipeline_id is None:
        memo = session.info.get(_STAGES)
        if memo is None or any(isinstance(o, Stage | Pipeline) for o in session.new):
            autoflush(session)
            rows = run(session.connection(), _DEFAULT_STAGES, {}).rows
            memo = [attached(session, Stage, row) for row in rows]
            if not memo:  # no default pipeline yet (or one without stages)
                pipeline_id = ensure_default_pipeline(session).id
                memo = list(session.exec(_in_order(pipeline_id)))
            session.info[_STAGES] = memo
        return list(memo)
    return list(session.exec(_in_order(pipeline_id)))


_STAGES = "crm_default_stages"  # session.info: the default pipeline's stages, in order
_DEFAULT_STAGES = (
    row_select(Stage)
    .join(Pipeline, col(Pipeline.id) == col(Stage.pipeline_id))
    .where(col(Pipeline.is_default))
    .order_by(col(Stage.position))
)


def _in_order(pipeline_id: int | None) -> Any:
    return select(Stage).where(Stage.pipeline_id == pipeline_id).order_by(col(Stage.position))


def _forget_stages(session: Session, *_args: Any) -> None:
    session.info.pop(_STAGES, None)


def _forget_changed_stages(session: Session, *_args: Any) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(o, Stage | Pipeline) for o in changed):
        session.info.pop(_STAGES, None)


def install_stage_memo(session_class: type[Session]) -> None:
    """Forget the stages read when a flush changes a stage or pipeline, on a rollback (which
    expires what was read, and may undo the pipeline's creation), and on a bulk statement."""
    for name, hook in (
        ("after_flush", _forget_changed_stages),
        ("after_soft_rollback", _forget_stages),
        ("after_bulk_update", _forget_stages),
        ("after_bulk_delete", _forget_stages),
    ):
        if not event.contains(session_class, name, hook):
            event.listen(session_class, name, hook)


def stage(session: Session, stage_id: int) -> Stage | None:
    return session.get(Stage, stage_id)


def get(session: Session, deal_id: int) -> Deal | None:
    return session.get(Deal, deal_id)


def create(session: Session, deal: Deal) -> Deal:
    """The deal and its first stage row on the driver: the deal with a flush's checks and
    audit (``entities.inserted``; the flush of it had cost more Python than the rest of a
    ``/deal add``'s writing), the row through Core, as it needs none. The read-only guard
    and the scope have refused the deal before the row is written if they refuse anything;
    the row is audited exactly as the flush hook would have (its id included), so /history
    and /undo see it as before."""
    with held(session):  # both rows' audit in one statement
        inserted(session, deal)
        row = {"deal_id": deal.id, "to_stage_id": deal.stage_id, "rep_id": deal.owner_id,
               "at": deal.created_at}  # fmt: skip
        row["id"] = run(session.connection(), _FIRST_STAGE, row).one()[0]
        record_created(session, "dealstagechange", [row])
    return deal


# Built once (``storage.prebuilt`` says why); a side effect of ``create`` only.
_FIRST_STAGE = insert(DealStageChange.__table__).returning(DealStageChange.__table__.c.id)  # type: ignore[attr-defined]


def move(session: Session, deal: Deal, to: Stage, rep_id: int | None, now: datetime) -> None:
    session.add(
        DealStageChange(
            deal_id=deal.id, from_stage_id=deal.stage_id, to_stage_id=to.id, rep_id=rep_id, at=now
        )
    )
    deal.stage_id = to.id  # type: ignore[assignment]
    deal.stage_changed_at = now
    deal.updated_at = now
    session.add(deal)
    session.flush()


# Open stages of every pipeline, a subquery of the deals' queries (not one more statement
# before them).
_OPEN_STAGE_IDS = select(Stage.id).where(~col(Stage.is_won), ~col(Stage.is_lost))


_OPEN_OF_CUSTOMER = prebuilt(
    select(Deal)
    .where(
        col(Deal.stage_id).in_(_OPEN_STAGE_IDS),
        Deal.customer_id == bindparam("customer"),
    )
    .order_by(col(Deal.expected_close).is_(None), col(Deal.expected_close), col(Deal.id))
    .limit(bindparam("limit", type_=Integer))
)


def open_deals(
    session: Session,
    *,
    owner_id: int | None = None,
    customer_id: int | None = None,
    limit: int = 50,
) -> list[Deal]:
    if owner_id is None and customer_id is not None:  # a card's: built once
        rows = session.execute(_OPEN_OF_CUSTOMER, {"customer": customer_id, "limit": limit})
        return list(rows.scalars())
    query = select(Deal).where(col(Deal.stage_id).in_(_OPEN_STAGE_IDS))
    if owner_id is not None:
        query = query.where(Deal.owner_id == owner_id)
    if customer_id is not None:
        query = query.where(Deal.customer_id == customer_id)
    query = query.order_by(
        col(Deal.expected_close).is_(None), col(Deal.expected_close), col(Deal.id)
    ).limit(limit)
    return list(session.exec(query))


_OPEN_IDS_OF_CUSTOMER = prebuilt(
    select(Deal.id)
    .where(col(Deal.stage_id).in_(_OPEN_STAGE_IDS), Deal.customer_id == bindparam("customer"))
    .order_by(col(Deal.expected_close).is_(None), col(Deal.expected_close), col(Deal.id))
    .limit(bindparam("limit", type_=Integer))
)


# Run on the driver (``storage.driver``), past both hooks: it carries the archive's filter.
PAST_SCOPE_READ = 20  # open deals of one customer read past the scope (``open_deal_ids``)
_OPEN_IDS_PAST_SCOPE = _OPEN_IDS_OF_CUSTOMER.add_columns(col(Deal.owner_id)).where(
    col(Deal.archived_at).is_(None)
)


def open_deal_ids(session: Session, customer_id: int, limit: int) -> list[int]:
    """``open_deals``' ids alone, in its order (what /log links to): no deal is loaded.

    Read past the scope and checked on the owners, as ``storage.access.readable``: the scope's
    criteria cost more than this select. ``PAST_SCOPE_READ`` rows are read, not ``limit``, so
    that a teammate's deal among a customer's first ones does not send the command to the
    scoped select (the ORM's select, with the scope's criteria added by its hook); only a
    customer with more open deals out of scope than that needs it."""
    read = max(limit, PAST_SCOPE_READ)
    rows = run(
        session.connection(), _OPEN_IDS_PAST_SCOPE, {"customer": customer_id, "limit": read}
    ).rows
    scope = scope_of(session)
    kept = [i for i, owner in rows if scope is None or scope.can_read(owner)]
    if len(kept) < limit and len(rows) == read:
        params = {"customer": customer_id, "limit": limit}
        return list(session.execute(_OPEN_IDS_OF_CUSTOMER, params).scalars())
    return kept[:limit]


def customer_deals(session: Session, customer_id: int, limit: int = 20) -> list[Deal]:
    query = (
        select(Deal)
        .where(Deal.customer_id == customer_id)
        .order_by(col(Deal.updated_at).desc())
        .limit(limit)
    )
    return list(session.exec(query))


def open_deal_titles(session: Session, owner_id: int | None) -> list[tuple[int, str, str]]:
    """(deal id, title, customer name) of open deals, for fuzzy deal references."""
    query = (
        select(Deal.id, Deal.title, Customer.name)
        .join(Customer, col(Deal.customer_id) == col(Customer.id), isouter=True)
        .where(col(Deal.stage_id).in_(_OPEN_STAGE_IDS))
    )
    if owner_id is not None:
        query = query.where(Deal.owner_id == owner_id)
    return [(i, title, name or "") for i, title, name in session.exec(query) if i is not None]


@dataclass(frozen=True)
class StageTotal:
    stage: Stage
    currency: str
    count: int
    total: Decimal


def deal_value(won_ids: list[int]) -> Any:
    """What a deal is worth in a total: a won deal its closing amount (its estimate when none
    was given), any other deal its estimate."""
    closing = func.coalesce(Deal.closed_amount, Deal.amount)
    return case((col(Deal.stage_id).in_(won_ids), closing), else_=col(Deal.amount))


def stage_totals(session: Session, of: list[Stage], *where: Any) -> list[StageTotal]:
    """Deals per stage and currency among ``of``, in stage order, summed exactly (one query).

    /pipeline and the digest both total through here, so they cannot disagree."""
    by_id = {s.id: s for s in of}
    high, low = money_sum(deal_value([s.id for s in of if s.is_won and s.id is not None]))
    query = (
        select(Deal.stage_id, Deal.currency, func.count(), high, low)
        .where(col(Deal.stage_id).in_(list(by_id)), *where)
        .group_by(col(Deal.stage_id), col(Deal.currency))
    )
    rows = [
        StageTotal(by_id[stage_id], currency, count, total(h, lo))
        for stage_id, currency, count, h, lo in session.exec(query)
    ]
    return sorted(rows, key=lambda r: (r.stage.position, r.currency))


def pipeline_totals(session: Session, owner_id: int | None = None) -> list[StageTotal]:
    """Open and closed deals per stage and currency, in stage order (one query)."""
    mine = [] if owner_id is None else [col(Deal.owner_id) == owner_id]
    return stage_totals(session, stages(session), *mine)
