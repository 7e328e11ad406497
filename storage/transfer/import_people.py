"""Importing customers and their contacts (see ``storage.transfer.importer`` for the run itself).

A customer row updates an existing customer only on a strong identifier: its external id,
or a phone or e-mail some customer already has (if the names are alike too). Anything
weaker never writes to another record: a row that shares only its name with a customer, or
has a similar name, or the same name with other contact data (a namesake), or someone
else's phone under another name, is created as a record of its own and flagged for review
("possible duplicate of #12"); /dupes and /quality list such pairs, /merge joins them.
The one exception keeps re-imports idempotent: a candidate that already holds everything
the row says is that row (nothing to write, nothing lost), so it reads "unchanged".

A value that fails the entry standards (a phone libphonenumber refuses, a malformed e-mail,
an unreadable number, a rep not on the team) does not cost the row: the column is left empty
and the text is kept as typed in a ``RawValue`` row, which /quality lists.

An update never renames a customer and never removes data: it fills or changes the fields the
row gives, and adds phones and e-mails the customer lacks as further contact points.

A row that meets an archived customer is refused, or restores it: ``storage.transfer.archived``.

Why ``prefetch``: the strong identifiers of every customer are in memory from ``prepare``
(``dupes.load``, two queries), but a matched row needs the customer itself, and reading it
with one query per row made a re-import, where nearly every row matches, slower than the
first import. Each slice of rows first works out which customers its rows may touch and
reads them in one ``IN`` query per 500 ids; ``row`` then finds them in ``self.loaded``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from storage import bulk, customers
from storage.folding import fold, name_key
from storage.models import ContactPoint, Customer, RawValue
from storage.quality import dupes, normalize
from storage.transfer import archived
from storage.transfer.archived import ArchivedCustomers, ArchivedMatch
from storage.transfer.customer_values import (
    COMPANY_WORDS,
    KNOWN_INDUSTRIES,
    PERSON_WORDS,
    Vocabulary,
    contact_data,
    countries,
)
from storage.transfer.lookalikes import LookAlikes
from storage.transfer.rows import (
    Invalid,
    Issue,
    Options,
    Outcome,
    Row,
    find_rep,
    keep_raw,
    known_raw,
    rep_ids,
)
from storage.types import utcnow

LOOKED_AT = 5  # customers per similar name key judged (a common name has thousands)
SIMILAR_NAME = 80.0  # a shared phone ties two rows only if the names are at least this close
IN_CHUNK = 500  # ids per IN (...): far below SQLite's limit on bound variables
Parsed = tuple[str, str, list[str], list[str]]  # name, name key, phones, e-mails


class Customers:
    def __init__(self, options: Options) -> None:
        self.o = options
        self.notes: Counter[Issue] = Counter()
        self.people: dict[int, dupes.Person] = {}
        self.by_key: dict[str, list[int]] = defaultdict(list)
        self.by_point: dict[str, set[int]] = defaultdict(set)
        self.by_ext: dict[str, int] = {}
        self.seen: dict[int, int] = {}
        self.parents: list[tuple[int, str]] = []
        self.lookalikes = LookAlikes()
        self.ids = bulk.Ids(Customer)
        self.new: dict[type[Any], list[dict[str, Any]]] = {
            Customer: [],
            ContactPoint: [],
            RawValue: [],
        }
        self.unwritten: set[int] = set()  # customers created but still in ``self.new``
        self.industries = Vocabulary(
            {fold(i): i for i in KNOWN_INDUSTRIES}, "industry_fixed", self.notes
        )
        self.countries = Vocabulary(countries(), "country_fixed", self.notes)
        self.reps: dict[str, int] = {}
        self.raw: set[tuple[str, int, str, str]] = set()
        self.stamp: datetime | None = None
        self._default_cache: dict[type[Any], tuple[Any, dict[str, Any]]] = {}
        self.archived = ArchivedCustomers()
        self.restored: set[int] = set()
        self.loaded: dict[int, Customer] = {}  # this batch's prefetched customers
        self.parsed: dict[int, Parsed] = {}  # line -> what prefetch read of the row

    def _remember(self, person: dupes.Person) -> None:
        self.people[person.id] = person
        if person.id not in self.by_key[person.key]:
            self.by_key[person.key].append(person.id)
        for value in person.phones | person.emails:
            self.by_point[value].add(person.id)
        self.lookalikes.add(person.key)

    def prepare(self, session: Session) -> None:
        for person in dupes.load(session):
            self._remember(person)
        query = select(Customer.id, Customer.external_id).where(
            Customer.external_source == self.o.source, col(Customer.merged_into_id).is_(None)
        )
        self.by_ext = {ext: cid for cid, ext in session.exec(query) if ext and cid}
        self.reps = rep_ids(session)
        self.raw = known_raw(session, "customer")
        self.archived.load(session, self.o.source)
        for value in session.exec(select(Customer.industry).distinct()).all():
            if value:
                self.industries.known.setdefault(fold(value), value)

    def _fields(self, session: Session, row: Row) -> dict[str, Any]:
        region = self.o.region
        kind_word = fold(row.get("kind"))
        kind = "person" if kind_word in PERSON_WORDS else None
        kind = "company" if kind_word in COMPANY_WORDS else kind
        tags = [t.strip() for t in re.split(r"[,;|]", row.get("tags")) if t.strip()]
        fields = {
            "city": normalize.display_name(row.get("city"), region) or None,
            "country": self.countries.read(row.get("country")),
            "industry": self.industries.read(row.get("industry")),
            "revenue": row.number("revenue"),
            "employees": row.number("employees", whole=True),
            "founded": row.number("founded", whole=True),
            "kind": kind,
            "tags": tags or None,
        }
        fields["owner_id"] = find_rep(session, self.reps, row, "owner", self.o, self.notes)
        return {k: v for k, v in fields.items() if v is not None}

    def _parse(self, row: Row) -> Parsed:
        name = normalize.display_name(row.get("name"), self.o.region)
        phones, emails = contact_data(row, self.o.region)
        return name, name_key(name), phones, emails

    def prefetch(self, session: Session, rows: Sequence[Row]) -> None:
        """Read, in one query per 500 ids, the customers these rows may match (see above)."""
        wanted: set[int] = set()
        for row in rows:
            _, key, phones, emails = self.parsed[row.line] = self._parse(row)
            if (ext := row.get("external_id")) and ext in self.by_ext:
                wanted.add(self.by_ext[ext])
            for value in (*phones, *emails):
                wanted |= self.by_point.get(value, set())
            mine_p, mine_e = set(phones), set(emails)
            wanted.update(
                i
                for i in self.by_key.get(key, ())
                if mine_p <= self.people[i].phones and mine_e <= self.people[i].emails
            )
        ids = sorted(wanted - self.unwritten - self.loaded.keys())
        for start in range(0, len(ids), IN_CHUNK):
            query = select(Customer).where(col(Customer.id).in_(ids[start : start + IN_CHUNK]))
            self.loaded.update((c.id or 0, c) for c in session.exec(query))

    def row(self, session: Session, row: Row) -> Outcome:
        name, key, phones, emails = self.parsed.pop(row.line, None) or self._parse(row)
        if len(name) < 2 or not key:
            raise Invalid("missing_name")
        fields = self._fields(session, row)
        ext = row.get("external_id") or None
        me = dupes.Person(0, name, key, frozenset(phones), frozenset(emails))
        target, flag = self._match(session, me, ext, fields, row)
        if target is not None and target in self.seen:
            return Outcome("duplicate", Issue.of("repeats", line=self.seen[target]))
        if target is None:
            cid = self._create(session, name, key, phones, emails, fields, ext)
            status = "new"
        else:
            customer = self._get(session, target)
            assert customer is not None
            changed = self._update(session, customer, phones, emails, fields, ext)
            status = "updated" if changed or target in self.restored else "unchanged"
            cid = target
        sink = self.new[RawValue].append
        if keep_raw(session, row, "customer", cid, cid, self.o.source, self.raw, sink):
            status = "updated" if status == "unchanged" else status
        self.seen[cid] = row.line
        if parent := row.get("parent"):
            self.parents.append((cid, parent))
        return Outcome(status, flags=(flag,) if flag else ())

    def _match(
        self, session: Session, me: dupes.Person, ext: str | None, fields: dict[str, Any], row: Row
    ) -> tuple[int | None, Issue | None]:
        """(the customer to update, or None to create one) and why a new one is flagged."""
        if ext and ext in self.by_ext:
            return self.by_ext[ext], None
        if ext and ext in self.archived.by_ext:
            return self._unarchive(session, self.archived.by_ext[ext]), None
        sharing = set().union(*(self.by_point.get(v, set()) for v in me.phones | me.emails))
        if sharing:
            alike = [i for i in sorted(sharing) if _alike(me, self.people[i])]
            if len(alike) == 1:
                return alike[0], None
            if held := self._holding(session, alike, me, ext, fields, row):
                return held, None
            if alike:
                return None, Issue.of("ambiguous", ids=ids_text(alike))
            other = self.people[min(sharing)]
            return None, Issue.of("same_contact", id=other.id, name=other.name)
        points = me.phones | me.emails
        gone = set().union(*(self.archived.by_point.get(v, set()) for v in points))
        if gone := [i for i in sorted(gone) if _alike(me, self.archived.people[i])]:
            return self._unarchive(session, gone[0]), None
        same = self.by_key.get(me.key, [])
        fits = [i for i in same if not dupes.judge(me, self.people[i], 100.0).homonym]
        if held := self._holding(session, fits, me, ext, fields, row):
            return held, None
        if fits:
            other = self.people[fits[0]]
            return None, Issue.of("name_only", id=other.id, name=other.name)
        if same:
            other = self.people[same[0]]
            return None, Issue.of("homonym", id=other.id, name=other.name)
        for other_key, _score in self.lookalikes.similar(me.key):
            for cid in self.by_key.get(other_key, [])[:LOOKED_AT]:
                other = self.people[cid]
                pair = dupes.judge(me, other)
                if not pair.homonym and (pair.contains or pair.name_score >= dupes.NAME_CUTOFF):
                    return None, Issue.of(
                        "similar", id=other.id, name=other.name, score=pair.name_score
                    )
        return None, None

    def _unarchive(self, session: Session, cid: int) -> int:
        """An archived customer the row matches: refused, or restored with --restore-archived."""
        person = self.archived.people[cid]
        if not self.o.restore_archived:
            raise ArchivedMatch("customer", cid, person.name)
        customer = archived.restore(session, "customer", cid)[0].record
        assert isinstance(customer, Customer)
        self.loaded[cid] = customer
        if customer.external_id and customer.external_source == self.o.source:
            self.by_ext[customer.external_id] = cid
        self.archived.forget(cid)
        self._remember(person)
        self.restored.add(cid)
        self.notes[Issue.of("restored_customer")] += 1
        return cid

    def _holding(
        self,
        session: Session,
        ids: list[int],
        me: dupes.Person,
        ext: str | None,
        fields: dict[str, Any],
        row: Row,
    ) -> int | None:
        """The first candidate that already holds everything the row says: matching it writes
        nothing, so it cannot overwrite someone else; it is what keeps re-imports idempotent."""
        for cid in ids:
            person = self.people[cid]
            if not (me.phones <= person.phones and me.emails <= person.emails):
                continue
            customer = self._get(session, cid)
            if customer is None or (ext and customer.external_id != ext):
                continue
            if any(getattr(customer, k) != v for k, v in fields.items()):
                continue
            if all(("customer", cid, k.field, k.raw) in self.raw for k in row.kept):
                return cid
        return None

    def _create(
        self,
        session: Session,
        name: str,
        key: str,
        phones: list[str],
        emails: list[str],
        fields: dict[str, Any],
        ext: str | None,
    ) -> int:
        """A new customer, kept as values until the batch is written (``_write``)."""
        cid = self.ids.take(session)
        now = self._now()
        self.new[Customer].append(
            {
                **self._defaults(Customer, now),
                "id": cid,
                "name": name,
                "name_key": key,
                "phone": phones[0] if phones else None,
                "email": emails[0] if emails else None,
                "external_source": self.o.source if ext else None,
                "external_id": ext,
                **fields,
            }
        )
        self.unwritten.add(cid)
        for kind, values in (("phone", phones), ("email", emails)):
            for value in values[1:]:
                point = {"customer_id": cid, "kind": kind, "value": value, "label": None}
                self.new[ContactPoint].append(point)
        if ext:
            self.by_ext[ext] = cid
        self._remember(dupes.Person(cid, name, key, frozenset(phones), frozenset(emails)))
        return cid

    def _now(self) -> datetime:
        """The import's clock, else one time stamp per batch (as one command would stamp)."""
        if self.stamp is None:
            self.stamp = self.o.now or utcnow()
        return self.stamp

    def _defaults(self, model: type[Any], now: Any) -> dict[str, Any]:
        """A model's defaults, worked out once per time stamp rather than once per row."""
        if self._default_cache.get(model, (None,))[0] != now:
            self._default_cache[model] = (now, bulk.defaults(model, now))
        return dict(self._default_cache[model][1])

    def _get(self, session: Session, cid: int) -> Customer | None:
        """A customer as an ORM object; one still unwritten is written first."""
        if cid in self.unwritten:
            self._write(session)
        return self.loaded.get(cid) or session.get(Customer, cid)

    def _write(self, session: Session) -> None:
        """The new customers, their further contact points and kept values, in three inserts
        (customers first: the others point at them)."""
        now = self._now()
        for model, rows in self.new.items():
            if model is not Customer:
                rows[:] = [{**self._defaults(model, now), **row} for row in rows]
            bulk.insert_audited(session, model, rows)
            rows.clear()
        self.unwritten.clear()

    def _update(
        self,
        session: Session,
        customer: Customer,
        phones: list[str],
        emails: list[str],
        fields: dict[str, Any],
        ext: str | None,
    ) -> bool:
        changed = False
        for name, value in fields.items():
            if getattr(customer, name) != value:
                setattr(customer, name, value)
                changed = True
        if ext and customer.external_id is None:
            customer.external_source, customer.external_id = self.o.source, ext
            self.by_ext[ext] = customer.id or 0
            changed = True
        person = self.people[customer.id or 0]
        for kind, values, have in (
            ("phone", phones, person.phones),
            ("email", emails, person.emails),
        ):
            for value in values:
                if value not in have:
                    customers.add_point(session, customer, kind, value)
                    changed = True
        if changed:
            if self.o.now:
                customer.updated_at = self.o.now
            else:
                customers.touch(customer)
            session.add(customer)
            self._remember(
                dupes.Person(
                    person.id,
                    person.name,
                    person.key,
                    person.phones | frozenset(phones),
                    person.emails | frozenset(emails),
                )
            )
        return changed

    def end_batch(self, session: Session) -> None:
        self._write(session)
        session.flush()
        self.ids.forget()
        self.stamp = None
        self.loaded.clear()

    def finish(self, session: Session) -> None:
        """Parents last: a subsidiary may come before its parent in the file."""
        for child_id, parent in self.parents:
            ids = [i for i in self.by_key.get(name_key(parent), []) if i != child_id]
            if len(ids) != 1:
                self.notes[Issue.of("parent_unknown", name=parent)] += 1
                continue
            child = session.get(Customer, child_id)
            if child is not None and child.parent_id != ids[0]:
                child.parent_id = ids[0]
                session.add(child)


def _alike(me: dupes.Person, other: dupes.Person) -> bool:
    score, contains = dupes.name_similarity(me.key, other.key)
    return score >= SIMILAR_NAME or contains


def ids_text(ids: Any) -> str:
    return ", ".join(f"#{i}" for i in sorted(ids))
