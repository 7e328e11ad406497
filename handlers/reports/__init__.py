"""Reports in chat and on the command line: a request (kind, period, audience, breakdown) goes
to the kind's builder (``registry``), which reads figures from ``storage.reports`` and returns
a ``Built``: the three numbers that matter, one table, notes, and the breakdowns it offers.
Rendering it as chat text, CSV or JSON is the same for every kind (``render``).

A kind's chart goes in ``Built.chart`` (PNG bytes), drawn from the built table by
``kind_charts`` only when a chat answer needs it; ``Built.trend`` is the kind's headline
figure over the periods before this one and this one, for a trend chart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from handlers.kit import Button, Settings
from handlers.reports.period import Period
from handlers.reports.scope import Audience
from storage.models import Rep
from storage.reports.money import Amounts

Cell = str | int | float | Decimal | Amounts | None  # float: a share, 0–1


@dataclass(frozen=True)
class Request:
    kind: str
    period: Period
    audience: Audience
    by: str | None  # a breakdown asked for (rep, manager, region, product, stage), or None
    asker: Rep
    now: datetime
    settings: Settings
    days: int | None = None  # a kind's threshold in days ("stale 45"), None: the default
    behind: bool = False  # the deals behind the figures ("… deals"), not the figures

    @property
    def base(self) -> str:
        return self.settings.crm_currency.upper()


@dataclass
class Built:
    headline: list[str]
    header: list[str]
    rows: list[list[Cell]]
    notes: list[str] = field(default_factory=list)
    breakdowns: tuple[str, ...] = ()  # the ``by`` values a button may ask for
    chart: bytes | None = None  # the kind's chart (``kind_charts``), drawn for chat answers
    choices: list[Button] = field(default_factory=list)  # the deals behind a number, to open
    trend: list[tuple[Period, float | None]] = field(default_factory=list)  # oldest first
