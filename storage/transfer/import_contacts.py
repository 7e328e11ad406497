"""Importing contacts: the people at a customer (see ``storage.transfer.importer``).

Why in bulk: a contact per row built as an ORM object and flushed to learn its id held a
first import to about 600 rows/s, and reading each existing contact by id held a re-import
to about 1,600. New contacts take their ids up front (``bulk.Ids``) and go in with one
audited insert per batch; the existing contacts a slice of rows names are read with one
``IN`` query (``prefetch``). A contact whose customer is archived is refused or restores the
customer (``storage.transfer.archived``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from storage import bulk
from storage.folding import fold, name_key
from storage.models import Contact, Customer, RawValue
from storage.quality import normalize
from storage.transfer import archived
from storage.transfer.archived import ArchivedCustomers, ArchivedMatch
from storage.transfer.customer_values import contact_data
from storage.transfer.import_people import IN_CHUNK, ids_text
from storage.transfer.rows import Invalid, Issue, Options, Outcome, Row, keep_raw, known_raw
from storage.types import utcnow


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
        self.archived = ArchivedCustomers()
        self.ids = bulk.Ids(Contact)
        self.new: dict[type[Any], list[dict[str, Any]]] = {Contact: [], RawValue: []}
        self.loaded: dict[int, Contact] = {}

    def prepare(self, session: Session) -> None:
        self.raw = known_raw(session, "contact")
        query = select(Customer.id, Customer.name_key).where(col(Customer.merged_into_id).is_(None))
        for cid, key in session.exec(query):
            self.by_key[key].append(cid or 0)
        for cid, customer_id, name in session.exec(
            select(Contact.id, Contact.customer_id, Contact.name)
        ):
            self.existing[(customer_id, fold(name))] = cid or 0
        self.archived.load(session, self.o.source)

    def prefetch(self, session: Session, rows: Sequence[Row]) -> None:
        """The existing contacts these rows name, in one query per 500 ids."""
        wanted: set[int] = set()
        for row in rows:
            ids = self.by_key.get(name_key(row.get("customer")), [])
            name = fold(normalize.display_name(row.get("name"), self.o.region))
            if len(ids) == 1 and (found := self.existing.get((ids[0], name))):
                wanted.add(found)
        ids = sorted(wanted - self.loaded.keys())
        for start in range(0, len(ids), IN_CHUNK):
            query = select(Contact).where(col(Contact.id).in_(ids[start : start + IN_CHUNK]))
            self.loaded.update((c.id or 0, c) for c in session.exec(query))

    def _customer(self, session: Session, company: str) -> int:
        """The one live customer the row names; an archived one is refused or restored."""
        key = name_key(company) if company else ""
        ids = self.by_key.get(key, []) if key else []
        gone = self.archived.by_key.get(key, []) if key else []
        if not ids and len(gone) == 1:
            cid = gone[0]
            if not self.o.restore_archived:
                raise ArchivedMatch("customer", cid, self.archived.people[cid].name)
            archived.restore(session, "customer", cid)
            self.archived.forget(cid)
            self.by_key[key].append(cid)
            self.notes[Issue.of("restored_customer")] += 1
            return cid
        if not ids:
            raise Invalid("unknown_customer", name=company)
        if len(ids) > 1:
            raise Invalid("ambiguous_customer", name=company, ids=ids_text(ids))
        return ids[0]

    def row(self, session: Session, row: Row) -> Outcome:
        customer_id = self._customer(session, row.get("customer"))
        name = normalize.display_name(row.get("name"), self.o.region)
        if len(name) < 2:
            raise Invalid("missing_name")
        phones, emails = contact_data(row, self.o.region)
        values = {
            "role": row.get("role") or None,
            "phone": phones[0] if phones else None,
            "email": emails[0] if emails else None,
        }
        key = (customer_id, fold(name))
        if key in self.seen:
            return Outcome("duplicate", Issue.of("repeats", line=self.seen[key]))
        self.seen[key] = row.line
        if key not in self.existing:
            contact_id = self.ids.take(session)
            self.new[Contact].append(
                {
                    **bulk.defaults(Contact, self.o.now or utcnow()),
                    "id": contact_id,
                    "customer_id": customer_id,
                    "name": name,
                    **values,
                }
            )
            self.existing[key] = contact_id
            status = "new"
        else:
            contact_id = self.existing[key]
            contact = self.loaded.get(contact_id) or session.get(Contact, contact_id)
            assert contact is not None
            changed = False
            for field, value in values.items():
                if value is not None and getattr(contact, field) != value:
                    setattr(contact, field, value)
                    changed = True
            if changed:
                session.add(contact)
            status = "updated" if changed else "unchanged"
        sink = self.new[RawValue].append
        if keep_raw(
            session, row, "contact", contact_id, customer_id, self.o.source, self.raw, sink
        ):
            status = "updated" if status == "unchanged" else status
        return Outcome(status)

    def end_batch(self, session: Session) -> None:
        """The batch's new contacts, then their kept values (which point at them)."""
        now = self.o.now or utcnow()
        for model, rows in self.new.items():
            if model is RawValue:
                rows[:] = [{**bulk.defaults(RawValue, now), **row} for row in rows]
            bulk.insert_audited(session, model, rows)
            rows.clear()
        session.flush()
        self.ids.forget()
        self.loaded.clear()

    def finish(self, session: Session) -> None:
        return None
