"""Amounts as reps type them (handlers.money.parse_amount)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from handlers.kit import Translator, Usage
from handlers.money import checked, parse_amount


@pytest.mark.parametrize(
    ("text", "used", "amount", "currency"),
    [
        ("250000", 1, "250000", "TRY"),
        ("250.000", 1, "250000", "TRY"),
        ("1.250.000", 1, "1250000", "TRY"),
        ("1.250.000,50", 1, "1250000.50", "TRY"),
        ("1,250,000", 1, "1250000", "TRY"),
        ("1,250,000.50", 1, "1250000.50", "TRY"),
        ("250,000", 1, "250000", "TRY"),
        ("3.000,5", 1, "3000.50", "TRY"),
        ("12,50", 1, "12.50", "TRY"),
        ("2,5m", 1, "2500000", "TRY"),
        ("5 000", 2, "5000", "TRY"),
        ("1 250 000 TL", 4, "1250000", "TRY"),
        ("12 500,50", 2, "12500.50", "TRY"),
        ("2.5M", 1, "2500000", "TRY"),
        ("250k", 1, "250000", "TRY"),
        ("250K", 1, "250000", "TRY"),
        ("40 bin", 2, "40000", "TRY"),
        ("1,5 milyon", 2, "1500000", "TRY"),
        ("₺250.000", 1, "250000", "TRY"),
        ("$5000", 1, "5000", "USD"),
        ("€3k", 1, "3000", "EUR"),
        ("£10", 1, "10", "GBP"),
        ("5000 USD", 2, "5000", "USD"),
        ("5000 usd", 2, "5000", "USD"),
        ("5000 EUR", 2, "5000", "EUR"),
        ("5000TL", 1, "5000", "TRY"),
        ("5000 tl", 2, "5000", "TRY"),
        ("40k EUR", 2, "40000", "EUR"),
        ("40 bin TL", 3, "40000", "TRY"),
        ("0", 1, "0", "TRY"),
    ],
)
def test_amounts(text, used, amount, currency):
    assert parse_amount(text.split(), "TRY") == (used, Decimal(amount), currency)


@pytest.mark.parametrize("text", ["250000", "250k", "1.250.000,50", "40 bin", "2,5m"])
def test_default_currency_applies_when_none_is_given(text):
    for default in ("TRY", "USD", "EUR"):
        result = parse_amount(text.split(), default)
        assert result is not None
        assert result[2] == default


@pytest.mark.parametrize(
    ("text", "currency"),
    [("$5000", "USD"), ("€3k", "EUR"), ("5000 TL", "TRY"), ("₺250.000", "TRY")],
)
def test_explicit_currency_beats_the_default(text, currency):
    result = parse_amount(text.split(), "GBP")
    assert result is not None
    assert result[2] == currency


@pytest.mark.parametrize(
    ("text", "exact"),
    [
        ("1.250.000,50", "1250000.5"),
        ("99.999.999.999.999,99", "99999999999999.99"),
        ("12,345", "12345"),
        ("12,3456", "12.3456"),  # read as typed: judging the decimals is checked()'s job
        ("1" + "0" * 37 + "k", "1" + "0" * 40),  # 38 digits and a "k": exact, never raises
    ],
)
def test_amounts_are_read_exactly(text, exact):
    result = parse_amount(text.split(), "TRY")
    assert result is not None and result[1] == Decimal(exact)
    assert str(result[1]) == exact


@pytest.mark.parametrize(
    "text",
    ["abc", "", "12-5", "TL", "USD", "bin", "k", "1.2.3", "fiyat", "5000 usd tl", "x250"],
)
def test_non_amounts(text):
    assert parse_amount(text.split(), "TRY") is None


@pytest.mark.parametrize("text", ["-500", "-5k", "-1.250.000", "-40 bin", "₺-50"])
def test_negative_amounts_are_read_as_negative_for_checked_to_refuse(text):
    result = parse_amount(text.split(), "TRY")
    assert result is not None and result[1] < 0
    with pytest.raises(Usage) as refused:
        checked(Translator("en"), result[1], "TRY")
    assert refused.value.problem == "money.negative"


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("2,5 milyon dolar", "2500000", "USD"),
        ("40 bin TL", "40000", "TRY"),
        ("$5k", "5000", "USD"),
        ("1.2m EUR", "1200000", "EUR"),
        ("300 euro", "300", "EUR"),
        ("3 bin avro", "3000", "EUR"),
        ("2 milyon lira", "2000000", "TRY"),
        ("10k pounds", "10000", "GBP"),
        ("500 sterlin", "500", "GBP"),
        ("5000 JPY", "5000", "JPY"),
        ("5000 CHF", "5000", "CHF"),
    ],
)
def test_currency_words_and_codes(text, amount, currency):
    used, value, code = parse_amount(["teklif", *text.split()], "TRY")
    assert (used, value, code) == (len(text.split()), Decimal(amount), currency)


def test_iso_codes_only_in_capitals():
    assert parse_amount(["5000", "all"], "TRY") is None  # "all" is a word, ALL a currency


@pytest.mark.parametrize(
    ("amount", "currency", "stored"),
    [
        ("0.01", "TRY", "0.01"),
        ("99999999999.99", "TRY", "99999999999.99"),
        ("10000000000000", "TRY", "10000000000000.00"),  # 10^13 exactly: the largest allowed
        ("5000", "JPY", "5000"),
        ("1250000.50", "USD", "1250000.50"),
        ("2500000.0", "TRY", "2500000.00"),
    ],
)
def test_checked_keeps_what_fits(amount, currency, stored):
    assert str(checked(Translator("en"), Decimal(amount), currency)) == stored


@pytest.mark.parametrize(
    ("amount", "currency", "problem"),
    [
        ("10000000000000.01", "TRY", "money.too_big"),
        ("1" + "0" * 40, "TRY", "money.too_big"),
        ("-0.01", "TRY", "money.negative"),
        ("12.345", "TRY", "money.too_precise"),
        ("5000.5", "JPY", "money.whole_only"),
        ("1.234", "KWD", "money.too_precise"),  # three minor units; storage keeps two
    ],
)
def test_checked_refuses_the_rest(amount, currency, problem):
    with pytest.raises(Usage) as refused:
        checked(Translator("tr"), Decimal(amount), currency)
    assert refused.value.problem == problem


def test_amount_is_read_from_the_end_of_a_phrase():
    words = ["Anadolu", "Lojistik", "fleet", "tracking", "250k"]
    assert parse_amount(words, "TRY") == (1, Decimal("250000"), "TRY")
    words = ["Kaya", "Mimarlık", "ofis", "projesi", "40", "bin", "TL"]
    used, amount, currency = parse_amount(words, "USD")
    assert words[:-used] == ["Kaya", "Mimarlık", "ofis", "projesi"]
    assert (amount, currency) == (Decimal("40000"), "TRY")


def test_words_are_not_modified():
    words = ["teklif", "40", "bin", "TL"]
    parse_amount(words, "TRY")
    assert words == ["teklif", "40", "bin", "TL"]


def test_a_number_in_the_title_is_not_taken_when_the_end_is_not_an_amount():
    assert parse_amount(["250", "adet", "forklift"], "TRY") is None
