"""Turkish-aware folding of names (storage.folding)."""

from __future__ import annotations

import pytest

from storage.folding import (
    digits_only,
    fold,
    looks_like_email,
    looks_like_phone,
    name_key,
    name_tokens,
)


@pytest.mark.parametrize(
    "variants",
    [
        ("İSTANBUL", "istanbul", "Istanbul", "İstanbul"),
        ("Işık", "ISIK", "ışık", "IŞIK", "isik"),
        ("Şükrü Çağlar", "ŞÜKRÜ ÇAĞLAR", "sukru caglar"),
        ("Gölcük", "GÖLCÜK", "golcuk"),
    ],
)
def test_fold_meets_across_case_and_turkish_letters(variants):
    folded = {fold(v) for v in variants}
    assert len(folded) == 1
    assert folded.pop().isascii()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("İ", "i"),
        ("I", "i"),
        ("ı", "i"),
        ("i", "i"),
        ("ş", "s"),
        ("ğ", "g"),
        ("ü", "u"),
        ("ö", "o"),
        ("ç", "c"),
        ("é", "e"),
        ("ñ", "n"),
        ("Â", "a"),
    ],
)
def test_fold_single_letters(text, expected):
    assert fold(text) == expected


def test_fold_keeps_one_code_point_per_letter_and_word_boundaries():
    # str.lower() turns "İ" into two code points; fold must not.
    assert len(fold("İİİ")) == 3
    assert fold("Uğur  Özmen") == "ugur  ozmen"
    # The same letter precomposed or decomposed folds the same way.
    assert fold("Jose\u0301") == fold("José") == "jose"


@pytest.mark.parametrize(
    "variants",
    [
        ("UĞUR ÖZMEN", "ugur ozmen", "Özmen Uğur", "Uğur Özmen", "OZMEN UGUR"),
        ("Dr. Uğur Özmen", "Uğur Özmen", "Prof. Dr. Uğur Özmen", "Sayın Uğur Özmen"),
        ("Av. Ayşe Kaya", "Ayşe Kaya", "Kaya Ayşe"),
    ],
)
def test_name_key_is_order_case_and_title_free(variants):
    keys = {name_key(v) for v in variants}
    assert len(keys) == 1


@pytest.mark.parametrize(
    "name",
    [
        "Acme A.Ş.",
        "ACME AŞ",
        "Acme Anonim Şirketi",
        "Acme Ltd. Şti.",
        "Acme San. ve Tic. Ltd. Şti.",
        "Acme Sanayi ve Ticaret Ltd. Şti.",
        "Acme Tic. San. A.Ş.",
        "Acme Sanayi ve Ticaret Anonim Şirketi",
        "Acme Inc.",
        "Acme LLC",
        "Acme GmbH",
        "Acme Corp",
        "Acme Corporation",
        "Acme Co",
        "acme",
    ],
)
def test_legal_suffixes_are_stripped(name):
    assert name_key(name) == "acme"
    assert name_tokens(name) == ("acme",)


def test_two_word_company_keeps_both_words_without_suffix():
    assert name_tokens("Anadolu Lojistik A.Ş.") == ("anadolu", "lojistik")
    assert name_key("Anadolu Lojistik A.Ş.") == name_key("anadolu lojistik")


@pytest.mark.parametrize("name", ["Corporation Ltd.", "Ltd. Şti.", "A.Ş.", "Co", "LLC"])
def test_suffix_only_names_keep_a_non_empty_key(name):
    key = name_key(name)
    assert key
    assert len(key.replace(" ", "")) > 1


def test_stripping_never_leaves_a_single_letter():
    tokens = name_tokens("A Co")
    assert len("".join(tokens)) > 1


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("AŞ Yapı", "as"),
        ("Ltd Yazılım", "ltd"),
        ("Co Working Merkezi", "co"),
        ("Inc Medya", "inc"),
    ],
)
def test_suffix_words_not_at_the_end_are_kept(name, kept):
    assert kept in name_tokens(name)


def test_name_tokens_keep_original_order_and_drop_punctuation():
    assert name_tokens("Özmen, Uğur-Hami") == ("ozmen", "ugur", "hami")
    assert name_tokens("Dr. Uğur Özmen") == ("ugur", "ozmen")


def test_different_names_get_different_keys():
    assert name_key("Mehmet Demir") != name_key("Mehmet Demirel")
    assert name_key("Uğur Özmen") != name_key("Uğur Hami Özmen")


@pytest.mark.parametrize(
    "text",
    ["0532 123 45 67", "+90 (532) 123-45-67", "5321234567", "0532.123.45.67", "+44 20 7946 0958"],
)
def test_phones_are_recognised(text):
    assert looks_like_phone(text)
    assert not looks_like_email(text)


@pytest.mark.parametrize(
    "text",
    ["acme", "12", "123456", "0532-abc-4567", "Uğur Özmen", "", "2026-11-24T10:00"],
)
def test_non_phones_are_rejected(text):
    assert not looks_like_phone(text)


@pytest.mark.parametrize(
    "text",
    ["ahmet@acme.com", "info@kayamimarlik.com.tr", "  u.ozmen@example.org  ", "a@b.co"],
)
def test_emails_are_recognised(text):
    assert looks_like_email(text)
    assert not looks_like_phone(text)


@pytest.mark.parametrize(
    "text", ["acme", "ahmet@localhost", "ahmet at acme.com", "ahmet @acme.com", "0532 123 45 67"]
)
def test_non_emails_are_rejected(text):
    assert not looks_like_email(text)


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("+90 (532) 123-45-67", "905321234567"),
        ("0532 123 45 67", "05321234567"),
        ("no digits", ""),
    ],
)
def test_digits_only(text, digits):
    assert digits_only(text) == digits
