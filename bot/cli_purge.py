"""``crm-bot purge <customer|deal|task> <id> [--yes]``: an archived record removed for good.

Without ``--yes`` it only says what would go (exit code 2, like ``privacy forget``); with it,
the record and its dependants are deleted (``storage.purge``) and, on SQLite, the file is
vacuumed so no free page keeps a copy. The operator at the terminal acts as an admin.
"""

from __future__ import annotations

import argparse
from typing import Any

from bot.errors import Refusal
from handlers.kit import Services, Translator
from storage import purge
from storage.archive import KINDS, ArchiveError
from storage.db import Actor


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("purge", help="remove an archived customer, deal or task for good")
    p.add_argument("kind", choices=sorted(KINDS))
    p.add_argument("id", type=int)
    p.add_argument("--yes", action="store_true", help="really purge (it cannot be undone)")


def run(args: argparse.Namespace, services: Services, t: Translator) -> int:
    now = services.clock()
    subject = f"{args.kind} #{args.id}"
    try:
        if not args.yes:
            with services.db.session() as session:
                counts = purge.plan(session, args.kind, args.id)
            print(t("purge.would", subject=subject, sizes=_sizes(counts)))
            return 2
        with services.db.session(write=True, actor=Actor(None, "cli", now)) as session:
            counts = purge.purge(session, args.kind, args.id, now)
    except ArchiveError as problem:
        values = {**problem.values, "kind": t(f"entity.{args.kind}")}
        raise Refusal(f"archive.error.{problem.code}", **values) from None
    services.db.compact()
    print(t("purge.done", subject=subject, sizes=_sizes(counts)))
    return 0


def _sizes(counts: dict[str, int]) -> str:
    return ", ".join(f"{name}: {n}" for name, n in sorted(counts.items()))
