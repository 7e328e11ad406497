"""The data-quality findings of the whole CRM, kept once a day for the digests.

Why: ``findings.report`` re-validates every phone and scans every customer for duplicates,
seconds of work at tens of thousands of customers, and every Monday digest used to repeat it.
The scheduler's daily job stores it (``refresh``); a digest reads it (``stored``) and shows how
old it is. Only the whole CRM's view (``ALL``) is kept: a session scoped to a rep's records
computes its own findings, so a snapshot never shows anyone a record outside their scope.
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


def refresh(session: Session, now: datetime) -> list[Finding]:
    """Compute the whole CRM's findings and keep them as of ``now``."""
    if not whole_view(session):
        raise ValueError("the quality snapshot is computed over the whole CRM only")
    found = report(session)
    rows = [{"code": f.code, "count": f.count, "examples": f.examples} for f in found]
    kept = session.get(QualitySnapshot, ALL)
    if kept is None:
        session.add(QualitySnapshot(view=ALL, computed_at=now, findings=rows))
    else:
        kept.computed_at, kept.findings = now, rows
        session.add(kept)
    return found


def stored(session: Session) -> tuple[datetime, list[Finding]] | None:
    """(when computed, the findings) of the whole CRM, or None if never computed."""
    kept = session.get(QualitySnapshot, ALL)
    if kept is None:
        return None
    found = [
        Finding(row["code"], row["count"], [(k, i, label) for k, i, label in row["examples"]])
        for row in kept.findings
    ]
    return kept.computed_at, found
