"""CSV import: read, map headers, check and write rows in batches, report what happened.

Why batches, each its own transaction, cut after ``Options.budget_s`` (200 ms) or
``batch_size`` rows, whichever comes first: a long import must not hold SQLite's single write
lock for more than a moment, so that chat writes waiting for it (``storage.db`` polls for
the lock every few milliseconds) get in between two batches, well under a second, and the
import leaves the lock alone while they do (``Database.sharing``); a row
count alone cannot promise that, as rows differ in cost and machines in speed. A failure
loses at most one batch, never leaves half a row. A dry run is the exception: it runs
the whole file in one transaction and rolls it back, so its report is exactly what the real
run would say (rows later in the file see what earlier rows would have created) while nothing
is written to the database.

The file is read whole first (``storage.transfer.reading``): a malformed file (an encoding
that does not decode, a field over the size cap, a row with more cells than the header) is
refused with a ``FileProblem`` naming the line before a single row is written.

Every row ends as one of: new, updated, unchanged, duplicate (repeats an earlier row of the
file), invalid (it cannot be a record at all: no name; a deal in an unknown stage; a contact of
an unknown customer) or archived (it meets an archived record, which only ``--restore-archived``
brings back: ``storage.transfer.archived``). A row that *was* imported can still carry flags: a
value kept as typed because it failed the entry standards, or a record created apart because it
only looks like an existing one. Rejected and flagged rows are the *problem rows*: the report
lists them, and writes them as CSV (the row, its line, status and reason) to ``Options.report``
when given — never beside the input file, whose folder may be read-only or shared. Flaws found
in the data that cost nothing (a misspelt sector read as the known one, a product name that
differs only by spacing) are counted as notes.

Re-importing the same file changes nothing: rows are matched on their external id, phone or
e-mail, or on a record that already holds everything they say, and only fields whose value
differs are written, so the audit trail does not grow either.
"""

from __future__ import annotations

import csv
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
from storage.transfer import (
    csvmap,
    import_catalog,
    import_contacts,
    import_deals,
    import_people,
    reading,
)
from storage.transfer.archived import ArchivedMatch
from storage.transfer.reading import FileProblem
from storage.transfer.rows import Invalid, Issue, Loader, Options, Outcome, Row

__all__ = ["FileProblem", "Issue", "Options", "Report", "problem_reasons", "run"]

KINDS = ("customers", "contacts", "deals", "reps", "products")
STATUSES = ("new", "updated", "unchanged", "duplicate", "invalid", "archived")
REJECTED = ("duplicate", "invalid", "archived")
PREFETCH = 250  # rows whose matches a loader reads at once (see ``Loader.prefetch``)


@dataclass
class Report:
    kind: str
    path: Path
    dry_run: bool
    total: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[tuple[Row, Outcome]] = field(default_factory=list)  # rejected or flagged
    notes: Counter[Issue] = field(default_factory=Counter)
    ignored_columns: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    report_path: Path | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.missing_columns

    @property
    def rejected(self) -> list[tuple[Row, Outcome]]:
        return [(r, o) for r, o in self.problems if o.status in REJECTED]

    def reasons(self) -> Counter[Issue]:
        """Why rows were rejected, one count per distinct reason."""
        return Counter(o.issue for _, o in self.rejected if o.issue is not None)

    def flags(self) -> Counter[str]:
        """What imported rows were flagged for, one count per kind of flag."""
        return Counter(f.code for _, o in self.problems for f in o.flags)


def read_csv(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Headers and (line, cells) rows; raises FileProblem for a file that is not a table."""
    try:
        return reading.rows(reading.decode(path.read_bytes()))
    except FileProblem as problem:
        problem.path = path
        raise


class _DryRun(Exception):
    pass


def make_loader(options: Options) -> Loader:
    makers: dict[str, Callable[[Options], Loader]] = {
        "customers": import_people.Customers,
        "contacts": import_contacts.Contacts,
        "reps": import_catalog.Reps,
        "products": import_catalog.Products,
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
    clock: Callable[[], float] = time.monotonic,
    between: Callable[[], None] | None = None,
) -> Report:
    """Import one CSV file; ``describe`` renders a reason for the report file. ``clock``
    times each transaction against ``Options.budget_s``; ``between`` runs after each commit
    (tests use it to write as a chat would, mid-import).

    Raises FileProblem (before anything is written) when the file cannot be read as a table.
    """
    started = time.perf_counter()
    report = Report(options.kind, path, options.dry_run)
    headers, lines = read_csv(path)
    raw_rows = [raw for _, raw in lines]
    columns, report.ignored_columns = csvmap.map_headers(headers, options.kind, options.mapping)
    report.missing_columns = [f for f in csvmap.REQUIRED[options.kind] if f not in columns]
    if not report.ok:
        return report
    formats = {
        name: normalize.date_format([r.get(c, "") for r in raw_rows for c in cols], options.region)
        for name, cols in columns.items()
        if name in csvmap.DATE_FIELDS
    }
    rows = [Row(line, raw, columns, formats) for line, raw in lines]
    report.total = len(rows)
    loader = make_loader(options)
    actor = Actor(None, "import", options.now)
    with _transactions(db, actor, options.dry_run) as session_for, db.sharing() as make_way:
        with session_for() as session:
            loader.prepare(session)
        done = 0
        while done < len(rows):
            with session_for() as session:
                cut = clock() + options.budget_s
                for i, row in enumerate(rows[done : done + options.batch_size]):
                    if i % PREFETCH == 0:
                        ahead = min(PREFETCH, options.batch_size - i)
                        loader.prefetch(session, rows[done : done + ahead])
                    outcome = _one(loader, session, row)
                    report.counts[outcome.status] += 1
                    if outcome.status in REJECTED or outcome.flags:
                        report.problems.append((row, outcome))
                    done += 1
                    if clock() >= cut:
                        break
                loader.end_batch(session)
            if not options.dry_run:
                make_way()
            if between:
                between()
            if progress:
                progress(done, len(rows))
        with session_for() as session:
            loader.finish(session)
    report.notes = loader.notes
    if options.report is not None:
        report.report_path = write_problems(options.report, headers, report.problems, describe)
    report.seconds = time.perf_counter() - started
    return report


def _one(loader: Loader, session: Session, row: Row) -> Outcome:
    """The loader's outcome, with the values kept as typed added to its flags."""
    try:
        outcome = loader.row(session, row)
    except Invalid as problem:
        return Outcome("invalid", problem.issue)
    except ArchivedMatch as problem:
        return Outcome("archived", problem.issue)
    if outcome.status in REJECTED or not row.kept:
        return outcome
    kept = tuple(k.issue for k in row.kept)
    return Outcome(outcome.status, outcome.issue, outcome.flags + kept)


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


def problem_reasons(outcome: Outcome, describe: Callable[[Issue], str]) -> list[str]:
    issues = ([outcome.issue] if outcome.issue else []) + list(outcome.flags)
    return [describe(issue) for issue in issues]


def write_problems(
    target: Path,
    headers: list[str],
    problems: list[tuple[Row, Outcome]],
    describe: Callable[[Issue], str],
) -> Path:
    """The problem rows as CSV: the row as read, then its line, status and reasons."""
    with target.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow([*headers, "line", "status", "reason"])
        for row, outcome in problems:
            reason = "; ".join(problem_reasons(outcome, describe))
            writer.writerow(
                [row.raw.get(h, "") for h in headers] + [row.line, outcome.status, reason]
            )
    return target
