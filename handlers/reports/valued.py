"""Per-currency sums made into ``Amounts`` at one day's rates, for figures that come back per
currency (the forecast, the open pipeline): open deals are valued at the latest rate, so one
day — today — serves them all."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, localcontext

from storage.reports.money import Amounts, Rates


def at_rate(rates: Rates, day: date, sums: Iterable[tuple[str, Decimal]]) -> Amounts:
    """The sums added per currency, and converted at the rates in force on ``day``."""
    by_currency: dict[str, Decimal] = defaultdict(Decimal)
    for currency, amount in sums:
        if amount:
            by_currency[currency] += amount
    converted, missing, some = Decimal(0), set(), False
    with localcontext() as exact:
        exact.prec = 60
        for currency, amount in by_currency.items():
            rate = rates.on(currency, day)
            if rate is None:
                missing.add(currency)
            else:
                converted += amount * rate
                some = True
    return Amounts(
        rates.base,
        tuple(sorted(by_currency.items())),
        converted if some else None,
        tuple(sorted(missing)),
    )


def worth(cell: object) -> Decimal:
    """An amount cell's converted figure, to sort rows by (0 when there is none)."""
    if isinstance(cell, Amounts) and cell.converted is not None:
        return cell.converted
    return Decimal(0)


def combined(base: str, parts: Iterable[Amounts]) -> Amounts:
    """Several converted amounts added up (each keeps the rates it was converted at)."""
    by_currency: dict[str, Decimal] = defaultdict(Decimal)
    converted, missing, some = Decimal(0), set(), False
    for part in parts:
        for currency, amount in part.by_currency:
            by_currency[currency] += amount
        if part.converted is not None:
            converted, some = converted + part.converted, True
        missing.update(part.missing)
    return Amounts(
        base,
        tuple(sorted(by_currency.items())),
        converted if some else None,
        tuple(sorted(missing)),
    )
