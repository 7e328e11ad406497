"""Which vocabulary words may be a typo of a query word: a cheap superset for rapidfuzz to score.

Why: rapidfuzz's ``ratio`` over the whole vocabulary (42,000 words at a million customers)
costs about 10 ms a query word, so words that cannot reach the cutoff are dropped first, with
two bounds that never drop one that can. ``ratio`` is 200 * L / S, L the longest common
subsequence and S the two lengths summed, so a word within the cutoff has L >= ceil(cutoff *
S / 200) =: need, and:

- *letters*: L is at most the letters the two words share, counted with repeats. Counted as
  set bits (a letter held once, held twice) in two 64-bit words per vocabulary word; a letter
  the query holds three times or more counts its further copies as shared.
- *letter pairs*: the common subsequence splits into runs that are unbroken in both words;
  a word skips at most (its length - L) letters, so there are at most 1 + (la - L) + (lb - L)
  runs, and at least L - runs = 3L - S - 1 of its neighbouring pairs are letter pairs
  (bigrams) both words hold. Long words gain most: with a common ending ("...oglu") the
  letters bound let 17,000 words through for "aykaracaoglu", the pairs bound a few hundred.
  Pairs are counted with repeats up to two from per-pair lists of word ids.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"  # all a folded word holds
_BIT = {ch: np.uint64(1 << i) for i, ch in enumerate(_ALPHABET)}
_GROW = 1.5
_EPSILON = 1e-9  # ceil() of a product that is a whole number in exact arithmetic


class TypoFilter:
    """Per-word letter bits and letter-pair lists, numbered as ``NameStore`` numbers words."""

    def __init__(self) -> None:
        self.once = np.zeros(0, np.uint64)  # bit i: holds letter i
        self.twice = np.zeros(0, np.uint64)  # bit i: holds letter i twice or more
        self.lengths = np.zeros(0, np.int32)
        self.size = 0
        self._pairs: dict[tuple[str, int], list[int]] = defaultdict(list)  # (pair, k): words
        self._arrays: dict[tuple[str, int], np.ndarray] = {}  # the lists above, as arrays

    def add(self, word: str) -> None:
        """Number ``word`` next (the store's word ids run 0, 1, 2...)."""
        wid = self.size
        if wid >= len(self.once):
            room = int(wid * _GROW) + 16
            self.once, self.twice = _resized(self.once, room), _resized(self.twice, room)
            self.lengths = _resized(self.lengths, room)
        self.once[wid], self.twice[wid], _ = _letter_bits(word)
        self.lengths[wid] = len(word)
        for pair, times in Counter(_pairs_of(word)).items():
            for k in range(1, min(times, 2) + 1):
                self._pairs[pair, k].append(wid)
                self._arrays.pop((pair, k), None)
        self.size += 1

    def candidates(self, word: str, cutoff: float) -> np.ndarray:
        """Word ids that may score ``cutoff`` or more against ``word`` by ``ratio``."""
        n = self.size
        total = len(word) + self.lengths[:n]
        need = np.ceil(cutoff * total / 200 - _EPSILON).astype(np.int32)
        once, twice, extra = _letter_bits(word)
        shared = np.bitwise_count(self.once[:n] & once).astype(np.int32)
        shared += np.bitwise_count(self.twice[:n] & twice)
        fits = shared + extra >= need
        pairs = Counter(_pairs_of(word))
        lists = [self._array(pair, k) for pair, t in pairs.items() for k in range(1, min(t, 2) + 1)]
        common = np.bincount(np.concatenate(lists), minlength=n) if lists else np.zeros(n, int)
        slack = sum(t - 2 for t in pairs.values() if t > 2)
        fits &= common[:n] + slack >= 3 * need - total - 1
        return np.flatnonzero(fits)

    def _array(self, pair: str, k: int) -> np.ndarray:
        array = self._arrays.get((pair, k))
        if array is None:
            array = self._arrays[pair, k] = np.array(self._pairs.get((pair, k), ()), np.int64)
        return array


def _pairs_of(word: str) -> list[str]:
    return [word[i : i + 2] for i in range(len(word) - 1)]


def _resized(array: np.ndarray, size: int) -> np.ndarray:
    bigger = np.zeros(size, array.dtype)
    bigger[: len(array)] = array
    return bigger


def _letter_bits(word: str) -> tuple[np.uint64, np.uint64, int]:
    """(letters held once or more, letters held twice or more, copies counted as shared)."""
    once = twice = np.uint64(0)
    extra = 0
    for ch, times in Counter(word).items():
        bit = _BIT.get(ch)
        if bit is None:  # never in a folded word; counted as shared, to stay an upper bound
            extra += times
            continue
        once |= bit
        if times > 1:
            twice |= bit
        extra += max(0, times - 2)
    return once, twice, extra
