"""Importing contacts: the people at a customer (see ``storage.transfer.importer``)."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlmodel import Session, col, select

from storage.folding import fold, name_key
from storage.models import Contact, Customer
from storage.quality import normalize
from storage.transfer.import_people import contact_data, ids_text
from storage.transfer.rows import Invalid, Issue, Options, Outcome, Row, keep_raw, known_raw


class Contacts:
    """People at a customer; matched on (customer, folded name). A contact cannot exist
    without its customer, so a row naming no known customer (or several) is rejected."""

    def __init__(self, options: Options) -> None:
        self.o = options
        self.notes: Counter[Issue] = Counter()
        self.by_key: dict[str, list[int]] = defaultdict(list)
        self.existing: dict[tuple[int, str], int] = {}
        self.seen: dict[tuple[int, str], int] = {}
        self.raw: set[tuple[str, int, str, str]] = set()

    def prepare(self, session: Session) -> None:
        self.raw = known_raw(session, "contact")
        query = select(Customer.id, Customer.name_key).where(col(Customer.merged_into_id).is_(None))
        for cid, key in session.exec(query):
            self.by_key[key].append(cid or 0)
        for cid, customer_id, name in session.exec(
            select(Contact.id, Contact.customer_id, Contact.name)
        ):
            self.existing[(customer_id, fold(name))] = cid or 0

    def row(self, session: Session, row: Row) -> Outcome:
        company = row.get("customer")
        ids = self.by_key.get(name_key(company), []) if company else []
        if not ids:
            raise Invalid("unknown_customer", name=company)
        if len(ids) > 1:
            raise Invalid("ambiguous_customer", name=company, ids=ids_text(ids))
        name = normalize.display_name(row.get("name"), self.o.region)
        if len(name) < 2:
            raise Invalid("missing_name")
        phones, emails = contact_data(row, self.o.region)
        values = {
            "role": row.get("role") or None,
            "phone": phones[0] if phones else None,
            "email": emails[0] if emails else None,
        }
        key = (ids[0], fold(name))
        if key in self.seen:
            return Outcome("duplicate", Issue.of("repeats", line=self.seen[key]))
        self.seen[key] = row.line
        if key not in self.existing:
            contact = Contact(customer_id=ids[0], name=name, **values)
            session.add(contact)
            session.flush()
            self.existing[key] = contact.id or 0
            status = "new"
        else:
            contact = session.get(Contact, self.existing[key])
            assert contact is not None
            changed = False
            for field, value in values.items():
                if value is not None and getattr(contact, field) != value:
                    setattr(contact, field, value)
                    changed = True
            session.add(contact)
            status = "updated" if changed else "unchanged"
        if keep_raw(session, row, "contact", self.existing[key], ids[0], self.o.source, self.raw):
            status = "updated" if status == "unchanged" else status
        return Outcome(status)

    def end_batch(self, session: Session) -> None:
        session.flush()

    def finish(self, session: Session) -> None:
        return None
