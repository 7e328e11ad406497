"""Which chart each report kind gets: its ``Built`` table mapped onto a generic chart.

Drawn only for a chat answer (``attach``), after the kind has built its figures, so a CSV,
JSON or CLI text answer never pays for drawing; the CLI asks for it with ``--chart FILE``.

A kind gets its chart with one line in ``CHARTS``, naming the table column to draw and its
unit, e.g. ``"lost": table_bars(2, "money")`` (bars of column 2, labelled by column 0). A
kind whose picture is not one column of its table writes a function
``(Translator, Request, Built) -> bytes | None`` with ``charts.trend`` or ``charts.stacked``
(e.g. a forecast: committed and the rest of the best case per month) and registers it here.
A kind with no entry simply has no chart.

Decisions: a chart draws the table the text shows, so picture and text never disagree —
``summary`` draws the open pipeline by stage (or, by rep, the won value per rep),
``winrate`` the win rate by count per row of its breakdown (for a single row, its trend
over the last five periods instead), ``cycle`` the average days
spent in each stage. Amounts are drawn as their figure converted to the base currency; a
row that could not be converted is left out and the missing rate named under the title.
Rates and averages do not add up, so beyond ``MAX_BARS`` rows the rest is left out and
said so; counts and money are summed into "others".
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Literal

from handlers.kit import Attachment, Translator
from handlers.kit.suffixes import turkish_lower
from handlers.reports import Built, Cell, Request, charts
from handlers.reports.render import share
from storage.models import INTERACTION_KINDS
from storage.reports.money import Amounts

Unit = Literal["money", "count", "share", "days"]
Mapper = Callable[[Translator, Request, Built], bytes | None]


def formatter(t: Translator, unit: Unit, currency: str) -> charts.Format:
    """How a value is written on the chart, in the reader's locale."""
    if unit == "money":
        return lambda v: t.money(Decimal(round(v)), currency)
    if unit == "share":
        return lambda v: share(t, v)
    if unit == "days":
        return lambda v: t.number(Decimal(str(round(v, 1))))
    return lambda v: t.number(round(v))


def value_of(cell: Cell) -> float | None:
    if isinstance(cell, Amounts):
        return None if cell.converted is None else float(cell.converted)
    if isinstance(cell, int | float | Decimal):
        return float(cell)
    return None


def subtitle(t: Translator, request: Request, *, now: bool = False) -> str:
    if now:
        return t("charts.now", today=t.date(request.now.date()), audience=request.audience.label)
    return t(
        "charts.when",
        first=t.date(request.period.first),
        last=t.date(request.period.last),
        audience=request.audience.label,
    )


def table_bars(column: int, unit: Unit, title: str | None = None, now: bool = False) -> Mapper:
    """Bars of ``column`` labelled by column 0; ``title`` a catalog key, else "<column
    name> by <column 0 name>"; ``now`` for a table of the present rather than the period."""

    def draw(t: Translator, request: Request, built: Built) -> bytes | None:
        items, missing = [], set()
        for row in built.rows:
            value = value_of(row[column])
            if isinstance(row[column], Amounts):
                missing |= set(row[column].missing)  # type: ignore[union-attr]
            if value is not None:
                items.append((str(row[0]), value))
        additive = unit in ("money", "count")
        shown = charts.fold(items, t("charts.others") if additive else None)
        heading = t(title) if title else _by(t, built.header[column], built.header[0])
        lines = [subtitle(t, request, now=now)]
        if len(shown) < len(items):
            lines.append(t("charts.first", shown=len(shown), total=len(items)))
        if missing:
            lines.append(t("reports.no_rate", currencies=t.join(sorted(missing))))
        unit_label = request.base if unit == "money" else t(f"charts.unit.{unit}")
        words = charts.Words(heading, "\n".join(lines), unit_label)
        full = 1.0 if unit == "share" else None
        return charts.bars(words, shown, formatter(t, unit, request.base), full)

    return draw


def _by(t: Translator, value: str, label: str) -> str:
    lower = turkish_lower(label) if t.locale.startswith("tr") else label.lower()
    return t("charts.by", value=value, label=lower)


def _summary(t: Translator, request: Request, built: Built) -> bytes | None:
    if request.by == "rep":
        return table_bars(2, "money")(t, request, built)
    return table_bars(2, "money", "charts.title.pipeline", now=True)(t, request, built)


def _winrate(t: Translator, request: Request, built: Built) -> bytes | None:
    """Several rows: the rate per row. One rep's (or one row's) own figure: its trend over
    the periods before this one, where a single bar would say less than the headline."""
    if len(built.rows) > 1 or not built.trend:
        return table_bars(1, "share")(t, request, built)
    first, last = built.trend[0][0], built.trend[-1][0]
    when = t(
        "charts.when",
        first=t.date(first.first),
        last=t.date(last.last),
        audience=request.audience.label,
    )
    words = charts.Words(t("charts.title.winrate_trend"), when, t("charts.unit.share"))
    points = [(t.date(period.first), rate) for period, rate in built.trend]
    return charts.trend(words, points, formatter(t, "share", request.base))


def _lost(t: Translator, request: Request, built: Built) -> bytes | None:
    """Lost deals per reason; by rep the table's rows are (rep, reason) pairs, which no one
    column of bars can say, so that answer has none."""
    return None if request.by == "rep" else table_bars(1, "count")(t, request, built)


def _activity(t: Translator, request: Request, built: Built) -> bytes | None:
    """Activities (every kind together) per day or week, or per rep when broken down by rep:
    the kind columns of the table, summed per label in the order the table gives them."""
    by_rep = request.by == "rep"
    first_kind = 1 if by_rep else 2
    kinds = slice(first_kind, first_kind + len(INTERACTION_KINDS))
    totals: dict[str, float] = {}
    for row in built.rows:
        label = str(row[0])
        totals[label] = totals.get(label, 0.0) + sum(value_of(v) or 0.0 for v in row[kinds])
    items = charts.fold(list(totals.items()), t("charts.others"))
    heading = _by(t, t("charts.activities"), built.header[0])
    words = charts.Words(heading, subtitle(t, request), t("charts.unit.count"))
    return charts.bars(words, items, formatter(t, "count", request.base))


def _stale(t: Translator, request: Request, built: Built) -> bytes | None:
    """Stale deals per rep or per stage; the plain answer is a list of deals, not a figure."""
    return table_bars(1, "count", now=True)(t, request, built) if request.by else None


CHARTS: dict[str, Mapper] = {
    "summary": _summary,
    "winrate": _winrate,
    "cycle": table_bars(2, "days"),
    "forecast": table_bars(3, "money"),  # committed, per month and quarter (or per rep)
    "pipeline": table_bars(2, "money", now=True),  # open value per stage (or per rep)
    "lost": _lost,
    "activity": _activity,
    "funnel": table_bars(1, "count"),  # deals reaching each stage (by rep: deals created)
    "stale": _stale,
    "load": table_bars(1, "count", now=True),  # open tasks per rep over a limit
}


def attach(t: Translator, request: Request, built: Built) -> Attachment | None:
    """The kind's chart as a PNG attachment (kept in ``built.chart``), or None."""
    mapper = CHARTS.get(request.kind)
    built.chart = mapper(t, request, built) if mapper else None
    if built.chart is None:
        return None
    name = t(f"reports.kind.{request.kind}")
    return Attachment(f"{request.kind}.png", "image/png", built.chart, title=name)
