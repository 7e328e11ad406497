"""Name look-ups answered from the database while the in-memory index is still being built.

Why: at a million customers the first build of ``storage.search.NameIndex`` reads and folds
every name (about 15 s), and the first command after a start-up used to wait for it. The
process now builds the index in a background thread (``NameIndex.build_in_background``) and,
until it is done, a look-up fetches a few hundred *candidate* rows here and ranks them with the
very code the warm index uses (a throwaway index of the candidates), so tiers, scores and what
may resolve unasked are the same for every candidate found.

Candidates come from ``customer.name_key``, the name's folded words sorted and joined by
spaces (``storage.folding.name_key``: words of ``[0-9a-z]`` only), which every write keeps in
step with the name:

- *the same words, or a name whose words all stand in the query* (EXACT, and SUBSET the
  "Uğur Özmen" for "Dr. Uğur Hami Özmen" way): ``name_key IN`` the keys of the query's word
  sets of two words or more (and of all of them), one look-up each in the ``name_key`` index;
- *every query word standing in the name, whole or as the start of a word* (SUBSET, "acme"
  for "Acme Corporation", and the prefixes a rep types short): a full-text index over
  ``name_key`` (migration 0023), lowest ids first, at most ``CANDIDATES`` live ones. SQLite:
  the external-content FTS5 table ``customer_fts`` (tokenizer ``unicode61``, prefix indexes
  of 1 to 3 letters, so a short prefix streams its rows instead of merging thousands of
  words), every word as ``"w"*``, AND-ed, kept by triggers. PostgreSQL: a GIN index on
  ``to_tsvector('simple', name_key)`` and ``w1:* & w2:*``. Why an index: the ``LIKE '% w%'``
  walk it replaces could not use one, and a rare word read the whole table (0.3 s CPU at a
  million customers, the first /find 2.5 s after start under load). Why not ``pg_trgm``: an
  extension a hosted database may not allow (as ``unaccent``, ``storage.fulltext``), and
  ``name_key`` needs no trigram's fuzziness: its words are whole and folded already.
  The live filter (not merged, not archived) stands inside the limited query, so merged or
  archived rows never crowd live ones out of the 300.

What the cold look-up does not find: typos (the warm index's fuzzy tier compares against the
whole vocabulary, which is what is being built). A typo typed in the first seconds after a
start gets "no match" or fewer choices; it never resolves to a wrong customer, since the tiers
decide that the same way. Rows come from the look-up's own connection, so like the warm index
it sees committed rows only, and a customer written a moment ago is found at once.
"""

from __future__ import annotations

import re
from itertools import combinations
from typing import Any

from sqlalchemy import Engine, column, func, literal_column, select, table, text
from sqlmodel import col

from storage.models import Customer
from storage.reads import standalone

CANDIDATES = 300
MAX_SUBSETS = 64  # a long query's word sets are many; the longest ones are tried first

# The index over name_key (migration 0023 builds it from these; changing them needs another).
NAME_FTS = "customer_fts"  # SQLite, with its shadow tables
NAME_FTS_OPTIONS = "tokenize = 'unicode61', prefix = '1 2 3'"
PG_NAME_DOCUMENT = "to_tsvector('simple'::regconfig, {}name_key)"
PG_NAME_INDEX = "ix_customer_name_fulltext"

_LIVE = (col(Customer.merged_into_id).is_(None), col(Customer.archived_at).is_(None))
_ROW = (Customer.id, Customer.name, Customer.owner_id)
_UNSAFE = re.compile(r"[^0-9a-z]")
_FTS = table(NAME_FTS, column("rowid"))

Row = tuple[int, str, int | None]


def _keys(tokens: tuple[str, ...]) -> list[str]:
    """The name keys a name whose words all stand in the query could have: the query's own
    key (repeated words kept, as ``name_key`` keeps them), and every set of two words or more."""
    keys = [" ".join(sorted(tokens))]
    words = sorted(set(tokens))
    for size in range(len(words), 1, -1):
        keys.extend(" ".join(c) for c in combinations(words, size))
    return list(dict.fromkeys(keys))[:MAX_SUBSETS]


def _safe(tokens: tuple[str, ...]) -> list[str]:
    """The query's distinct words reduced to what ``name_key`` words are made of, so no word
    can be read as query syntax by either engine (folded words already are)."""
    return sorted({w for w in (_UNSAFE.sub("", t) for t in tokens) if w})


def _matching(dialect: str, words: list[str], *, prefix: bool) -> tuple[Any, Any]:
    """(a FROM clause, a WHERE condition) for live customers whose name holds every word,
    whole or (``prefix``) as the start of one of its words."""
    if dialect == "postgresql":
        query = " & ".join(f"{w}:*" if prefix else w for w in words)
        document = literal_column(PG_NAME_DOCUMENT.format("customer."))
        tsquery = func.to_tsquery(literal_column("'simple'::regconfig"), query)
        return Customer.__table__, document.op("@@")(tsquery)
    query = " AND ".join(f'"{w}"*' if prefix else f'"{w}"' for w in words)
    joined = _FTS.join(Customer.__table__, col(Customer.id) == _FTS.c.rowid)
    return joined, text(f"{NAME_FTS} MATCH :name_query").bindparams(name_query=query)


def _order(dialect: str) -> Any:
    """SQLite: the FTS table's rowid, which it yields in order (no sort, stops at the limit)."""
    return col(Customer.id) if dialect == "postgresql" else _FTS.c.rowid


class ColdLookup:
    """Reads candidates through its own connections of ``engine`` (committed rows only)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def candidates(self, tokens: tuple[str, ...]) -> list[Row]:
        """The rows a search for these folded words may rank (see the module's docstring)."""
        if not tokens:
            return []
        dialect = self._engine.dialect.name
        queries = [select(*_ROW).where(col(Customer.name_key).in_(_keys(tokens)), *_LIVE)]
        if words := _safe(tokens):
            source, condition = _matching(dialect, words, prefix=True)
            queries.append(
                select(*_ROW)
                .select_from(source)
                .where(condition, *_LIVE)
                .order_by(_order(dialect))
                .limit(CANDIDATES)
            )
        found: dict[int, Row] = {}
        with standalone(self._engine) as conn:
            for query in queries:
                for cid, name, owner in conn.execute(query):
                    found[int(cid)] = (int(cid), name, owner)
        return list(found.values())

    def holds(self, word: str) -> bool:
        """Is this folded word one of some live customer's name words?"""
        words = _safe((word,))
        if words != [word]:  # not a word a name_key can hold
            return False
        source, condition = _matching(self._engine.dialect.name, words, prefix=False)
        query = select(Customer.id).select_from(source).where(condition, *_LIVE).limit(1)
        with standalone(self._engine) as conn:
            return conn.execute(query).first() is not None
