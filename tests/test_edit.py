"""/edit: every field kind in both languages, the guided flow from the card's Edit button,
refusals that write nothing, and another rep's record refused by the session scope."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from storage.models import AuditEvent, Contact, ContactPoint, Customer, Deal, RawValue, Task
from tests.conftest import Chat, add_customer, add_deal, add_rep, add_task, count, rows


def one(services, model, id_):
    return next(r for r in rows(services, model) if r.id == id_)


@pytest.fixture
def ayse(services):
    return add_rep(services, "Ayşe Yılmaz", language="tr")


@pytest.fixture
def can(services):
    return add_rep(services, "Can Demir", language="en")


def test_customer_name_city_tags_and_dnc_in_english(services, can) -> None:
    c = add_customer(services, "Kaya Insaat", owner_id=can.id, tags=["old"])
    chat = Chat(services, can)
    reply = chat.say(f"/edit #{c.id} name Kaya İnşaat")
    assert "Kaya Insaat → Kaya İnşaat" in reply.text
    assert reply.card is not None and reply.card.title == "Kaya İnşaat"
    chat.say(f"/edit customer #{c.id} city Ankara")
    chat.say(f"/edit #{c.id} tags +vip -old")
    reply = chat.say(f"/edit #{c.id} dnc on")
    assert "Do not contact: no → yes" in reply.text
    saved = one(services, Customer, c.id)
    assert (saved.name, saved.city, saved.tags, saved.do_not_contact) == (
        "Kaya İnşaat",
        "Ankara",
        ["vip"],
        True,
    )
    chat.say(f"/edit #{c.id} city none")
    assert one(services, Customer, c.id).city is None


def test_customer_fields_in_turkish_and_the_old_spelling(services, ayse) -> None:
    c = add_customer(services, "Doğan Ltd", owner_id=ayse.id)
    chat = Chat(services, ayse)
    reply = chat.say(f"/düzenle #{c.id} şehir İzmir; etiket vip, önemli; aranmasın açık")
    assert reply.text.startswith('"Doğan Ltd" kaydedildi:')
    saved = one(services, Customer, c.id)
    assert (saved.city, saved.tags, saved.do_not_contact) == ("İzmir", ["vip", "önemli"], True)
    chat.say(f"/customer edit #{c.id} name Doğan Yapı")
    assert one(services, Customer, c.id).name == "Doğan Yapı"


def test_phones_several_with_one_primary(services, ayse) -> None:
    c = add_customer(services, "Acme", owner_id=ayse.id, phone="+905321112233")
    chat = Chat(services, ayse)
    chat.say(f"/değiştir #{c.id} telefon ekle 0533 444 55 66")
    points = rows(services, ContactPoint)
    assert [p.value for p in points] == ["+905334445566"]
    reply = chat.say(f"/edit #{c.id} phone primary 0533 444 55 66")
    assert "→" in reply.text
    saved = one(services, Customer, c.id)
    assert saved.phone == "+905334445566"
    assert [p.value for p in rows(services, ContactPoint)] == ["+905321112233"]
    chat.say(f"/edit #{c.id} phone remove 0533 444 55 66")
    assert one(services, Customer, c.id).phone == "+905321112233"
    assert rows(services, ContactPoint) == []
    chat.say(f"/edit #{c.id} phone 0534 999 88 77")
    assert one(services, Customer, c.id).phone == "+905349998877"


def test_emails_add_and_replace(services, can) -> None:
    c = add_customer(services, "Acme", owner_id=can.id, email="old@acme.com")
    chat = Chat(services, can)
    chat.say(f"/edit #{c.id} email add sales@acme.com")
    chat.say(f"/edit #{c.id} email Info@Acme.com")
    saved = one(services, Customer, c.id)
    assert saved.email == "info@acme.com"
    assert [p.value for p in rows(services, ContactPoint)] == ["sales@acme.com"]


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("phone 12", "is not a phone number"),
        ("email not-an-address", "is not a valid e-mail"),
        ("dnc maybe", "say on or off"),
        ("colour red", "is not a field"),
        ("phone remove 0535 111 22 33", "has no phone"),
    ],
)
def test_a_bad_value_answers_with_usage_and_writes_nothing(services, can, typed, problem) -> None:
    c = add_customer(services, "Acme", owner_id=can.id, phone="+905321112233")
    before = count(services, AuditEvent)
    reply = Chat(services, can).say(f"/edit #{c.id} {typed}")
    assert problem in reply.text
    assert "Usage: /edit" in reply.text and "Example" in reply.text
    assert count(services, AuditEvent) == before
    assert one(services, Customer, c.id).phone == "+905321112233"


def test_a_bad_value_in_turkish(services, ayse) -> None:
    c = add_customer(services, "Acme", owner_id=ayse.id)
    reply = Chat(services, ayse).say(f"/düzenle #{c.id} eposta yanlış")
    assert "geçerli bir e-posta adresi değil" in reply.text
    assert "/düzenle" in reply.text


def test_deal_fields(services, can) -> None:
    c = add_customer(services, "Acme", owner_id=can.id)
    other = add_customer(services, "Beta", owner_id=can.id)
    d = add_deal(services, c, "Fleet", "1000", owner_id=can.id)
    chat = Chat(services, can)
    reply = chat.say(f"/edit deal #{d.id} amount 250k")
    assert "Amount: " in reply.text and "→" in reply.text
    chat.say(f"/edit deal #{d.id} title Fleet renewal; currency USD; close 2026-12-31")
    chat.say(f"/edit deal #{d.id} customer #{other.id}")
    chat.say(f"/edit deal #{d.id} reason too expensive")
    saved = one(services, Deal, d.id)
    assert saved.amount == Decimal("250000.00")
    assert (saved.title, saved.currency, str(saved.expected_close)) == (
        "Fleet renewal",
        "USD",
        "2026-12-31",
    )
    assert (saved.customer_id, saved.lost_reason) == (other.id, "too expensive")
    refused = chat.say(f"/edit deal #{d.id} closing amount 100")
    assert "is not won" in refused.text
    assert "is not an amount" in chat.say(f"/edit deal #{d.id} amount lots").text


def test_closing_amount_of_a_won_deal_in_turkish(services, ayse) -> None:
    c = add_customer(services, "Acme", owner_id=ayse.id)
    d = add_deal(
        services, c, "Filo", "1000", stage="Won", owner_id=ayse.id, closed_amount=Decimal(900)
    )
    Chat(services, ayse).say(f"/düzenle fırsat #{d.id} kapanış tutarı 950")
    assert one(services, Deal, d.id).closed_amount == Decimal("950.00")


def test_task_fields(services, ayse, clock) -> None:
    c = add_customer(services, "Acme", owner_id=ayse.id)
    d = add_deal(services, c, "Filo", "1000", owner_id=ayse.id)
    task = add_task(services, ayse, "teklif", clock() + timedelta(days=1))
    chat = Chat(services, ayse)
    chat.say(f"/düzenle görev #{task.id} başlık teklifi gönder; müşteri #{c.id}; fırsat #{d.id}")
    reply = chat.say(f"/düzenle görev #{task.id} son tarih 2026-12-01 10:00")
    assert "Son tarih" in reply.text
    saved = one(services, Task, task.id)
    assert (saved.title, saved.customer_id, saved.deal_id) == ("teklifi gönder", c.id, d.id)
    assert (
        saved.due_at.astimezone(ZoneInfo(services.settings.crm_timezone)).strftime("%Y-%m-%d %H:%M")
        == "2026-12-01 10:00"
    )
    assert "bir tarih değil" in chat.say(f"/düzenle görev #{task.id} tarih mavi").text


def test_contacts_add_edit_remove(services, ayse, can) -> None:
    c = add_customer(services, "Acme", owner_id=can.id)
    chat = Chat(services, can)
    chat.say(f"/edit contact #{c.id} add Ali Veli 0532 111 22 33")
    chat.say(f"/edit contact #{c.id} 1 role Purchasing")
    person = rows(services, Contact)[0]
    assert (person.name, person.role, person.phone) == ("Ali Veli", "Purchasing", "+905321112233")
    Chat(services, can).say(f"/edit contact #{c.id} Ali eposta ali@acme.com")
    assert rows(services, Contact)[0].email == "ali@acme.com"
    chat.say(f"/edit contact #{c.id} 1 remove")
    assert rows(services, Contact) == []


def test_turkish_contact_add(services, ayse) -> None:
    c = add_customer(services, "Acme", owner_id=ayse.id)
    Chat(services, ayse).say(f"/düzenle kişi #{c.id} ekle Zeynep Kaya")
    Chat(services, ayse).say(f"/düzenle kişi #{c.id} zeynep rol satın alma")
    assert (rows(services, Contact)[0].name, rows(services, Contact)[0].role) == (
        "Zeynep Kaya",
        "satın alma",
    )


def test_another_reps_record_is_refused(services, ayse, can) -> None:
    c = add_customer(services, "Acme", owner_id=can.id)
    before = count(services, AuditEvent)
    reply = Chat(services, ayse).say(f"/düzenle #{c.id} şehir Bursa")
    assert one(services, Customer, c.id).city is None
    assert count(services, AuditEvent) == before
    assert "Bursa" not in reply.text


def test_the_edit_writes_the_audit_trail(services, can) -> None:
    c = add_customer(services, "Acme", owner_id=can.id)
    Chat(services, can).say(f"/edit #{c.id} city Ankara")
    last = rows(services, AuditEvent)[-1]
    assert last.changes["city"] == [None, "Ankara"]


def test_an_edit_drops_the_stale_raw_value(services, can) -> None:
    c = add_customer(services, "Acme", owner_id=can.id)
    with services.db.session(write=True) as s:
        s.add(RawValue(entity="customer", entity_id=c.id, customer_id=c.id, field="phone",
                       raw="0532 11", problem="bad_phone"))  # fmt: skip
    Chat(services, can).say(f"/edit #{c.id} phone 0532 111 22 33")
    assert rows(services, RawValue) == []


def test_the_guided_flow_from_the_card_button(services, can) -> None:
    c = add_customer(services, "Acme", owner_id=can.id)
    chat = Chat(services, can)
    card = chat.say(f"/customer #{c.id}")
    menu = chat.press(card, "Edit")
    assert [b.label for b in menu.choices][:2] == ["Name", "Phones"]
    question = chat.press(menu, "City")
    assert "New City" in question.text
    reply = chat.say("Eskişehir")
    assert "City: — → Eskişehir" in reply.text
    assert one(services, Customer, c.id).city == "Eskişehir"


def test_the_guided_flow_in_turkish_on_a_deal(services, ayse) -> None:
    c = add_customer(services, "Acme", owner_id=ayse.id)
    d = add_deal(services, c, "Filo", "1000", owner_id=ayse.id)
    chat = Chat(services, ayse)
    menu = chat.press(chat.say(f"/deal #{d.id}"), "Düzenle")
    question = chat.press(menu, "Tutar")
    assert "Yeni Tutar" in question.text
    assert "Tutar:" in chat.say("2500 TL").text
    assert one(services, Deal, d.id).amount == Decimal("2500.00")


def test_edit_is_no_longer_missing(services, can) -> None:
    reply = Chat(services, can).say("/update")
    assert "/edit does that" in reply.text


def test_a_small_amount_is_questioned_as_when_the_deal_was_added(services, can) -> None:
    c = add_customer(services, "Acme", owner_id=can.id)
    d = add_deal(services, c, "Fleet", "1000", owner_id=can.id)
    chat = Chat(services, can)
    asked = chat.say(f"/edit deal #{d.id} amount 2")
    assert asked.text.startswith("₺2? That seems small")
    assert one(services, Deal, d.id).amount == Decimal("1000.00")
    chat.press(asked, "Keep")
    assert one(services, Deal, d.id).amount == Decimal("2.00")
