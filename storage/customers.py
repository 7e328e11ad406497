"""Customers and their contacts: lookups by id, phone and e-mail (a card's parts are read in
``storage.card_reads``).

Lookups by phone, e-mail and name key skip customers merged into another (they stay in the
table only so that /unmerge can restore them); a phone or e-mail is found on the customer
itself, on one of its further contact points, or on one of its contacts.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import bindparam, inspect, union
from sqlmodel import Session, col, select

from storage.access import readable, scope_of, unscoped
from storage.driver import Rows, run
from storage.entities import attached, autoflush, column_keys, row_select
from storage.folding import name_key
from storage.models import Contact, ContactPoint, Customer
from storage.prebuilt import WITH_ARCHIVED, prebuilt
from storage.types import utcnow

POINT_KINDS = ("phone", "email")


_BY_ID = prebuilt(unscoped(select(Customer).where(Customer.id == bindparam("id"))))
_ROW_BY_ID = row_select(Customer).where(
    col(Customer.id) == bindparam("id"), col(Customer.archived_at).is_(None)
)
_OWNER = column_keys(Customer).index("owner_id")


def get(session: Session, customer_id: int) -> Customer | None:
    """As ``session.get``, whose select is built anew each time, so that under a rep's scope
    its criteria's cache key was computed on every call ("#12" in most commands). One already
    loaded in this session is taken as it is.

    A customer not yet in the session is read on the driver, archived ones left out as the
    session's filter would, and made its entity (``storage.entities``); the ORM's select is
    kept for one the session holds expired or deleted (it refreshes it) and for a session
    that sees archived rows. The scope is checked on the row (``storage.access.readable``),
    not added to the select as the session's hooks would: their options cost a look-up by
    id about as much again as the look-up itself."""
    held = session.identity_map.get(Session.identity_key(Customer, customer_id))
    if held is not None and not inspect(held).expired and held not in session.deleted:
        return held  # type: ignore[no-any-return]
    if held is None and not session.info.get(WITH_ARCHIVED):
        autoflush(session)
        rows = _readable_rows(session, run(session.connection(), _ROW_BY_ID, {"id": customer_id}))
        return attached(session, Customer, rows[0]) if rows else None
    found = session.execute(_BY_ID, {"id": customer_id}).scalars().all()
    return next(iter(readable(session, found)), None)


def _readable_rows(session: Session, found: Rows) -> list[tuple[Any, ...]]:
    """Whole customer rows whose owner the scope reads, checked before any is made an entity:
    the session must never hold one out of scope (``customers.get`` hands out held ones)."""
    scope = scope_of(session)
    return [row for row in found.rows if scope is None or scope.can_read(row[_OWNER])]


# Read past the scope and checked on the rows (``storage.access.readable``), as ``get``.
_MANY = prebuilt(
    unscoped(select(Customer).where(col(Customer.id).in_(bindparam("ids", expanding=True))))
)


def many(session: Session, ids: list[int]) -> dict[int, Customer]:
    if not ids:
        return {}
    rows = readable(session, session.execute(_MANY, {"ids": ids}).scalars())
    return {c.id: c for c in rows if c.id is not None}


class Label(NamedTuple):
    """What a choice list shows of a customer (``handlers.refs.customer_label``), and the
    owner its scope check reads."""

    id: int
    name: str
    city: str | None
    phone: str | None
    owner_id: int | None


_LABELS = select(
    Customer.id, Customer.name, Customer.city, Customer.phone, Customer.owner_id
).where(col(Customer.id).in_(bindparam("ids", expanding=True)), col(Customer.archived_at).is_(None))


def labels(session: Session, ids: list[int]) -> dict[int, Label]:
    """``many`` for a choice list: five columns on the driver (``storage.driver``), checked
    against the scope on the rows, archived customers left out as the session's filter would.

    Why: the list needs a label per customer, not entities; loading eight whole customers
    through the ORM cost a typo's ``/find`` about 0.8 ms of its 6.6 on PostgreSQL at a
    million customers. Pending changes are flushed first, as the ORM's autoflush would."""
    if not ids:
        return {}
    autoflush(session)
    found = map(Label._make, run(session.connection(), _LABELS, {"ids": ids}).rows)
    return {label.id: label for label in readable(session, found)}


def current(session: Session, customer_id: int) -> Customer | None:
    """The customer behind an id, following merges: "#34" still works after a merge into #12."""
    customer = session.get(Customer, customer_id)
    seen = set()
    while customer is not None and customer.merged_into_id and customer.id not in seen:
        seen.add(customer.id)
        customer = session.get(Customer, customer.merged_into_id)
    return customer


def _active(query: Any) -> Any:
    return query.where(col(Customer.merged_into_id).is_(None)).order_by(col(Customer.id))


def by_phone(session: Session, e164: str) -> list[Customer]:
    """Customers with this number as their phone, a further phone, or a contact's phone."""
    return _by_contact_point(session, "phone", e164)


def by_email(session: Session, email: str) -> list[Customer]:
    """The same for an e-mail address, compared lower-cased as it is stored."""
    return _by_contact_point(session, "email", email.lower())


def _holding(kind: str, value: Any) -> Any:
    """Customers with this phone or e-mail, on them, a further contact point or a contact.

    One indexed look-up per place, joined by UNION: an ``OR`` across the three would make
    the database walk the whole customer table."""
    holders = union(
        select(Customer.id).where(getattr(Customer, kind) == value),
        select(Contact.customer_id).where(getattr(Contact, kind) == value),
        select(ContactPoint.customer_id).where(
            ContactPoint.kind == kind, ContactPoint.value == value
        ),
    )
    return col(Customer.id).in_(holders)


# Read past the scope and checked on the rows (``storage.access.readable``): the scope's
# criteria on all three of the union's tables cost a phone look-up 140 -> 340 us.
_BY_POINT = {
    kind: prebuilt(unscoped(_active(select(Customer).where(_holding(kind, bindparam("value"))))))
    for kind in POINT_KINDS
}
_ROWS_BY_POINT = {
    kind: _active(
        row_select(Customer).where(
            _holding(kind, bindparam("value")), col(Customer.archived_at).is_(None)
        )
    )
    for kind in POINT_KINDS
}


def _by_contact_point(session: Session, kind: str, value: str) -> list[Customer]:
    """Rows on the driver made entities (``storage.entities``), as ``get``: the ORM's select
    was a phone ``/find``'s first and cost it its set-up. The scope is checked on the rows
    before any is attached. A session that sees archived rows (a purge) keeps the ORM's
    select."""
    if session.info.get(WITH_ARCHIVED):
        return readable(session, session.execute(_BY_POINT[kind], {"value": value}).scalars())
    autoflush(session)
    found = run(session.connection(), _ROWS_BY_POINT[kind], {"value": value})
    return [attached(session, Customer, row) for row in _readable_rows(session, found)]


def contact_owners(session: Session, kind: str, value: str) -> list[tuple[int, int | None]]:
    """(customer id, owner) of every customer holding this phone or e-mail, past the session's
    scope: enough to say that one exists and whose it is, which is all a caller may say."""
    query = _active(select(Customer.id, Customer.owner_id).where(_holding(kind, value)))
    return [(cid, owner) for cid, owner in session.exec(unscoped(query)) if cid is not None]


def by_name_key(session: Session, name: str) -> list[Customer]:
    query = select(Customer).where(Customer.name_key == name_key(name))
    return list(session.exec(_active(query)))


def points(session: Session, customer_id: int) -> list[ContactPoint]:
    """The customer's further phones and e-mails, oldest first."""
    query = select(ContactPoint).where(ContactPoint.customer_id == customer_id)
    return list(session.exec(query.order_by(col(ContactPoint.id))))


def all_values(customer: Customer, extra: list[ContactPoint], kind: str) -> list[str]:
    """Every phone (or e-mail) of a customer, the primary one first."""
    primary = customer.phone if kind == "phone" else customer.email
    values = [primary] if primary else []
    values += [p.value for p in extra if p.kind == kind and p.value not in values]
    return values


def add_point(
    session: Session, customer: Customer, kind: str, value: str, label: str | None = None
) -> ContactPoint | None:
    """Give a customer one more (normalised) phone or e-mail.

    The first one of a kind becomes the customer's primary phone or e-mail; a value the
    customer already has changes nothing. Returns the new ContactPoint, if one was made.
    """
    assert kind in POINT_KINDS and customer.id is not None
    primary = "phone" if kind == "phone" else "email"
    if getattr(customer, primary) in (None, ""):
        setattr(customer, primary, value)
        session.add(customer)
        return None
    if getattr(customer, primary) == value:
        return None
    if any(p.kind == kind and p.value == value for p in points(session, customer.id)):
        return None
    point = ContactPoint(customer_id=customer.id, kind=kind, value=value, label=label)
    session.add(point)
    session.flush()
    return point


def create(session: Session, customer: Customer) -> Customer:
    customer.name_key = name_key(customer.name)
    session.add(customer)
    session.flush()
    return customer


def touch(customer: Customer) -> None:
    customer.updated_at = utcnow()


_CONTACTS = prebuilt(
    select(Contact).where(Contact.customer_id == bindparam("customer")).order_by(col(Contact.id))
)


def contacts(session: Session, customer_id: int) -> list[Contact]:
    return list(session.execute(_CONTACTS, {"customer": customer_id}).scalars())
