"""A built report as chat text, as CSV and as JSON — the same for every kind.

Text: a title line (kind, period, audience), the headline, the table one row per line,
notes. Amounts show the converted figure ("≈ 12.345 TRY") and the per-currency totals behind
it; a currency without a rate is named. CSV and JSON carry plain values: amounts as the
converted figure (column named with the base currency) and the per-currency totals as text.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.numbers import format_percent

from handlers.kit import Translator
from handlers.reports import Built, Cell, Request
from storage.reports.money import Amounts


def money(t: Translator, amounts: Amounts) -> str:
    if amounts.empty:
        return t.money(Decimal(0), amounts.base)
    parts = [t.money(v, c) for c, v in amounts.by_currency if v]
    only_base = [c for c, v in amounts.by_currency if v] == [amounts.base]
    if only_base:
        return parts[0]
    shown = ", ".join(parts)
    if amounts.converted is None:
        return shown
    whole = amounts.converted.quantize(Decimal(1), ROUND_HALF_UP)
    text = f"≈ {t.money(whole, amounts.base)} ({shown})"
    if amounts.missing:
        text += " " + t("reports.no_rate", currencies=t.join(amounts.missing))
    return text


def share(t: Translator, value: float | None) -> str:
    """One decimal, the locale's way: "66.7%" (en), "%66,7" (tr)."""
    if value is None:
        return "—"
    pattern = Locale.parse(t.locale).percent_formats[None].pattern.replace("#,##0", "#,##0.0")
    return format_percent(value, pattern, locale=t.locale)


def cell_text(t: Translator, value: Cell) -> str:
    if isinstance(value, Amounts):
        return money(t, value)
    if isinstance(value, float):
        return share(t, value)
    if isinstance(value, int | Decimal):
        return t.number(value)
    return "—" if value is None else str(value)


def title(t: Translator, request: Request) -> str:
    period = request.period
    return t(
        "reports.title",
        kind=t(f"reports.kind.{request.kind}"),
        first=t.date(period.first),
        last=t.date(period.last),
        audience=request.audience.label,
    )


def text(t: Translator, request: Request, built: Built) -> str:
    lines = [title(t, request), *built.headline]
    if built.rows:
        lines += ["", " · ".join(built.header)]
        lines += [" · ".join(cell_text(t, c) for c in row) for row in built.rows]
    return "\n".join([*lines, *built.notes])


def _plain(value: Cell) -> str | int | float | None:
    if isinstance(value, Amounts):
        return None if value.converted is None else str(value.converted.quantize(Decimal("0.01")))
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, Decimal):
        return str(value)
    return value


def _header(built: Built, request: Request) -> list[str]:
    """Amount columns are named with the base currency their figure is in."""
    first = built.rows[0] if built.rows else []
    return [
        f"{h} ({request.base})" if i < len(first) and isinstance(first[i], Amounts) else h
        for i, h in enumerate(built.header)
    ]


def table_csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([_plain(c) for c in row] for row in rows)
    return out.getvalue().encode("utf-8")


def as_csv(request: Request, built: Built) -> bytes:
    return table_csv(_header(built, request), built.rows)


def as_json(request: Request, built: Built) -> str:
    return json.dumps(
        {
            "kind": request.kind,
            "period": {
                "first": request.period.first.isoformat(),
                "last": request.period.last.isoformat(),
            },
            "scope": request.audience.canonical,
            "base_currency": request.base,
            "headline": built.headline,
            "header": _header(built, request),
            "rows": [[_plain(c) for c in row] for row in built.rows],
            "notes": built.notes,
        },
        ensure_ascii=False,
        indent=2,
    )
