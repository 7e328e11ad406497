"""What a customer's card shows besides the customer: read in one statement, as plain rows.

Why one statement: the card read its open deals, the stages, the latest interactions, the open
tasks, the contacts, the rep names and the consent in seven ORM statements, and each cost far
more in SQLAlchemy's ORM execution (compile state, the session's hooks, building and tracking
entities) than in the database; on PostgreSQL each was a round trip too. Here one UNION ALL of
plain columns, built once and run on the driver (``storage.driver``), returns every part as
rows of one shape, tagged by the part they belong to and numbered in the part's order. Nothing
read here is changed by the card, so entities (identity map, change tracking) would only cost.

The scope and the archive: run past the ORM, the statement is not seen by the session's hooks
(``storage.access``, ``storage.archive``), so it carries their criteria itself, for the two
parts they restrict on a visible customer: deals (by owner, unarchived) and tasks (by assignee,
unarchived). Interactions, contacts and consent are readable with their customer; the customer
passed in was read through the session, so its scope let it through, and ``read`` checks it
again anyway (a customer out of scope gets an empty card rather than another's history).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ARRAY,
    Integer,
    String,
    any_,
    bindparam,
    cast,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql import Executable
from sqlmodel import Session, col

from storage import access_log
from storage.access import scope_of
from storage.driver import run
from storage.models import Consent, Contact, Customer, Deal, Interaction, Rep, Stage, Task
from storage.types import Money, UTCDateTime

OPEN_DEALS, HISTORY, OPEN_TASKS = 5, 3, 5  # how many of each the card lists

# The parts, in the order their rows come back.
OWNER, CONSENT, CONTACT, DEAL, INTERACTION, TASK = range(6)


@dataclass(frozen=True)
class OpenDeal:
    """An open deal as a card line shows it (``handlers.cards.deal_line``)."""

    id: int
    title: str
    stage: str
    currency: str
    amount: Decimal | None  # open, so counted at its amount (not a closing one)


@dataclass(frozen=True)
class Note:
    """One of the latest interactions, with the name of the rep who had it."""

    id: int
    kind: str
    summary: str
    occurred_at: datetime
    rep_name: str | None


@dataclass(frozen=True)
class OpenTask:
    id: int
    title: str
    due_at: datetime


@dataclass(frozen=True)
class Person:
    """A contact at the customer."""

    name: str
    role: str | None
    phone: str | None


@dataclass(frozen=True)
class LatestConsent:
    status: str
    source: str | None
    at: datetime


@dataclass
class CardData:
    owner_name: str | None = None
    consent: LatestConsent | None = None
    contacts: list[Person] = field(default_factory=list)
    deals: list[OpenDeal] = field(default_factory=list)
    history: list[Note] = field(default_factory=list)
    tasks: list[OpenTask] = field(default_factory=list)


def _text() -> Any:
    return cast(null(), String)


def _part(
    part: int,
    order: list[Any],
    *,
    row_id: Any,
    title: Any,
    label: Any = None,
    extra: Any = None,
    at: Any = None,
    amount: Any = None,
) -> Any:
    """One part's select in the common shape: (part, pos, id, title, label, extra, at, amount).

    ``pos`` numbers the rows in the part's own order, which a UNION does not keep. Empty slots
    are typed NULLs: PostgreSQL types a bare NULL in a subquery as text, which would not unite
    with a timestamp, and the first part's types decide how SQLAlchemy reads the column."""
    return select(
        literal_column(str(part), Integer).label("part"),
        func.row_number().over(order_by=order).label("pos"),
        row_id.label("id"),
        title.label("title"),
        (label if label is not None else _text()).label("label"),
        (extra if extra is not None else _text()).label("extra"),
        (at if at is not None else cast(null(), UTCDateTime)).label("at"),
        (amount if amount is not None else cast(null(), Money)).label("amount"),
    )


def _limit(rows: int) -> Any:
    """A LIMIT written into the SQL, not bound: PostgreSQL's generic plan of a prepared
    statement then knows it (a bound one is guessed at a tenth of the rows)."""
    return literal_column(str(rows), Integer)


def _build(scoped: bool, postgresql: bool) -> Executable:
    """The card's statement; ``scoped`` adds the readable owners (``:reads``).

    For PostgreSQL the readable owners are one array (``= ANY``), not an IN list expanded to
    each scope's size, and the parts are united as they are, not each wrapped in a subquery.
    Why: the statement is then one text whatever the team. Expanded, each size of team was
    a statement of its own, prepared on a connection only once it had run there twice and
    planned on each of its first runs after that, so most cards were planned (0.3-0.9 ms in
    a burst, three times the card's run). And it stays under 4,096 bytes, past which psycopg
    converts a statement's text anew on each run. On PostgreSQL it also writes the card's
    access-log row (``access_log.logging_cte``): one round trip, not two."""
    customer = bindparam("customer", type_=Integer)
    deal_order = [col(Deal.expected_close).is_(None), col(Deal.expected_close), col(Deal.id)]
    deals = (
        _part(
            DEAL,
            deal_order,
            row_id=Deal.id,
            title=Deal.title,
            label=Stage.name,
            extra=Deal.currency,
            amount=Deal.amount,
        )
        .join(Stage, col(Stage.id) == col(Deal.stage_id))
        .where(
            Deal.customer_id == customer,
            ~col(Stage.is_won),
            ~col(Stage.is_lost),
            col(Deal.archived_at).is_(None),
        )
        .order_by(*deal_order)
        .limit(_limit(OPEN_DEALS))
    )
    note_order = [col(Interaction.occurred_at).desc(), col(Interaction.id).desc()]
    notes = (
        _part(
            INTERACTION,
            note_order,
            row_id=Interaction.id,
            title=Interaction.kind,
            label=Interaction.summary,
            extra=Rep.name,
            at=Interaction.occurred_at,
        )
        .outerjoin(Rep, col(Rep.id) == col(Interaction.rep_id))
        .where(Interaction.customer_id == customer)
        .order_by(*note_order)
        .limit(_limit(HISTORY))
    )
    task_order = [col(Task.due_at), col(Task.id)]
    tasks = (
        _part(TASK, task_order, row_id=Task.id, title=Task.title, at=Task.due_at)
        .where(
            Task.customer_id == customer,
            Task.status == "open",
            col(Task.archived_at).is_(None),
        )
        .order_by(*task_order)
        .limit(_limit(OPEN_TASKS))
    )
    if scoped:  # as storage.access's criteria: deals by owner (or none), tasks by assignee
        if postgresql:
            reads = any_(bindparam("reads", type_=ARRAY(Integer)))
            owned, assigned = col(Deal.owner_id) == reads, col(Task.assignee_id) == reads
        else:
            listed = bindparam("reads", expanding=True)
            owned, assigned = col(Deal.owner_id).in_(listed), col(Task.assignee_id).in_(listed)
        deals = deals.where(or_(owned, col(Deal.owner_id).is_(None)))
        tasks = tasks.where(assigned)
    contacts = _part(
        CONTACT,
        [col(Contact.id)],
        row_id=Contact.id,
        title=Contact.name,
        label=Contact.role,
        extra=Contact.phone,
    ).where(Contact.customer_id == customer)
    consent_order = [col(Consent.at).desc(), col(Consent.id).desc()]
    consent = (
        _part(
            CONSENT,
            consent_order,
            row_id=Consent.id,
            title=Consent.status,
            label=Consent.source,
            at=Consent.at,
        )
        .where(Consent.customer_id == customer)
        .order_by(*consent_order)
        .limit(_limit(1))
    )
    owner = _part(OWNER, [col(Rep.id)], row_id=Rep.id, title=Rep.name).where(
        Rep.id == bindparam("owner", type_=Integer)
    )
    parts = [owner, consent, contacts, deals, notes, tasks]
    if postgresql:  # each member in parentheses, its ORDER BY and LIMIT its own
        return union_all(*parts).order_by("part", "pos").add_cte(access_log.logging_cte())
    # SQLite refuses ORDER BY and LIMIT on a UNION's members: each becomes a subquery.
    subqueries = [p.subquery() for p in parts]
    united = union_all(*(select(*s.c) for s in subqueries)).subquery()
    return select(*united.c).order_by(united.c.part, united.c.pos)


# (scoped, PostgreSQL) -> the statement
_STATEMENTS = {(scoped, pg): _build(scoped, pg) for scoped in (False, True) for pg in (False, True)}


def read(session: Session, customer: Customer, access: Mapping[str, Any]) -> CardData:
    """The card's parts for ``customer``, within the session's scope, and ``access`` (an
    ``access_log.row``) written: on PostgreSQL by the same statement."""
    data = CardData()
    scope = scope_of(session)
    connection = session.connection()
    postgresql = connection.dialect.name == "postgresql"
    if scope is not None and not scope.can_read(customer.owner_id):
        access_log.write(session, access)  # asked for, though nothing is shown
        return data
    params: dict[str, Any] = {"customer": customer.id, "owner": customer.owner_id}
    if postgresql:
        params |= {access_log.PREFIX + key: value for key, value in access.items()}
    else:
        access_log.write(session, access)
    scoped = scope is not None and scope.reads is not None
    if scoped:
        params["reads"] = sorted(scope.reads)
    rows = run(connection, _STATEMENTS[scoped, postgresql], params).rows
    for part, _pos, row_id, title, label, extra, at, amount in rows:
        if part == OWNER:
            data.owner_name = title
        elif part == CONSENT:
            data.consent = LatestConsent(title, label, at)
        elif part == CONTACT:
            data.contacts.append(Person(title, label, extra))
        elif part == DEAL:
            data.deals.append(OpenDeal(row_id, title, label, extra, amount))
        elif part == INTERACTION:
            data.history.append(Note(row_id, title, label, at, extra))
        elif part == TASK:
            data.tasks.append(OpenTask(row_id, title, at))
    return data
