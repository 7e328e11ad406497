"""Import rows that meet an archived (deleted) record.

Archived records are out of sight of every ordinary query (``storage.archive``), so without
this a re-imported row would not find the customer it once created: it would make a second
one, or fail on the external id's uniqueness. What a demanding importer expects instead: a
row whose strong identifier (its external id, or a phone or e-mail under an alike name, the
same rule as for live customers) belongs to an archived customer, or a deal or contact row
whose customer is archived, or a deal row whose external id is an archived deal's, is neither
a silent resurrection nor a crash. Without ``--restore-archived`` nothing is written for the
row and the report says which record it meets and how to restore it; with it, the record is
restored exactly as ``/restore`` restores it (with what was archived along with it, audited
as that change) and then updated from the row like any live record.

A name alone never ties a row to an archived customer, as it never ties one to a live one.
"""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, col, select

from storage import archive
from storage.models import ContactPoint, Customer
from storage.quality import dupes
from storage.transfer.rows import Issue


class ArchivedMatch(Exception):
    """Raised by a loader for a row that meets an archived record it may not restore."""

    def __init__(self, kind: str, record_id: int, name: str) -> None:
        super().__init__(kind)
        self.issue = Issue.of(f"archived_{kind}", id=record_id, name=name)


class ArchivedCustomers:
    """The strong identifiers and name keys of the archived customers (merged ones aside)."""

    def __init__(self) -> None:
        self.people: dict[int, dupes.Person] = {}
        self.by_ext: dict[str, int] = {}
        self.by_point: dict[str, set[int]] = defaultdict(set)
        self.by_key: dict[str, list[int]] = defaultdict(list)

    def load(self, session: Session, source: str) -> ArchivedCustomers:
        gone = col(Customer.archived_at).is_not(None) & col(Customer.merged_into_id).is_(None)
        query = select(
            Customer.id,
            Customer.name,
            Customer.name_key,
            Customer.phone,
            Customer.email,
            Customer.external_source,
            Customer.external_id,
        ).where(gone)
        points: dict[int, dict[str, set[str]]] = {}
        for cid, name, key, phone, email, ext_source, ext in session.exec(
            archive.with_archived(query)
        ):
            cid = cid or 0
            points[cid] = {
                "phone": {phone} if phone else set(),
                "email": {email} if email else set(),
            }
            if ext and ext_source == source:
                self.by_ext[ext] = cid
            self.by_key[key].append(cid)
            self.people[cid] = dupes.Person(cid, name, key)
        if points:
            extra = select(ContactPoint.customer_id, ContactPoint.kind, ContactPoint.value).join(
                Customer, col(Customer.id) == col(ContactPoint.customer_id)
            )
            for cid, kind, value in session.exec(archive.with_archived(extra.where(gone))):
                points[cid][kind].add(value)
        for cid, found in points.items():
            person = self.people[cid]
            phones, emails = frozenset(found["phone"]), frozenset(found["email"])
            self.people[cid] = dupes.Person(cid, person.name, person.key, phones, emails)
            for value in phones | emails:
                self.by_point[value].add(cid)
        return self

    def forget(self, cid: int) -> None:
        """``cid`` was restored: it is a live customer now."""
        person = self.people.pop(cid, None)
        if person is None:
            return
        self.by_ext = {ext: i for ext, i in self.by_ext.items() if i != cid}
        for value in person.phones | person.emails:
            self.by_point[value].discard(cid)
        self.by_key[person.key].remove(cid)


def restore(session: Session, kind: str, record_id: int) -> list[archive.Batch]:
    """Restore a record as /restore does, and what was archived with it; a deal whose customer
    is archived too brings the customer back first (else the deal would stay out of sight)."""
    try:
        return [archive.restore(session, kind, record_id)]
    except archive.ArchiveError as problem:
        if problem.code != "parent_archived":
            raise
        parent = archive.restore(
            session, str(problem.values["kind"]), int(str(problem.values["id"]))
        )
        return [parent, *restore(session, kind, record_id)]
