"""What every loader of the CSV import shares: a row, its outcome, the options, and reps.

Kept apart from ``importer`` (which drives the loaders) and from the loaders themselves, so
that the import's modules depend on each other one way only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any, Protocol

from sqlmodel import Session, select

from storage.folding import fold
from storage.models import RawValue, Rep
from storage.quality import normalize
from storage.transfer import csvmap
from storage.types import to_cents

MAX_INTEGER = 2**31  # an INTEGER column on PostgreSQL


@dataclass
class Options:
    kind: str
    dry_run: bool = False
    mapping: dict[str, str] = field(default_factory=dict)  # column -> field
    create_missing: bool = False  # reps, stages and products named but unknown
    restore_archived: bool = False  # a row meeting an archived record restores it
    source: str = "csv"  # external ids are unique per source
    region: str = "TR"
    currency: str = "TRY"
    batch_size: int = 2000  # rows per transaction at most
    budget_s: float = 0.2  # and seconds per transaction at most (see importer)
    now: datetime | None = None
    report: Path | None = None  # where the problem rows go as CSV (never beside the input)


@dataclass(frozen=True)
class Issue:
    """A reason or a note: a catalog-neutral code and its values."""

    code: str
    values: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, code: str, **values: object) -> Issue:
        return cls(code, tuple((k, str(v)) for k, v in values.items()))

    @property
    def args(self) -> dict[str, str]:
        return dict(self.values)

    def __str__(self) -> str:
        detail = ", ".join(f"{k}={v}" for k, v in self.values)
        return f"{self.code} ({detail})" if detail else self.code


@dataclass(frozen=True)
class Outcome:
    """What became of a row; ``flags`` are problems of a row that *was* imported (a value
    kept as typed, a possible duplicate created apart), listed in the report for review."""

    status: str  # one of STATUSES
    issue: Issue | None = None
    flags: tuple[Issue, ...] = ()


@dataclass(frozen=True)
class Kept:
    """A value that failed the entry standards, to be kept as typed (``RawValue``)."""

    field: str
    raw: str
    code: str  # the import issue code: bad_phone, bad_email, bad_date, bad_number, unknown_rep
    why: str = ""

    @property
    def issue(self) -> Issue:
        return Issue.of(self.code, field=self.field, value=self.raw, why=self.why)


class Invalid(Exception):
    """Raised by a loader when a row cannot be imported."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(code)
        self.issue = Issue.of(code, **values)


@dataclass
class Row:
    line: int
    raw: dict[str, str]
    columns: dict[str, list[str]]  # field -> columns
    formats: dict[str, str | None]  # date field -> format
    kept: list[Kept] = field(default_factory=list)

    def keep(self, name: str, raw: str, code: str, why: str = "") -> None:
        if not any(k.field == name and k.raw == raw for k in self.kept):
            self.kept.append(Kept(name, raw, code, why))

    def get(self, name: str) -> str:
        for column in self.columns.get(name, ()):
            if value := self._cell(column):
                return value
        return ""

    def every(self, name: str) -> list[str]:
        return [v for c in self.columns.get(name, ()) if (v := self._cell(c))]

    def _cell(self, column: str) -> str:
        """The cell's text; an export's apostrophe before a would-be formula comes off."""
        value = (self.raw.get(column) or "").strip()
        if value.startswith("'") and value[1:2] in ("=", "+", "-", "@"):
            return value[1:]
        return value

    def date(self, name: str) -> date | None:
        """The date, or None with the text kept as typed when it does not read as one."""
        try:
            return normalize.parse_date(self.get(name), self.formats.get(name))
        except ValueError:
            self.keep(name, self.get(name), "bad_date")
            return None

    def number(self, name: str, whole: bool = False) -> Any:
        """The number, or None with the text kept as typed when it does not read as one or
        does not fit its column (a count in an INTEGER, an amount in ``Money``'s hundredths)."""
        try:
            value = (csvmap.whole if whole else csvmap.number)(self.get(name))
            if value is not None and whole and abs(value) >= MAX_INTEGER:
                raise ValueError(name)
            if value is not None and not whole:
                to_cents(value)
            return value
        except ValueError:
            self.keep(name, self.get(name), "bad_number")
            return None


def keep_raw(
    session: Session,
    row: Row,
    entity: str,
    entity_id: int,
    customer_id: int | None,
    source: str,
    known: set[tuple[str, int, str, str]],
    sink: Callable[[dict[str, Any]], None] | None = None,
) -> bool:
    """Store the row's kept values on a record (once: ``known`` holds what is already there,
    so re-importing the file adds nothing). Returns whether anything was added. ``sink``
    takes each new RawValue's values instead of the session (a bulk writer)."""
    added = False
    for kept in row.kept:
        key = (entity, entity_id, kept.field, kept.raw)
        if key in known:
            continue
        known.add(key)
        values = {
            "entity": entity,
            "entity_id": entity_id,
            "customer_id": customer_id,
            "field": kept.field,
            "raw": kept.raw,
            "problem": kept.code,
            "source": source,
            "line": row.line,
        }
        if sink is None:
            session.add(RawValue(**values))
        else:
            sink(values)
        added = True
    return added


def known_raw(session: Session, entity: str) -> set[tuple[str, int, str, str]]:
    query = select(RawValue.entity_id, RawValue.field, RawValue.raw).where(
        RawValue.entity == entity
    )
    return {(entity, i, f, r) for i, f, r in session.exec(query)}


def noon(day: date) -> datetime:
    """A date from a file as a moment: noon UTC is the same calendar day from UTC-11 to +11."""
    return datetime.combine(day, clock_time(12), tzinfo=UTC)


class Loader(Protocol):
    notes: Counter[Issue]

    def prepare(self, session: Session) -> None: ...

    def prefetch(self, session: Session, rows: Sequence[Row]) -> None:
        """Read at once what the next ``rows`` will look up (called before each slice)."""

    def row(self, session: Session, row: Row) -> Outcome: ...

    def end_batch(self, session: Session) -> None: ...

    def finish(self, session: Session) -> None: ...


def rep_ids(session: Session) -> dict[str, int]:
    return {fold(name): rid for rid, name in session.exec(select(Rep.id, Rep.name)) if rid}


def find_rep(
    session: Session,
    reps: dict[str, int],
    row: Row,
    name_field: str,
    options: Options,
    notes: Counter[Issue],
) -> int | None:
    """A rep by name, created when missing only with --create-missing; an unknown name is
    kept as typed on the row (a typo must not quietly become a new rep, nor lose the row)."""
    name = row.get(name_field)
    if not name:
        return None
    found = reps.get(fold(name))
    if found is not None:
        return found
    if not options.create_missing:
        row.keep(name_field, name, "unknown_rep")
        return None
    rep = Rep(name=normalize.display_name(name, options.region))
    session.add(rep)
    session.flush()
    reps[fold(name)] = rep.id or 0
    notes[Issue.of("rep_created", name=rep.name)] += 1
    return rep.id
