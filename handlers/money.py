"""Amounts as reps type them: "250000", "1.250.000", "1,250,000.50", "250k", "2,5m",
"₺250.000", "5000 USD", "40 bin TL", "2,5 milyon dolar", "250 000".

The grouping style decides the locale before Babel parses ("1.250.000" is Turkish grouping,
"1,250,000" English); a lone separator followed by exactly three digits is a thousands
separator, otherwise a decimal one.

Reading and judging are apart: ``parse_amount`` returns the number exactly as typed (however
large, negative included), and ``checked`` decides whether it can be a deal's amount:
- at most ``MAX_AMOUNT`` (10^13, exactly that allowed) and never below zero;
- no more decimals than the currency has (Babel: JPY 0, TRY 2) nor than storage keeps
  (hundredths, ``storage.types.Money``): "12,345 TL" is refused, never rounded, since a
  rounded amount is one the rep did not say.
An amount below ``CRM_SMALL_AMOUNT`` (default 100, in the currency's major unit) is asked about
before it is saved (``handlers.deals``): "danismanlik 2" is more likely a slip than a two-lira
deal.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation, localcontext

from babel.numbers import (
    NumberFormatError,
    get_currency_precision,
    list_currencies,
    parse_decimal,
)

from handlers.kit import (
    CURRENCY_SIGNS,
    Translator,
    Usage,
    is_keyword,
    keyword_pattern,
    keywords,
)
from storage.folding import fold
from storage.types import CENTS

SYMBOLS = {sign: code for code, sign in CURRENCY_SIGNS.items()}  # the signs amounts are shown with
CODES = {word: code for code in CURRENCY_SIGNS for word in keywords(f"kw.currency.{code.lower()}")}
MULTIPLIERS = {"kw.amount.thousand": 1_000, "kw.amount.million": 1_000_000}
_ISO = frozenset(list_currencies())
MAX_AMOUNT = Decimal(10) ** 13
_TOKEN = re.compile(
    rf"^(?P<minus>[-−])?(?P<num>\d[\d.,]*)"
    rf"(?P<mult>{'|'.join(keyword_pattern(k) for k in MULTIPLIERS)})?$",
    re.IGNORECASE,
)
_TR_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$")
_EN_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


def multiplier(word: str) -> int:
    """1,000 for "k" or "bin", a million for "m", "mn" or "milyon"; 0 for anything else."""
    return next((factor for key, factor in MULTIPLIERS.items() if is_keyword(word, key)), 0)


def currency_word(word: str) -> str | None:
    """The currency a word names: "TL", "lira" -> TRY, "dolar", "dollars" -> USD, and any ISO
    code typed in capitals ("JPY", "CHF"; in capitals only, so "all" or "top" stay words)."""
    word = word.strip()
    return CODES.get(fold(word)) or (word if word in _ISO else None)


def _number(text: str) -> Decimal | None:
    if _TR_GROUPED.match(text):
        locale = "tr_TR"
    elif _EN_GROUPED.match(text) or "," not in text:
        locale = "en_US"
    else:
        locale = "tr_TR"  # a lone comma: "2,5"
    if locale == "en_US" and re.fullmatch(r"\d+\.\d{3}", text):
        locale = "tr_TR"  # "250.000" is two hundred and fifty thousand
    try:
        return parse_decimal(text, locale=locale, strict=False)
    except (NumberFormatError, InvalidOperation):
        return None


def parse_amount(words: list[str], default_currency: str) -> tuple[int, Decimal, str] | None:
    """Read an amount from the end of ``words``: (words used, amount, currency) or None.

    The amount is exact and unchecked (see ``checked``)."""
    currency = None
    tail = list(words[-6:])
    used = 0
    if tail and (code := currency_word(tail[-1])):
        currency = code
        tail.pop()
        used += 1
    if not tail:
        return None
    word = tail.pop()
    used += 1
    groups = [word]  # "1 250 000": thousands separated by spaces
    while tail and re.match(r"\d{3}(?!\d)", groups[0]) and re.fullmatch(r"\d{1,3}", tail[-1]):
        groups.insert(0, tail.pop())
        used += 1
    word = "".join(groups)
    if multiplier(word) and tail:
        word = tail.pop() + word
        used += 1
    for symbol, code in SYMBOLS.items():
        if symbol in word:
            word = word.replace(symbol, "")
            currency = currency or code
    for code_text, code in CODES.items():
        if fold(word).endswith(code_text) and word[: -len(code_text)][-1:].isdigit():
            word = word[: -len(code_text)]
            currency = currency or code
    match = _TOKEN.match(word)
    if not match:
        return None
    number = _number(match["num"].rstrip(".,"))
    if number is None:
        return None
    with localcontext() as exact:
        exact.prec = len(match["num"]) + 10  # a 38-digit "…k" stays exact, and never raises
        if match["mult"]:
            number *= multiplier(match["mult"])
        if match["minus"]:
            number = -number
        number = number.quantize(1) if number == number.to_integral_value() else number.normalize()
    return used, number, currency or default_currency


def places(currency: str) -> int:
    """Decimal places an amount in ``currency`` may have: its minor units, at most storage's."""
    return min(get_currency_precision(currency), CENTS)


def checked(t: Translator, amount: Decimal, currency: str) -> Decimal:
    """``amount`` if it can be a deal's amount, else ``Usage`` saying why (nothing is written)."""
    if amount < 0:
        raise Usage("money.negative")
    if amount > MAX_AMOUNT:
        raise Usage("money.too_big", limit=t.money(MAX_AMOUNT, currency))
    digits = places(currency)
    step = Decimal(1).scaleb(-digits)
    if amount != amount.quantize(step):
        problem = "money.too_precise" if digits else "money.whole_only"
        raise Usage(problem, currency=currency, places=digits)
    return amount.quantize(step)
