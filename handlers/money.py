"""Amounts as reps type them: "250000", "1.250.000", "1,250,000.50", "250k", "2,5m",
"₺250.000", "5000 USD", "40 bin TL", "250 000".

The grouping style decides the locale before Babel parses ("1.250.000" is Turkish grouping,
"1,250,000" English); a lone separator followed by exactly three digits is a thousands
separator, otherwise a decimal one.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, parse_decimal

from handlers.kit import CURRENCY_SIGNS, is_keyword, keyword_pattern

SYMBOLS = {sign: code for code, sign in CURRENCY_SIGNS.items()}  # the signs amounts are shown with
CODES = {"try": "TRY", "tl": "TRY", "usd": "USD", "eur": "EUR", "euro": "EUR", "gbp": "GBP"}
MULTIPLIERS = {"kw.amount.thousand": 1_000, "kw.amount.million": 1_000_000}
_TOKEN = re.compile(
    rf"^(?P<num>\d[\d.,]*)(?P<mult>{'|'.join(keyword_pattern(k) for k in MULTIPLIERS)})?$",
    re.IGNORECASE,
)
_TR_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$")
_EN_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


def multiplier(word: str) -> int:
    """1,000 for "k" or "bin", a million for "m", "mn" or "milyon"; 0 for anything else."""
    return next((factor for key, factor in MULTIPLIERS.items() if is_keyword(word, key)), 0)


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
    """Read an amount from the end of ``words``: (words used, amount, currency) or None."""
    currency = None
    tail = list(words[-6:])
    used = 0
    if tail and tail[-1].lower() in CODES:
        currency = CODES[tail.pop().lower()]
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
        if word.lower().endswith(code_text) and word[: -len(code_text)][-1:].isdigit():
            word = word[: -len(code_text)]
            currency = currency or code
    match = _TOKEN.match(word)
    if not match:
        return None
    number = _number(match["num"].rstrip(".,"))
    if number is None or number < 0:
        return None
    if match["mult"]:
        number *= multiplier(match["mult"])
    return used, number.quantize(Decimal("0.01")), currency or default_currency
