"""One message catalog per language, the keywords the bot reads, locale-aware formatting.

A language's catalog is every ``locales/<lang>/*.toml`` beside this module merged (one file
per area, so that work on one platform does not touch another's strings); a key defined twice
is an error. Every user-facing string is a catalog key, and so is every word the bot reads:
``kw.*`` entries list the keywords a command understands ("mine|benim|bana"), and a rep may use
the keywords of either language whatever language they are answered in (``keywords``).
``tests/test_i18n.py`` proves every key exists in each language with the same placeholders.

Formatting is the locale's, through Babel (CLDR), and one style per language:
- amounts carry the currency's sign wherever it has one, in both languages ("₺1.250.000",
  "₺1,250,000", "$12,000"), its code otherwise ("CHF 5,000"); cents only when there are some;
- a date is CLDR's medium date ("24 Kas 2026", "Nov 24, 2026") and a moment the same date with
  its weekday and a 24-hour time ("24 Kas 2026 Sal 18:00", "Tue, Nov 24, 2026, 18:00");
- counts pick the catalog's CLDR plural form (``plural``: "1 group", "2 groups"), lists are
  joined the local way (``join``: "a, b, and c", "a, b ve c");
- a name in a catalog string may carry a case: ``{name:gen}`` is "Uğur Özmen'in" in Turkish and
  "Uğur Özmen's" in English, ``{owner:dat}`` "Ayşe'ye" in Turkish and "Ayşe" in English
  (``handlers.kit.suffixes`` has the rules; the cases are gen, acc, dat, loc, abl, ins).
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.lists import format_list
from babel.numbers import format_decimal, format_percent, get_currency_symbol

from handlers.kit.suffixes import CASES, suffixed
from storage.folding import fold

LANGUAGES = ("en", "tr")
_LOCALES = {"en": "en_US", "tr": "tr_TR"}
_DIR = Path(__file__).with_name("locales")
# The signs CLDR gives as the currencies' narrow symbols, which Babel does not carry: English
# would otherwise read "TRY1,250,000". Amount parsing (handlers.money) reads the same signs.
CURRENCY_SIGNS = {"TRY": "₺", "USD": "$", "EUR": "€", "GBP": "£"}


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


class _CaseFormatter(string.Formatter):
    """``str.format`` that also takes a case after a name: ``{name:gen}``, ``{owner:dat}``."""

    def __init__(self, language: str) -> None:
        self.language = language

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec in CASES:
            return suffixed(str(value), format_spec, self.language)
        return str(super().format_field(value, format_spec))


@cache
def _currency_pattern(locale: str, currency: str, cents: bool) -> str:
    """The locale's currency pattern with the sign written in: "'₺'#,##0" for TRY in en_US."""
    pattern = Locale.parse(locale).currency_formats["standard"].pattern.split(";")[0]
    if not cents:
        pattern = re.sub(r"\.0+", "", pattern)
    sign = CURRENCY_SIGNS.get(currency) or get_currency_symbol(currency, locale)
    if sign[-1:].isalpha() and pattern.startswith("¤"):
        sign += " "  # CLDR's currency spacing: "CHF 5,000", never "CHF5,000"
    return pattern.replace("¤", "'" + sign.replace("'", "''") + "'")


class Translator:
    """The catalog of one language and the formatting that goes with it."""

    def __init__(self, language: str | None) -> None:
        self.language = language if language in LANGUAGES else "en"
        self.locale = _LOCALES[self.language]
        self._messages = catalog(self.language)
        self._formatter = _CaseFormatter(self.language)

    def __call__(self, key: str, **values: Any) -> str:
        text = self._messages.get(key) or catalog("en").get(key) or key
        return self._formatter.vformat(text, (), values) if values else text

    def has(self, key: str) -> bool:
        return key in self._messages

    def words(self, key: str) -> list[str]:
        """A catalog entry that lists synonyms, e.g. ``kw.next = "next:|sonraki:"``."""
        return [w for w in self(key).split("|") if w]

    def plural(self, key: str, count: int, **values: Any) -> str:
        """``key.one``, ``key.other`` (CLDR's plural form of ``count`` here) or ``key.zero``
        when the catalog has one; ``{count}`` is the count written the local way."""
        form = Locale.parse(self.locale).plural_form(count)
        for variant in ("zero" if count == 0 else form, form, "other"):
            if f"{key}.{variant}" in self._messages:
                return self(f"{key}.{variant}", count=self.number(count), **values)
        return self(key, count=self.number(count), **values)

    def join(self, items: Iterable[str]) -> str:
        """ "a, b, and c" in English, "a, b ve c" in Turkish."""
        listed = list(items)
        return format_list(listed, locale=self.locale) if listed else ""

    def suffixed(self, name: str, case: str) -> str:
        """``name`` in a grammatical case: "Özmen'e" (dat) in Turkish; English only marks
        the possessive (gen). See ``handlers.kit.suffixes``."""
        return suffixed(name, case, self.language)

    def possessive(self, name: str) -> str:
        """ "Uğur Özmen'in" in Turkish, "Uğur Özmen's" in English."""
        return suffixed(name, "gen", self.language)

    def money(self, amount: Decimal | None, currency: str) -> str:
        """ "₺1.250.000" (tr), "₺1,250,000.50" (en): the sign where the currency has one."""
        if amount is None:
            return "—"
        cents = amount != amount.to_integral_value()
        pattern = _currency_pattern(self.locale, currency.upper(), cents)
        return format_decimal(amount, format=pattern, locale=self.locale)

    def number(self, value: float | int | Decimal) -> str:
        return format_decimal(value, locale=self.locale)

    def percent(self, value: int) -> str:
        """A whole percentage the local way: "%75" in Turkish, "75%" in English."""
        return format_percent(value / 100, locale=self.locale)

    def date(self, value: date) -> str:
        """CLDR's medium date: "24 Kas 2026", "Nov 24, 2026"."""
        return format_date(value, "medium", locale=self.locale)

    def when(self, value: datetime, tz: ZoneInfo) -> str:
        """A moment in the reader's own timezone, in the style of ``date`` with the weekday
        and a 24-hour time: "27 Kas 2026 Cum 18:00", "Fri, Nov 27, 2026, 18:00"."""
        local = value.astimezone(tz)
        day = format_skeleton("yMMMEd", local, locale=self.locale)
        glue = str(Locale.parse(self.locale).datetime_formats["medium"])
        return glue.replace("{1}", day).replace("{0}", format_time(local, "HH:mm", tzinfo=tz))

    def stage(self, name: str) -> str:
        key = f"stage_name.{name.lower()}"
        return self._messages.get(key, name)
