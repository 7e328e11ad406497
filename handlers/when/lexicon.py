"""The words dates are made of, in both languages, folded (``yarin`` is ``yarın``).

Month and weekday names, full and short, come from Babel's CLDR data for Turkish and English;
every other word (``yarın``, ``haftaya``, ``sabah``, ``in``, ``later``, the number words) is a
``kw.when.*`` catalog entry. A keyword may be several words ("öğleden sonra") and a word may
mean several things ("saat" is both "at" and "hour"; the reader decides by its neighbours).
Turkish case endings on a day or weekday word ("cumaya", "yarına", "salı'ya") are cut by
``forms`` with the table names use (``storage.endings``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache, lru_cache

from babel.dates import get_day_names, get_month_names

from handlers.kit.i18n import catalog
from handlers.money import CODES, SYMBOLS, multiplier
from storage.endings import stems, strip_marked
from storage.folding import fold

LOCALES = {"tr_TR": False, "en_US": True}
NUMBERS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def clean(word: str) -> str:
    """A token as the reader compares it: folded, without surrounding punctuation."""
    return fold(word).strip('.,;:!?()"')


@cache
def months() -> dict[str, tuple[int, bool]]:
    """Folded month names (full and short) -> (1..12, whether the name is English)."""
    found: dict[str, tuple[int, bool]] = {}
    for locale, english in LOCALES.items():
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=locale).items():
                key = clean(name)
                found[key] = (number, english or found.get(key, (0, False))[1])
    found["sept"] = (9, True)
    return found


@cache
def weekdays() -> dict[str, int]:
    """Folded weekday names (full and short, both languages) -> 0..6, Monday 0."""
    found: dict[str, int] = {}
    for locale in LOCALES:
        for width in ("wide", "abbreviated"):
            for number, name in get_day_names(width, locale=locale).items():
                found[clean(name)] = number
    found.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3, "pts": 0, "cts": 5})
    return found


# Weekday names that are everyday words too ("sat" is "sell", "car" Wednesday's short form,
# "pazar" a market): a date only beside another date word, or as a whole answer.
WEAK_WEEKDAYS = frozenset({"car", "cum", "mon", "paz", "pazar", "per", "sal", "sat", "sun", "wed"})


@cache
def phrases() -> dict[tuple[str, ...], frozenset[str]]:
    """Every ``kw.when`` keyword as its folded words, with all it may mean; longest first."""
    found: dict[tuple[str, ...], set[str]] = {}
    for language in ("en", "tr"):
        for key, entry in catalog(language).items():
            if key.startswith("kw.when."):
                for synonym in entry.split("|"):
                    words = tuple(clean(w) for w in synonym.split())
                    found.setdefault(words, set()).add(key.removeprefix("kw.when."))
    ordered = sorted(found, key=len, reverse=True)
    return {words: frozenset(found[words]) for words in ordered}


@cache
def day_words() -> frozenset[str]:
    """One-word day keywords ("yarın", "bugün", "dün"): they take case endings ("yarına")."""
    days = {"today", "tomorrow", "day_after", "yesterday"}
    return frozenset(p[0] for p, kinds in phrases().items() if len(p) == 1 and kinds & days)


@cache
def longest_phrase() -> int:
    return max(len(words) for words in phrases())


def number_of(meaning: str) -> float | None:
    """The value of a number word's meaning ("two" -> 2, "half" -> 0.5)."""
    if meaning == "half":
        return 0.5
    return float(NUMBERS.index(meaning) + 1) if meaning in NUMBERS else None


def is_money(word: str) -> bool:
    """A currency or a multiplier ("TL", "usd", "bin", "k"): the number before it is money."""
    return clean(word) in CODES or word in SYMBOLS or bool(multiplier(word))


@lru_cache(maxsize=65_536)
def forms(word: str) -> tuple[str, ...]:
    """``word`` as typed, then without a Turkish case ending ("cumaya", "salı'ya", "yarına"):
    the endings are the ones names take (``storage.endings``)."""
    found = [word, fold(strip_marked(word)), *(fold(s) for s in stems(word))]
    return tuple(dict.fromkeys(found))


def stem(word: str, known: Mapping[str, object] | set[str]) -> str | None:
    """The first form of ``word`` that is a known word, or None."""
    return next((form for form in forms(word) if form in known), None)
