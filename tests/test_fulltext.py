"""/search over interaction notes and task titles: folding, scope, archive, paging, snippets."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage.fulltext import snippet
from storage.models import Customer, Interaction
from tests.conftest import START, Chat, add_customer, add_rep, add_task


@pytest.fixture
def team(services):
    boss = add_rep(services, "Mert Kaya", role="manager")
    return {
        "boss": boss,
        "ayse": add_rep(services, "Ayşe Yılmaz", manager_id=boss.id, language="tr"),
        "deniz": add_rep(services, "Deniz Ateş"),
    }


def note(services, customer, text: str, days_ago: int, outcome: str | None = None) -> Interaction:
    with services.db.session(write=True) as s:
        item = Interaction(
            kind="meeting",
            summary=text,
            outcome=outcome,
            customer_id=customer.id,
            occurred_at=START - timedelta(days=days_ago),
        )
        s.add(item)
        s.flush()
        return item


def test_turkish_letters_and_accents_fold_both_ways(services, team) -> None:
    kaya = add_customer(services, "Kaya İnşaat", owner_id=team["ayse"].id)
    note(services, kaya, "Görüşme iyi geçti, ışık sistemi için fiyat istediler", 2)
    note(services, kaya, "Telefonda kısa konuştuk", 1, outcome="İSKONTO bekliyorlar")
    ayse = Chat(services, team["ayse"])
    found = ayse.say("/arama gorusme").text
    assert found.splitlines()[0] == '"gorusme": 1 sonuç'
    assert "21 Kas 2026 · Kaya İnşaat · not: «Görüşme» iyi geçti" in found
    assert "«ışık»" in ayse.say("/arama ISIK").text
    assert "«ışık»" in ayse.say("/arama işik").text
    assert "«İSKONTO»" in ayse.say("/arama iskonto").text  # the outcome is a note too
    assert "ışık" in ayse.say("/arama ıŞık fİyat").text  # every word must appear
    assert ayse.say("/arama ışık teslimat").text.startswith("Notlarda ve görev başlıklarında")


def test_tasks_are_found_newest_first_and_edits_reindex(services, team, clock) -> None:
    kaya = add_customer(services, "Kaya İnşaat", owner_id=team["ayse"].id)
    note(services, kaya, "teklif hazırlanacak", 5)
    add_task(
        services,
        team["ayse"],
        "Teklifi gönder",
        START + timedelta(days=1),
        customer_id=kaya.id,
        created_at=START - timedelta(days=1),
    )
    ayse = Chat(services, team["ayse"])
    lines = ayse.say("/search teklif").text.splitlines()
    assert lines[0] == '"teklif": 2 sonuç'
    assert lines[1].startswith("1. 22 Kas 2026 · Kaya İnşaat · görev: «Teklifi» gönder")
    assert lines[2].startswith("2. 18 Kas 2026 · Kaya İnşaat · not: «teklif»")
    ayse.say("/edit task #1 title Sözleşmeyi gönder")
    assert ayse.say("/search teklif").text.splitlines()[0] == '"teklif": 1 sonuç'
    assert "Sözleşmeyi" in ayse.say("/search sozlesme").text


def test_search_stays_within_what_the_asker_may_see(services, team) -> None:
    theirs = add_customer(services, "Ateş Tekstil", owner_id=team["deniz"].id)
    mine = add_customer(services, "Kaya İnşaat", owner_id=team["ayse"].id)
    note(services, theirs, "gizli fiyat listesi", 1)
    note(services, mine, "açık fiyat listesi", 2)
    add_task(services, team["deniz"], "fiyat listesini yolla", START)
    ayse = Chat(services, team["ayse"]).say("/search fiyat").text
    assert ayse.splitlines()[0] == '"fiyat": 1 sonuç' and "gizli" not in ayse
    boss = Chat(services, team["boss"]).say("/search fiyat").text  # Deniz is not in his team
    assert boss.startswith('"fiyat": 1 found')
    deniz = Chat(services, team["deniz"]).say("/search fiyat").text
    assert deniz.startswith('"fiyat": 2 found') and "Kaya" not in deniz


def test_a_manager_sees_the_team_and_unowned_customers_only(services, team) -> None:
    """A scoped reader's notes on PostgreSQL come from the match set joined to the customers
    they may see: the team's and unowned ones count and show, another team's and a merged
    customer's do not, and a word found only outside the team finds nothing."""
    ayses = add_customer(services, "Kaya İnşaat", owner_id=team["ayse"].id)
    unowned = add_customer(services, "Sahipsiz Ltd")
    merged = add_customer(services, "Eski Kaya", owner_id=team["ayse"].id)
    others = add_customer(services, "Ateş Tekstil", owner_id=team["deniz"].id)
    note(services, ayses, "vinç teklifi", 3)
    note(services, unowned, "vinç fiyatı", 2)
    note(services, merged, "vinç eski", 1)
    note(services, others, "vinç başkasının", 0)
    note(services, others, "gizlikelime yalnız orada", 0)
    with services.db.session(write=True) as s:
        s.get(Customer, merged.id).merged_into_id = ayses.id
    boss = Chat(services, team["boss"])
    lines = boss.say("/search vinç").text.splitlines()
    assert lines[0] == '"vinç": 2 found' and len(lines) == 3
    assert "Sahipsiz Ltd" in lines[1] and "Kaya İnşaat" in lines[2]
    assert boss.say("/search gizlikelime").text.startswith("Nothing in notes")
    assert Chat(services, team["deniz"]).say("/search vinç").text.startswith('"vinç": 2 found')


def test_archived_records_leave_search(services, team, admin) -> None:
    kaya = add_customer(services, "Kaya İnşaat", owner_id=team["ayse"].id)
    note(services, kaya, "vinç kiralama konuşuldu", 1)
    add_task(services, team["ayse"], "vinç teklifini ara", START, customer_id=kaya.id)
    elif_ = Chat(services, admin)
    assert elif_.say("/search vinç").text.startswith('"vinç": 2 found')
    elif_.press(elif_.say(f"/delete customer #{kaya.id}"), "Delete")
    assert elif_.say("/search vinc").text.startswith("Nothing in notes or task titles")


def test_search_pages_and_bad_input(services, team) -> None:
    kaya = add_customer(services, "Kaya İnşaat", owner_id=team["ayse"].id)
    for n in range(12):
        note(services, kaya, f"ziyaret {n}", n)
    ayse = Chat(services, team["ayse"])
    first = ayse.say("/arama ziyaret")
    assert first.text.startswith('"ziyaret": 12 sonuç, sayfa 1/2\n1. 23 Kas 2026')
    second = ayse.press(first, "Sonraki")
    assert len(second.choices) == 2 and "«ziyaret» 11" in second.text
    usage = ayse.say("/arama !!!").text
    assert "Kullanım: /arama <sözcükler>" in usage and "/arama fiyat indirim" in usage


def test_snippet_marks_words_and_cuts_around_the_first() -> None:
    text = "başında uzun bir giriş " * 10 + "sonunda Görüşme yapıldı ve fiyat konuşuldu"
    cut = snippet(text, ["gorusme", "fiyat"])
    assert cut.startswith("…") and "«Görüşme» yapıldı ve «fiyat» konuşuldu" in cut
    assert snippet("kısa not", ["kisa"]) == "«kısa» not"


@pytest.mark.parametrize("walk_from", [1, 10_000])  # walked newest first, or sorted
def test_many_matches_are_counted_to_a_cap_and_paged_newest_first(
    services, team, monkeypatch, walk_from
) -> None:
    """A common word: the count stops at the cap ("12+" here, "10,000+" in production) and
    the page is the newest notes and tasks merged, whichever way the notes are found."""
    from storage import fulltext

    monkeypatch.setattr(fulltext, "COUNTED", 12)
    monkeypatch.setattr(fulltext, "WALK_FROM", walk_from)
    kaya = add_customer(services, "Kaya İnşaat", owner_id=team["ayse"].id)
    for n in range(15):
        note(services, kaya, f"teklif {n}", n + 1)
    add_task(
        services, team["ayse"], "Teklifi gönder", START,
        customer_id=kaya.id, created_at=START - timedelta(hours=36),
    )  # fmt: skip
    other = add_customer(services, "Deniz Ltd", owner_id=team["deniz"].id)  # not Ayşe's
    note(services, other, "teklif başkasının", 0)
    ayse = Chat(services, team["ayse"])
    first = ayse.say("/arama teklif")
    lines = first.text.splitlines()
    assert lines[0] == '"teklif": 12+ sonuç, sayfa 1/2'
    # Newest first: the note of a day ago, the task of 36 hours ago, then two days ago …
    assert "«teklif» 0" in lines[1] and "görev: «Teklifi» gönder" in lines[2]
    assert "«teklif» 1" in lines[3] and "başkasının" not in first.text
    second = ayse.press(first, "Sonraki")
    assert "11. " in second.text and "«teklif» 9" in second.text
