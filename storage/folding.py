"""Turkish-aware folding of names into comparable keys.

Why by hand rather than ``str.lower()`` + NFKD: ``"İ".lower()`` gives ``"i̇"`` (two code points),
``"I".lower()`` is ``"i"`` where a Turkish writer meant ``"ı"``, and NFKD leaves ``"ı"`` alone.
We map both dotted and dotless forms onto plain ASCII ``i`` so that "ISIK", "Işık" and "ışık"
all meet, then let NFKD strip the remaining accents of any other language (é, ñ, ...).

Titles (Dr., Av., Prof., ...) are dropped wherever they stand; legal suffixes (A.Ş., Ltd. Şti.,
San. ve Tic., Inc., LLC, GmbH, ...) only at the end of a name, and never when that would leave
nothing: "Corporation Ltd." is still a name.
"""

from __future__ import annotations

import re
import unicodedata

_TURKISH = str.maketrans("İIıŞşĞğÜüÖöÇçÂâÎîÛû", "iiissgguuooccaaiiuu")

TITLES = frozenset(
    [
        "dr",
        "av",
        "prof",
        "doc",
        "doç",
        "sn",
        "sayin",
        "uzm",
        "op",
        "muh",
        "ecz",
        "mr",
        "mrs",
        "ms",
        "miss",
        "sir",
        "bay",
        "bayan",
        "bey",  # "Hakan Bey", "Selin Hanım": how a customer is spoken of, not their name
        "hanim",
        "hn",
    ]
)
# Stripped repeatedly from the end, longest first, so "San. ve Tic. Ltd. Şti." goes as
# "ltd sti" and then "san ve tic", never leaving "san ve" behind.
_SUFFIXES = (
    "sanayi ve ticaret anonim sirketi",
    "sanayi ve ticaret limited sirketi",
    "sanayi ve ticaret",
    "san ve tic",
    "san tic",
    "anonim sirketi",
    "limited sirketi",
    "ltd sti",
    "as",
    "ltd",
    "sti",
    "inc",
    "llc",
    "gmbh",
    "corp",
    "corporation",
    "co",
    "company",
    "plc",
    "limited",
    "ag",
    "bv",
    "sa",
    "tic",
    "ticaret",
    "san",
    "sanayi",
)
LEGAL_SUFFIXES: tuple[tuple[str, ...], ...] = tuple(
    sorted((tuple(s.split()) for s in _SUFFIXES), key=len, reverse=True)
)
# The suffixes by their last word, each list in LEGAL_SUFFIXES' order: a name is compared only
# with those its last word could end (the first build folds a million names).
_ENDING_IN: dict[str, tuple[tuple[str, ...], ...]] = {
    last: tuple(s for s in LEGAL_SUFFIXES if s[-1] == last)
    for last in {s[-1] for s in LEGAL_SUFFIXES}
}
_SPLIT = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case, ASCII-only form of ``text`` for comparison; keeps word boundaries."""
    text = unicodedata.normalize("NFC", text).translate(_TURKISH).lower()
    text = unicodedata.normalize("NFKD", text)
    if text.isascii():  # nothing to strip (most names, once the Turkish letters are mapped)
        return text
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _merge_initials(tokens: list[str]) -> list[str]:
    """Join runs of single letters: "a.ş." folds to ["a", "s"] and must read as "as"."""
    out: list[str] = []
    run = ""
    for tok in tokens:
        if len(tok) == 1 and tok.isalpha():
            run += tok
            continue
        if run:
            out.append(run)
            run = ""
        out.append(tok)
    if run:
        out.append(run)
    return out


def name_tokens(name: str) -> tuple[str, ...]:
    """The meaningful words of a customer or person name, folded, in their original order."""
    raw = [t for t in _SPLIT.split(fold(name)) if t]
    tokens = [t for t in _merge_initials(raw) if t not in TITLES]
    stripped = _strip_suffixes(tokens)
    return tuple(stripped if "".join(stripped) and len("".join(stripped)) > 1 else tokens)


def _strip_suffixes(tokens: list[str]) -> list[str]:
    tokens = list(tokens)
    changed = True
    while changed and tokens:
        changed = False
        for suffix in _ENDING_IN.get(tokens[-1], ()):
            n = len(suffix)
            if len(tokens) > n and tuple(tokens[-n:]) == suffix:
                del tokens[-n:]
                changed = True
                break
    return tokens


def name_key(name: str) -> str:
    """Order-free key: two names with the same key are the same name for matching purposes."""
    return " ".join(sorted(name_tokens(name)))


def looks_like_email(text: str) -> bool:
    return "@" in text and "." in text.split("@")[-1] and " " not in text.strip()


def digits_only(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def looks_like_phone(text: str) -> bool:
    """Seven or more digits and nothing but phone punctuation around them."""
    stripped = text.strip()
    return len(digits_only(stripped)) >= 7 and not _NON_PHONE.search(stripped)


_NON_PHONE = re.compile(r"[^0-9+()\-./ ]")
