"""Saying it right: phones, amounts and dates as people write them, help in the rep's language,
names with their Turkish case endings, and /dupes' header."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from handlers.kit import REGISTRY, Translator, catalog
from handlers.masking import human_phone, masked_phone
from storage.folding import fold
from tests.conftest import Chat, add_customer, add_deal, add_rep

IST = ZoneInfo("Europe/Istanbul")


# --- phones ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("e164", "shown"),
    [
        ("+905321112233", "0532 111 22 33"),  # a local mobile
        ("+902124445566", "(0212) 444 55 66"),  # a local landline, as Turkey writes them
        ("+49301234567", "+49 30 1234567"),  # Berlin
        ("+12125550100", "+1 212-555-0100"),  # New York
        ("+442079460958", "+44 20 7946 0958"),  # London
        ("not a phone", "not a phone"),  # kept as stored when it cannot be read
    ],
)
def test_phones_are_shown_the_way_people_read_them(e164, shown):
    assert human_phone(e164, "TR") == shown


def test_a_phone_of_the_crms_own_region_is_national_elsewhere_international():
    assert human_phone("+49301234567", "DE") == "030 1234567"
    assert human_phone("+905321112233", "DE") == "+90 532 111 22 33"


def test_masked_phones_keep_the_readable_shape():
    assert masked_phone("+905321112233", "TR") == "0532 *** ** 33"


def test_duplicate_evidence_reads_phones_and_never_shows_e164(services, chat: Chat):
    first = add_customer(services, "Uğur Özmen", phone="+905321112233")
    second = add_customer(services, "Ugur Ozmen", phone="+905321112233")
    dupes = chat.say("/dupes")
    assert "same phone 0532 111 22 33" in dupes.text and "+90" not in dupes.text
    merge = chat.say(f"/merge #{first.id} #{second.id}")
    assert "same phone 0532 111 22 33" in merge.text and "+90" not in merge.text


# --- amounts and dates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "en", "tr"),
    [
        ("1250000", "TRY", "₺1,250,000", "₺1.250.000"),
        ("1250000.50", "TRY", "₺1,250,000.50", "₺1.250.000,50"),
        ("12000", "USD", "$12,000", "$12.000"),
        ("15000", "EUR", "€15,000", "€15.000"),
        ("28000", "GBP", "£28,000", "£28.000"),
        ("0.5", "EUR", "€0.50", "€0,50"),
        ("5000", "CHF", "CHF 5,000", "CHF 5.000"),  # no sign: the code, spaced as CLDR says
        ("-3.5", "TRY", "-₺3.50", "-₺3,50"),
        ("40000", "try", "₺40,000", "₺40.000"),
    ],
)
def test_amounts_carry_the_currencys_sign_in_both_languages(amount, currency, en, tr):
    assert Translator("en").money(Decimal(amount), currency) == en
    assert Translator("tr").money(Decimal(amount), currency) == tr


@pytest.mark.parametrize(
    ("lang", "day", "moment"),
    [
        ("en", "Nov 27, 2026", "Fri, Nov 27, 2026, 18:00"),
        ("tr", "27 Kas 2026", "27 Kas 2026 Cum 18:00"),
    ],
)
def test_one_date_style_per_language(lang, day, moment):
    t = Translator(lang)
    assert t.date(date(2026, 11, 27)) == day
    assert t.when(datetime(2026, 11, 27, 15, 0, tzinfo=UTC), IST) == moment
    assert day.replace(",", "") in moment.replace(",", "")  # the same date, with more


@pytest.mark.parametrize(
    ("lang", "one", "two", "joined"),
    [
        ("en", "1 day", "2 days", "a, b, and c"),
        ("tr", "1 gün", "2 gün", "a, b ve c"),
    ],
)
def test_plural_forms_and_lists(lang, one, two, joined):
    t = Translator(lang)
    assert t.plural("common.days", 1) == one
    assert t.plural("common.days", 2) == two
    assert t.join(["a", "b", "c"]) == joined


# --- help in the rep's language -------------------------------------------------------------


def _keywords(language: str) -> set[str]:
    entries = [e for key, e in catalog(language).items() if key.startswith("kw.")]
    return {fold(word) for entry in entries for word in entry.split("|")}


def _english_only_keywords() -> set[str]:
    """Words only the English keywords have ("overdue", "mine", "call"), folded."""
    return _keywords("en") - _keywords("tr")


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_turkish_usage_and_example_have_no_english_keywords(name):
    spec = REGISTRY[name]
    english = _english_only_keywords()
    for part in ("usage", "example"):
        text = catalog("tr")[f"help.{spec.key}.{part}"]
        typed = re.sub(r"<[^>|]*>", " ", text)  # "<müşteri>" describes; "<açık|kapalı>" is typed
        words = re.findall(r"[^\s\[\]|#]+", typed)[len(spec.name.split()) :]
        assert not [w for w in words if fold(w) in english], text


@pytest.mark.parametrize(
    "command",
    [
        "/gorevler geciken",
        "/deals benim",
        "/deals hepsi",
        "/pipeline benim",
        "/log arama uğur özmen fiyatları konuştuk",
        "/log toplantı uğur özmen teklif",
        "/consent uğur özmen verildi fuar",
        "/chat dahili açık",
    ],
)
def test_the_turkish_keywords_help_shows_are_understood(services, command):
    ayse = add_rep(services, "Ayşe Yılmaz", role="admin", language="tr")
    add_customer(services, "Uğur Özmen")
    reply = Chat(services, ayse).send(command)[0]
    assert not reply.text.startswith("Kullanım:"), reply.text
    assert "yerine" not in reply.text and "değil" not in reply.text.split(":")[0], reply.text


def teammates(services):
    """Two reps of one manager: each reads the other's records, and changes only their own."""
    boss = add_rep(services, "Elif Şahin", role="manager")
    ayse = add_rep(services, "Ayşe Yılmaz", language="tr", manager_id=boss.id)
    murat = add_rep(services, "Murat Kaya", language="tr", manager_id=boss.id)
    return ayse, murat


def test_ask_takes_the_records_kind_in_turkish(services):
    ayse, murat = teammates(services)
    acme = add_customer(services, "Acme A.Ş.", owner_id=murat.id)
    deal = add_deal(services, acme, "filo takip", "1000", owner_id=murat.id)
    reply = Chat(services, ayse).say(f"/ask fırsat #{deal.id}")
    assert reply.text == "Murat Kaya'ya soruldu; kaydı açan bir düğmeyle mesaj alacak."


# --- names in sentences ---------------------------------------------------------------------


def test_turkish_sentences_put_the_case_on_the_name(services):
    ayse, murat = teammates(services)
    acme = add_customer(services, "Acme A.Ş.", owner_id=murat.id)
    add_deal(services, acme, "filo takip", "1000", owner_id=murat.id)
    chat = Chat(services, ayse)
    assert chat.say("/deals acme").text.startswith("Acme A.Ş.'nin fırsatları (1)")
    moved = chat.say("/stage filo takip teklif")
    assert moved.text.startswith("Bu fırsat") and "Murat Kaya'ya ait" in moved.text
    assert [b.label for b in moved.buttons] == ["Murat Kaya'ya sor"]


def test_catalog_strings_carry_the_case_after_the_name():
    tr, en = Translator("tr"), Translator("en")
    assert tr("deals.of_customer", customer="Uğur Özmen") == "Uğur Özmen'in fırsatları"
    assert en("deals.of_customer", customer="Uğur Özmen") == "Uğur Özmen's deals"
    assert tr("tasks.header_for", name="Elif Şahin", count=2) == "Elif Şahin'in açık görevleri (2):"
    assert tr.possessive("Ayşe") == "Ayşe'nin"
    assert tr.suffixed("Özmen", "dat") == "Özmen'e"
    assert en.suffixed("Özmen", "dat") == "Özmen"


# --- /dupes ---------------------------------------------------------------------------------


def test_dupes_never_heads_namesakes_with_zero_groups(services, chat: Chat):
    add_customer(services, "Mehmet Yıldırım", city="Ankara", phone="+905332223344")
    add_customer(services, "Mehmet Yıldırım", city="İzmir", phone="+905423334455")
    text = chat.say("/dupes").text
    assert "(0 groups)" not in text
    assert text.splitlines()[:2] == [
        "No likely duplicates found.",
        "1 pair shares a name but not the phone or e-mail: kept apart as namesakes.",
    ]
    assert text.splitlines()[2].startswith("1. Mehmet Yıldırım · Ankara")


def test_dupes_counts_groups_in_words_that_agree(services, chat: Chat, admin):
    add_customer(services, "Uğur Özmen", phone="+905321112233")
    add_customer(services, "Ugur Ozmen", phone="+905321112233")
    assert chat.say("/dupes").text.startswith("Likely duplicates (1 group), best first:")
    add_customer(services, "Acme Corporation", email="sales@acme.example")
    add_customer(services, "ACME Corp", email="sales@acme.example")
    assert chat.say("/dupes").text.startswith("Likely duplicates (2 groups), best first:")
    ayse = add_rep(services, "Ayşe Yılmaz", role="admin", language="tr")
    turkish = Chat(services, ayse).say("/mukerrer").text
    assert turkish.startswith("Muhtemel mükerrer kayıtlar (2 grup), en güçlüsü önce:")
