"""Customers and their contacts: lookups by id, phone and e-mail, and what a card shows."""

from __future__ import annotations

from sqlmodel import Session, col, or_, select

from storage.folding import name_key
from storage.models import Contact, Customer, Interaction, Task
from storage.types import utcnow


def get(session: Session, customer_id: int) -> Customer | None:
    return session.get(Customer, customer_id)


def many(session: Session, ids: list[int]) -> dict[int, Customer]:
    if not ids:
        return {}
    rows = session.exec(select(Customer).where(col(Customer.id).in_(ids)))
    return {c.id: c for c in rows if c.id is not None}


def by_phone(session: Session, e164: str) -> list[Customer]:
    """Customers whose own phone, or one of whose contacts' phones, is this number."""
    via_contact = select(Contact.customer_id).where(Contact.phone == e164)
    query = select(Customer).where(or_(Customer.phone == e164, col(Customer.id).in_(via_contact)))
    return list(session.exec(query.order_by(col(Customer.id))))


def by_email(session: Session, email: str) -> list[Customer]:
    email = email.lower()
    via_contact = select(Contact.customer_id).where(Contact.email == email)
    query = select(Customer).where(or_(Customer.email == email, col(Customer.id).in_(via_contact)))
    return list(session.exec(query.order_by(col(Customer.id))))


def by_name_key(session: Session, name: str) -> list[Customer]:
    query = select(Customer).where(Customer.name_key == name_key(name))
    return list(session.exec(query.order_by(col(Customer.id))))


def create(session: Session, customer: Customer) -> Customer:
    customer.name_key = name_key(customer.name)
    session.add(customer)
    session.flush()
    return customer


def touch(customer: Customer) -> None:
    customer.updated_at = utcnow()


def contacts(session: Session, customer_id: int) -> list[Contact]:
    query = select(Contact).where(Contact.customer_id == customer_id).order_by(col(Contact.id))
    return list(session.exec(query))


def recent_interactions(session: Session, customer_id: int, limit: int = 3) -> list[Interaction]:
    query = (
        select(Interaction)
        .where(Interaction.customer_id == customer_id)
        .order_by(col(Interaction.occurred_at).desc(), col(Interaction.id).desc())
        .limit(limit)
    )
    return list(session.exec(query))


def open_tasks(session: Session, customer_id: int, limit: int = 5) -> list[Task]:
    query = (
        select(Task)
        .where(Task.customer_id == customer_id, Task.status == "open")
        .order_by(col(Task.due_at))
        .limit(limit)
    )
    return list(session.exec(query))
