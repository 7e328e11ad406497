"""The warm index's query path: what a query word may stand for, who holds it, and how well
the best-covered few hundred customers match.

Apart from ``storage.search``, which keeps the arrays (``storage.name_store``) in step with the
database; this module only reads them, under the index's lock.

Why it is shaped so (issue 14: index search p95 at most 5 ms at a million customers, 16 ms
CPU before). A common word ("mehmet", "kardesler", "insaat") stands in 20,000 to 40,000 names
at a million, so a company query touches 60,000 to 90,000 postings; what cost the time was not
reading them but what was done with them:

- the distinct customers were found by ``np.unique`` (a hash of 100,000 ids, 1.4 ms) or by a
  scan of the whole million-cell weight array; a *stamp* array finds them in two passes over
  the ids found (each position writes its index; the one that reads its own back is kept);
- customers tied at the shortlist's cut (10,000 holding "kardesler" and "insaat") were sorted
  to take the lowest ids; a partition takes them in linear time;
- the typo lookup's prefilter walked two whole-vocabulary arrays per letter of the query
  word (``NameStore.near``, now bit counts) and the surviving words were sorted before
  rapidfuzz scored them; now the few that pass the cutoff are ordered instead, which gives the
  same 20 (``process.extract`` keeps its input's order among equal scores);
- a query word's vocabulary hits are remembered until the set of held words changes
  (``NameStore.version``): common words come back query after query;
- the shortlist is scored by one ``process.cdist`` call rather than 300 Python-level calls,
  and only the ``limit`` best become ``Match`` objects.

Every step computes what it computed before: the same hits, weights, shortlist, scores and
order (the bench's per-query answers were compared before and after).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from itertools import pairwise

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from storage.name_store import NO_OWNER, Ids, NameStore
from storage.search_tiers import Match, Tier, top
from storage.search_tiers import tier as tier_of

CANDIDATES = 300
MIN_FUZZY_TOKEN = 4
MIN_PREFIX = 2  # "a" would stand for thousands of names
TOKEN_CUTOFF = 75.0
RESULT_CUTOFF = 60.0
PREFIX_HITS = 50  # vocabulary words a prefix may stand for
FUZZY_HITS = 20  # ... and a typo
MEMO = 8192  # query words whose hits are remembered
_OWNER_TABLE = 1 << 20  # owner ids below this are looked up in a table, not by np.isin

Hits = tuple[tuple[str, float], ...]


class Lookup:
    """Scratch arrays and the memo of one index's queries; not thread-safe on its own (the
    index's lock is held around every call)."""

    def __init__(self, store: NameStore) -> None:
        self._store = store
        self._weight = np.zeros(0)  # all zeros between calls
        self._best = np.zeros(0)  # all zeros between calls
        self._stamp = np.zeros(0, np.int32)  # any content; see distinct()
        self._memo: dict[str, str] = {}  # query word -> its hit words, space-separated
        self._memo_scores: dict[str, np.ndarray] = {}  # ... and their scores
        self._memo_version = -1

    # -- query words ---------------------------------------------------------------------------
    def hits(self, token: str) -> Hits:
        """Vocabulary words ``token`` may stand for with how well each matches, weakest first.

        Remembered as one string and one array per word, not tuples: the garbage collector
        counts every container a memo keeps, and a memo of tuples filling up ran a full
        collection (90 ms at 100,000 customers) in the middle of the searches."""
        store = self._store
        if self._memo_version != store.version:
            self._memo.clear()
            self._memo_scores.clear()
            self._memo_version = store.version
        words = self._memo.get(token)
        if words is None:
            if len(self._memo) >= MEMO:
                self._memo.clear()
                self._memo_scores.clear()
            found = sorted(self._token_hits(token).items(), key=lambda h: h[1])
            words = self._memo[token] = " ".join(word for word, _ in found)
            self._memo_scores[token] = np.array([score for _, score in found])
            return tuple(found)
        return tuple(zip(words.split(), self._memo_scores[token].tolist(), strict=True))

    def _token_hits(self, token: str) -> dict[str, float]:
        store, vocab = self._store, self._store.vocab
        hits: dict[str, float] = {}
        if store.holders(token):
            hits[token] = 100.0
        i = bisect_left(vocab, token) if len(token) >= MIN_PREFIX else len(vocab)
        while i < len(vocab) and vocab[i].startswith(token) and len(hits) < PREFIX_HITS:
            if store.holders(vocab[i]):
                hits.setdefault(vocab[i], 90.0)
            i += 1
        if len(token) >= MIN_FUZZY_TOKEN:
            near = process.extract(
                token,
                store.near(token, TOKEN_CUTOFF),
                scorer=fuzz.ratio,
                score_cutoff=TOKEN_CUTOFF,
                limit=None,
            )
            near.sort(key=lambda hit: (-hit[1], hit[0]))  # as if extracted from the sorted vocab
            for word, score, _ in near[:FUZZY_HITS]:
                hits.setdefault(word, score * 0.9)
        return hits

    # -- customers -----------------------------------------------------------------------------
    def weights(self, q_tokens: tuple[str, ...]) -> tuple[Ids, np.ndarray]:
        """Every customer holding a word a query word may stand for, with the sum over query
        words of its best match (in no particular order)."""
        store = self._store
        size = len(store.ntok)
        if len(self._weight) < size:
            self._weight, self._best = np.zeros(size), np.zeros(size)
            self._stamp = np.zeros(size, np.int32)
        weight, best = self._weight, self._best
        touched: list[Ids] = []
        for tok in dict.fromkeys(q_tokens):
            hits = self.hits(tok)
            if not hits:
                continue
            ids = [store.posting_at_word(word) for word, _ in hits]
            for held, (_, score) in zip(ids, hits, strict=True):
                best[held] = score  # ascending, so each customer keeps its best word's score
            held = np.concatenate(ids) if len(ids) > 1 else ids[0]
            weight[held] += best[held]  # a repeated id is added once: its one best score
            best[held] = 0.0
            touched.append(held)
        if not touched:
            return np.zeros(0, np.int32), np.zeros(0)
        cids = self._distinct(np.concatenate(touched) if len(touched) > 1 else touched[0])
        weights = weight[cids]
        weight[cids] = 0.0
        return cids, weights

    def _distinct(self, ids: Ids) -> Ids:
        """``ids`` without repeats: every position stamps its index on its id, and the one
        position per id whose stamp survives keeps it."""
        at = np.arange(len(ids), dtype=np.int32)
        self._stamp[ids] = at
        return ids[self._stamp[ids] == at]

    def seen(self, ids: Ids, visible: Callable[[int | None], bool]) -> np.ndarray:
        """Which of ``ids`` have an owner ``visible`` accepts: asked once per owner (a few
        hundred reps), not once per customer (tens of thousands holding a common word)."""
        owners = self._store.owners
        allowed = np.array(
            [o for o, n in owners.items() if n and visible(None if o == NO_OWNER else o)],
            np.int64,
        )
        owner = self._store.owner[ids]
        top_owner = max(owners, default=NO_OWNER)
        if top_owner >= _OWNER_TABLE:
            return np.isin(owner, allowed)
        table = np.zeros(top_owner + 2, bool)
        table[allowed + 1] = True
        return table[owner + 1]

    def holding_all(self, q_set: frozenset[str], *, only: bool = False) -> Ids:
        """The customers whose names hold every word of ``q_set``, lowest id first: the
        rarest word's holders, kept if their own words hold the others (a few thousand rows
        read, not the postings of two common words merged). ``only``: names of no other
        words, the holders of another count of words dropped before their words are read
        (a common namesake's rarest word has tens of thousands of holders at 1M)."""
        store = self._store
        wids = [store.word_ids.get(tok) for tok in q_set]
        if any(wid is None for wid in wids):
            return np.zeros(0, np.int32)
        postings = sorted((store.posting(wid) for wid in wids if wid is not None), key=len)
        common = postings[0]
        if only:
            common = common[store.ntok[common] == len(q_set)]
        if len(q_set) > 1 and len(common):
            held, whose = store.words_of(common)
            keep = np.ones(len(common), bool)
            for wid in wids:
                has = np.zeros(len(common), bool)
                has[whose[held == wid]] = True
                keep &= has
            common = common[keep]
        return np.sort(common)

    # -- the shortlist -------------------------------------------------------------------------
    def ranked(
        self, cids: Ids, weights: np.ndarray, q_tokens: tuple[str, ...], limit: int
    ) -> list[Match]:
        """Score the best-covered ``CANDIDATES`` and return the ``limit`` best, ranked.

        Tiers and scores are worked out for all of them at once from word ids, not with a
        set, a tier and a score per name in a loop (853 -> 739 us a search at 300k)."""
        shortlist = np.asarray(top(cids, weights, CANDIDATES), np.int64)
        store = self._store
        held, whose = store.words_of(shortlist)
        words = store.words
        every = [words[w] for w in held.tolist()]
        lengths = store.length[shortlist].astype(np.int64)
        bounds = [0, *np.cumsum(lengths).tolist()]
        q_set = frozenset(q_tokens)
        q_text = " ".join(q_tokens)
        texts = [" ".join(every[begin:end]) for begin, end in pairwise(bounds)]
        tiers, insides = self._tiers(q_set, shortlist, held, whose, lengths, every, bounds)
        score = np.asarray(_scores(q_text, texts, fuzz.token_set_ratio))
        # token_sort_ratio only where it is used: fuzzy matches and names lacking typed words
        again = np.flatnonzero(~insides)  # every FUZZY name lacks a typed word
        if len(again):
            sort_scores = np.asarray(_scores(q_text, [texts[i] for i in again.tolist()]))
            fuzzy = tiers[again] == Tier.FUZZY
            # A name that lacks typed words competes on score with near misses, so "Meryem
            # Fliiz Doğan" lists Meryem Filiz Doğan before the many Meryem Doğans.
            score[again] = np.where(fuzzy, np.minimum(score[again], sort_scores + 10), sort_scores)
        kept = np.flatnonzero((tiers != Tier.FUZZY) | (score >= RESULT_CUTOFF))
        scores = [round(value, 1) for value in score[kept].tolist()]
        ranks = np.where(tiers[kept] == Tier.EXACT, 0, np.where(insides[kept], 1, 2))
        ids = shortlist[kept]
        best = np.lexsort((ids, -np.array(scores), ranks))[:limit].tolist()
        return [
            Match(
                int(ids[j]),
                scores[j],
                Tier(int(tiers[i])),
                bool(insides[i]),
                frozenset(every[bounds[i] : bounds[i + 1]]),
            )
            for j in best
            for i in [int(kept[j])]
        ]

    def _tiers(
        self,
        q_set: frozenset[str],
        shortlist: Ids,
        held: Ids,
        whose: Ids,
        lengths: npt.NDArray[np.int64],
        every: list[str],
        bounds: list[int],
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """Each name's tier (``search_tiers.tier``) and whether it holds every typed word,
        counted on word ids. A name repeating a word ("Ali Ali Veli") is judged as a set,
        one at a time: counts would take its repeats for more words."""
        store = self._store
        typed = np.array([w for t in q_set if (w := store.word_ids.get(t)) is not None])
        from_query = np.bincount(whose, weights=np.isin(held, typed), minlength=len(shortlist))
        distinct = store.ntok[shortlist].astype(np.int64)
        insides = (from_query == len(q_set)) & (len(typed) == len(q_set))
        within = from_query == lengths  # every word of the name was typed
        tiers = np.where(
            insides & within,
            Tier.EXACT,
            np.where(insides | (within & (distinct > 1)), Tier.SUBSET, Tier.FUZZY),
        ).astype(np.int64)
        for i in np.flatnonzero(lengths != distinct).tolist():
            name = frozenset(every[bounds[i] : bounds[i + 1]])
            tiers[i], insides[i] = tier_of(q_set, name), q_set <= name
        return tiers, insides


def _scores(
    q_text: str, texts: list[str], scorer: Callable[..., float] = fuzz.token_sort_ratio
) -> list[float]:
    """``scorer(q_text, text)`` for each text, in one call into rapidfuzz."""
    if not texts:
        return []
    return process.cdist([q_text], texts, scorer=scorer, dtype=np.float64)[0].tolist()
