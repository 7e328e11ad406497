"""Case endings written after a name: "Uğur Özmen'in", "Ayşe'ye", "A.Ş.'nin", "Kanal 7'nin".

Turkish puts the case on the name itself, after an apostrophe (TDK: proper nouns, numbers and
abbreviations keep their ending apart). Which ending follows how the *end of the name is read
aloud*, not how it is spelt, so the work here is deciding that reading; the ending then follows
vowel harmony (the last vowel heard) and the sounds around it:

- a vowel-final reading takes the buffer letter: Ayşe'nin, Kaya'ya, Ayşe'yi, Ayşe'yle;
- "-DA"/"-DAn" harden after a voiceless consonant (f s t k ç ş h p): Koç'ta, Koç'tan;
- proper nouns do not soften before the ending: Ahmet'e, Zeynep'in (never "Ahmed'e").

How the end of a name is read (the rules, in the order they are tried, on its last word):

1. **Numbers** are read aloud, and the last word read decides: 3'ün (üç), 5'in (beş), 6'nın
   (altı), 10'un (on), 40'ın (kırk), 50'nin (elli), 100'ün (yüz), 2000'in (bin), 1.000.000'un
   (milyon), %50'nin (yüzde elli). Thousands grouped with dots or commas are one number;
   after a decimal comma, the decimals are read last (2,5'in: iki virgül beş); a time is read
   as one (18:00'e: on sekiz, 17:30'a: on yedi otuz).
2. **Abbreviations with a dot** are read as the word they stand for (TDK: "Dr.'a", "Cad.'de"):
   A.Ş.'nin (anonim şirketi), Ltd.'in (limited), Şti.'nin (şirketi), San.'nin (sanayi),
   Tic.'in (ticaret), Inc.'in (ink), Dr.'un (doktor), Prof.'un (profesör). Legal suffixes are
   known without their dots too (AŞ, Ltd, Şti, Inc, LLC, GmbH). An unknown dotted
   abbreviation is read as a word when its letters hold a vowel ("Bros.'un"), else letter by
   letter.
3. **Capitals** (all capitals, or a capital last letter as in "GmbH") are read as a word when
   Turkish can say them as one (NATO'nun, ODTÜ'nün, ASELSAN'ın, BİM'in, ŞOK'un: at most one
   consonant before the first vowel, at most two between vowels, at most one after the last,
   and three letters or more), otherwise letter by letter with the Turkish letter names (TDK:
   be, ce, de, ke, me, ...): THY'nin, TRT'nin, AB'nin, ABD'nin, BMW'nin, LLC'nin. A few
   brands Turkish reads the English way have their own reading (``SPOKEN``): IBM'in (ay-bi-em),
   3M'in (tri-em), CNN'in, TOGG'un.
4. **Words** follow their last written vowel: Özmen'in, Kaya'nın, Uğur'un, Özgür'ün, Şahin'in.
   A final "y" after a consonant is heard as "i" (Sony'nin, Kennedy'nin); â, î, û and the
   accented vowels of other languages are their plain vowels. Words whose last syllable is
   front although spelt with a back vowel (the palatal l of Kemal'in, Hilal'e, Petrol'ün,
   Saat'in) are listed in ``FRONT``.

Not attempted: the English pronunciation of English spelling ("George" is read "Corc" and
takes "'un"; we write "George'un" only if taught, and give "George'nin"). Names that matter
can be added to ``SPOKEN``.

English has no case endings; its possessive is "'s" (an "'" alone after a final s, AP style:
"Carlos'"), and every other case leaves the name as it is.
"""

from __future__ import annotations

import re

CASES = ("gen", "acc", "dat", "loc", "abl", "ins")

VOWELS = "aeıioöuü"
_FRONT_OF = {"a": "e", "ı": "i", "o": "ö", "u": "ü"}
_HIGH = {"a": "ı", "ı": "ı", "e": "i", "i": "i", "o": "u", "u": "u", "ö": "ü", "ü": "ü"}
_VOICELESS = set("fstkçşhp")
_PLAIN = str.maketrans("âîûáàäéèêëíìïóòôúùñ", "aiuaaaeeeeiiiooouun")

LETTER_NAMES = {
    "a": "a",
    "b": "be",
    "c": "ce",
    "ç": "çe",
    "d": "de",
    "e": "e",
    "f": "fe",
    "g": "ge",
    "ğ": "ge",
    "h": "he",
    "ı": "ı",
    "i": "i",
    "j": "je",
    "k": "ke",
    "l": "le",
    "m": "me",
    "n": "ne",
    "o": "o",
    "ö": "ö",
    "p": "pe",
    "q": "kü",
    "r": "re",
    "s": "se",
    "ş": "şe",
    "t": "te",
    "u": "u",
    "ü": "ü",
    "v": "ve",
    "w": "ve",  # "çift ve"
    "x": "iks",
    "y": "ye",
    "z": "ze",
}

# Dotted abbreviations, read as the word they stand for (the last word read is what counts).
DOTTED = {
    "a.ş": "şirketi",
    "ltd": "limited",
    "şti": "şirketi",
    "san": "sanayi",
    "tic": "ticaret",
    "inc": "ink",
    "co": "ko",
    "corp": "korp",
    "dr": "doktor",
    "prof": "profesör",
    "doç": "doçent",
    "av": "avukat",
    "sn": "sayın",
    "müh": "mühendis",
    "cad": "cadde",
    "sok": "sokak",
    "mah": "mahalle",
    "bul": "bulvar",
    "apt": "apartman",
    "no": "numara",
}
# Legal suffixes are known without their dots too ("Acme AŞ", "Northwind Ltd").
LEGAL = {"aş": "şirketi", "ltd": "limited", "şti": "şirketi", "inc": "ink", "gmbh": "he"}
# Capitals Turkish reads the English way, by how their end sounds.
SPOKEN = {"ıbm": "em", "3m": "em", "cnn": "en", "togg": "og"}
# Words whose last syllable is front though spelt with a back vowel (palatal l, "saat").
# fmt: off
FRONT = frozenset((
    "kemal", "celal", "cemal", "hilal", "bilal", "nihal", "meral", "iclal", "ikbal", "visal",
    "hayal", "resul", "petrol", "alkol", "kontrol", "protokol", "sembol", "rol", "gol", "saat",
))
# fmt: on

_NUMBER = re.compile(r"\d[\d.,:]*$")
_SAYABLE = re.compile(r"^C?V(C{0,2}V)*C?$")
_EDGES = "()[]{}\"'«»“”‘’`´-–—,;:!?"


def turkish_lower(text: str) -> str:
    return text.replace("I", "ı").replace("İ", "i").lower()


def number_word(n: int) -> str:
    """The last word of ``n`` read aloud in Turkish: 3 "üç", 40 "kırk", 2000 "bin"."""
    units = ["sıfır", "bir", "iki", "üç", "dört", "beş", "altı", "yedi", "sekiz", "dokuz"]
    tens = ["", "on", "yirmi", "otuz", "kırk", "elli", "altmış", "yetmiş", "seksen", "doksan"]
    if n == 0:
        return units[0]
    if n % 10:
        return units[n % 10]
    if n % 100:
        return tens[n // 10 % 10]
    if n % 1000:
        return "yüz"
    for power in ("bin", "milyon", "milyar", "trilyon", "katrilyon"):
        n //= 1000
        if n % 1000:
            return power
    return "katrilyon"


def _number_reading(digits: str) -> str:
    """ "1.000.000" is a million, "2,5" ends in "beş", "18:00" in "sekiz", "17:30" in "otuz"."""
    if ":" in digits:
        hour, _, minute = digits.rpartition(":")
        return _number_reading(minute if minute.strip("0") or not hour else hour.split(":")[-1])
    groups = re.split(r"[.,]", digits.rstrip(".,"))
    if len(groups) > 1 and len(groups[-1]) != 3:
        return number_word(int(groups[-1]))  # decimals are read last
    return number_word(int("".join(groups)))


def _skeleton(word: str) -> str:
    return "".join("V" if ch in VOWELS else "C" for ch in word)


def _letters_reading(word: str) -> str:
    """Letter by letter: the name of the last letter ("THY" ends in "ye")."""
    return LETTER_NAMES.get(word[-1], "e")


def _word_reading(word: str) -> str:
    """How a written word ends when read: its letters, with "y" after a consonant heard as
    "i" and listed front-ending words given their front vowel."""
    word = word.translate(_PLAIN)
    if word in FRONT:
        last = max(i for i, ch in enumerate(word) if ch in VOWELS)
        return word[:last] + _FRONT_OF.get(word[last], word[last]) + word[last + 1 :]
    if len(word) > 1 and word[-1] == "y" and word[-2] not in VOWELS:
        return word[:-1] + "i"
    return word


def _known(table: dict[str, str], word: str) -> str | None:
    """A table's reading of ``word``, whichever way its capitals lower ("Inc." and "İnc.")."""
    bare = word.strip(".")
    return table.get(turkish_lower(bare)) or table.get(bare.lower())


def reading(name: str) -> str:
    """How the end of ``name`` sounds, in lower-case Turkish letters (see the module doc)."""
    words = [w.strip(_EDGES) for w in name.split()]
    word = next((w for w in reversed(words) if w.strip(".")), "")
    if not word:
        return ""
    if number := _NUMBER.search(word):
        return _number_reading(number.group())
    lower = turkish_lower(word)
    bare = lower.strip(".")
    if lower.endswith("."):
        if known := _known(DOTTED, word):
            return known
        letters = bare.replace(".", "")
        if "." in bare or word.strip(".").isupper():
            return _letters_reading(letters)
        return _word_reading(letters) if any(ch in VOWELS for ch in letters) else ""
    if known := _known(LEGAL, word) or _known(SPOKEN, word):
        return known
    letters = "".join(ch for ch in lower if ch.isalpha())
    if not letters:
        return ""
    if [ch for ch in word if ch.isalpha()][-1].isupper():  # "THY", "GmbH", "Blok B"
        plain = letters.translate(_PLAIN)
        sayable = len(plain) >= 3 and _SAYABLE.match(_skeleton(plain))
        return plain if sayable else _letters_reading(plain)
    return _word_reading(letters)


def turkish(name: str, case: str) -> str:
    """``name`` with the Turkish ``case`` ending after an apostrophe.

    ``case`` is one of ``CASES``: gen (Özmen'in), acc (Özmen'i), dat (Özmen'e), loc (Özmen'de),
    abl (Özmen'den), ins (Özmen'le).
    """
    if case not in CASES:
        raise ValueError(f"unknown case {case!r}; one of {CASES}")
    sound = reading(name)
    text = name.rstrip()
    if not text:
        return name
    vowels = [ch for ch in sound if ch in VOWELS]
    last = vowels[-1] if vowels else "e"
    after_vowel = bool(sound) and sound[-1] in VOWELS
    wide = "e" if last in "eiöü" else "a"
    high = _HIGH[last]
    d = "t" if sound and sound[-1] in _VOICELESS else "d"
    buffer = "y" if after_vowel else ""
    ending = {
        "gen": ("n" if after_vowel else "") + high + "n",
        "acc": buffer + high,
        "dat": buffer + wide,
        "loc": d + wide,
        "abl": d + wide + "n",
        "ins": buffer + "l" + wide,
    }[case]
    return f"{text}'{ending}"


def english(name: str, case: str) -> str:
    """English marks only the possessor: "Uğur Özmen's", "Carlos'"; other cases are bare."""
    if case not in CASES:
        raise ValueError(f"unknown case {case!r}; one of {CASES}")
    text = name.rstrip()
    if case != "gen" or not text:
        return name
    return f"{text}'" if text[-1] in "sS" else f"{text}'s"


def suffixed(name: str, case: str, language: str) -> str:
    """``name`` as it stands in ``case`` in ``language`` ("tr" or anything else: English)."""
    return turkish(name, case) if language == "tr" else english(name, case)
