"""Amounts as reps type them (handlers.money.parse_amount)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from handlers.money import parse_amount


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
    "text", ["250000", "1.250.000,50", "2,5m", "12,5", "1,250,000.50", "€3k", "40 bin TL"]
)
def test_amount_is_quantized_to_cents(text):
    result = parse_amount(text.split(), "TRY")
    assert result is not None
    amount = result[1]
    assert isinstance(amount, Decimal)
    assert amount.as_tuple().exponent == -2


@pytest.mark.parametrize(
    "text",
    ["abc", "", "12-5", "TL", "USD", "bin", "k", "1.2.3", "fiyat", "5000 usd tl", "₺-50", "x250"],
)
def test_non_amounts(text):
    assert parse_amount(text.split(), "TRY") is None


@pytest.mark.parametrize("text", ["-500", "-5k", "-1.250.000", "- 500", "-40 bin", "₺-250"])
def test_negative_amounts_are_never_read(text):
    result = parse_amount(text.split(), "TRY")
    assert result is None or result[1] >= 0


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
