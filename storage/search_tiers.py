"""What a search found and how surely: the tiers, the ranking, and what may resolve unasked.

Apart from ``storage.search`` because both the warm index and the cold look-up
(``storage.search_cold``) sort their matches by these same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from storage.name_store import IntArray


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


def top(cids: IntArray, weights: np.ndarray, n: int) -> list[int]:
    """The ``n`` heaviest ids (in no particular order), ties at the cut broken by the lower
    id, so a search gives the same answer every time. The cut is found by a sort, not a
    partition: the weights hold a handful of values tens of thousands of times each, which
    numpy's partition handles 15 times slower than a sort (7 ms for 65,000). The tied lowest
    ids (ten thousand may tie at a million customers) are distinct: a partition is fast."""
    if len(cids) > n:
        cut = np.sort(weights)[len(weights) - n]
        above = cids[weights > cut]
        tied = cids[weights == cut]
        room = n - len(above)  # >= 1: fewer than n weigh more than the n-th heaviest
        if len(tied) > room:
            tied = np.partition(tied, room - 1)[:room]
        cids = np.concatenate((above, tied))
    return cids.tolist()


def rank(match: Match) -> int:
    if match.tier is Tier.EXACT:
        return 0
    return 1 if match.inside else 2


def tier(query: frozenset[str], name: frozenset[str]) -> Tier:
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
