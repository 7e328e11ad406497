"""One message catalog per language, the keywords the bot reads, locale-aware formatting.

A language's catalog is every ``locales/<lang>/*.toml`` beside this module merged (one file
per area, so that work on one platform does not touch another's strings); a key defined twice
is an error. Every user-facing string is a catalog key, and so is every word the bot reads:
``kw.*`` entries list the keywords a command understands ("mine|benim|bana"), and a rep may use
the keywords of either language whatever language they are answered in (``keywords``).
``tests/test_i18n.py`` proves every key exists in each language with the same placeholders.

Amounts and dates go through Babel so that Turkish reads "₺1.250.000" and "24 Kas 2026" and
English "TRY1,250,000" and "Nov 24, 2026".
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal, format_percent

from storage.folding import fold

LANGUAGES = ("en", "tr")
_LOCALES = {"en": "en_US", "tr": "tr_TR"}
_DIR = Path(__file__).with_name("locales")


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{full}."))
        else:
            flat[full] = str(value)
    return flat


@cache
def catalog(language: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((_DIR / language).glob("*.toml")):
        with path.open("rb") as fh:
            part = _flatten(tomllib.load(fh))
        if clash := merged.keys() & part.keys():
            raise ValueError(f"{path} redefines {sorted(clash)}")
        merged.update(part)
    return merged


def _synonyms(key: str) -> list[str]:
    words: dict[str, None] = {}
    for language in LANGUAGES:
        entry = catalog(language).get(key)
        if entry is None:
            raise KeyError(f"no keyword entry {key!r} in the {language} catalog")
        words.update(dict.fromkeys(w.strip() for w in entry.split("|") if w.strip()))
    return list(words)


@cache
def keywords(key: str) -> frozenset[str]:
    """The folded keywords of ``key`` in every language: "mine|benim|bana" and the rest."""
    return frozenset(fold(word) for word in _synonyms(key))


def is_keyword(word: str, key: str) -> bool:
    """Whether ``word`` is one of ``key``'s keywords, in any language, case and letters aside."""
    return fold(word.strip()) in keywords(key)


@cache
def keyword_pattern(key: str) -> str:
    """A regular expression alternation of ``key``'s keywords as written, longest first."""
    return "|".join(re.escape(w) for w in sorted(_synonyms(key), key=len, reverse=True))


class Translator:
    def __init__(self, language: str | None) -> None:
        self.language = language if language in LANGUAGES else "en"
        self.locale = _LOCALES[self.language]
        self._messages = catalog(self.language)

    def __call__(self, key: str, **values: Any) -> str:
        text = self._messages.get(key) or catalog("en").get(key) or key
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in self._messages

    def words(self, key: str) -> list[str]:
        """A catalog entry that lists synonyms, e.g. ``kw.next = "next:|sonraki:"``."""
        return [w for w in self(key).split("|") if w]

    def money(self, amount: Decimal | None, currency: str) -> str:
        if amount is None:
            return "—"
        pattern = "¤#,##0" if amount == amount.to_integral_value() else "¤#,##0.00"
        return format_currency(
            amount, currency, format=pattern, locale=self.locale, currency_digits=False
        )

    def number(self, value: float | int | Decimal) -> str:
        return format_decimal(value, locale=self.locale)

    def percent(self, value: int) -> str:
        """A whole percentage the local way: "%75" in Turkish, "75%" in English."""
        return format_percent(value / 100, locale=self.locale)

    def date(self, value: date) -> str:
        return format_date(value, "medium", locale=self.locale)

    def when(self, value: datetime, tz: ZoneInfo) -> str:
        """A moment in the reader's own timezone: "Fri, 27 Nov 2026 18:00" style."""
        local = value.astimezone(tz)
        return format_datetime(local, "EEE d MMM y HH:mm", tzinfo=tz, locale=self.locale)

    def stage(self, name: str) -> str:
        key = f"stage_name.{name.lower()}"
        return self._messages.get(key, name)
