"""Verbs as reps write them: which intent a word states, and when (done, or to be done).

Turkish verbs carry tense and person in endings: "aradım" (I called), "aradık", "arayacağım"
(I will call), "aranacak" (will be called), "arıyorum", "aramalıyım" (I must call),
"aramadım" (I did not call). The stems are catalog keywords (``kw.intent.*``); the endings
are this table, our own: the morphology packages on the registry need data downloaded at run
time or cost milliseconds a word, and a verb of intent takes few endings. Text is folded
(``ı`` is ``i``, ``ü`` is ``u``), so the table is too, and vowel harmony is not checked: the
stem already fixes the verb.

English forms are listed whole in the catalog ("called", "spoke with"); their tense is read
from the form (past) or from a "will"/"going to" before it (plan).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import product

from handlers.kit.i18n import catalog
from storage.folding import fold

INTENTS = ("call", "visit", "meeting", "email", "remind", "won", "lost")
DONE, PLANNED = "done", "planned"


def _forms(markers: str, persons: str) -> set[str]:
    return {m + p for m, p in product(markers.split(), ["", *persons.split()])}


# folded: ı -> i, ü -> u, ğ -> g, ş -> s
_PAST = _forms("di du ti tu", "m k n niz nuz ler lar")
_HEARSAY = _forms("mis mus", "im um iz uz sin sun ler lar") | _forms(
    "misti mustu", "m k n niz nuz ler lar"
)  # aramış, aramıştım: reported or long done
_NEED = _forms("mam mem mamiz memiz man men", "")  # "aramam lazım": I need to call
_FUTURE = _forms("acak ecek yacak yecek", "lar ler") | _forms(
    "acag ecek yacag yeceg acag eceg", "im iz"
)
_PRESENT = _forms("iyor uyor yor", "um uz sun lar")
_AORIST = _forms("ir ur ar er r", "im um iz uz lar ler")
_MUST = _forms("mali meli", "yim yiz")
_IMPERATIVE = {"", "in", "yin", "iniz", "yiniz", "sin", "sun", "yalim", "yelim", "alim", "elim"}
_NEGATIVE = ("ma", "me", "mi", "mu")
TENSES = {
    **dict.fromkeys(_PAST | _HEARSAY, DONE),
    **dict.fromkeys(_FUTURE | _PRESENT | _AORIST | _MUST | _IMPERATIVE | _NEED, PLANNED),
}
_PASSIVE = ("n", "il", "ul", "in", "un")
_ENGLISH_DONE = ("ed", "spoke", "rang", "met", "went", "won", "lost", "wrote", "had", "sent", "was",
                 "got")  # fmt: skip


@dataclass(frozen=True)
class Verb:
    intent: str
    tense: str  # DONE or PLANNED
    first: int  # token indexes, inclusive
    last: int


@cache
def _stems() -> list[tuple[tuple[str, ...], str, bool]]:
    """(folded words, intent, English?) for every ``kw.intent`` keyword, longest first."""
    found = []
    for language in ("en", "tr"):
        for intent in INTENTS:
            for phrase in catalog(language)[f"kw.intent.{intent}"].split("|"):
                found.append((tuple(fold(w) for w in phrase.split()), intent, language == "en"))
    return sorted(found, key=lambda item: -len(item[0]))


def turkish_tense(word: str, stem: str) -> str | None:
    """DONE or PLANNED when ``word`` is ``stem`` with a verb ending ("aradim"), else None."""
    if not word.startswith(stem):
        # a stem's last vowel drops before -iyor: ara -> ariyor, bekle -> bekliyor
        if (
            stem[-1] in "aeiou"
            and word.startswith(stem[:-1])
            and word[len(stem) - 1 :][:3]
            in (
                "iyo",
                "uyo",
            )
        ):
            return PLANNED
        return None
    rest = word[len(stem) :]
    if rest.startswith(_NEGATIVE) and rest not in TENSES and rest[:3] not in ("mis", "mus"):
        return None  # "aramadim": not done
    for passive in ("", *_PASSIVE):
        if rest.startswith(passive) and rest[len(passive) :] in TENSES:
            return TENSES[rest[len(passive) :]]
    return None


def verbs(words: list[str]) -> list[Verb]:
    """Every verb of intent in ``words`` (folded tokens), in order."""
    found: list[Verb] = []
    i = 0
    while i < len(words):
        hit = _verb_at(words, i)
        if hit is None:
            i += 1
            continue
        found.append(hit)
        i = hit.last + 1
    return found


def _verb_at(words: list[str], i: int) -> Verb | None:
    for phrase, intent, english in _stems():
        n = len(phrase)
        if tuple(words[i : i + n - 1]) != phrase[:-1] or i + n > len(words):
            continue
        last = words[i + n - 1]
        if english:
            if last != phrase[-1]:
                continue
            before = " ".join(words[max(0, i - 2) : i])
            planned = any(fold(w) in before.split() for w in ("will", "to", "gonna", "should"))
            done = not planned and any(w.endswith(_ENGLISH_DONE) for w in phrase)
            return Verb(intent, DONE if done else PLANNED, i, i + n - 1)
        if (tense := turkish_tense(last, phrase[-1])) is not None:
            return Verb(intent, tense, i, i + n - 1)
    return None
