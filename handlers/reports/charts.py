"""Report charts: three generic pictures a report kind maps its table onto (``kind_charts``).

Each chart carries one idea — labelled values as horizontal bars, one figure over periods as
a line, or parts of a whole as stacked bars — with a title that says what it shows and a
subtitle for the period and scope. They are drawn for a phone held upright: 900 px wide,
as tall as the bars need, large type, the figure written at the end of each bar (so the
value axis needs no ticks, only its unit), at most ``MAX_BARS`` bars (``fold`` sums the
rest into "others" where the values add up). Values arrive already formatted by the
caller (the Translator's number and money formats), so Turkish reads "₺1.234.567" and
English "₺1,234,567" without this module knowing either.

Drawn like the digest's chart: a private ``Figure`` on an Agg canvas, never ``pyplot``
(no global state, no display, safe in the scheduler's worker thread); matplotlib is
imported on first draw. The PNG carries no "Software" or time metadata, so the same
figures give the same bytes. Nothing to draw (no rows, every value zero) gives ``None``.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

WIDTH_IN, DPI = 6.0, 150  # 900 px: sharp on a phone, small enough to send quickly
MAX_BARS = 12
MIN_ROWS = 3  # the room a chart of one or two bars still takes
TREND_HEIGHT_IN = 5.2
LABEL_CHARS = 24
COLOURS = ("#2f6db5", "#7fb0e0", "#d9d9d9", "#e08a2f")
TITLE_PT, TEXT_PT, SMALL_PT = 17, 14, 12

Format = Callable[[float], str]


@dataclass(frozen=True)
class Words:
    """The words around a chart: what it shows, for which period and scope, in which unit."""

    title: str
    subtitle: str
    unit: str  # the value axis' label: a currency code, "deals", "days", "%"


def fold(items: Sequence[tuple[str, float]], others: str | None) -> list[tuple[str, float]]:
    """At most ``MAX_BARS`` items: the rest summed into one ``others`` bar, or — for values
    that do not add up (a rate, an average), ``others=None`` — left out."""
    items = list(items)
    if len(items) <= MAX_BARS:
        return items
    if others is None:
        return items[:MAX_BARS]
    kept = items[: MAX_BARS - 1]
    return [*kept, (others, sum(v for _, v in items[MAX_BARS - 1 :]))]


def bars(
    words: Words, items: Sequence[tuple[str, float]], fmt: Format, full: float | None = None
) -> bytes | None:
    """Horizontal bars, first item on top, each with its value written beside it; ``full``
    is the value of a whole bar (1.0 for a share), else the largest value is."""
    if not any(v for _, v in items):
        return None
    figure, axes = _figure(_height(len(items)), words)
    labels = [_short(label) for label, _ in items]
    values = [v for _, v in items]
    positions = list(range(len(items)))
    drawn = axes.barh(positions, values, color=COLOURS[0], height=0.65)
    axes.bar_label(drawn, labels=[fmt(v) for v in values], padding=4, fontsize=TEXT_PT)
    axes.set_yticks(positions, labels=labels, fontsize=TEXT_PT)
    _rows(axes, len(items))
    top = max([*values, 0.0, full or 0.0])
    _value_axis(axes.xaxis, axes, words.unit, top, min([*values, 0.0]))
    return _png(figure)


def trend(words: Words, points: Sequence[tuple[str, float | None]], fmt: Format) -> bytes | None:
    """One figure over consecutive periods, oldest first; a period with no figure is a gap."""
    known = [v for _, v in points if v is not None]
    if not known:
        return None
    figure, axes = _figure(TREND_HEIGHT_IN, words)
    positions = list(range(len(points)))
    values = [float("nan") if v is None else v for _, v in points]
    axes.plot(positions, values, color=COLOURS[0], marker="o", markersize=9, linewidth=3)
    for x, (_, v) in enumerate(points):
        if v is not None:
            axes.annotate(
                fmt(v),
                (x, v),
                textcoords="offset points",
                xytext=(0, 10),
                ha="center",
                fontsize=TEXT_PT,
            )
    axes.set_xticks(positions, labels=[_short(p, 12) for p, _ in points], fontsize=SMALL_PT)
    axes.set_xlim(-0.5, len(points) - 0.5)
    _value_axis(axes.yaxis, axes, words.unit, max(known), min([*known, 0.0]))
    return _png(figure)


def stacked(
    words: Words,
    labels: Sequence[str],
    layers: Sequence[tuple[str, Sequence[float]]],
    fmt: Format,
) -> bytes | None:
    """Horizontal bars made of parts (e.g. committed + the rest of the best case), each
    bar's total written beside it and the parts named in a legend above."""
    totals = [sum(layer[i] for _, layer in layers) for i in range(len(labels))]
    if not any(totals):
        return None
    figure, axes = _figure(_height(len(labels)) + 0.7, words)
    positions = list(range(len(labels)))
    left = [0.0] * len(labels)
    for n, (name, layer) in enumerate(layers):
        axes.barh(
            positions, layer, left=left, height=0.65, label=name, color=COLOURS[n % len(COLOURS)]
        )
        left = [a + b for a, b in zip(left, layer, strict=True)]
    for y, total in zip(positions, totals, strict=True):
        at = {"xytext": (4, 0), "textcoords": "offset points", "va": "center"}
        axes.annotate(fmt(total), (total, y), fontsize=TEXT_PT, **at)
    axes.set_yticks(positions, labels=[_short(label) for label in labels], fontsize=TEXT_PT)
    _rows(axes, len(labels))
    axes.legend(loc="lower left", bbox_to_anchor=(0, 1.0), fontsize=SMALL_PT, frameon=False)
    _value_axis(axes.xaxis, axes, words.unit, max(totals), 0.0)
    return _png(figure)


def _short(label: str, limit: int = LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _height(bars: int) -> float:
    return 2.0 + 0.62 * max(bars, MIN_ROWS)


def _rows(axes: Any, count: int) -> None:
    """First row on top, and every bar the same thickness however few there are."""
    axes.set_ylim(max(count, MIN_ROWS) - 0.5, -0.5)


def _figure(height: float, words: Words) -> tuple[Any, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, height), dpi=DPI, layout="tight")
    FigureCanvasAgg(figure)
    figure.suptitle(f"{words.title}\n{words.subtitle}", fontsize=TITLE_PT, linespacing=1.4)
    axes = figure.add_subplot()
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return figure, axes


def _value_axis(axis: Any, axes: Any, unit: str, top: float, bottom: float) -> None:
    """No ticks (the values are written on the chart), the unit as its label, and room
    beyond the largest value for its text."""
    axis.set_ticks([])
    axis.set_label_text(unit, fontsize=SMALL_PT)
    span = (top - bottom) or abs(top) or 1.0
    limits = (min(bottom, 0.0), top + span * 0.45)
    if axis is axes.xaxis:
        axes.set_xlim(*limits)
    else:
        axes.set_ylim(limits[0], top + span * 0.2)


def _png(figure: Any) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()
