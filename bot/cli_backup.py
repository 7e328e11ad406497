"""``crm-bot backup FILE [--force]`` and ``crm-bot restore FILE [--force]``.

They run before the CLI prepares the database (``bot.cli``): a restore target may not exist
yet, and preparing the embedded database would seed demo data into the very file a restore
is about to fill. On PostgreSQL both refuse and give the exact pg_dump / pg_restore commands
for the configured database, without its password (libpq reads it from PGPASSWORD or
~/.pgpass), because a dump of a server is the server's own tools' job.
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

from bot.errors import Refusal
from handlers.kit import Services, Translator
from storage import backup
from storage.backup import BackupError

COMMANDS = ("backup", "restore")


def add_parsers(sub: Any) -> None:
    made = sub.add_parser("backup", help="copy the SQLite database to FILE, while the bot runs")
    made.add_argument("file", type=Path, metavar="FILE")
    made.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    back = sub.add_parser("restore", help="replace the SQLite database with the backup FILE")
    back.add_argument("file", type=Path, metavar="FILE")
    back.add_argument("--force", action="store_true", help="even over a database holding data")


def run(args: argparse.Namespace, services: Services, t: Translator) -> int:
    db = services.db
    if not db.is_sqlite:
        raise Refusal(f"backup.postgres_{args.command}", **_pg_commands(db.url, args.file))
    try:
        if args.command == "backup":
            counts = backup.backup(db, args.file, force=args.force)
            print(t("backup.done", path=str(args.file), sizes=_sizes(t, counts)))
            return 0
        db.dispose()  # no connection of ours holds the file while it is replaced
        done = backup.restore(args.file, db.url, force=args.force)
    except BackupError as problem:
        raise Refusal(f"backup.error.{problem.code}", **problem.values) from None
    if done.upgraded_from:
        print(t("backup.upgraded", old=done.upgraded_from, new=done.revision))
    print(t("backup.restored", path=str(args.file), sizes=_sizes(t, done.counts)))
    return 0


def _sizes(t: Translator, counts: dict[str, int]) -> str:
    return t.join(t.plural(f"backup.count.{name}", n) for name, n in counts.items())


def _pg_commands(url: str, file: Path) -> dict[str, str]:
    """The commands to run instead, for this database: its URL without the password."""
    given = make_url(url)
    # URL.set(password=None) would keep the password: None there means "unchanged".
    bare = URL.create(
        "postgresql", given.username, None, given.host, given.port, given.database, given.query
    )
    target = shlex.quote(bare.render_as_string(hide_password=False))
    name = shlex.quote(str(file))
    return {
        "dump": f"pg_dump --format=custom --file={name} {target}",
        "restore": f"pg_restore --clean --if-exists --no-owner --dbname={target} {name}",
    }
