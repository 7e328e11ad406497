"""Whose records a rep may read and change: the policy (``CRM_VISIBILITY``) made a ``Scope``.

- ``team`` (the default): a rep reads their own records, unowned ones and their team's (everyone
  who reports to the same manager), and changes their own and unowned ones; a manager reads
  and changes everything owned by the people below them, down the whole chain; an admin all.
- ``own``: as ``team``, but a rep reads only their own records and unowned ones.
- ``all``: everyone reads everything; changing is as under ``team``.

Under every policy, changing an owner or an assignee is for managers (within their chain) and
admins. Unowned records are readable and changeable by all, so that a new lead is picked up:
that is a decision, written down here and in README. ``storage.access`` enforces the scope in
the command's session.
"""

from __future__ import annotations

from sqlmodel import Session

from storage import reps
from storage.access import Scope
from storage.models import Rep

POLICIES = ("team", "own", "all")


def scope_for(session: Session, rep: Rep, policy: str) -> Scope:
    rep_id = rep.id or 0
    if rep.role == "admin":
        return Scope(rep_id, None, None, reassign=True)
    if rep.role == "manager":
        mine = frozenset({rep_id, *reps.reports_of(session, rep_id)})
        return Scope(rep_id, None if policy == "all" else mine, mine, reassign=True)
    if policy == "all":
        reads = None
    elif policy == "own" or rep.manager_id is None:
        reads = frozenset({rep_id})
    else:
        reads = frozenset({rep_id, *reps.teammates(session, rep.manager_id)})
    return Scope(rep_id, reads, frozenset({rep_id}))
