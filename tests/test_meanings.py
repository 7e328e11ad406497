"""An unknown command is answered by what it means before how it is spelt: "/tahmin" and
"/forecast" are /pipeline, "/düzenle" says honestly that editing is not possible yet."""

from __future__ import annotations

import pytest

from handlers.kit import REGISTRY, catalog, keywords
from tests.conftest import Chat, add_rep


@pytest.mark.parametrize(
    ("typed", "command"),
    [
        ("/tahmin", "pipeline"),
        ("/forecast", "pipeline"),
        ("/aktivite", "customer"),
        ("/activities", "customer"),
        ("/istatistik", "digest"),
        ("/stats", "digest"),
        ("/todo send the quote", "task"),
        ("/hatırlat", "task"),
        ("/opportunity", "deal"),
        ("/kazandık", "stage"),
        ("/lookup Acme", "find"),
        ("/new", "customer add"),
    ],
)
def test_a_synonym_points_to_the_command(chat: Chat, typed, command) -> None:
    reply = chat.say(typed)
    assert reply.text == f"There is no {typed.split()[0]}: /{command} does that."
    assert reply.buttons[0].command == f"/help {command.replace(' ', '_')}"


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("/sil #12", "#12 numaralı, size ait bir kayıt yok"),
        ("/düzenle #3", ""),
        ("/geri al", "Son 15 dakikada geri alınacak"),
    ],
)
def test_what_was_missing_now_runs(services, typed, answer) -> None:
    """Delete, edit and undo were "not possible yet"; their words now run the commands."""
    rep = add_rep(services, "Ayşe Yılmaz", language="tr")
    reply = Chat(services, rep).say(typed)
    assert "henüz" not in reply.text and "diye bir komut yok" not in reply.text
    assert answer in reply.text


def test_spelling_still_helps_where_no_meaning_is_known(chat: Chat) -> None:
    assert "Did you mean /pipeline?" in chat.say("/pipelin").text


def test_every_meaning_names_a_command_and_no_word_means_two_things() -> None:
    keys = [k for k in catalog("en") if k.startswith(("kw.meaning.", "kw.missing."))]
    for key in keys:
        if key.startswith("kw.meaning."):
            assert key.removeprefix("kw.meaning.").replace("_", " ") in REGISTRY, key
    words = [w for key in keys for w in keywords(key)]
    assert len(words) == len(set(words)), "a word in two meanings"
