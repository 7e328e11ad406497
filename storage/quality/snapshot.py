"""The data-quality findings of a view of the CRM, kept once a day for the digests.

Why: ``findings.report`` re-validates every phone and scans every customer for duplicates,
seconds of work at tens of thousands of customers, and every Monday digest used to repeat it.
The scheduler's daily job stores it (``refresh``); a digest reads it (``stored``) and shows how
old it is. A view is the whole CRM (``ALL``) or a team's records (``reads``: its reps' ids;
the findings are computed with the session reading only those), so a snapshot never shows a
team's chat a record outside the team. A session scoped to a rep's records computes its own.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage import access
from storage.models import QualitySnapshot
from storage.quality.findings import Finding, report

ALL = "all"


def whole_view(session: Session) -> bool:
    """Whether this session reads every record (a job's session, an admin's, CRM_VISIBILITY=all)."""
    scope = access.scope_of(session)
    return scope is None or scope.reads is None


def findings_of(session: Session, reads: frozenset[int] | None) -> list[Finding]:
    """The findings over ``reads``' records (and unowned ones), or every record (None)."""
    if reads is None:
        return report(session)
    with access.reading_only(session, reads):
        return report(session)


def refresh(
    session: Session, now: datetime, view: str = ALL, reads: frozenset[int] | None = None
) -> list[Finding]:
    """Compute a view's findings (every record, or ``reads``') and keep them as of ``now``."""
    if not whole_view(session):
        raise ValueError("the quality snapshot is computed from an unscoped session only")
    found = findings_of(session, reads)
    rows = [{"code": f.code, "count": f.count, "examples": f.examples} for f in found]
    kept = session.get(QualitySnapshot, view)
    if kept is None:
        session.add(QualitySnapshot(view=view, computed_at=now, findings=rows))
    else:
        kept.computed_at, kept.findings = now, rows
        session.add(kept)
    return found


def stored(session: Session, view: str = ALL) -> tuple[datetime, list[Finding]] | None:
    """(when computed, the findings) of a view, or None if never computed."""
    kept = session.get(QualitySnapshot, view)
    if kept is None:
        return None
    found = [
        Finding(row["code"], row["count"], [(k, i, label) for k, i, label in row["examples"]])
        for row in kept.findings
    ]
    return kept.computed_at, found
