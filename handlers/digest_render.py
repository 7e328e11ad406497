"""The digest as platform-neutral Replies.

Layout, chosen for the platforms' limits (Telegram: 4,096 characters, 1,024 in a photo
caption; Slack: 50 blocks): one Reply with the pipeline and what changed; one with the chart
alone under a short caption, so any adapter can send it as a photo; then the attention items,
at most ten to a Reply, each with buttons that act on it, and no Reply over 3,500 characters.
Each rule lists ``CRM_DIGEST_ITEMS_PER_RULE`` items and counts the rest, pointing to
/pipeline. A button carries a typed command (``/deal #12``, ``/stage #12 lost``,
``/log call #7``, ``/tasks overdue @#3``), so pressing it is the same as typing it. A button
is labelled with its own item's number or rep (the log button of deal #12 reads "Log call #12"
though it logs on the deal's customer), so a page of ten items never shows two alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from handlers.digest_chart import pipeline_chart
from handlers.fx import RateBook, converted_lines
from handlers.kit import Button, Reply, Translator
from storage.schedule.digest_data import DealItem, DigestData, Listing, Scope, Sum

MAX_TEXT = 3_500
ITEMS_PER_REPLY = 10
TITLE_WIDTH = 60

Describe = Callable[[DealItem], str]
Actions = Callable[[DealItem], list[Button]]


@dataclass(frozen=True)
class Audience:
    """Whom a digest covers and how it reads: scope, heading, language and timezone."""

    scope: Scope
    heading: str  # catalog key: digest.title_all | digest.title_team | digest.title_rep
    name: str
    t: Translator
    tz: ZoneInfo
    view: str = "all"  # whose data-quality findings: "all", or "team:<head rep id>"

    def title(self, data: DigestData) -> str:
        return self.t(self.heading, name=self.name, date=self.t.date(data.today))


def render(
    data: DigestData, who: Audience, names: dict[int, str], book: RateBook | None = None
) -> list[Reply]:
    """Summary, chart, attention pages; ``names`` maps rep ids to names; ``book`` holds the
    exchange rates for the converted total."""
    t = who.t
    heading = who.title(data)
    replies = [_summary(data, who, heading, book)]
    chart = pipeline_chart(data.pipeline, t, heading)
    if chart is not None:
        replies.append(Reply(t("digest.chart_caption", title=heading), attachments=[chart]))
    return replies + _attention(data, who, names)


def fit(lines: list[str], t: Translator, limit: int = MAX_TEXT) -> str:
    """Join lines, stopping short of ``limit`` with a pointer to /pipeline for the rest."""
    text = ""
    for kept, line in enumerate(lines):
        if len(text) + len(line) + 120 > limit:
            return text + "\n" + t("digest.cut", count=len(lines) - kept)
        text = f"{text}\n{line}" if text else line
    return text


def _money(t: Translator, sums: list[Sum]) -> str:
    return " + ".join(t.money(s.total, s.currency) for s in sums) or "—"


def _title(item: DealItem) -> str:
    title = item.title
    if len(title) > TITLE_WIDTH:
        title = title[: TITLE_WIDTH - 1] + "…"
    return f"{title} · {item.customer}" if item.customer else title


def _summary(data: DigestData, who: Audience, heading: str, book: RateBook | None) -> Reply:
    t = who.t
    lines = [f"📊 {heading}", "", t("digest.pipeline")]
    totals: dict[str, tuple[Decimal, Decimal]] = {}
    for stage in data.stages:
        rows = [r for r in data.pipeline if r.stage.id == stage.id]
        if not rows:
            continue
        sums = [Sum(r.currency, r.count, r.total) for r in rows]
        weighted = [Sum(s.currency, s.count, s.total * stage.probability / 100) for s in sums]
        for s, w in zip(sums, weighted, strict=True):
            total, weight = totals.get(s.currency, (Decimal(0), Decimal(0)))
            totals[s.currency] = (total + s.total, weight + w.total)
        label = f"{t.stage(stage.name)} ({t.percent(stage.probability)})"
        count = sum(s.count for s in sums)
        row = t("pipeline.row", stage=label, count=count, total=_money(t, sums))
        lines.append(f"• {row} · {t('pipeline.weighted', value=_money(t, weighted))}")
    if not data.pipeline:
        lines.append(t("digest.no_open_deals"))
    for currency, (total, weight) in sorted(totals.items()):
        lines.append(
            t("pipeline.total", total=t.money(total, currency), weighted=t.money(weight, currency))
        )
    if book is not None:
        lines += converted_lines(t, book, totals)
    lines += ["", t("digest.since", since=t.when(data.since, who.tz))]
    lines += _changes(data, t)
    buttons = [
        Button(t("button.pipeline"), "/pipeline"),
        Button(t("digest.button.my_overdue"), "/tasks overdue"),
    ]
    return Reply(fit(lines, t), buttons=buttons)


def _changes(data: DigestData, t: Translator) -> list[str]:
    changes = data.changes
    if changes.empty:
        return [t("digest.no_changes")]
    stages = {s.id: s for s in data.stages}
    lines: list[str] = []
    if changes.new:
        count = sum(s.count for s in changes.new)
        lines.append("• " + t("digest.new", count=count, total=_money(t, changes.new)))
        lines += _deal_lines(t, changes.new_deals, lambda d: t.money(d.amount, d.currency))
    moves = [
        f"{t.stage(stages[m.from_stage_id].name)} → {t.stage(stages[m.to_stage_id].name)}"
        + (f" ×{m.count}" if m.count > 1 else "")
        for m in changes.moves
        if m.from_stage_id in stages and m.to_stage_id in stages
    ]
    if moves:
        lines.append("• " + t("digest.moves", moves=", ".join(moves)))
    for key, listing, won in (
        ("digest.won", changes.won, True),
        ("digest.lost", changes.lost, False),
    ):
        if not listing.total:
            continue
        sums = [
            s
            for stage_id, rows in changes.closed.items()
            if stage_id in stages and stages[stage_id].is_won == won
            for s in rows
        ]
        lines.append("• " + t(key, count=listing.total, total=_money(t, sums)))
        if won:
            lines += _deal_lines(
                t,
                listing,
                lambda d: t.money(
                    d.amount if d.closed_amount is None else d.closed_amount, d.currency
                ),
            )
        else:
            lines += _deal_lines(
                t, listing, lambda d: t("digest.reason", reason=d.lost_reason or "—")
            )
    return lines


def _deal_lines(t: Translator, listing: Listing, describe: Describe) -> list[str]:
    lines = [f"   – {_title(d)} · {describe(d)} (#{d.id})" for d in listing.items]
    if listing.total > len(listing.items):
        lines.append("   " + t("digest.more", count=listing.total - len(listing.items)))
    return lines


@dataclass(frozen=True)
class _Item:
    rule: str  # the rule's heading, translated
    text: str
    buttons: tuple[Button, ...]


class _Collector:
    """Gathers attention items in rule order, counting those a rule could not list."""

    def __init__(self, names: dict[int, str]) -> None:
        self.items: list[_Item] = []
        self.unlisted = 0
        self.names = names

    def deals(self, rule: str, listing: Listing, describe: Describe, actions: Actions) -> None:
        heading = f"{rule} ({listing.total})"
        for d in listing.items:
            detail = describe(d)
            text = f"{_title(d)} · {detail}" if detail else _title(d)
            owner = self.names.get(d.owner_id or 0)
            text += f" · {owner} (#{d.id})" if owner else f" (#{d.id})"
            self.items.append(_Item(heading, text, tuple(actions(d))))
        self.unlisted += listing.total - len(listing.items)


def _touched(d: DealItem) -> datetime:
    return max(x for x in (d.last_touch, d.stage_changed_at) if x is not None)


def _attention(data: DigestData, who: Audience, names: dict[int, str]) -> list[Reply]:
    t, tz, a, limits = who.t, who.tz, data.attention, data.limits
    found = _Collector(names)

    def open_(d: DealItem) -> list[Button]:
        return [Button(t("digest.button.open", id=d.id), f"/deal #{d.id}")]

    def log(d: DealItem) -> list[Button]:
        if d.customer_id is None:
            return []
        return [Button(t("digest.button.log", id=d.id), f"/log call #{d.customer_id}")]

    def lost(d: DealItem) -> list[Button]:
        return [Button(t("digest.button.lost", id=d.id), f"/stage #{d.id} lost")]

    def created(d: DealItem) -> str:
        return t("digest.since_date", date=t.date(d.created_at.astimezone(tz).date()))

    def won_at(d: DealItem) -> str:
        pct = t.percent(round(100 * (d.closed_amount or 0) / (d.amount or 1)))
        closed, amount = t.money(d.closed_amount, d.currency), t.money(d.amount, d.currency)
        return t("digest.won_at", closed=closed, amount=amount, pct=pct)

    found.deals(
        t("digest.rule.close_overdue", days=limits.close_overdue_days),
        a.close_overdue,
        lambda d: t("digest.expected", date=t.date(d.expected_close)) if d.expected_close else "",
        lambda d: open_(d) + lost(d),
    )
    found.deals(
        t("digest.rule.stale", days=limits.stale_days),
        a.stale,
        lambda d: t("digest.quiet", days=(data.now - _touched(d)).days),
        lambda d: open_(d) + log(d),
    )
    found.deals(t("digest.rule.lost_no_reason"), a.lost_no_reason, lambda d: "", open_)
    found.deals(
        t(
            "digest.rule.won_off",
            low=t.percent(limits.won_low_pct),
            high=t.percent(limits.won_high_pct),
        ),
        a.won_off,
        won_at,
        open_,
    )
    found.deals(t("digest.rule.unowned"), a.unowned, created, open_)
    found.deals(
        t("digest.rule.uncontacted", days=limits.lead_contact_days),
        a.uncontacted,
        created,
        lambda d: log(d) + open_(d),
    )
    shown = limits.items_per_rule
    overdue = sorted((r for r in a.loads if r.overdue), key=lambda r: (-r.overdue, r.rep_id))
    rule = f"{t('digest.rule.overdue_tasks')} ({len(overdue)})"
    for r in overdue[:shown]:
        name = names.get(r.rep_id, "?")
        text = t.plural("digest.overdue_count", r.overdue, name=name)
        button = Button(t("digest.button.overdue", name=name), f"/tasks overdue @#{r.rep_id}")
        found.items.append(_Item(rule, text, (button,)))
    heavy = [r for r in a.loads if r.open > limits.max_open_tasks or r.old]
    heavy.sort(key=lambda r: (-r.open, -r.old, r.rep_id))
    rule = t("digest.rule.task_load", max=limits.max_open_tasks, days=limits.task_age_days)
    for r in heavy[:shown]:
        name = names.get(r.rep_id, "?")
        text = t.plural("digest.load", r.open, name=name)
        if r.old:
            text += ", " + t.plural("digest.load_old", r.old, days=limits.task_age_days)
        button = Button(t("digest.button.tasks", name=name), f"/tasks @#{r.rep_id}")
        found.items.append(_Item(f"{rule} ({len(heavy)})", text, (button,)))
    found.unlisted += max(len(overdue) - shown, 0) + max(len(heavy) - shown, 0)
    return _paginate(found.items, found.unlisted, t)


def _paginate(items: list[_Item], unlisted: int, t: Translator) -> list[Reply]:
    if not items:
        return []
    pages = [items[i : i + ITEMS_PER_REPLY] for i in range(0, len(items), ITEMS_PER_REPLY)]
    replies = []
    for number, page in enumerate(pages, 1):
        lines = [t("digest.attention", page=number, pages=len(pages))]
        rule = ""
        for item in page:
            if item.rule != rule:
                lines += ["", item.rule]
                rule = item.rule
            lines.append(f"• {item.text}")
        buttons = list(dict.fromkeys(b for item in page for b in item.buttons))
        if number == len(pages) and unlisted:
            lines += ["", t("digest.more_pipeline", count=unlisted)]
            buttons.append(Button(t("button.pipeline"), "/pipeline"))
        replies.append(Reply(fit(lines, t), buttons=buttons))
    return replies
