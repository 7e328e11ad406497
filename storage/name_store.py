"""The name index's data, held in a few numpy arrays instead of objects per customer.

Why: at a million customers the index kept a frozenset, a string, a set entry per word, a
dict entry per exact name, an owner and a change number per customer as Python objects,
about 1.1 GB; the same facts as arrays take a few tens of MB, and a search walks them with
vectorised operations instead of a Python loop per customer holding a common word.

- Words are interned: ``words[i]`` is the word numbered ``i``; ``vocab`` is the sorted list the
  prefix lookup walks; ``counts[i]`` how many customers hold it now; ``version`` moves whenever
  the set of held words changes (what a search may memoise per query word).
- Each customer's folded words are a slice of ``flat`` (``start``, ``length``, indexed by
  customer id), in their order, so the text rapidfuzz scores is rebuilt for the few hundred
  customers a search scores and never stored.
- A word's customers are a slice of ``posting_ids`` (sorted), built in one pass by
  ``compact()``. A customer put or removed since is *dirty*: the built slices skip it, and
  ``extra`` holds its words' current customers, until the next ``compact()`` folds them in.
  Bulk loads compact once; single puts compact when the dirty share grows, so the cost stays
  linear and a lone rename never rebuilds a million rows.
"""

from __future__ import annotations

import ctypes
from bisect import insort
from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from storage.typo_filter import TypoFilter

NO_OWNER = -1
ABSENT = 0  # ``ntok`` of an id with no indexed name
_GROW = 1.5

IntArray = npt.NDArray[np.int64]
Ids = npt.NDArray[np.int32]  # customer ids as postings hold them
Row = tuple[int, tuple[str, ...], int | None]  # id, folded words, owner


def _grown(array: np.ndarray, size: int, fill: int = 0) -> np.ndarray:
    """``array`` with room for index ``size - 1``, new cells set to ``fill``."""
    if size <= len(array):
        return array
    bigger = np.full(max(size, int(len(array) * _GROW) + 16), fill, dtype=array.dtype)
    bigger[: len(array)] = array
    return bigger


class NameStore:
    def __init__(self) -> None:
        self.words: list[str] = []
        self.word_ids: dict[str, int] = {}
        self.vocab: list[str] = []  # sorted
        self.counts = np.zeros(0, np.int32)
        self.typos = TypoFilter()  # per word, what rules it out as a typo of a query word
        self.version = 0
        self.flat = np.zeros(0, np.int32)
        self.used = 0  # cells of ``flat`` in use (a rename leaves its old slice behind)
        self.start = np.zeros(0, np.int64)
        self.length = np.zeros(0, np.uint8)
        self.ntok = np.zeros(0, np.uint8)  # distinct words; ABSENT: not indexed
        self.owner = np.zeros(0, np.int32)
        self.owners: dict[int, int] = defaultdict(int)  # owner -> customers, for the mask
        self.posting_ids = np.zeros(0, np.int32)
        self.posting_at = np.zeros(1, np.int64)  # word i's slice: posting_at[i]:posting_at[i+1]
        self.dirty = np.zeros(0, bool)
        self.dirty_count = 0
        self.extra: dict[int, set[int]] = defaultdict(set)
        self.size = 0  # customers indexed

    # -- words ---------------------------------------------------------------------------------
    def word_id(self, word: str) -> int:
        wid = self.word_ids.get(word)
        if wid is None:
            wid = self.word_ids[word] = len(self.words)
            self.words.append(word)
            insort(self.vocab, word)
            self.counts = _grown(self.counts, wid + 1)
            self.typos.add(word)
            self.version += 1
        return wid

    def near(self, word: str, cutoff: float) -> list[str]:
        """Held words that may score ``cutoff`` or more against ``word`` by rapidfuzz's
        ``ratio``, in no particular order: a superset, never missing one
        (``storage.typo_filter``). Why: scoring every distinct word cost 10 ms a query word
        at a million customers."""
        wids = self.typos.candidates(word, cutoff)
        words = self.words
        return [words[i] for i in wids[self.counts[wids] > 0].tolist()]

    def holders(self, word: str) -> int:
        wid = self.word_ids.get(word)
        return 0 if wid is None else int(self.counts[wid])

    # -- customers -----------------------------------------------------------------------------
    def _room(self, customer_id: int) -> None:
        size = customer_id + 1
        if size > len(self.ntok):
            self.start = _grown(self.start, size)
            self.length = _grown(self.length, size)
            self.ntok = _grown(self.ntok, size)
            self.owner = _grown(self.owner, size, NO_OWNER)
            self.dirty = _grown(self.dirty, size)

    def has(self, customer_id: int) -> bool:
        return 0 <= customer_id < len(self.ntok) and self.ntok[customer_id] != ABSENT

    def owner_of(self, customer_id: int) -> int | None:
        if not self.has(customer_id):
            return None
        owner = int(self.owner[customer_id])
        return None if owner == NO_OWNER else owner

    def tokens(self, customer_id: int) -> list[str]:
        at = int(self.start[customer_id])
        ids = self.flat[at : at + int(self.length[customer_id])]
        return [self.words[i] for i in ids.tolist()]

    def words_of(self, customer_ids: npt.NDArray[np.integer]) -> tuple[Ids, IntArray]:
        """The word ids of these customers' names one after another, in order, and for each
        the position in ``customer_ids`` of the customer it belongs to."""
        lengths = self.length[customer_ids].astype(np.int64)
        ends = np.cumsum(lengths)
        cells = np.repeat(self.start[customer_ids] - (ends - lengths), lengths)
        cells += np.arange(int(ends[-1]) if len(ends) else 0)
        return self.flat[cells], np.repeat(np.arange(len(customer_ids)), lengths)

    def put(self, customer_id: int, tokens: tuple[str, ...], owner: int | None) -> None:
        """Index ``tokens`` (already folded, non-empty) for this id, which is not indexed."""
        self._room(customer_id)
        ids = [self.word_id(t) for t in tokens[:255]]
        need = self.used + len(ids)
        if need > len(self.flat):
            self.flat = _grown(self.flat, need)
        self.flat[self.used : need] = ids
        self.start[customer_id], self.length[customer_id] = self.used, len(ids)
        self.used = need
        distinct = set(ids)
        self.ntok[customer_id] = len(distinct)
        self.owner[customer_id] = NO_OWNER if owner is None else owner
        self.owners[NO_OWNER if owner is None else owner] += 1
        self._mark_dirty(customer_id)
        for wid in distinct:
            self.counts[wid] += 1
            if self.counts[wid] == 1:
                self.version += 1
            self.extra[wid].add(customer_id)
        self.size += 1
        self._maybe_compact()

    def load(self, batches: Iterable[Sequence[Row]]) -> None:
        """Index many (id, folded words, owner) at once into an empty store: the first build.

        Batch by batch: each batch's words become word ids in an int32 array before the next
        batch is read, so its tuples and strings are freed while it is still small. Why: folding
        a million names into one list first held ~450 MB of small objects at the peak, and the
        words the vocabulary keeps (allocated among them) then pinned nearly every one of
        CPython's 1 MB object arenas: 389 MB of arenas stayed mapped for 57 MB of live
        objects. Batches reuse the same few arenas instead. The rest is whole-array steps."""
        assert self.size == 0 and self.used == 0, "load() builds an empty store"
        word_id = self.word_id
        parts: list[tuple[IntArray, Ids, IntArray, Ids]] = []
        for batch in batches:
            rows = [row for row in batch if row[1]]
            if not rows:
                continue
            parts.append(
                (
                    np.fromiter((r[0] for r in rows), np.int64, len(rows)),
                    np.fromiter((word_id(t) for r in rows for t in r[1][:255]), np.int32),
                    np.fromiter((min(len(r[1]), 255) for r in rows), np.int64, len(rows)),
                    np.fromiter(
                        (NO_OWNER if r[2] is None else r[2] for r in rows), np.int32, len(rows)
                    ),
                )
            )
        if not parts:
            return
        cids, flat, lengths, owners = (
            np.concatenate(column) for column in zip(*parts, strict=True)
        )
        del parts
        self._room(int(cids.max()))
        self.flat, self.used = flat, len(flat)
        self.start[cids] = np.cumsum(lengths) - lengths
        self.length[cids] = lengths
        self.ntok[cids] = 1  # present; the distinct counts come from compact()
        self.owner[cids] = owners
        for owner, count in zip(*np.unique(owners, return_counts=True), strict=True):
            self.owners[int(owner)] += int(count)
        self.size = len(cids)
        self.compact()

    def remove(self, customer_id: int) -> None:
        if not self.has(customer_id):
            return
        self._mark_dirty(customer_id)
        for wid in set(self.flat[self.start[customer_id] :][: self.length[customer_id]].tolist()):
            self.counts[wid] -= 1
            if self.counts[wid] == 0:
                self.version += 1
            self.extra[wid].discard(customer_id)
        self.owners[int(self.owner[customer_id])] -= 1
        self.ntok[customer_id] = ABSENT
        self.size -= 1
        self._maybe_compact()

    def _mark_dirty(self, customer_id: int) -> None:
        if not self.dirty[customer_id]:
            self.dirty[customer_id] = True
            self.dirty_count += 1

    def _maybe_compact(self) -> None:
        if self.dirty_count > max(4096, len(self.posting_ids) // 4):
            self.compact()

    # -- postings ------------------------------------------------------------------------------
    def compact(self) -> None:
        """Rebuild every word's slice of customers from the current names; nothing is dirty
        after. Also packs ``flat``, dropping slices renames left behind."""
        cids = np.flatnonzero(self.ntok != ABSENT).astype(np.int64)
        lengths = self.length[cids].astype(np.int64)
        ends = np.cumsum(lengths)
        offsets = np.repeat(self.start[cids] - (ends - lengths), lengths)
        flat = self.flat[offsets + np.arange(int(ends[-1]) if len(ends) else 0)]
        self.flat, self.used = flat, len(flat)
        self.start[cids] = ends - lengths
        holders = np.repeat(cids, lengths)
        order = np.lexsort((holders, flat))  # by word, then customer id
        words, holders = flat[order], holders[order]
        keep = np.ones(len(words), bool)  # "Şahin Şahin" holds its word once
        keep[1:] = (words[1:] != words[:-1]) | (holders[1:] != holders[:-1])
        words, holders = words[keep], holders[keep]
        self.posting_ids = holders.astype(np.int32)
        per_word = np.bincount(words, minlength=len(self.words))
        self.counts = per_word.astype(np.int32)
        self.version += 1
        self.ntok[cids] = np.bincount(holders, minlength=len(self.ntok))[cids]
        self.posting_at = np.concatenate(([0], np.cumsum(per_word))).astype(np.int64)
        self.dirty[:] = False
        self.dirty_count = 0
        self.extra.clear()

    def posting(self, wid: int) -> Ids:
        """The customers holding word ``wid`` now (unordered; a view where it can be, as a
        search reads tens of thousands of them for a common word)."""
        if wid + 1 < len(self.posting_at):
            built = self.posting_ids[self.posting_at[wid] : self.posting_at[wid + 1]]
        else:  # a word first seen since the last compact()
            built = self.posting_ids[:0]
        if self.dirty_count:
            built = built[~self.dirty[built]]
        extra = self.extra.get(wid)
        if extra:
            return np.concatenate((built, np.fromiter(extra, np.int32, len(extra))))
        return built

    def posting_at_word(self, word: str) -> Ids:
        wid = self.word_ids.get(word)
        return np.zeros(0, np.int32) if wid is None else self.posting(wid)


class Stamps:
    """Each customer's change number as last read (``dict.get`` and item assignment, which is
    all ``NameIndex.refresh`` asks of it), in one array instead of a million dict entries."""

    UNKNOWN = -1

    def __init__(self) -> None:
        self._seq = np.zeros(0, np.int64)

    def get(self, customer_id: int) -> int | None:
        if customer_id >= len(self._seq):
            return None
        seq = int(self._seq[customer_id])
        return None if seq == self.UNKNOWN else seq

    def __setitem__(self, customer_id: int, seq: int) -> None:
        self._seq = _grown(self._seq, customer_id + 1, self.UNKNOWN)
        self._seq[customer_id] = seq

    def fill(self, customer_ids: IntArray, seqs: IntArray) -> None:
        """Many at once, for the first build."""
        if len(customer_ids):
            self._seq = _grown(self._seq, int(customer_ids.max()) + 1, self.UNKNOWN)
            self._seq[customer_ids] = seqs


def give_back_free_memory() -> None:
    """Hand the memory a build has freed back to the operating system (glibc's malloc_trim).

    Why: a build in a background thread allocates its temporaries (rows, folded words) from
    that thread's own malloc arena, and glibc keeps an arena's freed memory for reuse: at a
    million customers the process stayed ~150 MB larger than one that built on its main
    thread. Where the C library has no such call (musl, macOS, Windows) there is nothing to do.
    """
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return
    trim(0)
