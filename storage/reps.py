"""Reps: who may act, and how each platform's user id maps to one."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, func, select

from storage import customers, deals
from storage.access import unscoped
from storage.archive import with_archived
from storage.driver import run
from storage.entities import attached, row_select
from storage.models import Customer, Deal, Rep, Task
from storage.prebuilt import prebuilt

_TABLE: Any = Rep.__table__
PLATFORM_COLUMNS = {
    "telegram": _TABLE.c.telegram_user_id,
    "slack": _TABLE.c.slack_user_id,
    "console": _TABLE.c.id,
}
_BY_PLATFORM = {
    platform: row_select(Rep).where(column == bindparam("user"))
    for platform, column in PLATFORM_COLUMNS.items()
}


def platform_user(platform: str, user_id: str) -> int | str | None:
    """The value ``PLATFORM_COLUMNS[platform]`` holds for this user id; None if it cannot
    be any rep's (an unknown platform, or a Telegram or console id that is not a number)."""
    if platform not in PLATFORM_COLUMNS:
        return None
    if platform == "telegram":
        return int(user_id) if user_id.lstrip("-").isdigit() else None
    if platform == "console":
        return int(user_id) if user_id.isdigit() else None
    return user_id


def for_platform(session: Session, platform: str, user_id: str) -> Rep | None:
    """The rep behind a platform user id; the console passes the rep's own id.

    Every command asks this first: its row is read on the driver and made the session's
    entity (``storage.entities``). Reps are in no scope and never archived, so the hooks
    the driver skips have nothing to add."""
    user = platform_user(platform, user_id)
    if user is None:
        return None
    row = run(session.connection(), _BY_PLATFORM[platform], {"user": user}).first()
    return None if row is None else attached(session, Rep, row)


def by_name(session: Session, name: str) -> Rep | None:
    return session.exec(select(Rep).where(Rep.name == name)).first()


def get(session: Session, rep_id: int) -> Rep | None:
    return session.get(Rep, rep_id)


def all_reps(session: Session) -> list[Rep]:
    return list(session.exec(select(Rep).order_by(col(Rep.name))))


def default_console_rep(session: Session) -> Rep | None:
    """Who the console acts as when no --as is given: the first active admin, else anyone."""
    reps = [r for r in all_reps(session) if r.active]
    admins = [r for r in reps if r.role == "admin"]
    return (admins or reps or [None])[0]


def add(session: Session, rep: Rep) -> Rep:
    session.add(rep)
    session.flush()
    return rep


_TREE = select(Rep.id, Rep.manager_id)


def managers(session: Session) -> dict[int, int | None]:
    """Every rep's manager (the whole reporting tree: a few hundred rows at most), for the
    reports and the digest, which ask about many heads at once. A command's own scope asks
    ``reports_of`` or ``teammates`` instead: reading the whole tree cost every non-admin's
    command a fifth of its time in a company of 200 reps."""
    return {rid: boss for rid, boss in run(session.connection(), _TREE, {}).rows if rid}


def below(tree: dict[int, int | None], head: int) -> frozenset[int]:
    """Everyone who reports to ``head``, directly or down the chain (a cycle cannot loop).

    Each manager's reports are gathered in one pass first: walking the whole tree for each
    manager met was quadratic, a third of a second for a company of 500 reps."""
    reports: dict[int | None, list[int]] = defaultdict(list)
    for rid, manager in tree.items():
        reports[manager].append(rid)
    found: set[int] = set()
    frontier = [head]
    while frontier:
        for rid in reports.get(frontier.pop(), ()):
            if rid not in found and rid != head:
                found.add(rid)
                frontier.append(rid)
    return frozenset(found)


def _down_the_chain() -> Any:
    """Built once: the reps below ``:head``, as ``below`` walks them, in one recursive query.
    UNION (not UNION ALL) drops rows already found, so a cycle in the tree ends the walk."""
    chain = select(Rep.id).where(Rep.manager_id == bindparam("head")).cte("chain", recursive=True)
    chain = chain.union(select(Rep.id).join(chain, col(Rep.manager_id) == chain.c.id))
    return select(chain.c.id).where(chain.c.id != bindparam("head"))


_CHAIN = _down_the_chain()
_TEAM = select(Rep.id).where(Rep.manager_id == bindparam("head"))


def reports_of(session: Session, head: int) -> frozenset[int]:
    """Everyone below ``head`` down the chain, read for that one head (as Core: reps are
    neither scoped nor archived, so the ORM's hooks have nothing to add)."""
    rows = run(session.connection(), _CHAIN, {"head": head}).scalars()
    return frozenset(rid for rid in rows if rid)


_TEAMMATES = "crm_teammates"  # session.info: (manager id, the ids reporting to them), read once


def remember_teammates(session: Session, manager_id: int, ids: list[int]) -> None:
    """Keep a team read with the rep (``deliveries.claimed_rep``) for ``teammates``."""
    session.info[_TEAMMATES] = (manager_id, frozenset(ids))


def teammates(session: Session, manager_id: int) -> frozenset[int]:
    """The reps who report directly to ``manager_id``: as remembered in this transaction, and
    only once (a command that moved a rep reads its team anew), else read."""
    kept = session.info.pop(_TEAMMATES, None)
    if kept is not None and kept[0] == manager_id:
        return kept[1]  # type: ignore[no-any-return]
    rows = run(session.connection(), _TEAM, {"head": manager_id}).scalars()
    return frozenset(rid for rid in rows if rid)


_NAMES = prebuilt(
    unscoped(
        with_archived(
            select(Rep.id, Rep.name).where(col(Rep.id).in_(bindparam("ids", expanding=True)))
        )
    )
)


def names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(_NAMES, {"ids": sorted(ids)})
    return {rep_id: name for rep_id, name in rows if rep_id is not None}


def bind_slack_by_email(session: Session, email: str, slack_user_id: str) -> Rep | None:
    """Link a Slack user to the one active, not yet linked rep with this e-mail address.

    Used on a Slack user's first contact when e-mail matching is enabled. Two reps sharing an
    address is ambiguous, so nobody is bound then: an admin decides, the bot never guesses.
    """
    wanted = email.strip().lower()
    if not wanted:
        return None
    found = list(session.exec(select(Rep).where(func.lower(func.trim(Rep.email)) == wanted)))
    if len(found) != 1 or not found[0].active or found[0].slack_user_id:
        return None
    rep = found[0]
    rep.slack_user_id = slack_user_id
    session.add(rep)
    session.flush()
    return rep


def hand_over(session: Session, rep: Rep, to: int | None) -> dict[str, int]:
    """Give a leaving rep's customers, open deals and open tasks to ``to`` (customers and
    deals become unowned if None; tasks need someone). History stays as it was: closed
    deals, logged interactions and done tasks keep their rep. Returns counts per kind."""
    open_stages = [s.id for s in deals.stages(session) if not s.is_closed]
    moved = {"customer": 0, "deal": 0, "task": 0}
    for customer in session.exec(select(Customer).where(Customer.owner_id == rep.id)):
        customer.owner_id = to
        customers.touch(customer)  # the search index of every process learns the new owner
        session.add(customer)
        moved["customer"] += 1
    query = select(Deal).where(Deal.owner_id == rep.id, col(Deal.stage_id).in_(open_stages))
    for deal in session.exec(query):
        deal.owner_id = to
        session.add(deal)
        moved["deal"] += 1
    if to is not None:
        for task in session.exec(
            select(Task).where(Task.assignee_id == rep.id, Task.status == "open")
        ):
            task.assignee_id = to
            session.add(task)
            moved["task"] += 1
    session.flush()
    return moved
