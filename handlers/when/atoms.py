"""A text cut into the pieces a date is made of ("atoms"), each with what it may mean.

Anything that cannot be part of a date stops a run: the reader only ever combines atoms that
stand side by side. Numbers that are something else are never atoms: ``#12`` (a record),
``+90…``/``0532 …`` (a phone, with the digit groups after it), and a number with a currency or
a multiplier after it ("12.50 TL", "40 bin").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.when import lexicon

DAY_WORDS = {"today": 0, "tomorrow": 1, "day_after": 2, "yesterday": -1}
_ENDING = r"(?:['\u2019]?(?:da|de|ta|te|a|e|ya|ye|dan|den|tan|ten))?"
_HHMM = re.compile(rf"^(\d{{1,2}})[:.](\d{{2}})(am|pm)?{_ENDING}$")
_HOUR = re.compile(r"^(\d{1,2})(?:['\u2019]?(da|de|ta|te|dan|den|tan|ten|ya|ye|a|e)|(am|pm))$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY = re.compile(rf"^(\d{{1,2}})([./-])(\d{{1,2}})\2(\d{{4}}|\d{{2}}){_ENDING}$")
_DM_SLASH = re.compile(rf"^(\d{{1,2}})/(\d{{1,2}}){_ENDING}$")
_NUMBER = re.compile(r"^(\d{1,4})(?:st|nd|rd|th|\.|['\u2019]?(?:si|sı|inde|ında|unda|ünde))?$")
_PHONE = re.compile(r"^(\+\d[\d()-]*|0\d{2,}[\d()-]*|\(0?\d{3}\)|\d{5,})$")


@dataclass(frozen=True)
class Atom:
    kinds: frozenset[str]
    value: object
    first: int  # token indexes, inclusive
    last: int

    def is_(self, *kinds: str) -> bool:
        return not self.kinds.isdisjoint(kinds)

    @property
    def number(self) -> int:
        return int(self.value) if "number" in self.kinds else -1  # type: ignore[call-overload]


def _atom(kind: str, value: object, first: int, last: int | None = None) -> Atom:
    return Atom(frozenset((kind,)), value, first, first if last is None else last)


def tokens(text: str) -> list[tuple[str, int, int]]:
    """(folded token, start, end) for every run of non-spaces."""
    return [(lexicon.clean(m.group()), m.start(), m.end()) for m in re.finditer(r"\S+", text)]


def _numeric(first: int, second: int, year: int | None, english: bool) -> tuple:
    """Day-first; in English a month-first reading too, when both are months (the caller asks)."""
    readings = [(year, second, first)]
    if english and first <= 12 and first != second:
        readings.append((year, first, second))
    return tuple(readings)


def _number_atom(word: str, i: int, english: bool) -> Atom | None:
    if m := _ISO.match(word):
        return _atom("date", ((int(m[1]), int(m[2]), int(m[3])),), i)
    if m := _DMY.match(word):
        year = int(m[4]) + (2000 if len(m[4]) == 2 else 0)
        return _atom("date", _numeric(int(m[1]), int(m[3]), year, english and m[2] == "/"), i)
    if m := _DM_SLASH.match(word):
        return _atom("date", _numeric(int(m[1]), int(m[2]), None, english), i)
    if m := _HHMM.match(word):
        return _atom("time", (int(m[1]), int(m[2]), m[3]), i)
    if m := _HOUR.match(word):
        return _atom("time", (int(m[1]), 0, m[3]), i)
    if m := _NUMBER.match(word):
        return _atom("number", int(m[1]), i)
    return None


def _word_atom(words: list[str], i: int) -> Atom | None:
    for size in range(min(lexicon.longest_phrase(), len(words) - i), 0, -1):
        if kinds := lexicon.phrases().get(tuple(words[i : i + size])):
            return Atom(kinds, tuple(words[i : i + size]), i, i + size - 1)
    if (found := lexicon.stem(words[i], lexicon.day_words())) is not None:
        return Atom(lexicon.phrases()[(found,)], (found,), i, i)
    word = words[i]
    if (found := lexicon.stem(word, lexicon.weekdays())) is not None:
        kinds = {"weekday", "weak"} if found in lexicon.WEAK_WEEKDAYS else {"weekday"}
        return Atom(frozenset(kinds), lexicon.weekdays()[found], i, i)
    if (found := lexicon.stem(word, lexicon.months())) is not None:
        return _atom("month_name", lexicon.months()[found], i)
    return None


def atoms(text: str, english: bool) -> list[Atom]:
    """Every atom of ``text``, in order; tokens that are no atom are left out."""
    words = [w for w, _, _ in tokens(text)]
    found: list[Atom] = []
    i = 0
    while i < len(words):
        word = words[i]
        atom = _number_atom(word, i, english)
        if word.startswith("#") or ((atom is None or atom.is_("number")) and _PHONE.match(word)):
            i += 1
            while i < len(words) and words[i].isdigit() and word[:1] in "+0(":
                i += 1  # the digit groups of a phone number
            continue
        atom = atom or _word_atom(words, i)
        money = i + 1 < len(words) and lexicon.is_money(words[i + 1])
        if atom is None or (money and atom.is_("number", "time")):
            i += 1
            continue
        found.append(atom)
        i = atom.last + 1
    return found


def runs(found: list[Atom]) -> list[list[Atom]]:
    """Atoms that touch (no other word between them), grouped."""
    grouped: list[list[Atom]] = []
    for atom in found:
        if grouped and grouped[-1][-1].last + 1 == atom.first:
            grouped[-1].append(atom)
        else:
            grouped.append([atom])
    return grouped
