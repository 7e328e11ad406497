"""Customer name lookup (storage.search): tiers, ranking and what may be resolved unasked."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from storage.search import NameIndex, Tier, pick


def build(names: dict[int, str]) -> NameIndex:
    index = NameIndex()
    for customer_id, name in names.items():
        index.put(customer_id, name)
    return index


PEOPLE = {
    1: "Uğur Özmen",
    2: "Uğur Yılmaz",
    3: "Hami Bey",
    4: "Ayşe Özmen",
    5: "Anadolu Lojistik A.Ş.",
}


@pytest.mark.parametrize(
    "query", ["ugur ozmen", "UĞUR ÖZMEN", "Özmen Uğur", "Dr. Uğur Hami Özmen", "Uğur Özmen"]
)
def test_forgiving_references_resolve_to_the_one_customer(query):
    matches = build(PEOPLE).search(query)
    assert matches[0].customer_id == 1
    chosen = pick(matches)
    assert chosen is not None
    assert chosen.customer_id == 1


@pytest.mark.parametrize(
    ("query", "tier"),
    [
        ("Özmen Uğur", Tier.EXACT),
        ("Dr. Uğur Hami Özmen", Tier.SUBSET),
        ("Ugur Ozmne", Tier.FUZZY),
    ],
)
def test_tiers(query, tier):
    matches = build(PEOPLE).search(query)
    assert matches[0].customer_id == 1
    assert matches[0].tier is tier


def test_near_name_is_offered_but_never_resolved():
    matches = build({1: "Mehmet Demirel"}).search("Mehmet Demir")
    assert [m.customer_id for m in matches] == [1]
    assert matches[0].tier is Tier.FUZZY
    assert pick(matches) is None


def test_exact_name_beats_a_longer_look_alike():
    matches = build({1: "Mehmet Demirel", 2: "Mehmet Demir"}).search("Mehmet Demir")
    assert matches[0].customer_id == 2
    chosen = pick(matches)
    assert chosen is not None
    assert chosen.customer_id == 2


def test_homonyms_are_both_returned_and_never_guessed_between():
    index = build({7: "Mehmet Yıldırım", 9: "Mehmet Yıldırım", 3: "Mehmet Demir"})
    matches = index.search("mehmet yildirim")
    assert {m.customer_id for m in matches if m.tier is Tier.EXACT} == {7, 9}
    assert pick(matches) is None


def test_typo_ranks_first_but_is_not_resolved():
    matches = build(PEOPLE).search("Ugur Ozmne")
    assert matches
    assert matches[0].customer_id == 1
    assert pick(matches) is None


def test_company_without_its_legal_suffix_resolves():
    matches = build(PEOPLE).search("anadolu lojistik")
    chosen = pick(matches)
    assert chosen is not None
    assert chosen.customer_id == 5


def test_company_word_shared_by_two_companies_is_ambiguous():
    index = build({1: "Acme Corp", 2: "Acme Ltd", 3: "Anadolu Lojistik A.Ş."})
    matches = index.search("acme")
    assert {m.customer_id for m in matches} >= {1, 2}
    assert pick(matches) is None


def test_single_word_shared_by_two_people_is_ambiguous():
    matches = build(PEOPLE).search("ugur")
    assert {m.customer_id for m in matches} >= {1, 2}
    assert pick(matches) is None


@pytest.mark.parametrize(
    ("query", "inside"),
    [
        ("ugur ozmen", {1: True}),
        ("ozmen", {1: True, 4: True}),
        ("Dr. Uğur Hami Özmen", {1: False}),
        ("Ugur Ozmne", {1: False}),
    ],
)
def test_inside_means_every_query_word_is_a_name_word(query, inside):
    matches = {m.customer_id: m for m in build(PEOPLE).search(query)}
    for customer_id, expected in inside.items():
        assert matches[customer_id].inside is expected


def test_inside_is_consistent_with_the_words_for_every_result():
    names = {1: "Uğur Özmen", 2: "Uğur Hami Özmen", 3: "Ayşe Özmen", 4: "Uğur Özgen"}
    words = {
        1: {"ugur", "ozmen"},
        2: {"ugur", "hami", "ozmen"},
        3: {"ayse", "ozmen"},
        4: {"ugur", "ozgen"},
    }
    for query, q_words in [("ugur ozmen", {"ugur", "ozmen"}), ("hami", {"hami"})]:
        for match in build(names).search(query):
            assert match.inside is (q_words <= words[match.customer_id])


def test_remove_and_rename_are_reflected():
    index = build({1: "Uğur Özmen", 2: "Ayşe Kaya"})
    assert len(index) == 2
    index.remove(1)
    assert len(index) == 1
    assert all(m.customer_id != 1 for m in index.search("ugur ozmen"))
    index.put(2, "Ayşe Demir")  # rename
    assert all(m.customer_id != 2 for m in index.search("kaya"))
    chosen = pick(index.search("ayse demir"))
    assert chosen is not None
    assert chosen.customer_id == 2
    index.remove(99)  # unknown id: no error, no change
    assert len(index) == 1


def test_results_are_ranked_best_first_and_limited():
    names = {i: f"Mehmet {s}" for i, s in enumerate(["Kaya", "Kayalı", "Kayacı", "Kara", "Kalay"])}
    index = build(names)
    matches = index.search("mehmet kaya")
    assert matches[0].customer_id == 0
    assert matches[0].tier is Tier.EXACT
    ranks = [(m.tier, -m.score) for m in matches]
    assert ranks == sorted(ranks)
    limited = index.search("mehmet kaya", limit=2)
    assert len(limited) == 2
    assert limited == matches[:2]
    assert len(index.search("mehmet", limit=3)) == 3


def test_empty_and_unknown_queries_return_nothing():
    index = build(PEOPLE)
    assert index.search("") == []
    assert index.search("Dr.") == []
    assert index.search("zzzzqqq") == []
    assert NameIndex().search("ugur") == []


# -- a larger, realistic index -------------------------------------------------------------
# fmt: off
FIRST = [
    "Ahmet", "Mehmet", "Mustafa", "Ayşe", "Fatma", "Emine", "Hülya", "Şükrü", "Çağla", "Gökhan",
    "Özlem", "İbrahim", "Işıl", "Ümit", "Hakan", "Serkan", "Burcu", "Deniz", "Elif", "Zeynep",
    "Oğuz", "Tuğba", "Gülşen", "Ebru", "John", "Michael", "Sarah", "Emily", "David", "Laura",
    "Peter", "Anna", "Robert", "Linda", "James", "Maria",
]
LAST = [
    "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın",
    "Özdemir", "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Koç", "Kurt", "Özkan", "Şimşek",
    "Polat", "Güneş", "Erdoğan", "Uçar", "Akgül", "Smith", "Johnson", "Williams", "Brown",
    "Jones", "Miller", "Wilson", "Taylor", "Anderson", "Thomas", "Moore", "Jackson",
]
SECTORS = ["Lojistik", "Gıda", "Tekstil", "Yazılım", "Mimarlık", "Enerji", "İnşaat", "Medya"]
# fmt: on
SUFFIXES = ("A.Ş.", "Ltd. Şti.", "San. ve Tic. A.Ş.", "Inc.", "LLC", "GmbH", "")
_ASCII = str.maketrans("İIıŞşĞğÜüÖöÇç", "IIISSGGUUOOCC")


def shout(name: str) -> str:
    """How a hurried rep types a name: upper case, no Turkish letters."""
    return name.upper().translate(_ASCII)


def generate(count: int) -> tuple[dict[int, str], dict[int, frozenset[str]]]:
    """Deterministic customer names and, for each, the words that identify it."""
    rng = random.Random(20261123)
    names: dict[int, str] = {}
    idents: dict[int, frozenset[str]] = {}
    for customer_id in range(1, count + 1):
        roll = rng.random()
        if roll < 0.15:
            core = f"{rng.choice(LAST)} {rng.choice(SECTORS)}"
            names[customer_id] = f"{core} {rng.choice(SUFFIXES)}".strip()
        elif roll < 0.45:
            core = f"{rng.choice(FIRST)} {rng.choice(FIRST)} {rng.choice(LAST)}"
            names[customer_id] = core
        else:
            core = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            names[customer_id] = core
        idents[customer_id] = frozenset(shout(core).split())
    return names, idents


def test_every_unique_name_in_a_large_index_is_picked_from_a_shouted_query():
    names, idents = generate(5000)
    index = build(names)
    assert len(index) == 5000
    counts = Counter(idents.values())
    unique = [cid for cid, words in idents.items() if counts[words] == 1]
    assert len(unique) > 1500  # the generator must leave plenty to check
    wrong = []
    for customer_id in unique:
        query = shout(names[customer_id])
        chosen = pick(index.search(query))
        if chosen is None or chosen.customer_id != customer_id:
            wrong.append((names[customer_id], query, chosen))
    assert wrong == []


def test_homonyms_in_a_large_index_are_never_picked():
    names, idents = generate(5000)
    index = build(names)
    counts = Counter(idents.values())
    shared = [cid for cid, words in idents.items() if counts[words] > 1][:200]
    assert shared
    for customer_id in shared:
        matches = index.search(shout(names[customer_id]), limit=50)
        assert customer_id in {m.customer_id for m in matches}
        assert pick(matches) is None
