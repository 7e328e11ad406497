"""Likely duplicate customers, with the evidence, best first; homonyms kept apart.

Why blocking: comparing every pair of 100,000 names is 5·10⁹ comparisons. Instead candidate
pairs come only from
- the same phone or e-mail (an exact index, nearly free);
- the same name key (the order-free, folded, title- and suffix-less name), for name keys held
  by at most ``COMMON_NAME`` customers: ten "Mehmet Yılmaz"es are a common name, not a
  duplicate group, and only shared contact data can tie two of them together;
- similar name keys: distinct keys are grouped into blocks by the first three letters of each
  pair of their words ("meh|yil" holds Mehmet Yılmaz, Mehmet Yılmas, Yılmaz Mehmet and
  Mehmet Ali Yılmaz), and again by the last three letters (so a typo near the start of a word
  still meets its original), and each block is scored at once with rapidfuzz's
  ``process.cdist``;
  a key one word longer than another ("uğur hami özmen" / "uğur özmen") is found by dropping
  each word in turn and looking the rest up.

Each candidate pair is then judged on its contact data: a shared phone or e-mail is strong
evidence; the same or a similar name with no contradicting data is a likely duplicate; the
same name with different phones or e-mails (the two "Mehmet Yıldırım"s) is a *homonym*: shown
as such, ranked last, and never merged by anything but a person's decision.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
from rapidfuzz import fuzz, process
from sqlmodel import Session, col, select

from storage.models import ContactPoint, Customer

NAME_CUTOFF = 90  # fuzz.ratio of two sorted-word name keys
CONTAINS_SCORE = 90.0  # one name is the other plus one word
COMMON_NAME = 5  # more customers than this with one name key: a common name
MAX_SHARED = 25  # customers sharing one phone or e-mail that are paired with each other
PREFIX = 3
MAX_WORDS = 5  # words of a name used for blocking


@dataclass(frozen=True, slots=True)
class Person:
    """What identity resolution looks at for one customer."""

    id: int
    name: str
    key: str  # storage.folding.name_key
    phones: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Pair:
    """Two customers that may be one, and why. ``a`` < ``b``."""

    a: int
    b: int
    name_score: float
    same_name: bool
    contains: bool
    shared_phones: tuple[str, ...]
    shared_emails: tuple[str, ...]
    homonym: bool

    @property
    def strong(self) -> bool:
        return bool(self.shared_phones or self.shared_emails)

    @property
    def confidence(self) -> float:
        """0-100, for ranking: shared contact data beats a name, a homonym ranks last."""
        if self.homonym:
            return 0.0
        if self.strong:
            if self.name_score >= 80:
                return round(100 - (100 - self.name_score) / 4, 1)
            return round(50 + self.name_score * 0.4, 1)
        return round(self.name_score * 0.85, 1)


@dataclass(slots=True)
class Group:
    ids: list[int]
    pairs: list[Pair] = field(default_factory=list)

    @property
    def homonym(self) -> bool:
        return all(p.homonym for p in self.pairs)

    @property
    def confidence(self) -> float:
        return max((p.confidence for p in self.pairs), default=0.0)


def name_similarity(key_a: str, key_b: str) -> tuple[float, bool]:
    """(score 0-100, one name contains the other) for two name keys."""
    if key_a == key_b:
        return 100.0, False
    ta, tb = set(key_a.split()), set(key_b.split())
    small, big = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    contains = len(small) >= 2 and small < big
    score = float(fuzz.ratio(key_a, key_b))
    return (max(score, CONTAINS_SCORE), True) if contains else (score, False)


def judge(a: Person, b: Person, name_score: float | None = None) -> Pair:
    """The evidence for two customers being one; ``name_score`` if already computed."""
    contains = False
    if name_score is None:
        name_score, contains = name_similarity(a.key, b.key)
    else:
        contains = a.key != b.key and name_similarity(a.key, b.key)[1]
    phones = tuple(sorted(a.phones & b.phones))
    emails = tuple(sorted(a.emails & b.emails))
    conflict = bool(a.phones and b.phones and not phones) or bool(
        a.emails and b.emails and not emails
    )
    lo, hi = (a, b) if a.id < b.id else (b, a)
    shared = bool(phones or emails)
    return Pair(
        lo.id, hi.id, name_score, a.key == b.key, contains, phones, emails, conflict and not shared
    )


def is_candidate(pair: Pair) -> bool:
    """Worth showing at all: shared contact data; the same name (a homonym if the contact data
    differ); or a similar name with nothing that contradicts it. "Mehmet Demir" and "Mehmet
    Demirel" with different phones are simply two people, not worth a line."""
    if pair.strong or pair.same_name:
        return True
    return not pair.homonym and (pair.contains or pair.name_score >= NAME_CUTOFF)


# -- the scan --------------------------------------------------------------------------------
def load(session: Session) -> list[Person]:
    """Every customer that is not merged away, with all its phones and e-mails (two queries)."""
    extra: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for cid, kind, value in session.exec(
        select(ContactPoint.customer_id, ContactPoint.kind, ContactPoint.value)
    ):
        extra[cid].append((kind, value))
    query = select(Customer.id, Customer.name, Customer.name_key, Customer.phone, Customer.email)
    people: list[Person] = []
    for cid, name, key, phone, email in session.exec(
        query.where(col(Customer.merged_into_id).is_(None))
    ):
        phones = {phone} if phone else set()
        emails = {email} if email else set()
        for kind, value in extra.get(cid or 0, ()):
            (phones if kind == "phone" else emails).add(value)
        people.append(Person(cid or 0, name, key, frozenset(phones), frozenset(emails)))
    return people


def block_keys(key: str) -> list[tuple[str, ...]]:
    """The blocks a name key falls in: two names are compared only if they share one."""
    words = key.split()[:MAX_WORDS]
    if len(words) == 1:
        return [(words[0][:PREFIX],)]
    found = list(combinations(sorted({w[:PREFIX] for w in words}), 2))
    # The same with word endings, so a typo near the start of a word is still paired.
    return found + list(combinations(sorted({"-" + w[-PREFIX:] for w in words}), 2))


def _blocks(keys: Sequence[str]) -> dict[tuple[str, ...], list[int]]:
    blocks: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        for block in block_keys(key):
            blocks[block].append(i)
    return blocks


def similar_keys(keys: Sequence[str], cutoff: float = NAME_CUTOFF) -> dict[tuple[int, int], float]:
    """Pairs of distinct name keys (indexes into ``keys``) that may name the same customer."""
    found: dict[tuple[int, int], float] = {}
    texts = np.asarray(keys, dtype=object)
    for members in _blocks(keys).values():
        if len(members) < 2:
            continue
        idx = np.asarray(members)
        block = texts[idx].tolist()
        scores = process.cdist(
            block,
            block,
            scorer=fuzz.ratio,
            score_cutoff=cutoff,
            dtype=np.uint8,
            workers=-1 if len(block) > 500 else 1,
        )
        rows, cols = np.nonzero(np.triu(scores, 1))
        values = scores[rows, cols].tolist()
        for a, b, s in zip(idx[rows].tolist(), idx[cols].tolist(), values, strict=True):
            found[(a, b) if a < b else (b, a)] = float(s)
    position = {key: i for i, key in enumerate(keys)}
    for i, key in enumerate(keys):  # one word more: "uğur hami özmen" holds "uğur özmen"
        words = key.split()
        if len(words) < 3:
            continue
        for drop in range(len(words)):
            j = position.get(" ".join(words[:drop] + words[drop + 1 :]))
            if j is not None:
                found[(i, j) if i < j else (j, i)] = CONTAINS_SCORE
    return found


def scan(people: Sequence[Person], *, common: int = COMMON_NAME) -> list[Group]:
    """Likely duplicate groups, best first, then homonym pairs."""
    by_id = {p.id: p for p in people}
    pairs: dict[tuple[int, int], Pair] = {}

    def consider(a: int, b: int, score: float | None = None) -> None:
        if a == b:
            return
        k = (a, b) if a < b else (b, a)
        if k not in pairs:
            pair = judge(by_id[a], by_id[b], score)
            if is_candidate(pair):
                pairs[k] = pair

    for members in _shared(people).values():
        for a, b in combinations(members[:MAX_SHARED], 2):
            consider(a, b)
    by_key: dict[str, list[int]] = defaultdict(list)
    for p in people:
        if p.key:
            by_key[p.key].append(p.id)
    for members in by_key.values():
        if 2 <= len(members) <= common:
            for a, b in combinations(members, 2):
                consider(a, b, 100.0)
    keys = list(by_key)
    for (i, j), score in similar_keys(keys).items():
        left, right = by_key[keys[i]], by_key[keys[j]]
        if len(left) * len(right) > common:
            continue  # common names on both sides: only contact data can tell
        for a in left:
            for b in right:
                consider(a, b, score)
    return _groups(list(pairs.values()))


def _shared(people: Iterable[Person]) -> dict[tuple[str, str], list[int]]:
    owners: dict[tuple[str, str], list[int]] = defaultdict(list)
    for p in people:
        for phone in p.phones:
            owners[("phone", phone)].append(p.id)
        for email in p.emails:
            owners[("email", email)].append(p.id)
    return {k: v for k, v in owners.items() if len(v) > 1}


def _groups(pairs: list[Pair]) -> list[Group]:
    """Groups of customers that are likely one, best first; then homonym pairs.

    Only strong evidence and identical names join customers into one group transitively: a
    chain of merely similar names ("Ali Can Yıldız" ~ "Ali Yıldız" ~ "Ali Yıldırım") would
    otherwise grow into a group of people who are nothing alike, so a similar-name pair stays
    a pair of its own unless both ends already share a group.
    """
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    likely = [p for p in pairs if not p.homonym]
    for p in likely:
        if p.strong or p.same_name:
            parent[root(p.a)] = root(p.b)
    grouped: dict[object, Group] = {}
    for p in sorted(likely, key=lambda p: (-p.confidence, p.a, p.b)):
        joined = p.strong or p.same_name or root(p.a) == root(p.b)
        group = grouped.setdefault(root(p.a) if joined else (p.a, p.b), Group([]))
        group.pairs.append(p)
    groups = []
    for group in grouped.values():
        group.ids = sorted({i for p in group.pairs for i in (p.a, p.b)})
        groups.append(group)
    groups.sort(key=lambda g: (-g.confidence, -len(g.ids), g.ids[0]))
    homonyms = sorted((p for p in pairs if p.homonym), key=lambda p: (-p.name_score, p.a, p.b))
    return groups + [Group([p.a, p.b], [p]) for p in homonyms]


def person(customer: Customer, points: Iterable[ContactPoint] = ()) -> Person:
    """The identity of one customer row and its contact points."""
    phones = {customer.phone} if customer.phone else set()
    emails = {customer.email} if customer.email else set()
    for point in points:
        (phones if point.kind == "phone" else emails).add(point.value)
    return Person(
        customer.id or 0, customer.name, customer.name_key, frozenset(phones), frozenset(emails)
    )
