"""The audit trail as a hash chain: an edited, inserted or removed row shows.

Each row links to the one before it in ``chain_seq`` order: ``chain`` is the SHA-256 of the
previous link, the row's metadata (id, time, actor, platform, action, entity) and ``digest``,
the SHA-256 of its values. Rows are linked after they commit, by ``extend``, in id order, so
writers in several processes never queue for the chain's head; a row that commits late
(after higher ids were linked) is simply linked later, and ``chain_seq`` records the order.

Lawful erasure replaces a row's values but keeps its digest and sets ``erased``: ``verify``
recomputes digests only where values remain, and every link everywhere.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from storage.audit import digest_of
from storage.models import AuditEvent

GENESIS = "0" * 64
BATCH = 5_000


def link(previous: str, row: AuditEvent) -> str:
    parts = (
        previous,
        str(row.id),
        row.at.isoformat(),
        str(row.actor_rep_id),
        str(row.platform),
        row.action,
        row.entity,
        str(row.entity_id),
        row.digest or "",
    )
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def extend(session: Session, limit: int = BATCH) -> int:
    """Link rows not yet in the chain, oldest id first; returns how many were linked."""
    head = session.exec(
        select(AuditEvent.chain_seq, AuditEvent.chain)
        .where(col(AuditEvent.chain_seq).is_not(None))
        .order_by(col(AuditEvent.chain_seq).desc())
        .limit(1)
    ).first()
    seq, previous = (head[0], head[1]) if head else (0, GENESIS)
    waiting = session.exec(
        select(AuditEvent)
        .where(col(AuditEvent.chain_seq).is_(None))
        .order_by(col(AuditEvent.id))
        .limit(limit)
    ).all()
    for row in waiting:
        seq += 1
        if row.digest is None:  # a row written before digests existed
            row.digest = digest_of(row.changes)
        row.chain_seq, row.chain = seq, link(previous, row)
        previous = row.chain
        session.add(row)
    session.flush()
    return len(waiting)


@dataclass(frozen=True)
class Verdict:
    checked: int
    unlinked: int
    broken_at: int | None = None  # the id of the first row whose link or digest fails
    why: str = ""  # missing (a row before it is gone) | values (edited) | link (moved, forged)


def verify(session: Session) -> Verdict:
    """Walk the chain; the first broken link, or a clean bill with how many rows were checked."""
    previous, expected, checked = GENESIS, 1, 0
    query = select(AuditEvent).where(col(AuditEvent.chain_seq).is_not(None))
    for row in session.exec(
        query.order_by(col(AuditEvent.chain_seq)).execution_options(yield_per=BATCH)
    ):
        if row.chain_seq != expected:
            return Verdict(checked, _unlinked(session), row.id, "missing")
        if not row.erased and row.digest != digest_of(row.changes):
            return Verdict(checked, _unlinked(session), row.id, "values")
        if row.chain != link(previous, row):
            return Verdict(checked, _unlinked(session), row.id, "link")
        previous, expected, checked = row.chain, expected + 1, checked + 1
    return Verdict(checked, _unlinked(session))


def _unlinked(session: Session) -> int:
    query = select(func.count()).select_from(AuditEvent).where(col(AuditEvent.chain_seq).is_(None))
    return session.exec(query).one()
