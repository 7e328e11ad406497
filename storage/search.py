"""In-memory customer name index: blocking by token, then rapidfuzz on the survivors.

Scoring WRatio against 100,000 names costs ~0.1 s a query, so we never score them all. Each
name is folded once (``storage.folding``) into tokens; a query token is looked up in the
vocabulary of distinct tokens (exact, prefix via a sorted list, and rapidfuzz ``ratio`` for
typos), the customers holding those tokens are counted, and only the best-covered few hundred
are scored.

Every match is put in a tier, and the tier, not the score, decides whether a reference may be
resolved without asking:
- EXACT: the same set of words ("Özmen Uğur" for "Uğur Özmen");
- SUBSET: one side's words all stand in the other ("Dr. Uğur Hami Özmen", or "acme" for
  "Acme Corporation");
- FUZZY: anything else ("Mehmet Demir" for "Mehmet Demirel") - only ever offered, never taken.

The index is a cache of the whole ``customer`` table, shared by every rep, so it reads past a
command's scope (``storage.access``) and filters by owner when searching instead (``visible``):
a customer a rep may not see never reaches the ranking, let alone a "did you mean".

It is never written to directly by a command: each
query first re-reads the rows stamped within ``LOOKBACK`` of the newest stamp it has seen
(an indexed range scan that is normally empty), so another process's commits show up on the
next query, a commit that lands slightly out of stamp order is not missed, and a rolled-back
transaction never leaves a ghost entry. A customer merged into another (``merged_into_id``)
leaves the index on the refresh after the merge, which stamps ``updated_at`` for that reason;
so does an archived one (``storage.archive``).
"""

from __future__ import annotations

import gc
from bisect import bisect_left, insort
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import String, type_coerce
from sqlmodel import Session, col, select

from storage.access import unscoped
from storage.archive import with_archived
from storage.endings import query_tokens
from storage.folding import name_tokens
from storage.models import Customer

CANDIDATES = 300
MIN_FUZZY_TOKEN = 4
MIN_PREFIX = 2  # "a" would stand for thousands of names
TOKEN_CUTOFF = 75.0
RESULT_CUTOFF = 60.0
LOOKBACK = timedelta(seconds=5)


class Tier(IntEnum):
    EXACT = 0
    SUBSET = 1
    FUZZY = 2


@dataclass(frozen=True, slots=True)
class Match:
    customer_id: int
    score: float
    tier: Tier
    inside: bool  # every query word is one of the name's words
    words: frozenset[str]  # the name's folded words


@dataclass(slots=True)
class _Entry:
    tokens: frozenset[str]
    text: str  # folded tokens joined, the string rapidfuzz scores


def _everyone(query: Any) -> Any:
    """The index serves every rep (each answer is filtered by what its asker may see), and
    keeps archived rows in view so that it can drop them."""
    return with_archived(unscoped(query))


def _chunks(ids: list[int] | None, size: int = 500) -> Iterator[list[int] | None]:
    """``ids`` a few hundred at a time (SQLite's variable limit); None stays one "all"."""
    if ids is None:
        yield None
        return
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


class NameIndex:
    def __init__(self) -> None:
        self._entries: dict[int, _Entry] = {}
        self._postings: dict[str, set[int]] = defaultdict(set)
        self._by_words: dict[frozenset[str], set[int]] = defaultdict(set)  # exact names
        self._vocab: list[str] = []  # sorted, for prefix lookups
        self._stamps: dict[int, Any] = {}  # updated_at as stored, compared as is
        self._owners: dict[int, int | None] = {}
        self._newest: datetime | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def knows(self, word: str) -> bool:
        """Is this folded word part of some customer's name?"""
        return bool(self._postings.get(word))

    # -- maintenance -------------------------------------------------------------------------
    def put(self, customer_id: int, name: str, owner_id: int | None = None) -> None:
        self.remove(customer_id)
        self._owners[customer_id] = owner_id
        tokens = name_tokens(name)
        if not tokens:
            return
        self._entries[customer_id] = _Entry(frozenset(tokens), " ".join(tokens))
        self._by_words[frozenset(tokens)].add(customer_id)
        for tok in set(tokens):
            postings = self._postings[tok]
            if not postings:
                insort(self._vocab, tok)
            postings.add(customer_id)

    def remove(self, customer_id: int) -> None:
        entry = self._entries.pop(customer_id, None)
        self._owners.pop(customer_id, None)
        if entry is None:
            return
        self._by_words[entry.tokens].discard(customer_id)
        for tok in entry.tokens:
            self._postings[tok].discard(customer_id)

    def refresh(self, session: Session) -> int:
        """Pull rows changed since the last refresh; returns how many were (re)indexed.

        Why two steps: while an import runs, thousands of rows lie within the look-back, and
        reading each of them whole on every chat command cost tens of milliseconds. Their ids
        and stamps come from the ``updated_at`` index alone, kept as stored (no conversion),
        and only the rows whose stamp moved are read whole."""
        stored = type_coerce(Customer.updated_at, String).label("stored_at")
        ids: list[int] | None = None  # None: the first build reads every row
        if self._newest is not None:
            window = select(Customer.id, stored).where(
                col(Customer.updated_at) >= self._newest - LOOKBACK
            )
            seen = self._stamps
            ids = [cid for cid, raw in session.exec(_everyone(window)) if seen.get(cid) != raw]
            if not ids:
                return 0
        count = 0
        for chunk in _chunks(ids):
            query = select(
                Customer.id,
                Customer.name,
                Customer.owner_id,
                Customer.updated_at,
                stored,
                Customer.merged_into_id,
                Customer.archived_at,
            )
            if chunk is not None:
                query = query.where(col(Customer.id).in_(chunk))
            for customer_id, name, owner, updated, raw, merged_into, archived in session.exec(
                _everyone(query)
            ):
                if merged_into is None and archived is None:
                    self.put(customer_id, name, owner)
                else:  # merged away or archived: out of search until /unmerge or /restore
                    self.remove(customer_id)
                self._stamps[customer_id] = raw
                if self._newest is None or updated > self._newest:
                    self._newest = updated
                count += 1
        if count > 10_000:
            # A bulk load: move the index out of the garbage collector's way, or each full
            # collection walks every entry (a 100 ms pause at 100,000 customers).
            gc.freeze()
        return count

    # -- lookup ------------------------------------------------------------------------------
    def _token_hits(self, token: str) -> dict[str, float]:
        """Vocabulary words a query word may stand for, each with how well it matches."""
        hits: dict[str, float] = {}
        if self._postings.get(token):
            hits[token] = 100.0
        i = bisect_left(self._vocab, token) if len(token) >= MIN_PREFIX else len(self._vocab)
        while i < len(self._vocab) and self._vocab[i].startswith(token) and len(hits) < 50:
            hits.setdefault(self._vocab[i], 90.0)
            i += 1
        if len(token) >= MIN_FUZZY_TOKEN:
            for word, score, _ in process.extract(
                token, self._vocab, scorer=fuzz.ratio, score_cutoff=TOKEN_CUTOFF, limit=20
            ):
                hits.setdefault(word, score * 0.9)
        return hits

    def named(self, query: str, visible: Callable[[int | None], bool] | None = None) -> list[int]:
        """Up to two customers a reference names outright, without scoring anyone: those with
        exactly its words, else those whose name holds all of them. One is the answer; two mean
        namesakes or too few words (ask); none means a search is needed (typos, extra words).
        The common case of a name in a sentence, settled by set lookups."""
        q_set = frozenset(query_tokens(query))
        if not q_set:
            return []
        seen = visible or (lambda _owner: True)
        exact = [c for c in self._by_words.get(q_set, ()) if seen(self._owners.get(c))]
        if exact:
            return sorted(exact)[:2]
        postings = sorted((self._postings.get(tok, set()) for tok in q_set), key=len)
        found: list[int] = []
        for cid in postings[0]:
            if all(cid in p for p in postings[1:]) and seen(self._owners.get(cid)):
                found.append(cid)
                if len(found) == 2:
                    break
        return sorted(found)

    def search(
        self, query: str, limit: int = 8, visible: Callable[[int | None], bool] | None = None
    ) -> list[Match]:
        """The best matches; with ``visible``, only customers whose owner it accepts."""
        q_tokens = query_tokens(query)  # "Özmen'in" is a search for Özmen
        if not q_tokens:
            return []
        weight: dict[int, float] = defaultdict(float)
        for tok in set(q_tokens):
            best: dict[int, float] = {}
            for word, score in self._token_hits(tok).items():
                for cid in self._postings[word]:
                    if score > best.get(cid, 0.0):
                        best[cid] = score
            if visible is not None:
                best = {cid: sc for cid, sc in best.items() if visible(self._owners.get(cid))}
            for cid, score in best.items():
                weight[cid] += score
        if not weight:
            return []
        shortlist = sorted(weight, key=weight.__getitem__, reverse=True)[:CANDIDATES]
        q_set = frozenset(q_tokens)
        q_text = " ".join(q_tokens)
        matches: list[Match] = []
        for cid in shortlist:
            entry = self._entries[cid]
            score = fuzz.token_set_ratio(q_text, entry.text)
            tier = _tier(q_set, entry.tokens)
            inside = q_set <= entry.tokens
            if tier is Tier.FUZZY:
                score = min(score, fuzz.token_sort_ratio(q_text, entry.text) + 10)
                if score < RESULT_CUTOFF:
                    continue
            elif not inside:  # the name lacks words that were typed: they count against it
                score = fuzz.token_sort_ratio(q_text, entry.text)
            matches.append(Match(cid, round(score, 1), tier, inside, entry.tokens))
        # A name that lacks typed words competes on score with near misses, so "Meryem Fliiz
        # Doğan" lists Meryem Filiz Doğan before the many Meryem Doğans.
        matches.sort(key=lambda m: (_rank(m), -m.score, m.customer_id))
        return matches[:limit]


def _rank(match: Match) -> int:
    if match.tier is Tier.EXACT:
        return 0
    return 1 if match.inside else 2


def _tier(query: frozenset[str], name: frozenset[str]) -> Tier:
    if query == name:
        return Tier.EXACT
    # A one-word name inside a longer query ("Hami" in "Uğur Hami Özmen") is too weak to count.
    if query <= name or (name <= query and len(name) > 1):
        return Tier.SUBSET
    return Tier.FUZZY


def pick(matches: list[Match]) -> Match | None:
    """The one match a reference may resolve to without asking, or None (ask the user).

    One EXACT match wins; two EXACT matches are homonyms and are never guessed between. Failing
    an EXACT match, a lone SUBSET match wins, unless the query has words the name lacks and a
    longer name holding the whole of it is also a candidate ("Meryem Fliiz Doğan" may be Meryem
    Filiz Doğan, not Meryem Doğan). FUZZY matches are never taken.
    """
    exact = [m for m in matches if m.tier is Tier.EXACT]
    if exact:
        return exact[0] if len(exact) == 1 else None
    subset = [m for m in matches if m.tier is Tier.SUBSET]
    if len(subset) != 1:
        return None
    chosen = subset[0]
    if not chosen.inside and any(m.words > chosen.words for m in matches if m is not chosen):
        return None
    return chosen
