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

It is never written to directly by a command: each query first reads what changed since the
previous one, so another process's commits show up on its next query, and it reads committed
rows only (its own connection), so a rolled-back transaction never leaves a ghost entry.

**Change sequence, not time.** Every customer row carries ``change_seq``, set by a trigger on
each insert and update (migration 0021; the ORM, bulk imports and raw SQL alike), and a delete
leaves a tombstone in ``customergone`` with its own number. A refresh reads, in one statement
(one snapshot), a *mark* and the ``(id, change_seq)`` pairs of rows and tombstones numbered
``>=`` the previous refresh's mark; it re-reads whole only the rows whose number moved, and
drops ids whose row is gone. A merged (``merged_into_id``) or archived customer is an update
like any other and leaves the index on the next refresh.

The mark must satisfy: *every write not visible to this refresh's snapshot will carry a
number >= mark.* Then no committed write is ever missed, however long its transaction stayed
open and whatever the clocks say:

- SQLite: the mark is one more than the largest number in ``customer`` and ``customergone``.
  The trigger numbers a row with that same expression inside the write transaction, which
  holds the file's only write lock until it commits; so numbers are handed out in commit
  order, a tombstone keeps the largest from ever going down (no number is handed out twice,
  even after the top row is deleted), and a rolled-back transaction's numbers were never
  visible. A write not in our snapshot began after it, when the largest visible number was
  already ``mark - 1``: its number is >= mark.
- PostgreSQL: the number is the writing transaction's id (``pg_current_xact_id()``, 64 bits,
  never wraps) and the mark is ``pg_snapshot_xmin(pg_current_snapshot())`` of the read. A
  write not visible to the snapshot belongs to a transaction that was in progress when it was
  taken (id >= xmin, by xmin's definition) or began later (id >= xmax >= xmin). The mark is
  read in the same statement as the pairs; on the first build it is read before the rows,
  which is as safe (a transaction invisible later was invisible or absent earlier).

The price on PostgreSQL: while some transaction stays open, xmin stays put and each refresh
re-reads the ids and numbers of rows written since (never whole rows twice: numbers are
compared first); a long-open transaction slows refreshes, it never hides a write. Rejected:
LISTEN/NOTIFY (a notice lost with a dropped connection needs a gap-free fallback anyway).

Its data live in arrays (``storage.name_store``): a million customers take tens of MB, not a GB.

**Threads.** Commands run on a pool of workers (``bot.worker``), so the index is shared by
threads: one (re-entrant) lock guards its structures, held by a search for its whole length
and by a refresh only while it applies what it read (never while it waits for the database),
so no search sees a refresh half applied. A second lock lets one refresh run at a time, and a
refresh asked for while another runs waits for it and then runs only if no refresh *began*
after it was asked for: one that did saw every commit made before the ask, so under a burst
the workers share refreshes instead of each paying a round trip for the same rows.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable, Iterator

import numpy as np
from sqlalchemy import Connection, Engine, func, text
from sqlmodel import Session, col, select

from storage.endings import query_tokens
from storage.folding import name_tokens
from storage.models import Customer
from storage.name_lookup import Lookup
from storage.name_store import NameStore, Row, Stamps, give_back_free_memory
from storage.reads import standalone
from storage.search_changes import MARK, changes, chunks
from storage.search_cold import ColdLookup
from storage.search_tiers import Match, Tier, pick

__all__ = ["Match", "NameIndex", "Tier", "pick"]

log = logging.getLogger(__name__)

SMALL_BOOK = 10_000  # fewer ids than this: the first build runs at once (a few 100 ms)
LOAD_BATCH = 10_000  # rows read and folded at a time by the first build
BULK = LOAD_BATCH  # more rows than this (re)indexed at once: a bulk load (gc.freeze)


_ROWS = select(
    Customer.id,
    Customer.name,
    Customer.owner_id,
    Customer.change_seq,
    Customer.merged_into_id,
    Customer.archived_at,
)


class NameIndex:
    """The index's facts live in ``storage.name_store`` as arrays (a million customers in tens
    of MB); this class reads the database into them and answers queries."""

    def __init__(self) -> None:
        self._store = NameStore()
        self._stamps = Stamps()  # change_seq as last read, per id
        self._since: int | None = None  # the previous refresh's mark
        self._lookup = Lookup(self._store)  # the query path, its scratch arrays and memo
        self._lock = threading.RLock()  # the structures above (see the module's docstring)
        self._refreshing = threading.Lock()  # one refresh at a time
        self._begun = 0  # refreshes begun so far
        self._cold: ColdLookup | None = None  # set while a background build runs

    def __len__(self) -> int:
        with self._lock:
            return self._store.size

    def knows(self, word: str) -> bool:
        """Is this folded word part of some customer's name?"""
        if (cold := self._cold) is not None:
            return cold.holds(word)
        with self._lock:
            return self._store.holders(word) > 0

    def together(self, first: str, last: str) -> bool:
        """Does some customer's name hold both folded words? A reference's span can name
        someone only if one name holds its first and its last word (``handlers.refs``); a
        cold look-up can say only that each is somebody's word."""
        if (cold := self._cold) is not None:
            return cold.holds(first) and cold.holds(last)
        with self._lock:
            return len(self._lookup.holding_all(frozenset((first, last)))) > 0

    def vocabulary(self) -> int:
        """Distinct words in the indexed names (what the typo lookup walks)."""
        with self._lock:
            return sum(1 for w in self._store.vocab if self._store.holders(w))

    # -- maintenance -------------------------------------------------------------------------
    def put(self, customer_id: int, name: str, owner_id: int | None = None) -> None:
        tokens = name_tokens(name)
        with self._lock:
            self._store.remove(customer_id)
            if tokens:
                self._store.put(customer_id, tokens, owner_id)

    def remove(self, customer_id: int) -> None:
        with self._lock:
            self._store.remove(customer_id)

    def refresh(self, session: Session) -> int:
        """Pull rows changed since the last refresh; returns how many were (re)indexed.

        Why its own connection: ``session`` may hold its transaction's uncommitted writes, and
        a number seen there could be rolled back and handed out again. Why two steps: while
        an import runs, thousands of rows are numbered past the mark, and reading each of them
        whole on every chat command cost tens of milliseconds; their ids and numbers come
        from the ``change_seq`` index alone, and only the rows whose number moved are read
        whole. Returns 0 without reading when a refresh that began after this call was made
        has just finished (the module's docstring, "Threads"), and while a background build
        runs (``build_in_background``: look-ups ask the database meanwhile)."""
        if self._cold is not None:
            return 0
        asked = self._begun
        with self._refreshing:
            if self._begun > asked:
                return 0
            self._begun += 1
            return self._refresh(session.get_bind().engine)

    @property
    def cold(self) -> bool:
        """Is a background build still running (look-ups answered from the database)?"""
        return self._cold is not None

    def build_in_background(
        self,
        engine: Engine,
        *,
        at_once_below: int = SMALL_BOOK,
        after_read: Callable[[], None] | None = None,
    ) -> threading.Thread | None:
        """Start the first build in a thread and answer from the database until it is done.

        Why: the first build of a million names takes about 15 s, and a command must not wait
        for it (issue 14: the first /find after start within 1 s). Meanwhile ``refresh``
        returns at once and ``search``, ``named`` and ``knows`` ask ``storage.search_cold``.
        Nothing written meanwhile is missed: the build reads its mark before the rows, so the
        first refresh after it reads every write it did not see (the module's docstring).
        Why not a snapshot on disk: it would need a database identity that survives no
        restore, and the first start (or a lost file) would still be cold; the fallback is
        needed anyway. A book with fewer than ``at_once_below`` ids is built here and now
        (milliseconds), so a small database never has a cold moment. ``after_read`` is
        called once every row is read into the new store, before it replaces the empty one
        (tests hold the build there).
        Returns the thread, or None when built at once."""
        with standalone(engine) as conn:
            top = conn.execute(select(func.max(Customer.id))).scalar() or 0
        if top < at_once_below:
            with self._refreshing:
                self._begun += 1
                self._refresh(engine)
            return None
        self._cold = ColdLookup(engine)
        thread = threading.Thread(
            target=self._build, args=(engine, after_read), name="name-index", daemon=True
        )
        thread.start()
        return thread

    def _build(self, engine: Engine, after_read: Callable[[], None] | None) -> None:
        try:
            with self._refreshing:
                self._begun += 1
                self._refresh(engine, after_read)
        except Exception:  # the next command's refresh builds it instead
            log.exception("building the name index failed")
        finally:
            self._cold = None
            give_back_free_memory()

    def _refresh(self, engine: Engine, after_read: Callable[[], None] | None = None) -> int:
        with standalone(engine) as conn:
            mark_sql = MARK[conn.dialect.name]
            ids: list[int] | None = None  # None: the first build reads every row
            numbers: dict[int, int] = {}
            if self._since is None:
                mark = int(conn.execute(text(f"SELECT {mark_sql}")).scalar_one())
            else:
                mark, numbers = changes(conn, self._since)
                ids = [cid for cid, seq in numbers.items() if self._stamps.get(cid) != seq]
            if ids is None and not len(self):
                count = self._load(engine, after_read)
            elif ids is None or ids:
                count = self._read(conn, ids, numbers)
            else:
                count = 0
        self._since = mark
        if count > BULK:
            # A bulk load: move the index out of the garbage collector's way, or each full
            # collection walks every entry (a 100 ms pause at 100,000 customers).
            _out_of_the_collectors_way()
        return count

    def _read(self, conn: Connection, ids: list[int] | None, numbers: dict[int, int]) -> int:
        """(Re)index these rows whole (every row with None); an id without a row is gone.

        Under the structures' lock throughout: a search sees the index before or after."""
        with self._lock:
            return self._apply(conn, ids, numbers)

    def _apply(self, conn: Connection, ids: list[int] | None, numbers: dict[int, int]) -> int:
        found: set[int] = set()
        for chunk in chunks(ids):
            query = _ROWS
            if chunk is not None:
                query = query.where(col(Customer.id).in_(chunk))
            for customer_id, name, owner, seq, merged_into, archived in conn.execute(query):
                if merged_into is None and archived is None:
                    self.put(customer_id, name, owner)
                else:  # merged away or archived: out of search until /unmerge or /restore
                    self.remove(customer_id)
                self._stamps[customer_id] = seq
                found.add(customer_id)
        for customer_id in set(ids or ()) - found:  # deleted (purged): its tombstone's number
            self.remove(customer_id)
            self._stamps[customer_id] = numbers[customer_id]
        return len(found) + len(set(ids or ()) - found)

    def _load(self, engine: Engine, after_read: Callable[[], None] | None = None) -> int:
        """The first build: every row, read and folded ``LOAD_BATCH`` at a time into a new
        store (``NameStore.load`` says why in batches), which takes the empty one's place at
        the end. Reads and folds outside the structures' lock (nothing searches an empty
        store; a cold look-up asks the database). ``yield_per``: PostgreSQL streams the rows
        through a server-side cursor instead of holding all of them in the client at once;
        such a cursor lives in a transaction, so the rows are read on a connection of their
        own, not on the refresh's (autocommit there, ``storage.reads``). Its snapshot is no
        older than the mark the refresh read before, so nothing is missed (the module's
        docstring)."""
        store, stamps = NameStore(), Stamps()
        read = 0

        def batches() -> Iterator[list[Row]]:
            nonlocal read
            with engine.connect() as own:
                own.execution_options(crm_immediate=False)  # SQLite: a read, never its lock
                rows = own.execute(_ROWS.execution_options(yield_per=LOAD_BATCH))
                for part in rows.partitions():
                    if read == BULK:
                        _out_of_the_collectors_way(collect=True)
                    stamps.fill(
                        np.fromiter((row[0] for row in part), np.int64, len(part)),
                        np.fromiter((row[3] for row in part), np.int64, len(part)),
                    )
                    read += len(part)
                    yield [
                        (customer_id, name_tokens(name), owner)
                        for customer_id, name, owner, _, merged_into, archived in part
                        if merged_into is None and archived is None
                    ]

        store.load(batches())
        if after_read is not None:
            after_read()
        with self._lock:
            self._store, self._stamps, self._lookup = store, stamps, Lookup(store)
        return read

    # -- lookup (``storage.name_lookup``) ---------------------------------------------------
    def named(
        self,
        query: str,
        visible: Callable[[int | None], bool] | None = None,
        *,
        exactly: bool = False,
    ) -> list[int]:
        """Up to two customers a reference names outright, without scoring anyone: those with
        exactly its words, else those whose name holds all of them. One is the answer; two mean
        namesakes or too few words (ask); none means a search is needed (typos, extra words).
        The common case of a name in a sentence, settled by set lookups.

        ``exactly``: only those with exactly its words. One such is what a search would
        resolve the reference to (its one EXACT match, ``search_tiers.pick``), found in tens
        of microseconds instead of the search's milliseconds (``handlers.refs``)."""
        if (cold := self._cold) is not None:
            return _candidates(cold, query).named(query, visible, exactly=exactly)
        with self._lock:
            return self._named(query, visible, exactly)

    def _named(
        self, query: str, visible: Callable[[int | None], bool] | None, exactly: bool
    ) -> list[int]:
        q_set = frozenset(query_tokens(query))
        if not q_set:
            return []
        common = self._lookup.holding_all(q_set, only=exactly)
        if visible is not None:
            common = common[self._lookup.seen(common, visible)]
        exact = common[self._store.ntok[common] == len(q_set)]
        return [int(c) for c in (exact if len(exact) or exactly else common)[:2]]

    def search(
        self, query: str, limit: int = 8, visible: Callable[[int | None], bool] | None = None
    ) -> list[Match]:
        """The best matches; with ``visible``, only customers whose owner it accepts."""
        if (cold := self._cold) is not None:
            return _candidates(cold, query).search(query, limit, visible)
        with self._lock:
            return self._search(query, limit, visible)

    def _search(
        self, query: str, limit: int, visible: Callable[[int | None], bool] | None
    ) -> list[Match]:
        q_tokens = query_tokens(query)  # "Özmen'in" is a search for Özmen
        if not q_tokens or not len(self):
            return []
        cids, weights = self._lookup.weights(q_tokens)
        if visible is not None and len(cids):
            keep = self._lookup.seen(cids, visible)
            cids, weights = cids[keep], weights[keep]
        if not len(cids):
            return []
        return self._lookup.ranked(cids, weights, q_tokens, limit)


def _out_of_the_collectors_way(*, collect: bool = False) -> None:
    """Move every object the process holds now into the collector's permanent generation.

    After a bulk load, so full collections stop walking the index's containers. Also once a
    first build has read its first batch (``collect``: garbage is collected first, never
    frozen for good): each batch's objects live long enough to age into the oldest generation
    and die there, so full collections ran 37 times during a million-row build instead of 5,
    each walking the whole process (about 2 s of CPU); with the process frozen they walk only
    the build's own batch."""
    if collect:
        gc.collect()
    gc.freeze()


def _candidates(cold: ColdLookup, query: str) -> NameIndex:
    """A throwaway index of the rows the database offers for ``query`` while the real one is
    built, so they are ranked and tiered by the same code (``storage.search_cold``)."""
    index = NameIndex()
    for customer_id, name, owner in cold.candidates(query_tokens(query)):
        index.put(customer_id, name, owner)
    return index
