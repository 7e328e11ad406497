"""``crm-bot``: run the bot, chat in the console, manage reps and the schema.

With no sub-command it runs every platform whose credentials are configured; with none
configured it opens the console chat on the embedded database, so a newcomer can try it with
no tokens at all.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Sequence

from sqlalchemy.exc import OperationalError

from bot import (
    cli_audit,
    cli_backup,
    cli_data,
    cli_privacy,
    cli_purge,
    cli_quota,
    cli_rates,
    cli_report,
    cli_reps,
    digest_preview,
    doctor,
    logs,
)
from bot.adapters.console import ConsoleAdapter
from bot.app import (
    BackgroundFactory,
    build_services,
    on_signal,
    prepare_database,
    serve,
    warm_index,
)
from bot.busy import when_free
from bot.dispatcher import Dispatcher
from bot.errors import Refusal
from bot.ops_http import OpsServer
from bot.scheduler import Scheduler
from handlers.kit import Services, Settings, Translator
from storage import migrate, reps
from storage.db import is_locked

# Parts that run beside the adapters in `crm-bot`: the scheduler, the health and metrics port.
BACKGROUND: list[BackgroundFactory] = [Scheduler, OpsServer]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="crm-bot", description="Chat-ops CRM assistant.")
    p.add_argument("--demo", action="store_true", help="load the demo data (once)")
    sub = p.add_subparsers(dest="command")
    console = sub.add_parser("console", help="chat in the terminal")
    console.add_argument("--as", dest="as_rep", metavar="REP", help="act as this rep (name)")
    console.add_argument("--jsonl", action="store_true", help="JSON lines in and out")
    console.add_argument("--demo", action="store_true", help="load the demo data (once)")
    cli_reps.add_parsers(sub)
    cli_audit.add_parsers(sub)
    cli_privacy.add_parsers(sub)
    cli_purge.add_parsers(sub)
    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_command")
    db.add_parser("upgrade", help="apply pending migrations")
    sub.add_parser("doctor", help="check the database, schema, tokens, webhook and clock")
    digest = sub.add_parser("digest", help="the daily digest")
    digest.add_argument("--preview", action="store_true", required=True, help="print it")
    digest.add_argument("--target", metavar="PLATFORM:CHAT_ID", help="a subscribed chat")
    digest.add_argument("--date", metavar="YYYY-MM-DD", help="as of that day's digest time")
    cli_data.add_parsers(sub)
    cli_rates.add_parsers(sub)
    cli_report.add_parsers(sub)
    cli_quota.add_parsers(sub)
    cli_backup.add_parsers(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings()
    t = Translator(settings.crm_language)
    logs.setup(settings)
    services = build_services(settings)

    def say_busy() -> None:
        print(t("cli.db_busy"), file=sys.stderr, flush=True)

    try:
        if args.command == "db":
            when_free(services.db, lambda: migrate.upgrade(services.db), say_busy)
            print(t("cli.upgraded", revision=migrate.current(services.db)))
            return 0
        if args.command == "doctor":  # before the start-up's migration: the schema as it is
            return doctor.run(services, t)
        if args.command in cli_backup.COMMANDS:  # before any preparing: see cli_backup
            return cli_backup.run(args, services, t)
        demo_data = bool(getattr(args, "demo", False))
        when_free(services.db, lambda: prepare_database(services, demo_data=demo_data), say_busy)
        if args.command in ("import", "export"):
            return cli_data.run(args, services, t)
        if args.command == "rep":
            return cli_reps.run(args, services, t)
        if args.command == "audit":
            return cli_audit.run(args, services, t)
        if args.command == "privacy":
            return cli_privacy.run(args, services, t)
        if args.command == "purge":
            return cli_purge.run(args, services, t)
        if args.command == "rates":
            return cli_rates.run(args, services, t)
        if args.command == "report":
            return cli_report.run(args, services, t)
        if args.command == "quota":
            return cli_quota.run(args, services, t)
        if args.command == "digest":
            return digest_preview.preview(services, args.target, args.date)
        if args.command is None:
            return _serve(services)
        return _chat(services, args.as_rep, args.jsonl)
    except Refusal as problem:  # set-up problems and refused sub-commands alike
        print(problem.said(t), file=sys.stderr)
        return 2
    except OperationalError as error:  # another process kept the database's write lock
        if not is_locked(error):
            raise
        print(t("cli.db_still_busy"), file=sys.stderr)
        return 75  # EX_TEMPFAIL: try again later
    except KeyboardInterrupt:  # before the loop's own handlers are in place
        return 130
    finally:
        services.db.dispose()


def _serve(services: Services) -> int:
    """The bot: configured platforms and the scheduler, or the console when none is set."""
    settings = services.settings
    console, name = None, ""
    if not (settings.telegram_bot_token or settings.slack_bot_token):
        with services.db.session() as session:
            rep = reps.default_console_rep(session)
        if rep is None or rep.id is None:
            print(Translator(settings.crm_language)("cli.no_reps"), file=sys.stderr)
            return 2
        language = rep.language or settings.crm_language
        console, name = ConsoleAdapter(Dispatcher(services), rep.id, language), rep.name
    asyncio.run(serve(services, console=console, console_rep=name, background=BACKGROUND))
    return 0


def _chat(services: Services, as_rep: str | None, jsonl: bool) -> int:
    """``crm-bot console``: the chat alone, no platforms and no scheduler."""
    t = Translator(services.settings.crm_language)
    with services.db.session() as session:
        rep = reps.by_name(session, as_rep) if as_rep else reps.default_console_rep(session)
    if rep is None or rep.id is None:
        key = "cli.no_such_rep" if as_rep else "cli.no_reps"
        print(t(key, name=as_rep or ""), file=sys.stderr)
        return 2
    console = ConsoleAdapter(
        Dispatcher(services), rep.id, rep.language or services.settings.crm_language
    )
    warm_index(services)
    asyncio.run(console.run_jsonl() if jsonl else _interactive(console, rep.name))
    return 0


async def _interactive(console: ConsoleAdapter, name: str) -> None:
    """The console until "quit"; Ctrl-C and SIGTERM end it the same way, quietly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = [sig for sig in (signal.SIGINT, signal.SIGTERM) if on_signal(loop, sig, stop.set)]
    try:
        await console.run_interactive(name, stop)
    finally:
        await console.stop()
        for sig in signals:
            loop.remove_signal_handler(sig)


if __name__ == "__main__":
    raise SystemExit(main())
