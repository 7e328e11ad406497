"""The deals behind a report's number: ``/report <kind> <period> <scope> deals [-- <reason>]``.

A manager who doubts a figure opens the list it was counted from, for the same period and
the same people (a named manager's whole team, not only their own deals). The set is the
kind's (``SETS``), defined in ``storage.reports.behind`` exactly as the figure is, so the
count on top equals the report's number. The lost report's reason rows drill into the deals
lost for that reason (the reason after a lone ``--``, as typed; ``--`` alone: no reason).
Ten deals a page, each a button that opens it; [CSV] exports the whole set.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from handlers.kit import Attachment, Button, Reply, Translator
from handlers.reports import Request, render
from storage import deals, reps
from storage.reports.behind import Behind, Which, deals_behind

PAGE = 10
COLUMNS = ("id", "deal", "customer", "rep", "stage", "amount", "currency", "date", "reason")
CSV_ROWS = 10_000  # a CSV beyond this says so: a chat attachment, not a data dump
SETS: dict[str, Which] = {
    "summary": "closed",
    "winrate": "closed",
    "cycle": "won",
    "lost": "lost",
    "pipeline": "open",
    "forecast": "due",
    "funnel": "created",
    "activity": "advanced",
}


def command(request: Request, reason: str | None = None) -> str:
    """The typed form of the drill into ``request``'s deals (for a button)."""
    kind = f"{request.kind} {request.days}" if request.days else request.kind
    typed = f"/report {kind} {request.period.canonical} {request.audience.canonical} deals"
    return typed if reason is None else f"{typed} -- {reason}".rstrip()


def _found(
    session: Session, request: Request, reason: str | None, limit: int | None, offset: int
) -> tuple[int, list[Behind]]:
    p = request.period
    return deals_behind(
        session,
        SETS[request.kind],
        p.start,
        p.end,
        request.audience.ids,
        days=(p.first, p.last),
        reason=reason,
        limit=limit,
        offset=offset,
    )


def _head(t: Translator, request: Request, reason: str | None, total: int) -> str:
    p = request.period
    span = t("reports.behind.span", first=t.date(p.first), last=t.date(p.last))
    head = t(
        "reports.behind.head",
        what=t(f"reports.behind.{SETS[request.kind]}", span=span),
        audience=request.audience.label,
        count=t.number(total),
    )
    if reason is not None:
        head += "\n" + t("reports.behind.reason", reason=reason or t("reports.lost.no_reason"))
    return head


def _columns(session: Session, request: Request, rows: list[Behind]) -> list[list]:
    """Each deal as the columns a reader needs to check it: id, title, customer, owner,
    stage, amount and currency, the local date that put it in the set, a lost reason."""
    names = reps.names(session, {r.owner_id for r in rows if r.owner_id is not None})
    stages = {s.id: s.name for s in deals.stages(session)}
    tz = request.period.tz
    return [
        [
            r.id,
            r.title,
            r.customer or "",
            names.get(r.owner_id or 0, ""),
            stages.get(r.stage_id, ""),
            r.amount,
            r.currency,
            r.at.astimezone(tz).date() if isinstance(r.at, datetime) else r.at,
            (r.reason or "").strip(),
        ]
        for r in rows
    ]


def _line(t: Translator, n: int, row: list) -> str:
    deal_id, title, customer, owner, stage, amount, currency, at, reason = row
    parts = [
        f"{title} (#{deal_id})",
        customer,
        owner or t("reports.nobody"),
        t.stage(stage),
        t.money(amount, currency) if amount is not None else "—",
        t.date(at) if at is not None else "—",
        reason,
    ]
    return f"{n}. " + " · ".join(p for p in parts if p)


def answer(
    session: Session, t: Translator, request: Request, reason: str | None, page: int
) -> Reply:
    total, rows = _found(session, request, reason, PAGE, (page - 1) * PAGE)
    head = _head(t, request, reason, total)
    if not total:
        return Reply(head + "\n" + t("reports.behind.none"))
    first = (page - 1) * PAGE + 1
    lines = [_line(t, n, row) for n, row in enumerate(_columns(session, request, rows), first)]
    pages = -(-total // PAGE)
    if pages > 1:
        head += t("common.page", page=page, pages=pages).rstrip(":")
    same, word = command(request), t.words("kw.page")[0]
    literal = "" if reason is None else f" -- {reason}".rstrip()
    buttons = []
    if page > 1:
        buttons.append(Button(t("lists.previous"), f"{same} {word} {page - 1}{literal}"))
    if page < pages:
        buttons.append(Button(t("lists.next"), f"{same} {word} {page + 1}{literal}"))
    buttons.append(Button(t("reports.button.csv"), f"{same} csv{literal}"))
    return Reply(
        "\n".join([head, *lines]),
        choices=[Button(r.title[:40], f"/deal #{r.id}") for r in rows],
        buttons=buttons,
    )


def as_csv(session: Session, t: Translator, request: Request, reason: str | None) -> Reply:
    """The whole set (up to ``CSV_ROWS``) with plain values: amounts as numbers beside their
    currency, dates as ISO dates, stage names as stored."""
    total, rows = _found(session, request, reason, CSV_ROWS, 0)
    text = _head(t, request, reason, total)
    if total > CSV_ROWS:
        text += "\n" + t("reports.behind.capped", count=t.number(CSV_ROWS))
    header = [t(f"reports.behind.col.{h}") for h in COLUMNS]
    name = f"{request.kind}-deals-{request.period.canonical.replace('..', '_')}.csv"
    data = render.table_csv(header, _columns(session, request, rows))
    return Reply(text, attachments=[Attachment(name, "text/csv", data)])
