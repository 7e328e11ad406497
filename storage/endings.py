"""Turkish case endings on names: "Özmen'i", "Ayşe'nin", "Acme'ye", "ozmene".

A Turkish sentence puts the case on the name itself, after an apostrophe when written
carefully ("Uğur Özmen'i aradım") and glued on when typed fast ("ozmene sordum"). A name
lookup must see "Özmen" in both. Our own table, not a morphology package: the endings a proper
noun takes are few and fixed, and the packages on the registry need data downloaded at run
time or cost milliseconds a word.

- After an apostrophe (straight or curly) an ending from the table is always cut: the
  apostrophe says the name ended there. Anything else after one ("D'Angelo") is kept.
- Without an apostrophe an ending is only a guess: ``stems`` offers the shorter forms, checked
  for vowel harmony and buffer letters, and the caller tries them only when nothing matches
  as typed.
"""

from __future__ import annotations

import re

from storage.folding import fold, name_tokens

APOSTROPHES = "'\u2019`´"
# Endings after a consonant ("Özmen'i") and after a vowel ("Ayşe'yi"); Turkish letters kept,
# for the harmony check.
_CASES_CONSONANT = "i ı u ü e a in ın un ün de da te ta den dan ten tan le la ce ca"
_CASES_VOWEL = "yi yı yu yü ye ya nin nın nun nün de da den dan yle yla ce ca"
_REL = "deki daki teki taki ninki nınki nunki nünki inki ınki unki ünki"
_PLURAL = "ler lar leri ları lere lara lerin ların lerde larda lerden lardan lerle larla"
AFTER_CONSONANT = frozenset(f"{_CASES_CONSONANT} {_REL} {_PLURAL}".split())
AFTER_VOWEL = frozenset(f"{_CASES_VOWEL} {_REL} {_PLURAL}".split())
ENDINGS = frozenset(fold(e) for e in AFTER_CONSONANT | AFTER_VOWEL)
MIN_STEM = 3
# A stem's last consonant softens before a vowel when typed fast: "ahmede" is Ahmet'e.
_HARDENED = {"d": "t", "b": "p", "c": "ç", "ğ": "k", "g": "k"}

_MARKED = re.compile(rf"(\w[\w.]*?)[{APOSTROPHES}](\w+)")
_VOWELS = set("aıoueiöü")
_SURELY_BACK, _SURELY_FRONT = set("aı"), set("eöü")  # i, o, u may be ı, ö, ü typed plain


def strip_marked(text: str) -> str:
    """``text`` with every apostrophe-marked ending cut: "Uğur Özmen'in" -> "Uğur Özmen"."""
    return _MARKED.sub(lambda m: m[1] if fold(m[2]) in ENDINGS else m[0], text)


def query_tokens(text: str) -> tuple[str, ...]:
    """The name words of a reference, its marked endings cut (see ``storage.folding``)."""
    return name_tokens(strip_marked(text))


def marked(text: str) -> bool:
    """Does ``text`` carry an apostrophe-marked ending (a proper noun in a sentence)?"""
    return strip_marked(text) != text


def _harmonizes(stem: str, ending: str) -> bool:
    """A back-vowel stem takes a back-vowel ending (Yılmaz'a), a front one a front one
    (Özmen'e); i, o and u may be ı, ö and ü typed without Turkish letters, so they fit both.
    A guess only rules out: "ozmena" is no ending on Özmen."""
    if stem.endswith("l"):
        return True  # a palatal l takes front endings after a back vowel: Kemal'e, Hilal'i
    last = next((ch for ch in reversed(stem) if ch in _VOWELS), "")
    first = next((ch for ch in ending if ch in _VOWELS), "")
    clash = (last in _SURELY_BACK and first in _SURELY_FRONT) or (
        last in _SURELY_FRONT and first in _SURELY_BACK
    )
    return not clash


def stems(word: str) -> list[str]:
    """Shorter forms of ``word`` with a case ending cut, longest ending first ("ozmene" ->
    ["ozmen"]); each keeps vowel harmony and the buffer letter a vowel-final stem takes."""
    lower = word.replace("I", "ı").replace("İ", "i").lower()
    found = []
    for ending in sorted(AFTER_CONSONANT | AFTER_VOWEL, key=len, reverse=True):
        for typed in {ending, fold(ending)}:
            if not lower.endswith(typed) or len(lower) - len(typed) < MIN_STEM:
                continue
            stem = lower[: -len(typed)]
            vowel_final = stem[-1] in _VOWELS
            fits = ending in (AFTER_VOWEL if vowel_final else AFTER_CONSONANT)
            if not fits or not _harmonizes(stem, ending):
                continue
            hard = stem[:-1] + _HARDENED[stem[-1]] if stem[-1] in _HARDENED else None
            for form in (stem, hard if ending[0] in _VOWELS else None):
                if form and form not in found:
                    found.append(form)
    return found
