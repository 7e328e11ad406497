"""Wiring: build the services, prepare the database, run whatever is configured."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy.engine import make_url

from bot.adapters import Adapter, Notifier, configured
from bot.adapters.console import ConsoleAdapter
from bot.dispatcher import Dispatcher
from bot.errors import SetupError
from bot.metrics import Metrics
from bot.settle import settle
from handlers.kit import Clock, Services, Settings
from storage import deals, demo, migrate
from storage.db import Database
from storage.types import utcnow

log = logging.getLogger(__name__)


def build_services(settings: Settings, clock: Clock = utcnow) -> Services:
    db = Database(settings.database_url, workers=settings.command_workers)
    return Services(db=db, settings=settings, clock=clock)


def prepare_database(services: Services, *, demo_data: bool = False) -> None:
    """Bring the schema up to date and load demo data where it belongs.

    The embedded database is migrated automatically and seeded on its first run. A database
    named by CRM_DATABASE_URL is never migrated or seeded behind the operator's back: it must be
    upgraded with ``crm-bot db upgrade`` and gets demo data only with --demo.
    """
    db, settings = services.db, services.settings
    fresh = migrate.current(db) is None
    if settings.embedded:
        migrate.upgrade(db)
    elif not migrate.is_current(db):
        raise SetupError("cli.needs_upgrade", url=_safe_url(settings.database_url))
    with db.session(write=True) as session:
        deals.ensure_default_pipeline(session)
        if demo_data or (settings.embedded and fresh):
            demo.seed(session, services.clock())


def warm_index(services: Services) -> None:
    """Start building the name index now rather than on the first command, which at a million
    customers would wait 15 s for it (``NameIndex.build_in_background`` says how commands are
    answered until it is done)."""
    services.index.build_in_background(services.db.engine)


class Background(Protocol):
    """Something that runs beside the adapters in the same loop (the scheduler, the HTTP
    endpoints of ``bot.ops_http``)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


BackgroundFactory = Callable[[Services, Notifier], Background]


async def serve(
    services: Services,
    *,
    console: ConsoleAdapter | None = None,
    console_rep: str = "",
    background: list[BackgroundFactory] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Run every configured platform and the background jobs in this one event loop.

    With no platform configured the console is the chat (and the target of proactive posts)
    until the rep quits; otherwise the process runs until ``stop`` is set. SIGINT (Ctrl-C)
    and SIGTERM set it in both cases: what is in flight finishes (a command's answer, a
    scheduled send), then the parts stop in reverse order, quietly.
    """
    metrics = console.dispatcher.metrics if console is not None else Metrics()
    dispatcher = Dispatcher(services, metrics)
    adapters: list[Adapter] = configured(services, dispatcher)
    if not adapters and console is not None:
        adapters = [console]
    notifier = Notifier(adapters, metrics)
    jobs = [make(services, notifier) for make in background or []]
    started: list[Adapter | Background] = []
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = [sig for sig in (signal.SIGINT, signal.SIGTERM) if on_signal(loop, sig, stop.set)]
    try:
        # The name index builds in a thread; commands answer from the database meanwhile.
        await asyncio.to_thread(warm_index, services)
        for part in [*adapters, *jobs]:
            await part.start()
            started.append(part)
        settle()  # what start-up loaded, out of the garbage collector's way
        if adapters == [console] and console is not None:
            await console.run_interactive(console_rep, stop)
        else:
            await until_stopped(stop, adapters)
    finally:
        for part in reversed(started):
            try:
                await part.stop()
            except Exception:
                log.exception("stopping %r failed", part)
        for sig in signals:
            loop.remove_signal_handler(sig)


async def until_stopped(stop: asyncio.Event, adapters: list[Adapter]) -> None:
    """Until ``stop`` is set, or an adapter finds it cannot go on (its ``fatal`` future fails:
    a second Telegram poller of the same bot), which ends the process with that problem."""
    waits: list[asyncio.Future[Any]] = [asyncio.ensure_future(stop.wait())]
    waits += [fatal for a in adapters if (fatal := getattr(a, "fatal", None)) is not None]
    done, _ = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    waits[0].cancel()
    for future in done:
        if future is not waits[0] and not future.cancelled():
            future.result()  # raises the adapter's SetupError


def on_signal(loop: asyncio.AbstractEventLoop, sig: signal.Signals, handler: Callable) -> bool:
    """Handle ``sig`` in the loop; False where that is impossible (a thread, Windows)."""
    try:
        loop.add_signal_handler(sig, handler)
    except (NotImplementedError, RuntimeError, ValueError):
        return False
    return True


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
