"""/find, /customer and /customer add through the dispatcher, on a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage.models import AuditEvent, Customer, Interaction
from tests.conftest import Chat, add_customer, add_deal, add_task, count


@pytest.fixture
def people(services):
    return {
        "ugur": add_customer(
            services,
            "Uğur Özmen",
            phone="+905321112233",
            city="İstanbul",
            email="ugur@example.com.tr",
        ),
        "ankara": add_customer(services, "Mehmet Yıldırım", city="Ankara", phone="+905332223344"),
        "izmir": add_customer(services, "Mehmet Yıldırım", city="İzmir", phone="+905423334455"),
        "demirel": add_customer(services, "Mehmet Demirel", city="Bursa"),
        "anadolu": add_customer(services, "Anadolu Lojistik A.Ş.", phone="+902164445566"),
    }


@pytest.mark.parametrize(
    "query", ["ugur ozmen", "UĞUR ÖZMEN", "Özmen Uğur", "Dr. Uğur Hami Özmen", "uğur özmen"]
)
def test_find_turkish_variants_open_the_card(chat: Chat, people, query: str) -> None:
    reply = chat.say(f"/find {query}")
    assert reply.card is not None and reply.card.id == people["ugur"].id
    assert ("Phone", "0532 111 22 33") in reply.card.fields


@pytest.mark.parametrize(
    "phone", ["0532 111 22 33", "+90 (532) 111-22-33", "5321112233", "+905321112233"]
)
def test_find_by_phone_in_any_format(chat: Chat, people, phone: str) -> None:
    reply = chat.say(f"/find {phone}")
    assert reply.card is not None and reply.card.id == people["ugur"].id


def test_find_by_email_ignores_case(chat: Chat, people) -> None:
    reply = chat.say("/find UGUR@Example.com.tr")
    assert reply.card is not None and reply.card.id == people["ugur"].id


def test_homonyms_are_both_offered_never_guessed(chat: Chat, people) -> None:
    reply = chat.say("/find mehmet yildirim")
    assert reply.card is None
    commands = [c.command for c in reply.choices]
    assert commands == [f"/customer #{people['ankara'].id}", f"/customer #{people['izmir'].id}"]
    assert "Ankara" in reply.choices[0].label and "İzmir" in reply.choices[1].label
    picked = chat.say(commands[1])
    assert picked.card is not None and picked.card.id == people["izmir"].id


def test_near_name_is_only_suggested(chat: Chat, people) -> None:
    reply = chat.say("/find Mehmet Demir")
    assert reply.card is None
    assert reply.text.startswith("No exact match")
    assert [c.command for c in reply.choices] == [f"/customer #{people['demirel'].id}"]


def test_company_found_without_its_legal_suffix(chat: Chat, people) -> None:
    reply = chat.say("/find anadolu lojistik")
    assert reply.card is not None and reply.card.id == people["anadolu"].id


def test_find_nothing_offers_to_add(chat: Chat, people) -> None:
    reply = chat.say("/find Zeynep Kaya")
    assert "No customer matches" in reply.text
    assert reply.buttons[0].command == "/customer add Zeynep Kaya"


def test_find_without_arguments_shows_usage(chat: Chat) -> None:
    reply = chat.say("/find")
    assert "Usage: /find" in reply.text and "Example: /find" in reply.text


def test_card_shows_deals_history_and_tasks(services, chat: Chat, admin, people, clock) -> None:
    ugur = people["ugur"]
    add_deal(services, ugur, "Danışmanlık paketi", "60000", stage="Qualified")
    add_task(services, admin, "Teklif gönder", clock.now + timedelta(days=1), customer_id=ugur.id)
    chat.say(f"/log visit #{ugur.id} showroom visit")
    fields = dict(chat.say(f"/customer #{ugur.id}").card.fields)
    assert "Danışmanlık paketi" in fields["Open deals"] and "Qualified" in fields["Open deals"]
    assert "showroom visit" in fields["Last interactions"]
    assert "Teklif gönder" in fields["Open tasks"]
    buttons = [b.command for b in chat.say(f"/customer #{ugur.id}").buttons]
    ref = f"#{ugur.id}"
    assert buttons == [f"/log call {ref}", f"/task {ref}", f"/deal add {ref}", f"/deals {ref}",
                       f"/edit customer {ref}", f"/delete customer {ref}"]  # fmt: skip


def test_customer_add_normalises_phone_and_email(services, chat: Chat, admin) -> None:
    reply = chat.say("/customer add Kaya Mimarlık 0532 555 12 34 Info@KayaMimarlik.com.tr")
    assert reply.text == "Customer added: Kaya Mimarlık"
    fields = dict(reply.card.fields)
    assert fields["Phone"] == "0532 555 12 34"  # stored as +905325551234, shown as read
    assert fields["E-mail"] == "info@kayamimarlik.com.tr"
    assert fields["Owner"] == admin.name
    found = chat.say("/find kaya mimarlik")
    assert found.card is not None and found.card.id == reply.card.id


def test_customer_add_warns_of_duplicates_and_can_go_ahead(services, chat: Chat, people) -> None:
    before = count(services, Customer)
    reply = chat.say("/customer add ÖZMEN UĞUR 0555 000 00 00")
    assert count(services, Customer) == before
    assert "same name" in reply.text and f"#{people['ugur'].id}" in reply.text
    assert reply.choices[0].command == f"/customer #{people['ugur'].id}"
    created = chat.press(reply, "Create anyway")
    assert created.text.startswith("Customer added")
    assert count(services, Customer) == before + 1


def test_customer_add_same_phone_is_a_duplicate(services, chat: Chat, people) -> None:
    reply = chat.say("/customer add Başka Firma +90 216 444 55 66")
    assert "same phone" in reply.text and "Anadolu Lojistik" in reply.text


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("/customer add", "needs a name"),
        ("/customer add Kaya 0532 12", "not a valid phone"),
        ("/customer add Kaya a@b.com c@d.com", "at most one e-mail"),
    ],
)
def test_customer_add_bad_input_writes_nothing(services, chat: Chat, text, problem) -> None:
    before = (count(services, Customer), count(services, AuditEvent))
    reply = chat.say(text)
    assert problem in reply.text and "Usage: /customer add" in reply.text
    assert (count(services, Customer), count(services, AuditEvent)) == before


def test_customer_reference_by_unknown_id(chat: Chat) -> None:
    assert "No customer matches" in chat.say("/customer #999").text
    assert count(chat.services, Interaction) == 0
