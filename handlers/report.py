"""``/report [kind] [period] [scope]`` (``/rapor``): figures a manager asks for every week.

Kinds live in ``handlers.reports.registry``; the figures in ``storage.reports``. The answer
is the three numbers that matter, a table, and buttons: a breakdown (by rep, product, …) and
[CSV], which re-runs the same report as a CSV attachment, and [The deals behind it]
(``reports.behind``) for the kinds whose figures count deals. A chat answer carries the kind's
chart (``kind_charts``) as a PNG; a CSV answer does not. Read-only (``writes=False``).
"""

from __future__ import annotations

from handlers.kit import (
    Attachment,
    Button,
    Context,
    Reply,
    Translator,
    Usage,
    command,
    page_asked,
)
from handlers.reports import Built, Request, behind, kind_charts, render
from handlers.reports.registry import KINDS, kinds_typed
from handlers.reports.request import parse


@command("report", writes=False, aliases=("rapor", "reports", "raporlar"))
def report(ctx: Context) -> Reply:
    page, words = page_asked(ctx.words)
    request, as_csv = parse(
        ctx.session,
        ctx.t,
        ctx.rep,
        words,
        now=ctx.now,
        tz=ctx.tz,
        settings=ctx.services.settings,
        again=lambda tail: ctx.again(" ".join([*ctx.words, tail])),
    )
    if request.behind:
        return _behind(ctx, request, as_csv, page)
    built = KINDS[request.kind](ctx.session, ctx.t, request)
    if as_csv:
        name = f"{request.kind}-{request.period.canonical.replace('..', '_')}.csv"
        return Reply(
            ctx.t("reports.csv_ready", title=render.title(ctx.t, request)),
            attachments=[Attachment(name, "text/csv", render.as_csv(request, built))],
        )
    return answer(ctx.t, request, built)


def _behind(ctx: Context, request: Request, as_csv: bool, page: int) -> Reply:
    if request.kind not in behind.SETS:
        raise Usage("reports.behind.not_for", kinds=kinds_typed(ctx.t, behind.SETS))
    reason = ctx.literal if request.kind == "lost" else None
    if as_csv:
        return behind.as_csv(ctx.session, ctx.t, request, reason)
    return behind.answer(ctx.session, ctx.t, request, reason, page)


def answer(t: Translator, request: Request, built: Built) -> Reply:
    """A built report as a chat answer: text, its chart, the breakdown and CSV buttons (also
    what a report subscription posts)."""
    kind = f"{request.kind} {request.days}" if request.days else request.kind
    same = f"/report {kind} {request.period.canonical} {request.audience.canonical}"
    buttons = [Button(t(f"reports.button.by_{by}"), f"{same} {by}") for by in built.breakdowns]
    if request.kind in behind.SETS:
        buttons.append(Button(t("reports.behind.button"), behind.command(request)))
    buttons.append(
        Button(t("reports.button.csv"), f"{same} {request.by or ''} csv".replace("  ", " "))
    )
    chart = kind_charts.attach(t, request, built)
    return Reply(
        render.text(t, request, built),
        choices=built.choices,
        buttons=buttons,
        attachments=[chart] if chart else [],
    )
