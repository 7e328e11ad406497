"""Message catalogs and locale-aware formatting (handlers.kit.i18n)."""

from __future__ import annotations

import string
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

import handlers  # noqa: F401  (importing registers every command)
from handlers.kit import LANGUAGES, REGISTRY, Translator, catalog, lookup
from storage.deals import DEFAULT_STAGES

OTHER_LANGUAGES = [lang for lang in LANGUAGES if lang != "en"]


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def test_supported_languages():
    assert set(LANGUAGES) == {"en", "tr"}


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_catalogs_have_the_same_keys(lang):
    english, other = set(catalog("en")), set(catalog(lang))
    assert sorted(english - other) == []
    assert sorted(other - english) == []


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_placeholders_match_for_every_key(lang):
    english, other = catalog("en"), catalog(lang)
    differing = {
        key: (placeholders(english[key]), placeholders(other[key]))
        for key in english.keys() & other.keys()
        if placeholders(english[key]) != placeholders(other[key])
    }
    assert differing == {}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_value_is_empty(lang):
    assert [key for key, value in catalog(lang).items() if not value.strip()] == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_value_formats_with_its_own_placeholders(lang):
    for key, value in catalog(lang).items():
        values = {name: "X" for name in placeholders(value)}
        assert isinstance(Translator(lang)(key, **values), str), key


def test_translation_and_placeholder_filling():
    t = Translator("en")
    assert t("unknown.none", word="zap") == catalog("en")["unknown.none"].replace("{word}", "zap")
    assert "zap" in Translator("tr")("unknown.none", word="zap")


def test_missing_key_falls_back_to_the_key_itself():
    assert Translator("tr")("no.such.key") == "no.such.key"


@pytest.mark.parametrize("lang", ["de", "", None, "EN-us", "xx"])
def test_unknown_language_falls_back_to_english(lang):
    t = Translator(lang)
    assert t.language == "en"
    assert t("help.intro") == catalog("en")["help.intro"]
    assert t.date(date(2026, 11, 24)) == "Nov 24, 2026"


def test_turkish_is_really_turkish():
    assert Translator("tr")("help.intro") != Translator("en")("help.intro")


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("1250000", "₺1.250.000"),
        ("1250000.00", "₺1.250.000"),
        ("1250000.50", "₺1.250.000,50"),
        ("250000", "₺250.000"),
        ("0.5", "₺0,50"),
    ],
)
def test_turkish_money(amount, expected):
    assert Translator("tr").money(Decimal(amount), "TRY") == expected


def test_english_money_uses_english_grouping_the_lira_sign_and_decimals_only_when_needed():
    t = Translator("en")
    assert t.money(Decimal("1250000"), "TRY") == "₺1,250,000"  # never "TRY1,250,000"
    assert t.money(Decimal("1250000.50"), "TRY") == "₺1,250,000.50"
    assert t.money(Decimal("5000"), "USD") == "$5,000"


def test_missing_amount_reads_as_a_dash():
    assert Translator("tr").money(None, "TRY") == Translator("en").money(None, "TRY")
    assert Translator("en").money(None, "TRY").strip()


@pytest.mark.parametrize(("lang", "expected"), [("tr", "24 Kas 2026"), ("en", "Nov 24, 2026")])
def test_dates(lang, expected):
    assert Translator(lang).date(date(2026, 11, 24)) == expected


def test_when_is_shown_in_the_readers_timezone():
    moment = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    istanbul = Translator("en").when(moment, ZoneInfo("Europe/Istanbul"))
    new_york = Translator("en").when(moment, ZoneInfo("America/New_York"))
    assert "18:00" in istanbul
    assert "Fri" in istanbul
    assert "10:00" in new_york
    turkish = Translator("tr").when(moment, ZoneInfo("Europe/Istanbul"))
    assert turkish == "27 Kas 2026 Cum 18:00"
    assert istanbul == "Fri, Nov 27, 2026, 18:00"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("stage", [name for name, *_ in DEFAULT_STAGES])
def test_every_default_stage_has_a_name(lang, stage):
    assert f"stage_name.{stage.lower()}" in catalog(lang)
    t = Translator(lang)
    assert t.stage(stage) == catalog(lang)[f"stage_name.{stage.lower()}"]
    assert t.stage(stage.upper()) == t.stage(stage)


def test_turkish_stage_names_differ_and_custom_stages_pass_through():
    t = Translator("tr")
    assert t.stage("Won") != "Won"
    assert t.stage("Demo scheduled") == "Demo scheduled"


def test_words_splits_synonyms():
    t = Translator("en")
    words = t.words("stage.lost_reasons")
    assert len(words) > 1
    assert all(words)
    assert "|".join(words) == catalog("en")["stage.lost_reasons"]


def test_registry_is_populated():
    assert {"help", "find", "log", "deal add"} <= set(REGISTRY)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_command_has_help(lang, name):
    spec = REGISTRY[name]
    messages = catalog(lang)
    for part in ("usage", "example", "about"):
        assert messages.get(f"help.{spec.key}.{part}", "").strip(), f"help.{spec.key}.{part}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_example_invokes_its_own_command(lang, name):
    spec = REGISTRY[name]
    example = catalog(lang)[f"help.{spec.key}.example"]
    assert example.startswith("/")
    found, used = lookup(example[1:].split())
    assert found is not None, example
    assert found.name == spec.name, example
    assert used == len(spec.name.split())


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_usage_starts_with_its_command(lang, name):
    usage = catalog(lang)[f"help.{REGISTRY[name].key}.usage"]
    assert usage.startswith("/")
    assert lookup(usage[1:].split())[0] is not None, usage
