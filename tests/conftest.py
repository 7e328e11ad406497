"""Shared fixtures: a real SQLite file per test, migrated by Alembic, and a chat that pushes a
message through the real dispatcher and pops the replies (Errbot's ``testbot`` idea)."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
import time_machine
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from bot.app import build_services
from bot.dispatcher import Dispatcher
from bot.logs import RedactingFormatter, RedactingJsonFormatter
from handlers.kit import Incoming, Reply, Services, Settings
from storage import customers, deals
from storage.models import Customer, Deal, Rep, Task
from tests.databases import PostgresTemplate, SqliteTemplate

pytest_plugins = ["tests.cli_harness"]  # the crm_bot fixture
OUR_FORMATTERS = (RedactingFormatter, RedactingJsonFormatter)

# Monday 23 November 2026, 10:00 in Istanbul.
START = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
# Set to a scratch PostgreSQL database to run the suite there (its schema is wiped per test);
# tests marked sqlite_only are then deselected. CI runs on SQLite.
TEST_DATABASE_URL = os.environ.get("CRM_TEST_DATABASE_URL")


# Set (an ISO moment with its offset) to run the whole suite under a moved wall clock, as
# .ci/run does on hostile dates: DST nights, 29 February, New Year's Eve, a Sunday. Time keeps
# running from there (time-machine, tick=True); monotonic clocks are left alone.
MOVED_CLOCK = os.environ.get("CRM_TEST_CLOCK")


def pytest_configure(config: pytest.Config) -> None:
    if MOVED_CLOCK:
        traveller = time_machine.travel(datetime.fromisoformat(MOVED_CLOCK), tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


def pytest_report_header(config: pytest.Config) -> str | None:
    if MOVED_CLOCK:
        return f"wall clock moved to {MOVED_CLOCK} (now {datetime.now(UTC).isoformat()})"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not TEST_DATABASE_URL:
        return
    kept = [i for i in items if i.get_closest_marker("sqlite_only") is None]
    config.hook.pytest_deselected(items=[i for i in items if i not in kept])
    items[:] = kept


PROCESS_CODE = str(Path(__file__).resolve().parents[1] / "bot")
_ON_THE_LOOP: list[str] = []


@event.listens_for(Engine, "before_cursor_execute")
def _watch_the_loop(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    """Note a statement that the process (``bot/``) runs on a thread with a running event
    loop: a database wait there would stall every adapter sharing the loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return  # a worker thread, or plain synchronous code
    stack = traceback.extract_stack()
    ours = [f for f in stack if f.filename.startswith(PROCESS_CODE)]
    if ours:
        _ON_THE_LOOP.append(f"{statement.split()[0]} from {ours[-1].filename}:{ours[-1].lineno}")


@pytest.fixture(autouse=True)
def logging_as_it_was() -> Iterator[None]:
    """A test that runs ``crm-bot``'s main() gets its log handler; the next test does not."""
    root = logging.getLogger()
    level = root.level
    yield
    for handler in [h for h in root.handlers if isinstance(h.formatter, OUR_FORMATTERS)]:
        root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture(autouse=True)
def nothing_left_frozen() -> Iterator[None]:
    """``serve()`` freezes what the process holds (``bot.settle``): in a test run that would
    keep every earlier test's garbage for good."""
    yield
    if gc.get_freeze_count():
        gc.unfreeze()


@pytest.fixture(autouse=True)
def no_database_work_on_the_event_loop() -> Iterator[None]:
    """Every test, adapters and scheduler included, proves README's promise: no database
    call from the process ever runs on the event loop that the adapters share."""
    _ON_THE_LOOP.clear()
    yield
    assert not _ON_THE_LOOP, f"database work on the event loop: {sorted(set(_ON_THE_LOOP))}"


class FakeClock:
    """The injected clock: tests move time explicitly instead of sleeping."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "crm_database_url": TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'crm.sqlite3'}",
        "crm_language": "en",
        "crm_timezone": "Europe/Istanbul",
        "crm_phone_region": "TR",
        "crm_currency": "TRY",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate | PostgresTemplate:
    """Migrated once per session; every test's database is a copy of it."""
    folder = tmp_path_factory.mktemp("template")
    if TEST_DATABASE_URL:
        return PostgresTemplate(TEST_DATABASE_URL, make_settings(folder))
    return SqliteTemplate(folder, make_settings(folder))


@pytest.fixture
def services(
    tmp_path: Path, clock: FakeClock, template: SqliteTemplate | PostgresTemplate
) -> Iterator[Services]:
    svc = build_services(make_settings(tmp_path, crm_database_url=template.fresh(tmp_path)), clock)
    yield svc
    svc.db.dispose()


class Chat:
    def __init__(self, services: Services, rep: Rep, platform: str = "console") -> None:
        self.services = services
        self.rep = rep
        self.platform = platform
        self.dispatcher = Dispatcher(services)

    def send(self, text: str, message_id: str | None = None) -> list[Reply]:
        """One message, with a delivery key of its own as the adapters pass one (so the
        claim, and on PostgreSQL the statement that claims it with the rep, is run)."""
        user = str(self.rep.id)
        incoming = Incoming(
            self.platform, "chat-1", user, text, message_id=message_id, delivery_key=uuid4().hex
        )
        return asyncio.run(self.dispatcher.handle(incoming))

    def say(self, text: str, message_id: str | None = None) -> Reply:
        replies = self.send(text, message_id)
        assert len(replies) == 1, replies
        return replies[0]

    def press(self, reply: Reply, label_part: str) -> Reply:
        """Press the button or choice whose label contains ``label_part``."""
        actions = [*reply.choices, *reply.buttons]
        matching = [a for a in actions if label_part in a.label]
        assert matching, f"no action with {label_part!r} in {[a.label for a in actions]}"
        return self.say(matching[0].command)


def add_rep(services: Services, name: str, **fields: Any) -> Rep:
    with services.db.session(write=True) as s:
        rep = Rep(name=name, **fields)
        s.add(rep)
        s.flush()
        return rep


def add_customer(services: Services, name: str, **fields: Any) -> Customer:
    with services.db.session(write=True) as s:
        return customers.create(s, Customer(name=name, **fields))


def add_deal(
    services: Services, customer: Customer, title: str, amount: str, stage: str = "Lead", **kw: Any
) -> Deal:
    now = services.clock()  # the test's clock, never the wall clock (moved in CI)
    kw.setdefault("created_at", now)
    kw.setdefault("stage_changed_at", now)
    with services.db.session(write=True) as s:
        st = next(x for x in deals.stages(s) if x.name == stage)
        deal = Deal(
            customer_id=customer.id, title=title, amount=Decimal(amount), stage_id=st.id, **kw
        )
        return deals.create(s, deal)


def add_task(services: Services, rep: Rep, title: str, due: datetime, **kw: Any) -> Task:
    with services.db.session(write=True) as s:
        task = Task(title=title, due_at=due, assignee_id=rep.id, **kw)
        s.add(task)
        s.flush()
        return task


def rows(services: Services, model: Any) -> list[Any]:
    """Every row of a table, oldest first, read outside any command's transaction."""
    with Session(services.db.engine) as s:
        return list(s.exec(select(model).order_by(model.id)))


def count(services: Services, model: type) -> int:
    with Session(services.db.engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def admin(services: Services) -> Rep:
    return add_rep(services, "Elif Şahin", role="admin")


@pytest.fixture
def chat(services: Services, admin: Rep) -> Chat:
    return Chat(services, admin)


def selects_sent(services: Services, run: Any) -> list[tuple[str, Any]]:
    """(statement, parameters) of every SELECT that ``run()`` sent to the database, for the
    tests that read their plans."""
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(services.db.engine, "before_cursor_execute", capture)
    try:
        run()
    finally:
        event.remove(services.db.engine, "before_cursor_execute", capture)
    return seen
