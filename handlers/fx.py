"""Exchange rates to the base currency, and the one converted total shown beside the
per-currency ones in /pipeline and the digest.

A rate says how many units of the base currency (``CRM_CURRENCY``) one unit of a currency is
worth. Conversion is exact ``Decimal`` arithmetic with precision to spare (an amount of 10¹³
times a rate with eight decimals needs more than Decimal's default 28 digits); the converted
figure is rounded to whole units only when shown, and marked "≈": it is an estimate at the
rates named on the same line, never mixed silently into the per-currency totals. A currency
without a rate is named and left out, so the figure never pretends to cover it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext

from babel.numbers import format_decimal, list_currencies
from sqlmodel import Session

from handlers.kit import Translator
from storage import rates
from storage.models import RATE_PLACES

MAX_RATE = Decimal(10_000_000)  # no currency is worth more base units than this
JUMP = 5  # a rate 5× above or below the one in force is asked about (a typo: 342 for 34.20)
_RATE = re.compile(r"^\d+(?:[.,]\d+)?$")
_TR_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


class RateProblem(Exception):
    """Why a rate, currency or date is refused: a catalog key and its values."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key, self.values = key, values


def shown(t: Translator, rate: Decimal) -> str:
    """A rate the local way with every decimal it has: "34,2" (tr), "34.2" (en)."""
    return format_decimal(rate, locale=t.locale, decimal_quantization=False)


def currency_code(text: str, base: str) -> str:
    """An ISO 4217 code other than the base currency (whose rate is always 1)."""
    code = text.strip().upper()
    if code not in list_currencies():
        raise RateProblem("rates.bad_currency", code=text.strip())
    if code == base:
        raise RateProblem("rates.is_base", code=code)
    return code


def parse_rate(text: str, currency: str, base: str) -> Decimal:
    """ "34.20" or "34,20" (one decimal separator, no grouping): above 0, at most
    ``MAX_RATE``, at most eight decimal places — refused rather than rounded."""
    text = text.strip()
    if not _RATE.match(text):
        raise RateProblem("rates.bad_rate", rate=text, base=base)
    rate = Decimal(text.replace(",", "."))
    places = -rate.normalize().as_tuple().exponent  # type: ignore[operator]
    if not 0 < rate <= MAX_RATE or places > RATE_PLACES:
        raise RateProblem("rates.out_of_range", rate=text, base=base, currency=currency)
    return rate


def parse_day(text: str) -> date:
    """2026-11-24, or 24.11.2026 as Turkish files write it."""
    text = text.strip()
    try:
        if m := _TR_DATE.match(text):
            return date(int(m[3]), int(m[2]), int(m[1]))
        return date.fromisoformat(text)
    except ValueError:
        raise RateProblem("rates.bad_date", date=text) from None


def check_jump(session: Session, base: str, currency: str, day: date, rate: Decimal) -> None:
    """Refuse a rate far off the one in force the day before (``--force`` skips this)."""
    earlier = rates.in_force(session, base, day - timedelta(days=1))
    before = earlier.get(currency)
    if before is not None and not (before.rate / JUMP <= rate <= before.rate * JUMP):
        raise RateProblem(
            "rates.jump",
            rate=rate,
            currency=currency,
            base=base,
            before=before.rate,
            date=before.valid_from.isoformat(),
        )


@dataclass(frozen=True)
class RateBook:
    """The rates against ``base`` in force on one day: currency → (rate, valid from)."""

    base: str
    rates: dict[str, tuple[Decimal, date]]


def rate_book(session: Session, base: str, day: date) -> RateBook:
    found = rates.in_force(session, base, day)
    return RateBook(base, {c: (r.rate, r.valid_from) for c, r in found.items()})


def converted_lines(
    t: Translator, book: RateBook, totals: dict[str, tuple[Decimal, Decimal]]
) -> list[str]:
    """One line: the open total and the weighted one in the base currency, labelled with the
    rates' dates and naming any currency left out; nothing when all is in the base currency.
    ``totals`` maps a currency to its (open total, weighted total)."""
    foreign = sorted(c for c in totals if c != book.base)
    if not foreign:
        return []
    known = [c for c in foreign if c in book.rates]
    missing = t.join(c for c in foreign if c not in book.rates)
    if not known:
        return [t("fx.no_rates", currencies=missing, base=book.base)]
    total, weighted = totals.get(book.base, (Decimal(0), Decimal(0)))
    with localcontext() as exact:
        exact.prec = 60  # 10^13 × a rate of 8 decimals, summed: nothing is ever rounded
        for c in known:
            rate = book.rates[c][0]
            total += totals[c][0] * rate
            weighted += totals[c][1] * rate
    days = {book.rates[c][1] for c in known}
    if len(days) == 1:
        when = t.date(days.pop())
    else:
        when = t.join(f"{t.date(book.rates[c][1])} ({c})" for c in known)
    line = t(
        "fx.converted",
        total=t.money(_whole(total), book.base),
        weighted=t.money(_whole(weighted), book.base),
        base=book.base,
        date=when,
    )
    if missing:
        line += " · " + t("fx.missing", currencies=missing)
    return [line]


def _whole(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)
