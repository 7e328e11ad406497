"""The pipeline-by-stage chart attached to a digest (a PNG drawn by matplotlib).

Drawn with the object-oriented API on an Agg canvas, never ``pyplot``: pyplot keeps global
figure state and picks a GUI backend, while a ``Figure`` on ``FigureCanvasAgg`` is private to
the call, needs no display and is safe in the worker thread the scheduler builds digests in.
matplotlib is imported on first use, so commands that never draw do not pay its import time.

One currency per chart: when deals are in several, the one with the largest open total is
drawn and named in the title (the text of the digest carries every currency).
"""

from __future__ import annotations

import io
from collections import defaultdict
from decimal import Decimal

from handlers.kit import Attachment, Translator
from storage.deals import StageTotal

WIDTH_IN, HEIGHT_IN, DPI = 7.0, 3.6, 110


def _compact(value: float) -> str:
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.1f}".rstrip("0").rstrip(".") + suffix
    return f"{value:.0f}"


def pipeline_chart(rows: list[StageTotal], t: Translator, title: str) -> Attachment | None:
    """Total and probability-weighted value per open stage; None when there is nothing."""
    if not rows:
        return None
    by_currency: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        by_currency[row.currency] += row.total
    currency = max(sorted(by_currency), key=lambda c: by_currency[c])
    shown = [r for r in rows if r.currency == currency]
    labels = [t.stage(r.stage.name) for r in shown]
    totals = [float(r.total) for r in shown]
    weighted = [float(r.total) * r.stage.probability / 100 for r in shown]
    counts = [r.count for r in shown]

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = range(len(shown))
    axes.barh([p - 0.2 for p in positions], totals, height=0.4, label=t("digest.chart_total"))
    axes.barh([p + 0.2 for p in positions], weighted, height=0.4, label=t("digest.chart_weighted"))
    axes.set_yticks(
        list(positions), labels=[f"{lab} ({n})" for lab, n in zip(labels, counts, strict=True)]
    )
    axes.invert_yaxis()
    axes.xaxis.set_major_formatter(lambda value, _pos: _compact(value))
    axes.set_xlabel(currency)
    axes.set_title(title, fontsize=10)
    axes.legend(loc="best", fontsize=8)
    axes.grid(axis="x", alpha=0.3)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return Attachment(filename="pipeline.png", mime="image/png", data=out.getvalue(), title=title)
