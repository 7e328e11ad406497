"""``crm-bot report KIND [--period P] [--scope S] [--by B] [--days N] [--format text|csv|json]
[--as REP] [--chart FILE]``.

The same reports as ``/report``, read the same way (``handlers.reports.request``), printed to
standard output. Without ``--as`` the CLI acts as an administrator and sees everyone (its
default scope); with ``--as REP`` it sees what that rep would see in chat. Refusals go to
standard error with the usage, exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.errors import Refusal
from handlers.kit import Abort, Services, Translator, Usage
from handlers.reports import Built, Request, kind_charts, render
from handlers.reports.registry import KINDS, kind_named
from handlers.reports.request import parse
from storage import reps
from storage.models import Rep


def add_parsers(sub: Any) -> None:
    kinds = " | ".join(KINDS)
    cmd = sub.add_parser("report", help=f"a report: {kinds} (see README)")
    cmd.add_argument("kind", help=f"{kinds} (Turkish names too)")
    cmd.add_argument("--period", default="", help='e.g. "last month", "2026-Q3", "son 30 gün"')
    cmd.add_argument("--scope", default="", help="me | team | a rep's name | everyone")
    cmd.add_argument("--by", default="", help="rep | manager | region | product | stage")
    cmd.add_argument("--days", type=int, help="stale: days without activity (default: digest's)")
    cmd.add_argument("--format", choices=("text", "csv", "json"), default="text")
    cmd.add_argument("--as", dest="as_rep", metavar="REP", help="see what this rep may see")
    cmd.add_argument("--chart", metavar="FILE", help="also write the report's chart (PNG) here")


def run(args: argparse.Namespace, services: Services, t: Translator) -> int:
    settings = services.settings
    if kind_named(args.kind) is None:
        raise Refusal("reports.cli.refused", said="")
    days = [str(args.days)] if args.days is not None else []
    words = [args.kind, *days, *args.period.split(), *args.scope.split(), *args.by.split()]
    with services.db.session() as session:
        asker = reps.by_name(session, args.as_rep) if args.as_rep else _console_admin()
        if asker is None:
            raise Refusal("reports.cli.no_rep", name=args.as_rep)
        if args.as_rep and asker.language:
            t = Translator(asker.language)
        try:
            request, _ = parse(
                session,
                t,
                asker,
                words,
                now=services.clock(),
                tz=ZoneInfo(asker.timezone or settings.crm_timezone),
                settings=settings,
            )
        except Usage as problem:
            said = t(problem.problem, **problem.values) if problem.problem else ""
            raise Refusal("reports.cli.refused", said=said) from None
        except Abort as choice:
            names = ", ".join(c.label for c in choice.reply.choices)
            raise Refusal("reports.cli.which", said=choice.reply.text, names=names) from None
        built = KINDS[request.kind](session, t, request)
    if args.chart:
        _write_chart(t, request, built, Path(args.chart))
    if args.format == "csv":
        sys.stdout.write(render.as_csv(request, built).decode("utf-8"))
    elif args.format == "json":
        print(render.as_json(request, built))
    else:
        print(render.text(t, request, built))
    return 0


def _write_chart(t: Translator, request: Request, built: Built, path: Path) -> None:
    """The chart goes to a file, the word that it did (or that there was none) to stderr,
    so that standard output stays the report alone (a CSV piped on stays a CSV)."""
    if kind_charts.attach(t, request, built) is None:
        print(t("charts.none"), file=sys.stderr)
        return
    path.write_bytes(built.chart or b"")
    print(t("charts.written", path=path), file=sys.stderr)


def _console_admin() -> Rep:
    """The CLI's own standing: an administrator who owns nothing (scope: everyone)."""
    return Rep(id=0, name="crm-bot", role="admin")
