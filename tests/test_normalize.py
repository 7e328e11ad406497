"""Entry standards (storage.quality.normalize, storage.csvmap) and their use by /customer add."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storage import customers
from storage.folding import name_key
from storage.models import Customer
from storage.quality import normalize
from storage.transfer import csvmap
from tests.conftest import Chat, add_customer, count


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("ayşe yılmaz", "Ayşe Yılmaz"),
        ("İSTANBUL", "İstanbul"),
        ("ışık", "Işık"),
        ("AHMET YILDIRIM", "Ahmet Yıldırım"),
        ("ÇAĞRI GIDA A.Ş.", "Çağrı Gıda A.Ş."),
        ("ege tekstil san. ve tic. ltd. şti.", "Ege Tekstil San. ve Tic. Ltd. Şti."),
        ("oğuz-han ışık", "Oğuz-Han Işık"),
        ("  kaya   mimarlık ", "Kaya Mimarlık"),
        ("IBM", "IBM"),
        ("McKinsey", "McKinsey"),
        ("iPhone Servis", "iPhone Servis"),
        ("WAX WORKS", "Wax Works"),  # q/w/x are not Turkish letters: English casing
    ],
)
def test_names_are_trimmed_and_recased_the_turkish_way(typed: str, shown: str) -> None:
    assert normalize.display_name(typed, "TR") == shown


@pytest.mark.parametrize(
    "variant",
    [
        "Anadolu Lojistik A.Ş.",
        "ANADOLU LOJİSTİK AŞ",
        "Anadolu Lojistik Anonim Şirketi",
        "anadolu lojistik a. s.",
        "Anadolu Lojistik San. ve Tic. A.Ş.",
        "Anadolu Lojistik Ltd. Şti.",
        "Anadolu Lojistik Limited Şirketi",
        "Anadolu Lojistik Sanayi ve Ticaret Ltd. Şti.",
        "Lojistik Anadolu Tic. Ltd. Şti.",
    ],
)
def test_legal_suffix_variants_match_but_are_shown_as_entered(variant: str) -> None:
    assert name_key(variant) == name_key("Anadolu Lojistik")
    assert normalize.display_name(variant).split()[-1] != ""


@pytest.mark.parametrize(
    "typed",
    [
        "0532 111 22 33",
        "05321112233",
        "+90 (532) 111-22-33",
        "90 532 111 22 33",
        "0090 532 111 2233",
        "532.111.22.33",
        "(0532) 111 22 33",
    ],
)
def test_phones_in_many_formats_become_one_e164(typed: str) -> None:
    assert normalize.phone(typed, "TR").value == "+905321112233"


@pytest.mark.parametrize(
    ("typed", "problem"),
    [("0532 12", "digits"), ("call me", "not_phone"), ("", "empty")],
)
def test_bad_phones_say_why(typed: str, problem: str) -> None:
    checked = normalize.phone(typed, "TR")
    assert checked.value is None and checked.problem == problem


def test_foreign_numbers_keep_their_country() -> None:
    assert normalize.phone("+1 212 555 0100", "TR").value == "+12125550100"
    assert normalize.phone("020 7946 0000", "GB").value == "+442079460000"


def test_several_phones_in_one_cell() -> None:
    cell = "0532 111 22 33 / 0212 444 55 66; +90 216 444 55 66"
    assert [normalize.phone(p).value for p in normalize.split_phones(cell)] == [
        "+905321112233",
        "+902124445566",
        "+902164445566",
    ]


def test_emails_are_validated_and_lower_cased() -> None:
    assert normalize.email(" Info@KayaMimarlik.COM.tr ").value == "info@kayamimarlik.com.tr"
    for bad, problem in (("a@b", "form"), ("no-at-sign.com", "no_at"), ("two@@x.com", "form")):
        checked = normalize.email(bad)
        assert checked.value is None and checked.problem == problem


def test_date_column_format_is_chosen_from_the_whole_column() -> None:
    assert normalize.date_format(["03/04/2017", "13/04/2017"]) == "%d/%m/%Y"
    assert normalize.date_format(["03/04/2017", "04/13/2017"]) == "%m/%d/%Y"
    assert normalize.date_format(["03/04/2017"], "TR") == "%d/%m/%Y"
    assert normalize.date_format(["03/04/2017"], "US") == "%m/%d/%Y"
    assert normalize.date_format(["2016-10-20", ""]) == "%Y-%m-%d"
    assert normalize.parse_date("20.10.2016", "%d.%m.%Y").isoformat() == "2016-10-20"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1054", Decimal("1054")),
        ("1,250,000.50", Decimal("1250000.50")),
        ("1.250.000,50", Decimal("1250000.50")),
        ("₺250.000", Decimal("250000")),
        ("4 514", Decimal("4514")),
        ("", None),
    ],
)
def test_numbers_as_spreadsheets_write_them(text: str, value: Decimal | None) -> None:
    assert csvmap.number(text) == value


def test_headers_are_recognised_in_english_and_turkish() -> None:
    mapped, ignored = csvmap.map_headers(
        ["Firma", "Telefon", "Cep", "E-Posta", "Sektör", "Notes"], "customers"
    )
    assert mapped == {
        "name": ["Firma"],
        "phone": ["Telefon", "Cep"],
        "email": ["E-Posta"],
        "industry": ["Sektör"],
    }
    assert ignored == ["Notes"]
    forced, _ = csvmap.map_headers(["Notes"], "customers", {"Notes": "tags"})
    assert forced == {"tags": ["Notes"]}


def test_customer_add_normalises_the_name_and_refuses_a_bad_email(services, chat: Chat) -> None:
    reply = chat.say("/customer add ayşe yılmaz 0532 555 12 34")
    assert reply.text == "Customer added: Ayşe Yılmaz"
    before = count(services, Customer)
    bad = chat.say("/customer add Kaya Mimarlık info@kaya")
    assert "not a valid e-mail" in bad.text and count(services, Customer) == before


def test_a_customer_can_have_several_phones_and_emails(services, chat: Chat) -> None:
    kaya = add_customer(services, "Kaya Mimarlık", phone="+905325551234")
    with services.db.session(write=True) as s:
        c = s.get(Customer, kaya.id)
        assert customers.add_point(s, c, "phone", "+902124445566") is not None
        assert customers.add_point(s, c, "phone", "+902124445566") is None  # already there
        assert customers.add_point(s, c, "email", "info@kaya.com.tr") is None  # became primary
        assert customers.add_point(s, c, "email", "satis@kaya.com.tr") is not None
    for ref in ("0212 444 55 66", "+905325551234", "satis@kaya.com.tr", "INFO@kaya.com.tr"):
        card = chat.say(f"/find {ref}").card
        assert card is not None and card.id == kaya.id, ref
