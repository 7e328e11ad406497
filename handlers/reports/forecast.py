"""``forecast`` (tahmin): open deals by expected close month and quarter — committed, weighted
and best case — against quota where one is set, and the deals already past their close date.

Committed = open deals in stages at least ``CRM_COMMIT_PROBABILITY``% likely; weighted = amount
× stage probability; best case = every open amount (``storage.reports.forecast``). Open deals
are valued at the latest rate (today's), and so are quotas set in another currency. With no
period typed, the forecast covers this quarter and the next: a forecast looks ahead, and "this
week" (the other kinds' default) says little about it. The quota share is committed ÷ quota:
how much of the target is nearly certain, counting only the committed deals of the reps who
hold the quota, in the quota's own month or quarter. A rep's quota in the by-rep table and in
the headline is their quarter quotas in the period, or their month quotas where they set no
quarter one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlmodel import Session

from handlers.kit import Button, Translator
from handlers.reports import Built, Cell, Request
from handlers.reports.period import Period, months_from
from handlers.reports.render import money, share
from handlers.reports.valued import at_rate, worth
from storage import reps
from storage.reports.forecast import Figures, QuotaLine, forecast, quarter_of
from storage.reports.money import Amounts, Rates

PAST_DUE_BUTTONS = 8


def default_period(now: datetime, tz: ZoneInfo) -> Period:
    """This quarter and the next, as a range of days (its canonical form reads back)."""
    today = now.astimezone(tz).date()
    return months_from(today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1), 0, 6, "days", tz)


def _months(period: Period) -> list[str]:
    found, day = [], period.first.replace(day=1)
    while day < period.after:
        found.append(f"{day.year:04d}-{day.month:02d}")
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return found


def _label(t: Translator, bucket: str) -> str:
    year, rest = bucket.split("-")
    if rest.startswith("Q"):
        return t("reports.forecast.quarter", quarter=rest[1:], year=year)
    return format_date(date(int(year), int(rest), 1), "LLLL y", locale=t.locale)


class _Valuer:
    """Figures and quotas in the base currency at today's rates."""

    def __init__(self, session: Session, base: str, today: date) -> None:
        self.rates, self.today = Rates(session, base), today

    def of(self, figures: Iterable[Figures], field: str) -> Amounts:
        return at_rate(self.rates, self.today, [(f.currency, getattr(f, field)) for f in figures])

    def against(self, lines: Sequence[QuotaLine]) -> tuple[Amounts | None, float | None]:
        """The quotas' sum, and the share of it their own reps have committed in their own
        periods (so a rep without a quota, or a month outside it, never inflates it)."""
        if not lines:
            return None, None
        quota = at_rate(self.rates, self.today, [(q.currency, q.quota) for q in lines])
        committed = self.of([f for q in lines for f in q.figures], "committed").converted
        if not quota.converted or committed is None:
            return quota, None
        return quota, float(committed / quota.converted)


def _row(label: str, value: _Valuer, figures: list[Figures], quotas: list[QuotaLine]) -> list[Cell]:
    return [
        label,
        sum(f.count for f in figures),
        value.of(figures, "best_case"),
        value.of(figures, "committed"),
        value.of(figures, "weighted"),
        *value.against(quotas),
    ]


def _rep_quotas(lines: Sequence[QuotaLine]) -> dict[int, list[QuotaLine]]:
    """Per rep: their quarter quotas, and month quotas only for quarters without one."""
    mine: dict[int, list[QuotaLine]] = defaultdict(list)
    quarters = {(q.rep_id, q.period) for q in lines if "Q" in q.period}
    for q in lines:
        if "Q" in q.period or (q.rep_id, quarter_of(q.period)) not in quarters:
            mine[q.rep_id].append(q)
    return mine


def build(session: Session, t: Translator, request: Request) -> Built:
    p = request.period
    today = request.now.astimezone(p.tz).date()
    pct = request.settings.crm_commit_probability
    found = forecast(session, p.first, p.after, today, request.audience.ids, pct)
    value = _Valuer(session, request.base, today)
    committed = value.of(found.months, "committed")
    quota, cover = value.against([q for qs in _rep_quotas(found.quotas).values() for q in qs])
    late = found.past_due
    late_value = at_rate(value.rates, today, late.sums)
    headline = [
        t("reports.forecast.committed", value=money(t, committed), pct=t.number(pct)),
        t.plural(
            "reports.forecast.weighted",
            sum(f.count for f in found.months),
            weighted=money(t, value.of(found.months, "weighted")),
            best=money(t, value.of(found.months, "best_case")),
        ),
        t.plural("reports.forecast.past_due", late.count, value=money(t, late_value)),
    ]
    if quota is not None:
        headline.append(t("reports.forecast.quota", quota=money(t, quota), share=share(t, cover)))
    header = [
        t("reports.col.rep" if request.by == "rep" else "reports.col.period"),
        t("reports.col.open"),
        t("reports.col.best_case"),
        t("reports.col.committed"),
        t("reports.col.weighted"),
        t("reports.col.quota"),
        t("reports.col.of_quota"),
    ]
    if request.by == "rep":
        rows = _by_rep(session, t, value, found.by_rep, found.quotas)
    else:
        rows = _by_period(t, value, p, today, found.months, found.quotas)
    notes = [t("reports.forecast.valued", date=t.date(today), base=request.base)]
    if found.undated:
        notes.append(t.plural("reports.forecast.undated", found.undated[0].count))
    choices = [
        Button(title[:40], f"/deal #{deal_id}")
        for deal_id, title in list(zip(late.ids, late.titles, strict=True))[:PAST_DUE_BUTTONS]
    ]
    breakdowns = () if request.by == "rep" else ("rep",)
    return Built(headline, header, rows, notes, breakdowns=breakdowns, choices=choices)


def _by_period(
    t: Translator,
    value: _Valuer,
    period: Period,
    today: date,
    months: Sequence[Figures],
    quotas: Sequence[QuotaLine],
) -> list[list[Cell]]:
    """A row per month from this one on (earlier ones can hold nothing), then per quarter."""
    buckets = [m for m in _months(period) if m >= f"{today:%Y-%m}"]
    buckets += sorted({quarter_of(m) for m in buckets})
    rows = []
    for bucket in buckets:
        mine = [f for f in months if bucket in (f.period, quarter_of(f.period))]
        rows.append(_row(_label(t, bucket), value, mine, [q for q in quotas if q.period == bucket]))
    return rows


def _by_rep(
    session: Session,
    t: Translator,
    value: _Valuer,
    by_rep: Sequence[Figures],
    quotas: Sequence[QuotaLine],
) -> list[list[Cell]]:
    per_rep: dict[int | None, list[Figures]] = defaultdict(list)
    for f in by_rep:
        per_rep[getattr(f, "rep_id", None)].append(f)
    rep_quotas = _rep_quotas(quotas)
    for rep_id in rep_quotas:
        per_rep.setdefault(rep_id, [])
    names = reps.names(session, {r for r in per_rep if r is not None})
    rows = [
        _row(
            names.get(rep_id, "") if rep_id is not None else t("reports.nobody"),
            value,
            figures,
            rep_quotas.get(rep_id, []) if rep_id is not None else [],
        )
        for rep_id, figures in per_rep.items()
    ]
    return sorted(rows, key=lambda r: (-worth(r[3]), str(r[0])))
