"""Reps: who may act, and how each platform's user id maps to one."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from storage import customers, deals
from storage.models import Customer, Deal, Rep, Task


def for_platform(session: Session, platform: str, user_id: str) -> Rep | None:
    """The rep behind a platform user id; the console passes the rep's own id."""
    if platform == "telegram":
        if not user_id.lstrip("-").isdigit():
            return None
        query = select(Rep).where(Rep.telegram_user_id == int(user_id))
    elif platform == "slack":
        query = select(Rep).where(Rep.slack_user_id == user_id)
    elif platform == "console":
        if not user_id.isdigit():
            return None
        query = select(Rep).where(Rep.id == int(user_id))
    else:
        return None
    return session.exec(query).first()


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


def managers(session: Session) -> dict[int, int | None]:
    """Every rep's manager (the whole reporting tree: a few hundred rows at most)."""
    return {rid: boss for rid, boss in session.exec(select(Rep.id, Rep.manager_id)) if rid}


def below(tree: dict[int, int | None], head: int) -> frozenset[int]:
    """Everyone who reports to ``head``, directly or down the chain (a cycle cannot loop)."""
    found: set[int] = set()
    frontier = [head]
    while frontier:
        boss = frontier.pop()
        for rid, manager in tree.items():
            if manager == boss and rid not in found and rid != head:
                found.add(rid)
                frontier.append(rid)
    return frozenset(found)


def names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(Rep.id, Rep.name).where(col(Rep.id).in_(ids)))
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
