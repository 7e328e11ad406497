"""``crm-bot rep``: who may use the CRM, in which role, under whom, on which chat accounts.

Every change is a transaction with the CLI as the audited actor, so the audit trail says who
became an admin and when. Deactivating a rep ends their chat access at once in every running
process (each command reads the rep afresh) and hands their customers, open deals and open
tasks to their manager or to ``--reassign-to``; their history stays theirs.
"""

from __future__ import annotations

import argparse
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.errors import Refusal
from handlers.kit import LANGUAGES, Services, Translator
from storage import reps
from storage.db import Actor
from storage.models import ROLES, Rep

NOBODY = "none"  # --manager none: no manager


def add_parsers(sub: Any) -> None:
    rep = sub.add_parser("rep", help="manage reps").add_subparsers(dest="rep_command")
    add = rep.add_parser("add", help="register a rep")
    add.add_argument("name")
    add.add_argument("--telegram-id", type=int)
    add.add_argument("--slack-id")
    add.add_argument("--email")
    add.add_argument("--role", choices=ROLES, default="rep")
    add.add_argument("--manager", metavar="NAME")
    add.add_argument("--timezone", metavar="TZ")
    add.add_argument("--language", choices=LANGUAGES)
    rep.add_parser("list", help="list reps")
    change = rep.add_parser("set", help="change a rep's role, manager, timezone or language")
    change.add_argument("name")
    change.add_argument("--role", choices=ROLES)
    change.add_argument("--manager", metavar="NAME", help=f'a rep\'s name, or "{NOBODY}"')
    change.add_argument("--timezone", metavar="TZ")
    change.add_argument("--language", choices=LANGUAGES)
    change.add_argument("--email")
    leave = rep.add_parser("deactivate", help="end a rep's access and hand over their records")
    leave.add_argument("name")
    leave.add_argument("--reassign-to", metavar="NAME", help="default: the rep's manager")
    unlink = rep.add_parser("unlink", help="remove a rep's chat account on a platform")
    unlink.add_argument("name")
    which = unlink.add_mutually_exclusive_group(required=True)
    which.add_argument("--telegram", action="store_true")
    which.add_argument("--slack", action="store_true")


def run(args: argparse.Namespace, services: Services, t: Translator) -> int:
    command = args.rep_command
    if command == "list":
        return _list(services)
    if command is None:
        raise Refusal("cli.rep_usage")
    if getattr(args, "timezone", None):
        _check_timezone(args.timezone)
    actor = Actor(None, "cli", services.clock())
    try:
        with services.db.session(write=True, actor=actor) as session:
            said = {"add": _add, "set": _set, "deactivate": _deactivate, "unlink": _unlink}[
                command
            ](session, args, t)
    except IntegrityError:
        raise Refusal("cli.rep_exists", name=args.name) from None
    print(said)
    return 0


def _check_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Refusal("cli.bad_timezone", tz=name) from None


def _named(session: Session, name: str) -> Rep:
    rep = reps.by_name(session, name)
    if rep is None:
        raise Refusal("cli.no_such_rep", name=name)
    return rep


def _add(session: Session, args: argparse.Namespace, t: Translator) -> str:
    manager = _named(session, args.manager) if args.manager else None
    rep = reps.add(
        session,
        Rep(
            name=args.name,
            role=args.role,
            telegram_user_id=args.telegram_id,
            slack_user_id=args.slack_id,
            email=args.email,
            timezone=args.timezone,
            language=args.language,
            manager_id=manager.id if manager else None,
        ),
    )
    return t("cli.rep_added", name=rep.name, id=rep.id, role=rep.role)


def _set(session: Session, args: argparse.Namespace, t: Translator) -> str:
    rep = _named(session, args.name)
    if args.manager is not None:
        boss = None if args.manager.lower() == NOBODY else _named(session, args.manager)
        if boss is not None and (
            boss.id == rep.id or boss.id in reps.reports_of(session, rep.id or 0)
        ):
            raise Refusal("cli.manager_loop", name=rep.name, manager=boss.name)
        rep.manager_id = boss.id if boss else None
    for field in ("role", "timezone", "language", "email"):
        if (value := getattr(args, field)) is not None:
            setattr(rep, field, value)
    session.add(rep)
    session.flush()
    return t("cli.rep_changed", name=rep.name, role=rep.role)


def _deactivate(session: Session, args: argparse.Namespace, t: Translator) -> str:
    rep = _named(session, args.name)
    successor = _named(session, args.reassign_to) if args.reassign_to else None
    if successor is None and rep.manager_id is not None:
        successor = reps.get(session, rep.manager_id)
    if successor is None or not successor.active or successor.id == rep.id:
        raise Refusal("cli.no_successor", name=rep.name)
    rep.active = False
    session.add(rep)
    handed = reps.hand_over(session, rep, successor.id)
    moved = [t.plural(f"cli.count.{kind}", n) for kind, n in handed.items() if n]
    if not moved:
        return t("cli.rep_deactivated_bare", name=rep.name, to=successor.name)
    return t("cli.rep_deactivated", name=rep.name, to=successor.name, moved=t.join(moved))


def _unlink(session: Session, args: argparse.Namespace, t: Translator) -> str:
    rep = _named(session, args.name)
    platform = "telegram" if args.telegram else "slack"
    if platform == "telegram":
        rep.telegram_user_id = None
    else:
        rep.slack_user_id = None
    session.add(rep)
    session.flush()
    return t("cli.rep_unlinked", name=rep.name, platform=platform.title())


def _list(services: Services) -> int:
    with services.db.session() as session:
        everyone = reps.all_reps(session)
    names = {r.id: r.name for r in everyone}
    for r in everyone:
        accounts = ", ".join(
            x
            for x in (
                f"telegram {r.telegram_user_id}" if r.telegram_user_id else "",
                f"slack {r.slack_user_id}" if r.slack_user_id else "",
            )
            if x
        )
        boss = names.get(r.manager_id) if r.manager_id else ""
        columns = (r.id, r.name, r.role, boss, accounts, r.language, r.timezone)
        print("\t".join(str(v or "") for v in (*columns, "" if r.active else "inactive")))
    return 0
