"""KVKK/GDPR requests: everything held about one person, and erasing it.

``collect`` gathers a customer's (or a contact's) records, contact data, interactions, tasks,
deals, consents, audit entries and reads of their card, as plain values for one JSON document.

``forget`` erases their personal data from every table and keeps what is not personal:
deal amounts and stages stay for reports, under "erased customer #id". It replaces the
customer's name and clears their contact data, deletes their further phones, e-mails and
contact persons, blanks interaction notes, task titles and deal titles about them, replaces
the values of every audit row about them (the rows and their digests stay, so the hash chain
holds), and removes every occurrence of their name, phones and e-mails from free text
anywhere else: other records' notes, guided-flow state, button tokens, pending notices, the
audit trail and the access log. The erasure itself is audited without the erased values.
Delivery keys and rate counters hold no personal data.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import phonenumbers
from sqlalchemy import or_
from sqlmodel import Session, SQLModel, col, select

from storage import audit, customers
from storage.audit import digest_of
from storage.folding import name_key
from storage.models import (
    AccessLog,
    AuditEvent,
    ButtonCommand,
    ChatFlow,
    Consent,
    Contact,
    ContactPoint,
    Customer,
    CustomerMerge,
    Deal,
    Interaction,
    Notice,
    RawValue,
    Task,
)

ERASED = "[erased]"
MIN_IDENTIFIER = 4  # shorter texts would erase innocent words elsewhere


def _plain(record: SQLModel) -> dict[str, Any]:
    return json.loads(record.model_dump_json())


def related_rows(session: Session, customer_id: int) -> dict[str, list[Any]]:
    def rows(model: Any, *where: Any) -> list[Any]:
        return list(session.exec(select(model).where(*where).order_by(col(model.id))))

    return {
        "contact_points": rows(ContactPoint, ContactPoint.customer_id == customer_id),
        "raw_values": rows(RawValue, RawValue.customer_id == customer_id),
        "contacts": rows(Contact, Contact.customer_id == customer_id),
        "interactions": rows(Interaction, Interaction.customer_id == customer_id),
        "tasks": rows(Task, Task.customer_id == customer_id),
        "deals": rows(Deal, Deal.customer_id == customer_id),
        "consents": rows(Consent, Consent.customer_id == customer_id),
        "merges": rows(
            CustomerMerge,
            (CustomerMerge.kept_id == customer_id) | (CustomerMerge.other_id == customer_id),
        ),
    }


def _audit_rows(session: Session, keys: Iterable[tuple[str, int]]) -> list[AuditEvent]:
    by_entity: dict[str, set[int]] = {}
    for entity, entity_id in keys:
        by_entity.setdefault(entity, set()).add(entity_id)
    found: list[AuditEvent] = []
    for entity, ids in by_entity.items():
        query = select(AuditEvent).where(
            AuditEvent.entity == entity, col(AuditEvent.entity_id).in_(ids)
        )
        found += session.exec(query).all()
    return sorted(found, key=lambda e: e.id or 0)


def _keys(customer_id: int, related: dict[str, list[Any]]) -> list[tuple[str, int]]:
    keys = [("customer", customer_id)]
    for rows in related.values():
        keys += [(row.__tablename__, row.id) for row in rows]
    return keys


def collect(session: Session, customer_id: int) -> dict[str, Any] | None:
    """Everything held about a customer, as JSON-ready values (None: no such customer)."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        return None
    related = related_rows(session, customer_id)
    reads = session.exec(
        select(AccessLog)
        .where(AccessLog.entity == "customer", AccessLog.entity_id == customer_id)
        .order_by(col(AccessLog.id))
    ).all()
    document: dict[str, Any] = {"customer": _plain(customer)}
    document.update({name: [_plain(r) for r in rows] for name, rows in related.items()})
    document["audit"] = [_plain(e) for e in _audit_rows(session, _keys(customer_id, related))]
    document["access_log"] = [_plain(r) for r in reads]
    return document


def identifiers(customer: Customer, related: dict[str, list[Any]]) -> set[str]:
    """The texts that identify the person: name, phones (stored and as people type them),
    e-mails; of them and of their contact persons."""
    found = {customer.name, customer.email or "", customer.phone or ""}
    found |= {p.value for p in related["contact_points"]}
    found |= {r.raw for r in related["raw_values"] if r.field in ("phone", "email")}
    for contact in related["contacts"]:
        found |= {contact.name, contact.phone or "", contact.email or ""}
    for number in [x for x in found if x.startswith("+")]:
        found |= _phone_forms(number)
    return {x for x in found if len(x) >= MIN_IDENTIFIER}


def _phone_forms(e164: str) -> set[str]:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return set()
    styles = (phonenumbers.PhoneNumberFormat.NATIONAL, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    forms = {phonenumbers.format_number(number, style) for style in styles}
    return forms | {"".join(ch for ch in form if ch.isdigit()) for form in forms}


def _scrub(value: Any, marks: set[str]) -> Any:
    """``value`` with every identifier replaced, in strings, lists and dicts alike."""
    if isinstance(value, str):
        for mark in sorted(marks, key=len, reverse=True):
            value = value.replace(mark, ERASED)
        return value
    if isinstance(value, list):
        return [_scrub(v, marks) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, marks) for k, v in value.items()}
    return value


def forget(session: Session, customer_id: int, now: datetime) -> dict[str, int]:
    """Erase a customer's personal data everywhere; returns what was touched, per kind."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise LookupError(customer_id)
    audit.pause(session)  # the values must not be written to the trail on their way out
    related = related_rows(session, customer_id)
    marks = identifiers(customer, related)
    keys = _keys(customer_id, related)
    counts = {name: len(rows) for name, rows in related.items()}
    for item in related["interactions"]:
        item.summary, item.outcome, item.source_message_id = ERASED, None, None
        item.latitude = item.longitude = None
        item.contact_id = None
    for task in related["tasks"]:
        task.title = ERASED
    for deal in related["deals"]:
        deal.title, deal.lost_reason = f"deal #{deal.id}", None
    for consent in related["consents"]:
        consent.source = None
    for merge in related["merges"]:
        merge.evidence, merge.filled = None, {}
    session.add_all([*related["interactions"], *related["tasks"], *related["deals"]])
    session.add_all([*related["consents"], *related["merges"]])
    session.flush()  # interactions let go of the contacts before the contacts go
    for row in [*related["contact_points"], *related["raw_values"], *related["contacts"]]:
        session.delete(row)
    _erase_customer(customer, now)
    session.add(customer)
    session.flush()
    counts["audit"] = erase_audit(session, keys, marks)
    counts["elsewhere"] = _scrub_elsewhere(session, marks)
    erased_fields = sorted(k for k in _plain(customer) if k not in ("id", "kind", "created_at"))
    audit_erasure(session, "customer", customer_id, now, erased_fields)
    return counts


def audit_erasure(
    session: Session,
    entity: str,
    entity_id: int,
    now: datetime,
    fields: list[str],
    action: str = "erase",
) -> None:
    """The erasure (or a purge), in the trail: who, when, which fields; never the values."""
    actor = session.info.get("actor")
    changes = {"erased": fields}
    erasure = AuditEvent(
        at=now,
        actor_rep_id=actor.rep_id if actor else None,
        platform=actor.platform if actor else None,
        action=action,
        entity=entity,
        entity_id=entity_id,
    )
    erasure.changes, erasure.digest = changes, digest_of(changes)
    session.add(erasure)
    session.flush()


def collect_contact(session: Session, contact_id: int) -> dict[str, Any] | None:
    """Everything held about a contact person: the row, interactions with them, the trail."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        return None
    talks = session.exec(
        select(Interaction)
        .where(Interaction.contact_id == contact_id)
        .order_by(col(Interaction.id))
    ).all()
    return {
        "contact": _plain(contact),
        "interactions": [_plain(i) for i in talks],
        "audit": [_plain(e) for e in _audit_rows(session, [("contact", contact_id)])],
    }


def forget_contact(session: Session, contact_id: int, now: datetime) -> dict[str, int]:
    """Erase a contact person: their row goes, every mention of them is scrubbed."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise LookupError(contact_id)
    audit.pause(session)
    marks = {x for x in (contact.name, contact.phone or "", contact.email or "") if x}
    for number in [x for x in marks if x.startswith("+")]:
        marks |= _phone_forms(number)
    marks = {x for x in marks if len(x) >= MIN_IDENTIFIER}
    talks = session.exec(select(Interaction).where(Interaction.contact_id == contact_id)).all()
    for item in talks:
        item.contact_id = None
        session.add(item)
    session.flush()
    kept = select(RawValue).where(RawValue.entity == "contact", RawValue.entity_id == contact_id)
    for raw in session.exec(kept).all():
        if raw.field in ("phone", "email") and len(raw.raw) >= MIN_IDENTIFIER:
            marks.add(raw.raw)
        session.delete(raw)
    session.delete(contact)
    session.flush()
    counts = {
        "interactions": len(talks),
        "audit": erase_audit(session, [("contact", contact_id)], marks),
        "elsewhere": _scrub_elsewhere(session, marks),
    }
    audit_erasure(session, "contact", contact_id, now, ["name", "role", "phone", "email"])
    return counts


def _erase_customer(customer: Customer, now: datetime) -> None:
    customer.name = f"erased customer #{customer.id}"
    customer.name_key = name_key(customer.name)
    for field in (
        "phone", "email", "city", "preferred_channel", "industry", "revenue", "employees",
        "founded", "country", "external_source", "external_id",
    ):  # fmt: skip
        setattr(customer, field, None)
    customer.tags, customer.do_not_contact, customer.erased_at = [], True, now
    customers.touch(customer)  # an update: every process's search index drops the old name


def erase_audit(session: Session, keys: list[tuple[str, int]], marks: set[str]) -> int:
    """Values of the trail about them, and any mention of them elsewhere in it, replaced;
    each row keeps its digest and says it was erased."""
    about = {e.id for e in _audit_rows(session, keys)}
    touched = 0
    for row in session.exec(select(AuditEvent)).all():
        if row.id in about:
            changes = {field: ERASED for field in row.changes}
        else:
            changes = _scrub(row.changes, marks)
            if changes == row.changes:
                continue
        row.changes, row.erased = changes, True
        session.add(row)
        touched += 1
    return touched


def _scrub_elsewhere(session: Session, marks: set[str]) -> int:
    """Free text of other records that names them, scrubbed; the bot's own state that does
    (a question in progress, a long button, a notice not yet delivered), deleted."""
    touched = 0
    texts: list[tuple[Any, str]] = [
        (Interaction, "summary"), (Task, "title"), (Deal, "title"), (Deal, "lost_reason"),
        (Contact, "name"), (CustomerMerge, "evidence"), (AccessLog, "detail"),
    ]  # fmt: skip
    for model, field in texts:
        column = col(getattr(model, field))
        named = or_(*(column.contains(mark) for mark in marks))
        for row in session.exec(select(model).where(named)).all():
            setattr(row, field, _scrub(getattr(row, field), marks))
            session.add(row)
            touched += 1
    for model in (ChatFlow, ButtonCommand, Notice):
        for row in session.exec(select(model)).all():
            if _scrub(_plain(row), marks) != _plain(row):
                session.delete(row)
                touched += 1
    session.flush()
    return touched
