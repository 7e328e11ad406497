"""Case endings written after names (handlers.kit.suffixes), and their use in catalog strings."""

from __future__ import annotations

import pytest

from handlers.kit.suffixes import CASES, english, number_word, reading, turkish

# name, genitive ("-in"), dative ("-e"), accusative ("-i"), locative ("-de"), ablative ("-den")
TABLE = [
    # consonant-final words: front and back, rounded and unrounded vowels
    ("Uğur Özmen", "Özmen'in", "Özmen'e", "Özmen'i", "Özmen'de", "Özmen'den"),
    ("Elif Şahin", "Şahin'in", "Şahin'e", "Şahin'i", "Şahin'de", "Şahin'den"),
    ("Mehmet Yıldırım", "Yıldırım'ın", "Yıldırım'a", "Yıldırım'ı", "Yıldırım'da", "Yıldırım'dan"),
    ("Uğur", "Uğur'un", "Uğur'a", "Uğur'u", "Uğur'da", "Uğur'dan"),
    ("Özgür", "Özgür'ün", "Özgür'e", "Özgür'ü", "Özgür'de", "Özgür'den"),
    ("Murat Kaya", "Kaya'nın", "Kaya'ya", "Kaya'yı", "Kaya'da", "Kaya'dan"),
    ("Ayşe", "Ayşe'nin", "Ayşe'ye", "Ayşe'yi", "Ayşe'de", "Ayşe'den"),
    ("Ayşe Yılmaz", "Yılmaz'ın", "Yılmaz'a", "Yılmaz'ı", "Yılmaz'da", "Yılmaz'dan"),
    ("Can Demir", "Demir'in", "Demir'e", "Demir'i", "Demir'de", "Demir'den"),
    ("Ali Koç", "Koç'un", "Koç'a", "Koç'u", "Koç'ta", "Koç'tan"),
    ("Ahmet", "Ahmet'in", "Ahmet'e", "Ahmet'i", "Ahmet'te", "Ahmet'ten"),
    ("Zeynep", "Zeynep'in", "Zeynep'e", "Zeynep'i", "Zeynep'te", "Zeynep'ten"),
    ("Işık Yazılım", "Yazılım'ın", "Yazılım'a", "Yazılım'ı", "Yazılım'da", "Yazılım'dan"),
    ("ISIK", "ISIK'ın", "ISIK'a", "ISIK'ı", "ISIK'ta", "ISIK'tan"),
    ("Gül", "Gül'ün", "Gül'e", "Gül'ü", "Gül'de", "Gül'den"),
    ("Anadolu Lojistik", "Lojistik'in", "Lojistik'e", "Lojistik'i", "Lojistik'te", "Lojistik'ten"),
    ("Kaya Mimarlık", "Mimarlık'ın", "Mimarlık'a", "Mimarlık'ı", "Mimarlık'ta", "Mimarlık'tan"),
    # vowel-final words
    ("Fatma", "Fatma'nın", "Fatma'ya", "Fatma'yı", "Fatma'da", "Fatma'dan"),
    ("Mustafa Bozkurt Ordu", "Ordu'nun", "Ordu'ya", "Ordu'yu", "Ordu'da", "Ordu'dan"),
    ("Ömür Tütüncü", "Tütüncü'nün", "Tütüncü'ye", "Tütüncü'yü", "Tütüncü'de", "Tütüncü'den"),
    ("Acme", "Acme'nin", "Acme'ye", "Acme'yi", "Acme'de", "Acme'den"),
    ("Sony", "Sony'nin", "Sony'ye", "Sony'yi", "Sony'de", "Sony'den"),
    # front last syllable spelt with a back vowel
    ("Mustafa Kemal", "Kemal'in", "Kemal'e", "Kemal'i", "Kemal'de", "Kemal'den"),
    ("Opet Petrol", "Petrol'ün", "Petrol'e", "Petrol'ü", "Petrol'de", "Petrol'den"),
    # abbreviations with dots: read as the word they stand for
    ("Acme A.Ş.", "A.Ş.'nin", "A.Ş.'ye", "A.Ş.'yi", "A.Ş.'de", "A.Ş.'den"),
    ("Kaya Ltd.", "Ltd.'in", "Ltd.'e", "Ltd.'i", "Ltd.'de", "Ltd.'den"),
    ("Işık Yazılım Ltd. Şti.", "Şti.'nin", "Şti.'ye", "Şti.'yi", "Şti.'de", "Şti.'den"),
    ("Initech Inc.", "Inc.'in", "Inc.'e", "Inc.'i", "Inc.'te", "Inc.'ten"),
    ("Dr.", "Dr.'un", "Dr.'a", "Dr.'u", "Dr.'da", "Dr.'dan"),
    ("A.B.C.", "A.B.C.'nin", "A.B.C.'ye", "A.B.C.'yi", "A.B.C.'de", "A.B.C.'den"),
    # legal suffixes without dots
    ("Acme AŞ", "AŞ'nin", "AŞ'ye", "AŞ'yi", "AŞ'de", "AŞ'den"),
    ("Northwind Traders Ltd", "Ltd'in", "Ltd'e", "Ltd'i", "Ltd'de", "Ltd'den"),
    ("Initech LLC", "LLC'nin", "LLC'ye", "LLC'yi", "LLC'de", "LLC'den"),
    ("Müller GmbH", "GmbH'nin", "GmbH'ye", "GmbH'yi", "GmbH'de", "GmbH'den"),
    # capitals: letter by letter, or as a word when Turkish can say it as one
    ("THY", "THY'nin", "THY'ye", "THY'yi", "THY'de", "THY'den"),
    ("TRT", "TRT'nin", "TRT'ye", "TRT'yi", "TRT'de", "TRT'den"),
    ("AB", "AB'nin", "AB'ye", "AB'yi", "AB'de", "AB'den"),
    ("ABD", "ABD'nin", "ABD'ye", "ABD'yi", "ABD'de", "ABD'den"),
    ("BMW", "BMW'nin", "BMW'ye", "BMW'yi", "BMW'de", "BMW'den"),
    ("NATO", "NATO'nun", "NATO'ya", "NATO'yu", "NATO'da", "NATO'dan"),
    ("ODTÜ", "ODTÜ'nün", "ODTÜ'ye", "ODTÜ'yü", "ODTÜ'de", "ODTÜ'den"),
    ("ASELSAN", "ASELSAN'ın", "ASELSAN'a", "ASELSAN'ı", "ASELSAN'da", "ASELSAN'dan"),
    ("ŞOK", "ŞOK'un", "ŞOK'a", "ŞOK'u", "ŞOK'ta", "ŞOK'tan"),
    ("UĞUR ÖZMEN", "ÖZMEN'in", "ÖZMEN'e", "ÖZMEN'i", "ÖZMEN'de", "ÖZMEN'den"),
    ("Blok B", "B'nin", "B'ye", "B'yi", "B'de", "B'den"),
    # the English readings Turkish uses for a few brands
    ("IBM", "IBM'in", "IBM'e", "IBM'i", "IBM'de", "IBM'den"),
    ("3M", "3M'in", "3M'e", "3M'i", "3M'de", "3M'den"),
    # numbers, read aloud
    ("Kanal 7", "7'nin", "7'ye", "7'yi", "7'de", "7'den"),
    ("Şok 3", "3'ün", "3'e", "3'ü", "3'te", "3'ten"),
    ("Ofis 5", "5'in", "5'e", "5'i", "5'te", "5'ten"),
    ("Blok 6", "6'nın", "6'ya", "6'yı", "6'da", "6'dan"),
    ("Plaza 10", "10'un", "10'a", "10'u", "10'da", "10'dan"),
    ("Kat 40", "40'ın", "40'a", "40'ı", "40'ta", "40'tan"),
    ("Ofis 2000", "2000'in", "2000'e", "2000'i", "2000'de", "2000'den"),
    ("1.000.000", "1.000.000'un", "1.000.000'a", "1.000.000'u", "1.000.000'da", "1.000.000'dan"),
    ("%50", "%50'nin", "%50'ye", "%50'yi", "%50'de", "%50'den"),
    ("TV8", "TV8'in", "TV8'e", "TV8'i", "TV8'de", "TV8'den"),
    # punctuation around the last word
    ("Acme (Ankara)", "(Ankara)'nın", "(Ankara)'ya", "(Ankara)'yı", "(Ankara)'da", "(Ankara)'dan"),
]


def _tail(text: str) -> str:
    return text.split()[-1]


@pytest.mark.parametrize(
    ("name", "gen", "dat", "acc", "loc", "abl"), TABLE, ids=[r[0] for r in TABLE]
)
def test_turkish_endings(name, gen, dat, acc, loc, abl):
    got = {case: _tail(turkish(name, case)) for case in ("gen", "dat", "acc", "loc", "abl")}
    assert got == {"gen": gen, "dat": dat, "acc": acc, "loc": loc, "abl": abl}
    assert turkish(name, "gen").startswith(name.rstrip())


def test_the_table_is_broad():
    assert len(TABLE) >= 30


@pytest.mark.parametrize(
    ("name", "ins"),
    [("Özmen", "Özmen'le"), ("Kaya", "Kaya'yla"), ("Ayşe", "Ayşe'yle"), ("Koç", "Koç'la")],
)
def test_instrumental(name, ins):
    assert turkish(name, "ins") == ins


@pytest.mark.parametrize(
    ("n", "word"),
    [
        (0, "sıfır"),
        (1, "bir"),
        (3, "üç"),
        (10, "on"),
        (40, "kırk"),
        (55, "beş"),
        (90, "doksan"),
        (100, "yüz"),
        (250, "elli"),
        (1000, "bin"),
        (1500, "yüz"),
        (2_000_000, "milyon"),
        (3_000_000_000, "milyar"),
    ],
)
def test_numbers_are_read_by_their_last_word(n, word):
    assert number_word(n) == word


@pytest.mark.parametrize(
    ("name", "expected"),
    [("2,5", "beş"), ("1.250", "elli"), ("3.14", "dört"), ("Bros.", "bros"), ("GmbH", "he")],
)
def test_readings(name, expected):
    assert reading(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Uğur Özmen", "Uğur Özmen's"),
        ("Elif Şahin", "Elif Şahin's"),
        ("Acme A.Ş.", "Acme A.Ş.'s"),
        ("Carlos", "Carlos'"),
        ("Northwind Traders", "Northwind Traders'"),
    ],
)
def test_english_possessive(name, expected):
    assert english(name, "gen") == expected


@pytest.mark.parametrize("case", [c for c in CASES if c != "gen"])
def test_english_has_no_other_case_endings(case):
    assert english("Ayşe Yılmaz", case) == "Ayşe Yılmaz"


def test_unknown_case_is_a_programming_error():
    with pytest.raises(ValueError):
        turkish("Özmen", "vocative")
    with pytest.raises(ValueError):
        english("Özmen", "vocative")


def test_empty_name_stays_empty():
    assert turkish("", "gen") == ""
    assert english("", "gen") == ""
