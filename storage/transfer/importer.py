"""CSV import: read, map headers, check and write rows in batches, report what happened.

Why batches of a few hundred rows, each its own transaction: a long import must not hold
SQLite's single write lock for minutes (the bot keeps answering between batches), and a
failure loses at most one batch, never leaves half a row. A dry run is the exception: it runs
the whole file in one transaction and rolls it back, so its report is exactly what the real
run would say (rows later in the file see what earlier rows would have created) while nothing
is written, not even the rejected-rows file.

Every row ends as one of: new, updated, unchanged, duplicate (repeats an earlier row, or
looks like an existing record without being certainly it) or invalid (with the reason). Rows
that were not imported go to ``<name>.rejected.csv`` beside the input with a reason column.
Flaws found in rows that *were* imported (a misspelt sector read as the known one, a product
name that differs only by spacing, an open deal without an account) are counted as notes.

Re-importing the same file changes nothing: rows are matched on their external id (e.g. the
opportunity id) or on the folded name, and only fields whose value differs are written, so
the audit trail does not grow either.
"""

from __future__ import annotations

import csv
import io
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session

from storage.db import Actor, Database
from storage.quality import normalize
from storage.transfer import csvmap, import_deals, import_people
from storage.transfer.rows import Invalid, Issue, Loader, Options, Outcome, Row

KINDS = ("customers", "contacts", "deals", "reps", "products")
STATUSES = ("new", "updated", "unchanged", "duplicate", "invalid")
REJECTED = ("duplicate", "invalid")


@dataclass
class Report:
    kind: str
    path: Path
    dry_run: bool
    total: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    rejected: list[tuple[Row, Outcome]] = field(default_factory=list)
    notes: Counter[Issue] = field(default_factory=Counter)
    ignored_columns: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    rejected_path: Path | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.missing_columns

    def reasons(self) -> Counter[Issue]:
        """Why rows were rejected, one count per distinct reason."""
        return Counter(o.issue for _, o in self.rejected if o.issue is not None)


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Headers and rows; UTF-8 (with or without BOM) or Turkish Windows-1254, any delimiter."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1254", errors="replace")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    headers = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = headers
    rows = [
        {k: (v or "") for k, v in r.items() if k is not None}
        for r in reader
        if any((v or "").strip() for v in r.values() if isinstance(v, str))
    ]
    return headers, rows


def rejected_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.rejected.csv")


class _DryRun(Exception):
    pass


def make_loader(options: Options) -> Loader:
    makers: dict[str, Callable[[Options], Loader]] = {
        "customers": import_people.Customers,
        "contacts": import_people.Contacts,
        "reps": import_deals.Reps,
        "products": import_deals.Products,
        "deals": import_deals.Deals,
    }
    return makers[options.kind](options)


def run(
    db: Database,
    path: Path,
    options: Options,
    *,
    progress: Callable[[int, int], None] | None = None,
    describe: Callable[[Issue], str] = str,
) -> Report:
    """Import one CSV file; ``describe`` renders a reason for the rejected-rows file."""
    started = time.perf_counter()
    report = Report(options.kind, path, options.dry_run)
    headers, raw_rows = read_csv(path)
    columns, report.ignored_columns = csvmap.map_headers(headers, options.kind, options.mapping)
    report.missing_columns = [f for f in csvmap.REQUIRED[options.kind] if f not in columns]
    if not report.ok:
        return report
    formats = {
        name: normalize.date_format([r.get(c, "") for r in raw_rows for c in cols], options.region)
        for name, cols in columns.items()
        if name in csvmap.DATE_FIELDS
    }
    rows = [Row(i + 2, raw, columns, formats) for i, raw in enumerate(raw_rows)]
    report.total = len(rows)
    loader = make_loader(options)
    actor = Actor(None, "import", options.now)
    with _transactions(db, actor, options.dry_run) as session_for:
        with session_for() as session:
            loader.prepare(session)
        for start in range(0, len(rows), options.batch_size):
            with session_for() as session:
                for row in rows[start : start + options.batch_size]:
                    outcome = _one(loader, session, row)
                    report.counts[outcome.status] += 1
                    if outcome.status in REJECTED:
                        report.rejected.append((row, outcome))
                loader.end_batch(session)
            if progress:
                progress(min(start + options.batch_size, len(rows)), len(rows))
        with session_for() as session:
            loader.finish(session)
    report.notes = loader.notes
    if report.rejected and not options.dry_run:
        report.rejected_path = _write_rejected(path, headers, report.rejected, describe)
    report.seconds = time.perf_counter() - started
    return report


def _one(loader: Loader, session: Session, row: Row) -> Outcome:
    try:
        return loader.row(session, row)
    except Invalid as problem:
        return Outcome("invalid", problem.issue)


@contextmanager
def _transactions(db: Database, actor: Actor, dry_run: bool) -> Iterator[Callable[[], Any]]:
    """A factory of per-batch transactions, or of one shared transaction rolled back at the end."""
    if not dry_run:
        yield lambda: db.session(write=True, actor=actor)
        return
    try:
        with db.session(write=True, actor=actor) as shared:

            @contextmanager
            def same() -> Iterator[Session]:
                yield shared
                shared.flush()

            yield same
            raise _DryRun
    except _DryRun:
        pass


def _write_rejected(
    path: Path,
    headers: list[str],
    rejected: list[tuple[Row, Outcome]],
    describe: Callable[[Issue], str],
) -> Path:
    target = rejected_path(path)
    with target.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow([*headers, "line", "status", "reason"])
        for row, outcome in rejected:
            reason = describe(outcome.issue) if outcome.issue else ""
            writer.writerow(
                [row.raw.get(h, "") for h in headers] + [row.line, outcome.status, reason]
            )
    return target
