"""The typo prefilter (storage.typo_filter) and the memo of a query word's hits: both may only
save work, never change what a search finds."""

from __future__ import annotations

import random

from rapidfuzz import fuzz

from storage.search import NameIndex
from storage.typo_filter import TypoFilter

LETTERS = "aaeeiioouukkllmmnnrrssttyzcdg"


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(LETTERS) for _ in range(rng.randint(3, 16)))


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(len(word))
    return word[:i] + rng.choice(LETTERS) + word[i + 1 :]


def test_no_word_within_the_cutoff_is_filtered_out():
    """Many repeated letters and shared letter pairs, as in "...oğlu" names: the bounds are at
    their tightest, and every word rapidfuzz accepts must still be a candidate."""
    rng = random.Random(7)
    vocabulary = list(dict.fromkeys(_word(rng) for _ in range(3000)))
    typos = TypoFilter()
    for word in vocabulary:
        typos.add(word)
    checked = 0
    for _ in range(300):
        query = _typo(rng.choice(vocabulary), rng) if rng.random() < 0.7 else _word(rng)
        for cutoff in (60.0, 75.0, 90.0):
            kept = set(typos.candidates(query, cutoff).tolist())
            within = {i for i, w in enumerate(vocabulary) if fuzz.ratio(query, w) >= cutoff}
            assert within <= kept, (query, cutoff, [vocabulary[i] for i in within - kept])
            checked += len(within)
    assert checked > 300  # the queries did have neighbours to lose
    # and it does filter: far fewer candidates than words for a long query
    assert len(typos.candidates("kayakaracaoglu", 75.0)) < len(vocabulary) // 4


def test_a_new_word_is_found_as_a_typo_after_earlier_searches():
    """A query word's hits are remembered; a name with a new word must still show up."""
    index = NameIndex()
    index.put(1, "Mehmet Karacaoğlu")
    assert [m.customer_id for m in index.search("Karacaoglı")] == [1]
    index.put(2, "Ayşe Karacaoğlı")
    assert {m.customer_id for m in index.search("Karacaoglı")} == {1, 2}
    index.remove(2)
    assert [m.customer_id for m in index.search("Karacaoglı")] == [1]
