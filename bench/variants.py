"""How reps actually type a customer's name, as query variants of a generated record.

Why these variants: on a phone keyboard people drop Turkish letters ("ozdemir"), shout in
capitals ("AHMET YILMAZ", and a Turkish keyboard upper-cases "i" to "İ"), put the surname
first as official lists do, slip one key, stop after the first word, or leave out the legal
suffix nobody says aloud. Each variant names the record it came from, so a benchmark can
check not only how fast but also whether the right customer came back.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from names import CustomerRecord, ascii_fold

# Neighbouring keys on a Q-type keyboard, for realistic substitutions.
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS: dict[str, str] = {}
for _row in _ROWS:
    for _i, _ch in enumerate(_row):
        _NEIGHBOURS[_ch] = _row[max(0, _i - 1) : _i] + _row[_i + 1 : _i + 2]

_TR_UPPER = str.maketrans("iı", "İI")

VARIANTS = ("exact", "ascii", "upper", "reversed", "typo", "first_word", "no_suffix")


@dataclass(frozen=True, slots=True)
class Query:
    variant: str
    text: str
    target: int  # index of the record in the generated list


def upper_typed(text: str, turkish: bool) -> str:
    """Capitals as a Turkish keyboard makes them (i→İ, ı→I), or as an English one does."""
    return text.translate(_TR_UPPER).upper() if turkish else text.upper()


def reversed_words(text: str) -> str:
    return " ".join(reversed(text.split()))


def with_typo(text: str, rng: random.Random) -> str:
    """One slip in one word of four letters or more: a neighbour key, a drop, a swap, a double."""
    words = text.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not long_words:
        return text
    i = rng.choice(long_words)
    word = words[i]
    pos = rng.randrange(1, len(word) - 1)  # people rarely miss the first or last letter
    kind = rng.choice(("neighbour", "drop", "swap", "double"))
    if kind == "neighbour":
        ch = word[pos]
        near = _NEIGHBOURS.get(ascii_fold(ch).lower(), "")
        word = word[:pos] + (rng.choice(near) if near else ch) + word[pos + 1 :]
    elif kind == "drop":
        word = word[:pos] + word[pos + 1 :]
    elif kind == "swap":
        word = word[:pos] + word[pos + 1] + word[pos] + word[pos + 2 :]
    else:
        word = word[:pos] + word[pos] + word[pos:]
    words[i] = word
    return " ".join(words)


def variant_text(record: CustomerRecord, variant: str, rng: random.Random) -> str:
    """The text a rep would type for ``record`` in the given way."""
    if variant == "exact":
        return record.name
    if variant == "ascii":
        return ascii_fold(record.name).lower() if rng.random() < 0.7 else ascii_fold(record.name)
    if variant == "upper":
        return upper_typed(record.name, turkish=record.origin == "tr" and rng.random() < 0.6)
    if variant == "reversed":
        return reversed_words(record.core)
    if variant == "typo":
        return with_typo(record.core if record.kind == "company" else record.name, rng)
    if variant == "first_word":
        return record.core.split()[0]
    if variant == "no_suffix":
        return record.core
    raise ValueError(variant)


def eligible(record: CustomerRecord, variant: str) -> bool:
    """Whether a variant means something for this record (only companies have a suffix)."""
    if variant == "reversed":
        return record.kind == "person"
    if variant == "no_suffix":
        return record.kind == "company"
    return True


def make_queries(
    records: list[CustomerRecord], per_variant: int, rng: random.Random
) -> list[Query]:
    """``per_variant`` queries of each variant, on records drawn at random, shuffled together."""
    queries: list[Query] = []
    for variant in VARIANTS:
        made = 0
        while made < per_variant:
            target = rng.randrange(len(records))
            if not eligible(records[target], variant):
                continue
            queries.append(Query(variant, variant_text(records[target], variant, rng), target))
            made += 1
    rng.shuffle(queries)
    return queries
