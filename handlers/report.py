"""``/report [kind] [period] [scope]`` (``/rapor``): figures a manager asks for every week.

Kinds live in ``handlers.reports.registry``; the figures in ``storage.reports``. The answer
is the three numbers that matter, a table, and buttons: a breakdown (by rep, product, …) and
[CSV], which re-runs the same report as a CSV attachment. Read-only (``writes=False``).
"""

from __future__ import annotations

from handlers.kit import Attachment, Button, Context, Reply, command
from handlers.reports import render
from handlers.reports.registry import KINDS
from handlers.reports.request import parse


@command("report", writes=False, aliases=("rapor", "reports", "raporlar"))
def report(ctx: Context) -> Reply:
    request, as_csv = parse(
        ctx.session,
        ctx.t,
        ctx.rep,
        ctx.words,
        now=ctx.now,
        tz=ctx.tz,
        settings=ctx.services.settings,
        again=lambda tail: ctx.again(" ".join([*ctx.words, tail])),
    )
    built = KINDS[request.kind](ctx.session, ctx.t, request)
    kind = f"{request.kind} {request.days}" if request.days else request.kind
    same = f"/report {kind} {request.period.canonical} {request.audience.canonical}"
    if as_csv:
        name = f"{request.kind}-{request.period.canonical.replace('..', '_')}.csv"
        return Reply(
            ctx.t("reports.csv_ready", title=render.title(ctx.t, request)),
            attachments=[Attachment(name, "text/csv", render.as_csv(request, built))],
        )
    buttons = [Button(ctx.t(f"reports.button.by_{by}"), f"{same} {by}") for by in built.breakdowns]
    buttons.append(
        Button(ctx.t("reports.button.csv"), f"{same} {request.by or ''} csv".replace("  ", " "))
    )
    charts = [Attachment(f"{request.kind}.png", "image/png", built.chart)] if built.chart else []
    return Reply(
        render.text(ctx.t, request, built),
        choices=built.choices,
        buttons=buttons,
        attachments=charts,
    )
