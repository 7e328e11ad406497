"""/customers and /deals with filters, through the dispatcher, in both languages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage.models import Interaction
from tests.conftest import START, Chat, add_customer, add_deal, add_rep


@pytest.fixture
def team(services):
    boss = add_rep(services, "Mert Kaya", role="manager")
    other_boss = add_rep(services, "Nil Ak", role="manager")
    return {
        "boss": boss,
        "ayse": add_rep(services, "Ayşe Yılmaz", manager_id=boss.id, language="tr"),
        "can": add_rep(services, "Can Demir", manager_id=boss.id),
        "deniz": add_rep(services, "Deniz Ateş", manager_id=other_boss.id),
    }


def touch(services, customer, days_ago: int) -> None:
    with services.db.session(write=True) as s:
        s.add(
            Interaction(
                kind="call",
                summary="called",
                customer_id=customer.id,
                occurred_at=START - timedelta(days=days_ago),
            )
        )


@pytest.fixture
def book(services, team):
    ayse, can, deniz = team["ayse"], team["can"], team["deniz"]
    found = {
        "kaya": add_customer(
            services, "Kaya İnşaat", city="İstanbul", tags=["vip"], owner_id=ayse.id
        ),
        "ozmen": add_customer(services, "Özmen Ltd", city="Ankara", owner_id=ayse.id),
        "demir": add_customer(
            services, "Demir Gıda", city="istanbul", tags=["VIP", "retail"], owner_id=can.id
        ),
        "ates": add_customer(
            services, "Ateş Tekstil", city="İzmir", tags=["vip"], owner_id=deniz.id
        ),
    }
    touch(services, found["kaya"], 3)
    touch(services, found["ozmen"], 45)
    touch(services, found["demir"], 40)
    return found


def test_customers_filter_by_city_tag_and_idle_days(services, team, book) -> None:
    boss = Chat(services, team["boss"])
    everyone = boss.say("/customers").text
    assert everyone.startswith("Customers (3)")  # Deniz's customer is another team's
    assert "Ateş" not in everyone
    assert "Kaya İnşaat · İstanbul · Ayşe Yılmaz · last activity Nov 20, 2026" in everyone
    istanbul = boss.say("/customers city istanbul").text
    assert istanbul.startswith("Customers (2)") and "Özmen" not in istanbul
    both = boss.say("/customers city istanbul tag vip no activity 30 days").text
    assert both.splitlines()[1:] == [
        "1. Demir Gıda · istanbul · Can Demir · last activity Oct 14, 2026"
    ]
    alternatives = boss.say("/customers city Ankara, İzmir").text
    assert alternatives.startswith("Customers (1)") and "Özmen Ltd" in alternatives
    assert boss.say("/customers tag vip tag retail").text.startswith("Customers (1)")
    assert boss.say("/customers city Paris").text == "No customers match."
    assert boss.say("/customers tag nosuchtag").text == "No customers match."


def test_customers_in_turkish_with_owner_filters(services, team, book) -> None:
    ayse = Chat(services, team["ayse"])
    mine = ayse.say("/müşteriler sahibi benim").text
    assert mine.startswith("Müşteriler (2)") and "Demir Gıda" not in mine
    idle = ayse.say("/musteriler 30 gündür aktivite yok").text
    assert idle.startswith("Müşteriler (2)") and "Özmen Ltd" in idle and "Kaya" not in idle
    same = ayse.say("/müşteriler aktivite yok 30 gün şehir ankara").text
    assert same.startswith("Müşteriler (1)") and "son aktivite 9 Eki 2026" in same
    team_view = ayse.say("/müşteriler sahibi ekip").text
    assert team_view.startswith("Müşteriler (3)")
    by_name = ayse.say("/müşteriler Can Demir").text
    assert by_name.startswith("Müşteriler (1)") and "Demir Gıda" in by_name


def test_a_rep_cannot_list_another_teams_customers(services, team, book) -> None:
    ayse = Chat(services, team["ayse"])
    refused = ayse.say("/müşteriler sahibi Deniz Ateş").text
    assert "Deniz Ateş'in kayıtlarını listeleyemezsiniz" in refused
    assert "Ateş Tekstil" not in refused
    can = Chat(services, team["can"])
    assert "You can't list Deniz Ateş's records" in can.say("/customers owner Deniz Ateş").text


def test_unknown_filter_words_get_usage_and_an_example(services, team, book) -> None:
    en = Chat(services, team["can"]).say("/customers colour red").text
    assert en.startswith('I can\'t filter by "colour".')
    assert "Example: /customers city Istanbul" in en
    tr = Chat(services, team["ayse"]).say("/müşteriler renk kırmızı").text
    assert tr.startswith('"renk" ile süzemiyorum.') and "/müşteriler şehir İstanbul" in tr
    assert "Kaç gün" in Chat(services, team["ayse"]).say("/müşteriler aktivite yok").text


def test_customers_page_ten_at_a_time(services, team) -> None:
    for n in range(23):
        add_customer(services, f"Firma {n:02d}", owner_id=team["can"].id)
    can = Chat(services, team["can"])
    first = can.say("/customers owner me")
    assert first.text.startswith("Customers (23), page 1 of 3")
    assert len(first.choices) == 10 and [b.label for b in first.buttons] == ["Next ›"]
    second = can.press(first, "Next")
    assert second.text.startswith("Customers (23), page 2 of 3")
    assert "11. Firma 10" in second.text
    assert [b.label for b in second.buttons] == ["‹ Previous", "Next ›"]
    third = can.press(second, "Next")
    assert len(third.choices) == 3 and [b.label for b in third.buttons] == ["‹ Previous"]
    assert can.press(third, "Previous").text == second.text


def test_deals_show_owner_stage_amount_and_filter(services, team, book) -> None:
    ayse, can = team["ayse"], team["can"]
    add_deal(services, book["kaya"], "Kule projesi", "250000", stage="Proposal", owner_id=ayse.id)
    add_deal(services, book["ozmen"], "Depo", "40000", owner_id=ayse.id)
    add_deal(services, book["demir"], "Raf sistemi", "90000", stage="Proposal", owner_id=can.id)
    add_deal(services, book["demir"], "Eski iş", "10000", stage="Won", owner_id=can.id)
    boss = Chat(services, team["boss"])
    proposals = boss.say("/deals stage proposal").text
    assert proposals.startswith("Deals (2)")
    assert (
        "Kule projesi — Proposal — ₺250,000 (#1) · Kaya İnşaat · Ayşe Yılmaz · last activity"
        in proposals
    )
    won = boss.say("/deals stage won owner Can Demir").text
    assert "Eski iş" in won and "Raf" not in won
    idle = boss.say("/deals owner team city istanbul no activity 30 days").text
    assert idle.startswith("Deals (1)") and "Raf sistemi" in idle
    tr = Chat(services, ayse).say("/fırsatlar aşama teklif").text
    assert tr.startswith("Fırsatlar (2)") and "Kule projesi — Teklif — ₺250.000" in tr  # her team


def test_a_reps_name_after_deals_is_the_owner_filter(services, team, book) -> None:
    add_deal(services, book["kaya"], "Kule projesi", "250000", owner_id=team["ayse"].id)
    add_deal(services, book["demir"], "Raf sistemi", "90000", owner_id=team["can"].id)
    boss = Chat(services, team["boss"])
    hers = boss.say("/firsatlar Ayşe Yılmaz").text
    assert hers.startswith("Deals (1)") and "Kule projesi" in hers and "Raf" not in hers
    of_customer = boss.say("/deals Demir Gıda").text  # anything else is still a customer
    assert of_customer.startswith("Demir Gıda's deals (1)")
    assert Chat(services, team["can"]).say("/deals").text.startswith("Your open deals (1)")


def test_archived_records_never_appear_in_lists(services, team, book) -> None:
    boss = Chat(services, team["boss"])
    add_deal(services, book["kaya"], "Kule projesi", "250000", owner_id=team["ayse"].id)
    asked = boss.say(f"/delete customer #{book['kaya'].id}")
    boss.press(asked, "Delete")
    assert "Kaya" not in boss.say("/customers").text
    assert boss.say("/deals all").text == "No deals yet."
