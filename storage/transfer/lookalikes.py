"""Which known name keys an imported name may be a variant of, without scoring every name.

Why not the chat's ``NameIndex`` search: it ranks up to a few hundred customers sharing a word
with the query, and common words ("Mehmet", "Yılmaz") hold more customers the bigger the
table, so each row of an import cost more than the last. Here the *distinct* name keys are
blocked the way ``/dupes`` blocks them (pairs of word beginnings and of word endings, see
``dupes.block_keys``), so a row is compared only with the few keys in its blocks, and the
cost per row stays flat as the table grows. A key that is another plus one word ("uğur hami
özmen" and "uğur özmen") is found by dropping each word in turn, as ``/dupes`` does. The
result is what ``/dupes`` would pair, which is what a flag in the report should point at.
"""

from __future__ import annotations

from collections import defaultdict

from rapidfuzz import fuzz, process

from storage.quality import dupes


class LookAlikes:
    def __init__(self) -> None:
        self._keys: set[str] = set()
        self._blocks: dict[tuple[str, ...], list[str]] = defaultdict(list)
        self._longer: dict[str, list[str]] = defaultdict(list)  # key minus a word -> keys

    def add(self, key: str) -> None:
        if not key or key in self._keys:
            return
        self._keys.add(key)
        for block in dupes.block_keys(key):
            self._blocks[block].append(key)
        words = key.split()
        if len(words) >= 3:
            for drop in range(len(words)):
                self._longer[" ".join(words[:drop] + words[drop + 1 :])].append(key)

    def similar(self, key: str) -> list[tuple[str, float]]:
        """Other known keys close to ``key``, best first: (key, score)."""
        found: dict[str, float] = {}
        candidates = {k for block in dupes.block_keys(key) for k in self._blocks.get(block, ())}
        candidates.discard(key)
        for other, score, _ in process.extract(
            key, list(candidates), scorer=fuzz.ratio, score_cutoff=dupes.NAME_CUTOFF, limit=None
        ):
            found[other] = float(score)
        words = key.split()
        shorter = (
            [" ".join(words[:d] + words[d + 1 :]) for d in range(len(words))]
            if len(words) >= 3
            else []
        )
        for other in [k for k in shorter if k in self._keys] + self._longer.get(key, []):
            found[other] = max(found.get(other, 0.0), dupes.CONTAINS_SCORE)
        return sorted(found.items(), key=lambda item: (-item[1], item[0]))
