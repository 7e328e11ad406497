"""Name look-ups answered from the database while the in-memory index is still being built.

Why: at a million customers the first build of ``storage.search.NameIndex`` reads and folds
every name (about 15 s), and the first command after a start-up used to wait for it. The
process now builds the index in a background thread (``NameIndex.build_in_background``) and,
until it is done, a look-up fetches a few hundred *candidate* rows here and ranks them with the
very code the warm index uses (a throwaway index of the candidates), so tiers, scores and what
may resolve unasked are the same for every candidate found.

Candidates come from ``customer.name_key``, the name's folded words sorted and joined by
spaces (``storage.folding.name_key``), which every write keeps in step with the name:

- *the same words, or a name whose words all stand in the query* (EXACT, and SUBSET the
  "Uğur Özmen" for "Dr. Uğur Hami Özmen" way): ``name_key IN`` the keys of the query's word
  sets of two words or more (and of all of them), one look-up each in the ``name_key`` index;
- *every query word standing in the name, whole or as the start of a word* (SUBSET, "acme"
  for "Acme Corporation", and the prefixes a rep types short): ``' ' || name_key LIKE
  '% word%'`` for each word, lowest ids first, at most ``CANDIDATES``. Neither engine can use
  an index for a word inside the key, so this walks the table until it has enough rows: a
  common word stops early, a rare one reads the whole table (measured in README, Benchmarks).

What the cold look-up does not find: typos (the warm index's fuzzy tier compares against the
whole vocabulary, which is what is being built). A typo typed in the first seconds after a
start gets "no match" or fewer choices; it never resolves to a wrong customer, since the tiers
decide that the same way. Rows come from the look-up's own connection, so like the warm index
it sees committed rows only, and a customer written a moment ago is found at once.
"""

from __future__ import annotations

from itertools import combinations

from sqlalchemy import Engine, literal_column, select
from sqlmodel import col

from storage.models import Customer

CANDIDATES = 300
MAX_SUBSETS = 64  # a long query's word sets are many; the longest ones are tried first

_LIVE = (col(Customer.merged_into_id).is_(None), col(Customer.archived_at).is_(None))
_ROW = (Customer.id, Customer.name, Customer.owner_id)

Row = tuple[int, str, int | None]


def _keys(tokens: tuple[str, ...]) -> list[str]:
    """The name keys a name whose words all stand in the query could have: the query's own
    key (repeated words kept, as ``name_key`` keeps them), and every set of two words or more."""
    keys = [" ".join(sorted(tokens))]
    words = sorted(set(tokens))
    for size in range(len(words), 1, -1):
        keys.extend(" ".join(c) for c in combinations(words, size))
    return list(dict.fromkeys(keys))[:MAX_SUBSETS]


class ColdLookup:
    """Reads candidates through its own connections of ``engine`` (committed rows only)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def candidates(self, tokens: tuple[str, ...]) -> list[Row]:
        """The rows a search for these folded words may rank (see the module's docstring)."""
        if not tokens:
            return []
        spaced = literal_column("' '").concat(col(Customer.name_key))
        by_key = select(*_ROW).where(col(Customer.name_key).in_(_keys(tokens)), *_LIVE)
        holding = (
            select(*_ROW)
            .where(*_LIVE, *(spaced.like(f"% {word}%") for word in sorted(set(tokens))))
            .order_by(col(Customer.id))
            .limit(CANDIDATES)
        )
        found: dict[int, Row] = {}
        with self._engine.connect() as conn:
            conn.execution_options(crm_immediate=False)  # a plain read, never SQLite's lock
            for query in (by_key, holding):
                for cid, name, owner in conn.execute(query):
                    found[int(cid)] = (int(cid), name, owner)
        return list(found.values())

    def holds(self, word: str) -> bool:
        """Is this folded word one of some live customer's name words?"""
        spaced = literal_column("' '").concat(col(Customer.name_key)).concat(" ")
        query = select(Customer.id).where(*_LIVE, spaced.like(f"% {word} %")).limit(1)
        with self._engine.connect() as conn:
            conn.execution_options(crm_immediate=False)
            return conn.execute(query).first() is not None
