"""Importing customers and their contacts (see ``storage.transfer.importer`` for the run itself).

A customer row is matched, in this order, on its external id; on a phone or e-mail some
customer already has (if the names are compatible); on its folded name key, unless the
existing customer's phone or e-mail contradicts the row's (then it is a *homonym*, reported
and left alone); and finally on a similar name from the name index, which is reported as a
likely duplicate rather than guessed. ``--allow-duplicates`` creates what only looks alike.

An update never renames a customer and never removes data: it fills or changes the fields the
row gives, and adds phones and e-mails the customer lacks as further contact points.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import cache
from typing import Any

from babel import Locale
from rapidfuzz import fuzz, process
from sqlmodel import Session, col, select

from storage import customers
from storage.folding import fold, name_key
from storage.models import Contact, Customer
from storage.quality import dupes, normalize
from storage.search import NameIndex
from storage.transfer.rows import Invalid, Issue, Options, Outcome, Row, find_rep, rep_ids


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


KNOWN_INDUSTRIES = (
    *_words(
        """technology software retail medical healthcare finance banking insurance marketing
advertising entertainment media telecommunications services employment education
manufacturing construction logistics transportation energy hospitality tourism food
agriculture automotive textile chemicals pharmaceuticals consulting legal government mining
utilities aerospace defense e-commerce teknoloji yazılım perakende sağlık finans bankacılık
sigorta pazarlama reklam eğlence medya telekomünikasyon hizmet eğitim imalat üretim inşaat
lojistik ulaşım enerji turizm gıda tarım otomotiv tekstil kimya ilaç danışmanlık hukuk
madencilik gayrimenkul non-profit"""
    ),
    "real estate",
)
FIX_CUTOFF = 85.0
PERSON_WORDS = {"person", "individual", "private", "bireysel", "sahis", "kisi"}
COMPANY_WORDS = {"company", "corporate", "business", "kurumsal", "firma", "sirket"}
SIMILAR_NAME = 80.0  # a shared phone ties two rows only if the names are at least this close


@cache
def _countries() -> dict[str, str]:
    names: dict[str, str] = {}
    for language in ("en", "tr"):
        for name in Locale(language).territories.values():
            names.setdefault(fold(name), name)
    return names


class Vocabulary:
    """A controlled list (industries, countries): a near miss is read as the known spelling."""

    def __init__(self, known: dict[str, str], note: str, notes: Counter[Issue]) -> None:
        self.known = dict(known)
        self.note = note
        self.notes = notes

    def read(self, value: str) -> str | None:
        value = value.strip()
        if not value:
            return None
        folded = fold(value)
        if folded in self.known:
            return value
        best = process.extractOne(
            folded, list(self.known), scorer=fuzz.ratio, score_cutoff=FIX_CUTOFF
        )
        if best is None:
            self.known[folded] = value  # a new, legitimate value
            return value
        fixed = self.known[best[0]]
        fixed = fixed.lower() if value.islower() else fixed
        self.notes[Issue.of(self.note, value=value, fixed=fixed)] += 1
        return fixed


def contact_data(row: Row, region: str) -> tuple[list[str], list[str]]:
    """Every phone and e-mail of a row, normalised; a bad one makes the row invalid."""
    phones: list[str] = []
    for cell in row.every("phone"):
        for part in normalize.split_phones(cell):
            checked = normalize.phone(part, region)
            if not checked.ok:
                raise Invalid("bad_phone", value=part, why=checked.problem)
            if checked.value not in phones:
                phones.append(checked.value or "")
    emails: list[str] = []
    for cell in row.every("email"):
        for part in re.split(r"[;,\s]+", cell):
            if not part:
                continue
            checked = normalize.email(part)
            if not checked.ok:
                raise Invalid("bad_email", value=part, why=checked.problem)
            if checked.value not in emails:
                emails.append(checked.value or "")
    return phones, emails


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
        self.index = NameIndex()
        self.industries = Vocabulary(
            {fold(i): i for i in KNOWN_INDUSTRIES}, "industry_fixed", self.notes
        )
        self.countries = Vocabulary(_countries(), "country_fixed", self.notes)
        self.reps: dict[str, int] = {}

    def _remember(self, person: dupes.Person) -> None:
        self.people[person.id] = person
        if person.id not in self.by_key[person.key]:
            self.by_key[person.key].append(person.id)
        for value in person.phones | person.emails:
            self.by_point[value].add(person.id)
        self.index.put(person.id, person.name)

    def prepare(self, session: Session) -> None:
        for person in dupes.load(session):
            self._remember(person)
        query = select(Customer.id, Customer.external_id).where(
            Customer.external_source == self.o.source, col(Customer.merged_into_id).is_(None)
        )
        self.by_ext = {ext: cid for cid, ext in session.exec(query) if ext and cid}
        self.reps = rep_ids(session)
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
        fields["owner_id"] = find_rep(session, self.reps, row.get("owner"), self.o, self.notes)
        return {k: v for k, v in fields.items() if v is not None}

    def row(self, session: Session, row: Row) -> Outcome:
        name = normalize.display_name(row.get("name"), self.o.region)
        key = name_key(name)
        if len(name) < 2 or not key:
            raise Invalid("missing_name")
        phones, emails = contact_data(row, self.o.region)
        fields = self._fields(session, row)
        ext = row.get("external_id") or None
        me = dupes.Person(0, name, key, frozenset(phones), frozenset(emails))
        target, issue = self._match(me, ext)
        if issue is not None:
            return Outcome("duplicate", issue)
        if target is not None and target in self.seen:
            return Outcome("duplicate", Issue.of("repeats", line=self.seen[target]))
        if target is None:
            customer = self._create(session, name, phones, emails, fields, ext)
            status = "new"
        else:
            customer = session.get(Customer, target)
            assert customer is not None
            status = (
                "updated"
                if self._update(session, customer, phones, emails, fields, ext)
                else "unchanged"
            )
        assert customer.id is not None
        self.seen[customer.id] = row.line
        if parent := row.get("parent"):
            self.parents.append((customer.id, parent))
        return Outcome(status)

    def _match(self, me: dupes.Person, ext: str | None) -> tuple[int | None, Issue | None]:
        allow = self.o.allow_duplicates
        if ext and ext in self.by_ext:
            return self.by_ext[ext], None
        sharing = set().union(*(self.by_point.get(v, set()) for v in me.phones | me.emails))
        if len(sharing) == 1:
            other = self.people[next(iter(sharing))]
            score, contains = dupes.name_similarity(me.key, other.key)
            if score >= SIMILAR_NAME or contains:
                return other.id, None
            issue = Issue.of("same_contact", id=other.id, name=other.name)
            return None, None if allow else issue
        if sharing:
            return None, None if allow else Issue.of("ambiguous", ids=_ids(sharing))
        same = self.by_key.get(me.key, [])
        fits = [i for i in same if not dupes.judge(me, self.people[i], 100.0).homonym]
        if len(fits) == 1:
            return fits[0], None
        if fits:
            return None, None if allow else Issue.of("ambiguous", ids=_ids(fits))
        if same:
            other = self.people[same[0]]
            return None, None if allow else Issue.of("homonym", id=other.id, name=other.name)
        for match in self.index.search(me.name, limit=5):
            other = self.people.get(match.customer_id)
            if other is None:
                continue
            pair = dupes.judge(me, other)
            if not pair.homonym and (pair.contains or pair.name_score >= dupes.NAME_CUTOFF):
                issue = Issue.of("similar", id=other.id, name=other.name, score=pair.name_score)
                return None, None if allow else issue
        return None, None

    def _create(
        self,
        session: Session,
        name: str,
        phones: list[str],
        emails: list[str],
        fields: dict[str, Any],
        ext: str | None,
    ) -> Customer:
        customer = Customer(
            name=name,
            phone=phones[0] if phones else None,
            email=emails[0] if emails else None,
            external_source=self.o.source if ext else None,
            external_id=ext,
            **fields,
        )
        if self.o.now:
            customer.created_at = customer.updated_at = self.o.now
        customers.create(session, customer)
        for value in phones[1:]:
            customers.add_point(session, customer, "phone", value)
        for value in emails[1:]:
            customers.add_point(session, customer, "email", value)
        assert customer.id is not None
        if ext:
            self.by_ext[ext] = customer.id
        self._remember(
            dupes.Person(customer.id, name, customer.name_key, frozenset(phones), frozenset(emails))
        )
        return customer

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
        session.flush()

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


def _ids(ids: Any) -> str:
    return ", ".join(f"#{i}" for i in sorted(ids))


class Contacts:
    """People at a customer; matched on (customer, folded name)."""

    def __init__(self, options: Options) -> None:
        self.o = options
        self.notes: Counter[Issue] = Counter()
        self.by_key: dict[str, list[int]] = defaultdict(list)
        self.existing: dict[tuple[int, str], int] = {}
        self.seen: dict[tuple[int, str], int] = {}

    def prepare(self, session: Session) -> None:
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
            raise Invalid("ambiguous_customer", name=company, ids=_ids(ids))
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
            return Outcome("new")
        contact = session.get(Contact, self.existing[key])
        assert contact is not None
        changed = False
        for field, value in values.items():
            if value is not None and getattr(contact, field) != value:
                setattr(contact, field, value)
                changed = True
        session.add(contact)
        return Outcome("updated" if changed else "unchanged")

    def end_batch(self, session: Session) -> None:
        session.flush()

    def finish(self, session: Session) -> None:
        return None
