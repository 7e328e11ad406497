"""``/pipeline [mine | team | <rep name>]`` (``/huni benim | ekip | Ayşe Yılmaz``): deals by
stage, and open deals by rep.

Who may be shown: ``mine`` is the asker's own deals; ``team`` is the asker's team — a rep's
"team" is themselves only, a manager's is everyone below them, an admin's everyone; a rep by
name must be inside that team (otherwise the answer is that no such rep is visible, which
does not confirm the name). Plain ``/pipeline`` is every deal the asker may read, as before;
``team`` adds the open deals per rep.

Open deals are counted whatever their age; the Won and Lost rows are this calendar month's
(in the asker's timezone), and the answer names the month, so "Won" reads as a result, not an
all-time pile.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time
from decimal import Decimal

from babel.dates import format_date

from handlers.fx import converted_lines, rate_book
from handlers.kit import Button, Context, Reply, Usage, command, is_keyword
from storage import deals, reps
from storage.deals import StageTotal
from storage.folding import fold
from storage.models import Rep
from storage.reports import pipeline as figures
from storage.reports.basis import RepScope


def _team(ctx: Context) -> RepScope:
    """Whose deals the asker may see as a team: None for an admin (everyone)."""
    me = ctx.rep.id or 0
    if ctx.rep.role == "admin":
        return None
    if ctx.rep.role == "manager":
        return tuple(sorted({me, *reps.reports_of(ctx.session, me)}))
    return (me,)


def _named(ctx: Context, words: str, team: RepScope) -> Rep | None:
    wanted = fold(words)
    for rep in reps.all_reps(ctx.session):
        if fold(rep.name) == wanted and (team is None or rep.id in team):
            return rep
    return None


@command("pipeline", writes=False, aliases=("huni",))
def pipeline(ctx: Context) -> Reply:
    arg, t = ctx.args.strip(), ctx.t
    scope: RepScope = None
    team = False
    if not arg:
        header = t("pipeline.header")
    elif is_keyword(arg, "kw.mine"):
        scope, header = (ctx.rep.id or 0,), t("pipeline.header_mine")
    elif is_keyword(arg, "kw.team"):
        scope, team = _team(ctx), True
        key = "pipeline.header_own_only" if scope == (ctx.rep.id,) else "pipeline.header_team"
        header = t(key, name=ctx.rep.name)
    else:
        rep = _named(ctx, arg, _team(ctx))
        if rep is None:
            raise Usage("pipeline.bad_filter", word=arg)
        scope, header = (rep.id or 0,), t("pipeline.header_rep", name=rep.name)
    local = ctx.now.astimezone(ctx.tz).date()
    month_start = datetime.combine(local.replace(day=1), time(), ctx.tz).astimezone(UTC)
    stages = deals.stages(ctx.session)
    totals = figures.by_stage(ctx.session, stages, month_start, scope)
    month = format_date(local, "LLLL y", locale=t.locale)
    lines = [header, *_stage_lines(ctx, totals, month)]
    if team and (scope is None or len(scope) > 1):
        lines += _rep_lines(ctx, figures.by_rep(ctx.session, stages, scope))
    return Reply(
        "\n".join(lines),
        buttons=[
            Button(t("button.my_deals"), "/deals mine"),
            Button(t("button.all_deals"), "/deals all"),
        ],
    )


def _stage_lines(ctx: Context, totals: list[StageTotal], month: str) -> list[str]:
    t = ctx.t
    lines: list[str] = []
    open_sum: dict[str, Decimal] = defaultdict(Decimal)
    weighted_sum: dict[str, Decimal] = defaultdict(Decimal)
    by_stage: dict[int, list[StageTotal]] = defaultdict(list)
    for row in totals:
        by_stage[row.stage.position].append(row)
    for rows in by_stage.values():
        st = rows[0].stage
        label = f"{t.stage(st.name)} ({t.percent(st.probability)})"
        amounts = " + ".join(t.money(r.total, r.currency) for r in rows)
        line = t("pipeline.row", stage=label, count=sum(r.count for r in rows), total=amounts)
        if st.is_closed:
            line += " · " + t("pipeline.in_month", month=month)
        else:
            weighted = [r.total * st.probability / 100 for r in rows]
            for r, w in zip(rows, weighted, strict=True):
                open_sum[r.currency] += r.total
                weighted_sum[r.currency] += w
            value = " + ".join(t.money(w, r.currency) for r, w in zip(rows, weighted, strict=True))
            line += " · " + t("pipeline.weighted", value=value)
        lines.append(f"• {line}")
    if not totals:
        lines.append(t("deals.none"))
    for currency, amount in sorted(open_sum.items()):
        lines.append(
            t(
                "pipeline.total",
                total=t.money(amount, currency),
                weighted=t.money(weighted_sum[currency], currency),
            )
        )
    base, today = ctx.services.settings.crm_currency.upper(), ctx.now.astimezone(ctx.tz).date()
    book = rate_book(ctx.session, base, today)
    return lines + converted_lines(t, book, {c: (v, weighted_sum[c]) for c, v in open_sum.items()})


def _rep_lines(ctx: Context, rows: list[figures.RepTotal]) -> list[str]:
    if not rows:
        return []
    t = ctx.t
    names = reps.names(ctx.session, {r.rep_id for r in rows if r.rep_id is not None})
    grouped: dict[int | None, list[figures.RepTotal]] = defaultdict(list)
    for row in rows:
        grouped[row.rep_id].append(row)
    lines = ["", t("pipeline.by_rep")]
    for rep_id, mine in grouped.items():
        who = names.get(rep_id or 0, "") if rep_id is not None else t("pipeline.unowned")
        amounts = " + ".join(t.money(r.total, r.currency) for r in mine)
        weighted = " + ".join(t.money(r.weighted, r.currency) for r in mine)
        count = sum(r.count for r in mine)
        lines.append(
            "• " + t("pipeline.rep_row", rep=who, count=count, total=amounts, weighted=weighted)
        )
    return lines
