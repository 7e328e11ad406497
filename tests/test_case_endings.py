"""Customers named with a Turkish case ending: "Özmen'i aradım", "Kaya'ya sordum", "ozmene".

After an apostrophe (straight or curly) an ending is always cut; glued on, it is tried only when
nothing matches as typed, and a namesake is still asked about, never taken silently.
"""

from __future__ import annotations

import pytest

from storage.endings import stems, strip_marked
from storage.models import Interaction, Task
from tests.conftest import Chat, add_customer, add_rep, rows

NAMES = [
    "Uğur Hami Özmen",
    "Ayşe Kaya",
    "Kemal Yılmaz",
    "Ahmet Demir",
    "Acme A.Ş.",
    "Elif Şahin",
    "Deniz Arslan",
    "Demirel İnşaat",
    "D'Angelo Pizza",
]
NAMESAKES = ["Mehmet Yıldırım", "Mehmet Yıldırım"]
ASK = "ask"  # a choice between namesakes, nothing taken

CASES = [
    # marked with an apostrophe: always cut
    ("Özmen'i", "Uğur Hami Özmen"),
    ("Özmen'e", "Uğur Hami Özmen"),
    ("Özmen'in", "Uğur Hami Özmen"),
    ("Özmen'den", "Uğur Hami Özmen"),
    ("Özmen'le", "Uğur Hami Özmen"),
    ("Özmen'de", "Uğur Hami Özmen"),
    ("Özmen’i", "Uğur Hami Özmen"),
    ("Özmen’e", "Uğur Hami Özmen"),
    ("ozmen'i", "Uğur Hami Özmen"),
    ("OZMEN'E", "Uğur Hami Özmen"),
    ("Uğur Özmen'i", "Uğur Hami Özmen"),
    ("Uğur Özmen'e", "Uğur Hami Özmen"),
    ("Ugur Ozmen'in", "Uğur Hami Özmen"),
    ("Uğur Hami Özmen'e", "Uğur Hami Özmen"),
    ("Ayşe Kaya'ya", "Ayşe Kaya"),
    ("Kaya'yı", "Ayşe Kaya"),
    ("Kaya'nın", "Ayşe Kaya"),
    ("Kaya'dan", "Ayşe Kaya"),
    ("Kaya'da", "Ayşe Kaya"),
    ("Ayşe Kaya’ya", "Ayşe Kaya"),
    ("Yılmaz'a", "Kemal Yılmaz"),
    ("Yılmaz'ı", "Kemal Yılmaz"),
    ("Yılmaz'ın", "Kemal Yılmaz"),
    ("Yılmaz'dan", "Kemal Yılmaz"),
    ("Kemal'e", "Kemal Yılmaz"),
    ("Kemal'in", "Kemal Yılmaz"),
    ("Demir'e", "Ahmet Demir"),
    ("Demir'in", "Ahmet Demir"),
    ("Ahmet'e", "Ahmet Demir"),
    ("Ahmet'in", "Ahmet Demir"),
    ("Acme'ye", "Acme A.Ş."),
    ("Acme'nin", "Acme A.Ş."),
    ("Acme'den", "Acme A.Ş."),
    ("ACME'YE", "Acme A.Ş."),
    ("Acme A.Ş.'ye", "Acme A.Ş."),
    ("Acme A.Ş.'nin", "Acme A.Ş."),
    ("Şahin'e", "Elif Şahin"),
    ("Şahin'in", "Elif Şahin"),
    ("Elif'e", "Elif Şahin"),
    ("Elif Şahin'in", "Elif Şahin"),
    ("Arslan'a", "Deniz Arslan"),
    ("Arslan'ın", "Deniz Arslan"),
    ("Deniz Arslan'la", "Deniz Arslan"),
    ("Demirel'e", "Demirel İnşaat"),
    ("D'Angelo", "D'Angelo Pizza"),
    # glued on: tried only when nothing matches as typed
    ("ozmene", "Uğur Hami Özmen"),
    ("ozmeni", "Uğur Hami Özmen"),
    ("ozmenin", "Uğur Hami Özmen"),
    ("ozmenden", "Uğur Hami Özmen"),
    ("ozmenle", "Uğur Hami Özmen"),
    ("ugur ozmene", "Uğur Hami Özmen"),
    ("kayaya", "Ayşe Kaya"),
    ("kayayi", "Ayşe Kaya"),
    ("kayanin", "Ayşe Kaya"),
    ("kayadan", "Ayşe Kaya"),
    ("yilmaza", "Kemal Yılmaz"),
    ("yilmazi", "Kemal Yılmaz"),
    ("yilmazin", "Kemal Yılmaz"),
    ("yilmazdan", "Kemal Yılmaz"),
    ("kemale", "Kemal Yılmaz"),
    ("demire", "Ahmet Demir"),
    ("demirin", "Ahmet Demir"),
    ("ahmede", "Ahmet Demir"),  # Ahmet'e typed fast: the t softens
    ("ahmedin", "Ahmet Demir"),
    ("acmeye", "Acme A.Ş."),
    ("acmenin", "Acme A.Ş."),
    ("sahine", "Elif Şahin"),
    ("sahinin", "Elif Şahin"),
    ("arslana", "Deniz Arslan"),
    ("arslanin", "Deniz Arslan"),
    ("demirele", "Demirel İnşaat"),
    # an ending never makes a namesake a silent match
    ("Yıldırım'a", ASK),
    ("Mehmet Yıldırım'ın", ASK),
    ("yildirima", ASK),
    ("mehmet yildirimin", ASK),
    # no ending of ours: not taken
    ("ozmena", None),  # vowel harmony: Özmen takes -e
    ("yilmaze", None),
]


@pytest.fixture
def book(services):
    for name in NAMES:
        add_customer(services, name)
    add_customer(services, NAMESAKES[0], city="İzmir")
    add_customer(services, NAMESAKES[1], city="Ankara")


@pytest.fixture
def ayse(services):
    return add_rep(services, "Ayşe Yılmaz Temsilci", language="tr")


def test_there_are_enough_cases():
    assert len(CASES) >= 60
    assert len({typed for typed, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(("typed", "expected"), CASES, ids=[c[0] for c in CASES])
def test_find_with_a_case_ending(services, book, ayse, typed, expected) -> None:
    reply = Chat(services, ayse).say(f"/bul {typed}")
    if expected is None:
        assert not reply.text.startswith(tuple(NAMES)), reply.text
        return
    if expected == ASK:
        assert len(reply.choices) == 2 and "Yıldırım" in reply.choices[0].label
        return
    assert reply.text.splitlines()[0].startswith(expected), reply.text
    assert not reply.choices


def test_a_call_logged_with_a_case_ending(services, book, ayse) -> None:
    chat = Chat(services, ayse)
    chat.say("/kaydet arama Özmen'e fiyat verdim")
    chat.say("/kaydet ziyaret Uğur Özmen'i ziyaret ettim, numune bıraktım")
    chat.say("/kaydet arama kayaya sordum")
    logged = [(i.customer_id, i.summary) for i in rows(services, Interaction)]
    assert [summary for _, summary in logged] == [
        "fiyat verdim",
        "ziyaret ettim, numune bıraktım",
        "sordum",
    ]
    assert logged[0][0] == logged[1][0] != logged[2][0]


def test_a_task_for_a_customer_with_a_case_ending(services, book, ayse) -> None:
    Chat(services, ayse).say("/gorev teklif gönder cuma Özmen'e")
    [task] = rows(services, Task)
    assert task.title == "teklif gönder" and task.customer_id is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Uğur Özmen'in fırsatları", "Uğur Özmen fırsatları"),
        ("A.Ş.'nin", "A.Ş."),
        ("D'Angelo", "D'Angelo"),
        ("rock'n'roll", "rock'n'roll"),
        ("Özmen’e", "Özmen"),
    ],
)
def test_only_our_endings_are_cut_after_an_apostrophe(text, expected):
    assert strip_marked(text) == expected


def test_glued_endings_keep_vowel_harmony():
    assert "ozmen" in stems("ozmene")
    assert stems("ozmena") == []
    assert "ayse" in stems("ayseye")
    assert "kemal" in stems("kemale")  # a palatal l takes a front ending
