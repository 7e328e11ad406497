"""Duplicate detection (storage.quality.dupes, /dupes, /customer add) and /quality, on a real
database."""

from __future__ import annotations

import pytest

from storage.folding import name_key
from storage.models import Customer
from storage.quality import dupes
from tests.conftest import Chat, add_customer, add_deal, count


def person(i: int, name: str, phone: str | None = None, email: str | None = None):
    return dupes.Person(
        i,
        name,
        name_key(name),
        frozenset([phone] if phone else []),
        frozenset([email] if email else []),
    )


@pytest.mark.parametrize(
    "variant",
    [
        "Ugur Ozmen",  # no Turkish letters
        "ÖZMEN UĞUR",  # word order, capitals
        "Dr. Uğur Özmen",  # title
        "Uğur Hami Özmen",  # a middle name more
        "Uğur Özmne",  # a typo
    ],
)
def test_scan_finds_name_variants(variant: str) -> None:
    groups = dupes.scan([person(1, "Uğur Özmen"), person(2, variant), person(3, "Ayşe Kaya")])
    assert [g.ids for g in groups] == [[1, 2]]
    assert not groups[0].homonym


def test_scan_finds_shared_phones_and_emails_under_other_names() -> None:
    groups = dupes.scan(
        [
            person(1, "Anadolu Lojistik A.Ş.", phone="+902164445566"),
            person(2, "ANADOLU LOJ. DEPO", phone="+902164445566"),
            person(3, "Kaya Mimarlık", email="info@kaya.com.tr"),
            person(4, "Selin Kaya", email="info@kaya.com.tr"),
        ]
    )
    assert [g.ids for g in groups] == [[1, 2], [3, 4]]
    assert groups[0].pairs[0].shared_phones == ("+902164445566",)
    assert groups[1].pairs[0].shared_emails == ("info@kaya.com.tr",)


def test_homonyms_are_labelled_ranked_last_and_never_grouped() -> None:
    groups = dupes.scan(
        [
            person(1, "Mehmet Yıldırım", phone="+905332223344"),
            person(2, "Mehmet Yıldırım", phone="+905423334455"),
            person(3, "Uğur Özmen", phone="+905321112233"),
            person(4, "Ugur Ozmen"),
        ]
    )
    assert [(g.ids, g.homonym) for g in groups] == [([3, 4], False), ([1, 2], True)]
    assert groups[1].confidence == 0


def test_different_people_with_similar_names_are_not_listed() -> None:
    found = dupes.scan(
        [
            person(1, "Mehmet Demir", phone="+905332223344"),
            person(2, "Mehmet Demirel", phone="+905423334455"),
        ]
    )
    assert found == []


def test_a_common_name_alone_makes_no_group() -> None:
    namesakes = [person(i, "Mehmet Yılmaz") for i in range(1, 8)]  # no contact data at all
    assert dupes.scan(namesakes) == []
    tied = [
        *namesakes,
        person(8, "Mehmet Yilmaz", email="m@x.com"),
        person(9, "M. Yılmaz", email="m@x.com"),
    ]
    assert [g.ids for g in dupes.scan(tied)] == [[8, 9]]


@pytest.fixture
def crm(services):
    return {
        "ugur": add_customer(services, "Uğur Özmen", phone="+905321112233", city="İstanbul"),
        "ugur2": add_customer(services, "Ugur Ozmen", email="ugur@example.com.tr"),
        "ankara": add_customer(services, "Mehmet Yıldırım", city="Ankara", phone="+905332223344"),
        "izmir": add_customer(services, "Mehmet Yıldırım", city="İzmir", phone="+905423334455"),
        "acme": add_customer(services, "Acme Corporation", email="sales@acme.example"),
    }


def test_dupes_lists_groups_with_evidence_and_a_merge_button(chat: Chat, crm) -> None:
    reply = chat.say("/dupes")
    assert reply.text.startswith("Likely duplicates (1 group), best first:")
    assert f"#{crm['ugur'].id} ~ #{crm['ugur2'].id}: same name" in reply.text
    assert "1 pair shares a name but not the phone or e-mail" in reply.text
    assert [b.command for b in reply.buttons] == [f"/merge #{crm['ugur'].id} #{crm['ugur2'].id}"]
    of_one = chat.say("/dupes acme corporation")
    assert of_one.text == "No likely duplicates of Acme Corporation found."


def test_customer_add_shows_a_similar_name_with_the_evidence(services, chat: Chat, crm) -> None:
    before = count(services, Customer)
    reply = chat.say("/customer add Uğur Özmne 0532 111 22 33")
    assert count(services, Customer) == before
    assert "same phone 0532 111 22 33" in reply.text and "names 90% alike" in reply.text
    assert reply.choices[0].command == f"/customer #{crm['ugur'].id}"
    assert [b.label for b in reply.buttons] == ["Create anyway"]


def test_customer_add_offers_namesakes_as_possibly_someone_else(services, chat: Chat, crm) -> None:
    reply = chat.say("/customer add Mehmet Yıldırım 0555 000 00 00")
    assert reply.text.startswith('Customers named like "Mehmet Yıldırım" are already in the CRM')
    assert reply.text.count("possibly two people") == 2
    created = chat.press(reply, "Create anyway")
    assert created.text == "Customer added: Mehmet Yıldırım"


def test_quality_counts_what_is_missing_or_wrong(services, chat: Chat, crm) -> None:
    bare = add_customer(services, "Zeytin Dalı Kooperatifi")
    add_customer(services, "Eski Kayıt", phone="+90123")  # loaded before normalisation
    add_deal(services, crm["acme"], "Renewal", "0")
    add_deal(services, crm["acme"], "Closed one", "0", stage="Won")  # closed: not counted
    with services.db.session(write=True) as s:
        from storage import deals
        from storage.models import Deal

        lead = next(st for st in deals.stages(s) if st.name == "Lead")
        s.add(Deal(title="Orphan", amount=1000, stage_id=lead.id))
    reply = chat.say("/quality")
    lines = reply.text.splitlines()
    assert lines[0] == "Data quality:"
    assert "• Customers without any phone or e-mail: 1" in lines
    assert f"   – Zeytin Dalı Kooperatifi (#{bare.id})" in lines
    assert "• Invalid phone numbers: 1" in lines
    assert "• Open deals without a customer: 1" in lines
    assert "• Open deals without an amount: 1" in lines
    assert "• Likely duplicate groups: 1" in lines
    assert "• Namesakes kept apart: 1" in lines
    assert [b.command for b in reply.buttons] == ["/dupes"]


def test_quality_on_clean_data(chat: Chat, services) -> None:
    add_customer(services, "Kaya Mimarlık", phone="+905325551234")
    assert chat.say("/quality").text.startswith("Nothing to fix")


def test_turkish_quality_report(services, crm) -> None:
    from tests.conftest import add_rep

    tr = Chat(services, add_rep(services, "Ayşe Yılmaz", role="manager", language="tr"))
    reply = tr.say("/kalite")
    assert reply.text.startswith("Veri kalitesi:")
    assert "Muhtemel mükerrer kayıt grupları: 1" in reply.text
