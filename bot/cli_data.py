"""``crm-bot import`` and ``crm-bot export``: data in and out of the CRM as CSV (or JSON).

Kept apart from ``bot/cli.py`` so that the CLI's entry point only registers the sub-commands
and dispatches here. The report is printed in the CRM's language (CRM_LANGUAGE); the progress
bar goes to stderr so that stdout stays clean for an export piped into a file.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from bot.progress import Bars
from handlers.kit import Services, Translator
from storage import access_log
from storage.transfer import exporter, importer, maven


def add_parsers(sub: Any) -> None:
    """Register ``import`` and ``export`` on the CLI's sub-parsers."""
    imp = sub.add_parser("import", help="import customers, contacts, deals, reps or products")
    imp.add_argument("kind", choices=(*importer.KINDS, "maven"))
    imp.add_argument("path", help="the CSV file (for maven: the dataset's folder)")
    imp.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    imp.add_argument(
        "--map",
        nargs="+",
        action="extend",
        default=[],
        metavar="COLUMN=FIELD",
        help="read this column as that field",
    )
    imp.add_argument("--create-missing", action="store_true", help="create unknown reps/stages")
    imp.add_argument(
        "--restore-archived",
        action="store_true",
        help="a row that meets an archived (deleted) record restores and updates it",
    )
    imp.add_argument(
        "--report",
        metavar="FILE",
        help="write the problem rows (rejected or flagged) there as CSV; always printed",
    )
    # Retired: look-alikes are always created apart and flagged. Still accepted, so that old
    # scripts keep running; it changes nothing.
    imp.add_argument("--allow-duplicates", action="store_true", help=argparse.SUPPRESS)
    imp.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    imp.add_argument("--source", default="csv", help="system the external ids come from")
    imp.add_argument(
        "--batch",
        type=int,
        default=2000,
        help="rows per transaction at most (each also ends after 0.2 s)",
    )
    exp = sub.add_parser("export", help="export customers, deals, interactions or tasks")
    exp.add_argument("kind", choices=exporter.KINDS)
    exp.add_argument("--format", choices=("csv", "json"), default="csv")
    exp.add_argument("--output", "-o", metavar="FILE", help="default: standard output")


def run(args: argparse.Namespace, services: Services, t: Translator) -> int:
    if args.command == "export":
        return _export(args, services)
    return _import(args, services, t)


def _mapping(pairs: list[str]) -> dict[str, str] | None:
    mapping: dict[str, str] = {}
    for pair in pairs:
        column, sep, field = pair.partition("=")
        if not sep or not column.strip() or not field.strip():
            return None
        mapping[column.strip()] = field.strip()
    return mapping


def describe(t: Translator, issue: importer.Issue) -> str:
    """An import issue in the reader's language; its ``why``, when a reason code the catalogs
    word (``import.why.*``), in that language too."""
    key = f"import.issue.{issue.code}"
    if not t.has(key):
        return str(issue)
    args = issue.args
    why = args.get("why")
    if isinstance(why, str) and t.has(f"import.why.{why}"):
        args["why"] = t(f"import.why.{why}")
    return t(key, **args)


def _import(args: argparse.Namespace, services: Services, t: Translator) -> int:
    mapping = _mapping(args.map)
    if mapping is None:
        print(t("import.bad_map"), file=sys.stderr)
        return 2
    path = Path(args.path)
    if not path.exists():
        print(t("import.no_file", path=path), file=sys.stderr)
        return 2
    report = Path(args.report) if args.report else None
    if report is not None and (why := _unwritable(report)):
        print(t("import.report_unwritable", path=report, why=t(why)), file=sys.stderr)
        return 2
    settings = services.settings
    options = importer.Options(
        kind=args.kind if args.kind != "maven" else "customers",
        dry_run=args.dry_run,
        mapping=mapping,
        create_missing=args.create_missing,
        restore_archived=args.restore_archived,
        source=args.source,
        region=settings.crm_phone_region,
        currency=settings.crm_currency,
        batch_size=max(1, args.batch),
        report=report,
    )
    render = lambda issue: describe(t, issue)  # noqa: E731
    bars = Bars(sys.stderr, t("import.progress_unit"), quiet=args.quiet)
    try:
        if args.kind == "maven":
            reports = maven.load(services.db, path, options, progress=bars, describe=render)
        else:
            step = lambda done, total: bars(path.name, done, total)  # noqa: E731
            reports = [importer.run(services.db, path, options, progress=step, describe=render)]
    except importer.FileProblem as problem:
        print(file_problem(t, problem), file=sys.stderr)
        return 2
    finally:
        bars.close()
    for found in reports:
        print("\n".join(report_lines(found, t)))
    return 0 if all(r.ok for r in reports) else 2


def _unwritable(path: Path) -> str | None:
    """The catalog key of why the report cannot be written there (checked before importing)."""
    if path.is_dir():
        return "import.unwritable.is_folder"
    if not path.parent.is_dir():
        return "import.unwritable.no_folder"
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return "import.unwritable.denied"
    return None


def file_problem(t: Translator, problem: importer.FileProblem) -> str:
    """The one line that says why a file was refused, naming the line."""
    values = dict(problem.values)
    values["file"] = problem.path.name if problem.path else ""
    key = f"import.file.{problem.code}"
    if problem.code == "undecodable":
        return t.plural(key, int(values.pop("count")), **values)
    if "limit" in values:
        values["limit"] = t.number(int(values["limit"]))
    return t(key, **values)


def report_lines(report: importer.Report, t: Translator) -> list[str]:
    """The import report as printed: counts, reasons, notes, where the rejected rows went."""
    name = report.path.name
    if not report.ok:
        return [t("import.missing_columns", file=name, fields=", ".join(report.missing_columns))]
    counts = {status: report.counts.get(status, 0) for status in importer.STATUSES}
    lines = [t("import.header", file=name, kind=report.kind, total=report.total)]
    counted = t("import.counts", **counts)
    if counts["archived"]:  # rare: shown only when some row met an archived record
        counted += " · " + t("import.counts_archived", archived=counts["archived"])
    lines.append("  " + counted)
    if report.ignored_columns:
        lines.append("  " + t("import.ignored", columns=", ".join(report.ignored_columns)))
    if reasons := report.reasons():
        lines.append("  " + t("import.reasons"))
        lines += _counted(reasons.items(), lambda issue: describe(t, issue))
    if flags := report.flags():
        flagged = sum(1 for _, o in report.problems if o.flags)
        lines.append("  " + t.plural("import.flagged", flagged))
        lines += _counted(flags.items(), lambda code: t(f"import.flag.{code}"))
    if report.notes:
        lines.append("  " + t("import.notes"))
        lines += _counted(report.notes.items(), lambda issue: describe(t, issue))
    if report.problems:
        lines.append("  " + t("import.problems"))
        for row, outcome in report.problems:
            reasons_text = "; ".join(importer.problem_reasons(outcome, lambda i: describe(t, i)))
            status = t(f"import.status.{outcome.status}")
            lines.append(
                "    "
                + t("import.problem_line", line=row.line, status=status, reasons=reasons_text)
            )
    if report.report_path:
        lines.append("  " + t("import.report_file", path=report.report_path))
    if report.dry_run:
        lines.append("  " + t("import.dry_run"))
    lines.append("  " + t("import.took", seconds=f"{report.seconds:.1f}"))
    return lines


def _counted(items: Any, render: Any) -> list[str]:
    ranked = sorted(items, key=lambda kv: (-kv[1], str(kv[0])))
    return [f"    {count} × {render(key)}" for key, count in ranked]


def _export(args: argparse.Namespace, services: Services) -> int:
    out: TextIO
    out = open(args.output, "w", newline="", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    written = 0
    try:
        with services.db.session() as session:  # a read: the write lock is not held meanwhile
            rows = exporter.rows(session, args.kind)
            columns = exporter.COLUMNS[args.kind]
            if args.format == "csv":
                writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
                writer.writeheader()
                for row in rows:
                    writer.writerow(row)
                    written += 1
            else:
                out.write("[")
                for i, row in enumerate(rows):
                    out.write(("," if i else "") + "\n" + json.dumps(row, ensure_ascii=False))
                    written += 1
                out.write("\n]\n")
    finally:
        if out is not sys.stdout:
            out.close()
    with services.db.session(write=True) as session:  # the access log: who exported what
        access_log.record(
            session,
            rep_id=None,
            platform="cli",
            action="export",
            entity=args.kind,
            entity_id=None,
            at=services.clock(),
            detail=f"{written} rows, {args.format}" + (f" to {args.output}" if args.output else ""),
        )
    return 0
