"""Big imports share the database (issue 12, part 9): time-bounded transactions, start-up
on a busy database, and the progress bar. Real threads and a real SQLite file, coordinated
with events; no sleeps and no timed assertions."""

from __future__ import annotations

import io
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.progress import Bars
from storage import db
from storage.models import Customer, Interaction
from storage.transfer import importer
from tests.conftest import Chat, add_customer, count


def people_file(tmp_path: Path, n: int) -> Path:
    path = tmp_path / "people.csv"
    lines = ["name,phone"] + [f"Müşteri {i:03d} Ltd,0532 {i:03d} 11 22" for i in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class Ticks:
    """A clock that moves 1 s each time it is read: a 2 s budget holds two rows."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def test_transactions_are_cut_by_the_time_budget(services, tmp_path: Path) -> None:
    commits: list[int] = []
    report = importer.run(
        services.db,
        people_file(tmp_path, 9),
        importer.Options(kind="customers", budget_s=2.0),
        clock=Ticks(),
        between=lambda: commits.append(count(services, Customer)),
    )
    assert report.counts["new"] == 9
    assert commits == [2, 4, 6, 8, 9]  # each transaction committed on its own


@pytest.mark.sqlite_only
def test_a_chat_write_between_two_batches_succeeds_mid_import(
    services, chat: Chat, tmp_path: Path
) -> None:
    paused, resume = threading.Event(), threading.Event()
    done: list[importer.Report] = []

    def between() -> None:
        if not paused.is_set():
            paused.set()
            resume.wait()

    def run() -> None:
        options = importer.Options(kind="customers", budget_s=2.0)
        done.append(
            importer.run(
                services.db, people_file(tmp_path, 20), options, clock=Ticks(), between=between
            )
        )

    worker = threading.Thread(target=run)
    worker.start()
    assert paused.wait(30)
    assert 0 < count(services, Customer) < 20  # mid-way
    reply = chat.say("/log call Müşteri 001 Ltd asked for a quote")
    resume.set()
    worker.join(30)
    assert count(services, Interaction) == 1, reply.text
    assert done and done[0].counts["new"] == 20


class Naps:
    """An injected sleep that records its pauses and lets the test act during each one."""

    def __init__(self, during: Callable[[int], None] = lambda _n: None) -> None:
        self.taken: list[float] = []
        self.during = during

    def __call__(self, seconds: float) -> None:
        self.taken.append(seconds)
        self.during(len(self.taken))


def test_an_idle_bot_costs_the_import_one_short_pause(services) -> None:
    naps = Naps()
    with services.db.sharing(sleep=naps, clock=lambda: 0.0) as make_way:
        make_way()
    # PostgreSQL locks rows, not the database: an import there never pauses
    assert naps.taken == ([db.QUIET_S] if services.db.is_sqlite else [])


@pytest.mark.sqlite_only
def test_the_import_waits_while_chat_writes_keep_coming(services, chat: Chat) -> None:
    names = {1: "Kuzey Lojistik", 2: "Güney Tekstil"}
    naps = Naps(lambda n: n in names and chat.say(f"/customer add {names[n]}"))
    with services.db.sharing(sleep=naps, clock=lambda: 0.0) as make_way:
        make_way()
    assert count(services, Customer) == 2
    assert len(naps.taken) == 3  # two pauses with a write in each, then a quiet one


@pytest.mark.sqlite_only
def test_the_import_waits_while_someone_holds_the_lock(services) -> None:
    holder = sqlite3.connect(make_url(services.settings.crm_database_url).database or "")
    holder.isolation_level = None
    steps = {1: "BEGIN IMMEDIATE", 2: "ROLLBACK"}  # a chat write in progress, then done
    naps = Naps(lambda n: n in steps and holder.execute(steps[n]))
    with services.db.sharing(sleep=naps, clock=lambda: 0.0) as make_way:
        make_way()
    holder.close()
    assert len(naps.taken) == 2


@pytest.mark.sqlite_only
def test_the_import_never_yields_longer_than_its_cap(services, chat: Chat) -> None:
    customer = add_customer(services, "Acele Ticaret")
    ticks = iter(range(1000))
    naps = Naps(lambda n: chat.say(f"/log call #{customer.id} ara {n}"))  # writes never stop
    with services.db.sharing(sleep=naps, clock=lambda: next(ticks) * db.QUIET_S) as make_way:
        make_way()
    assert len(naps.taken) == round(db.YIELD_MAX_S / db.QUIET_S)


@pytest.mark.sqlite_only
def test_start_up_waits_for_a_locked_database_and_says_so_once(
    services, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    url = services.settings.crm_database_url
    holder = sqlite3.connect(make_url(url).database or "", check_same_thread=False)
    holder.isolation_level = None
    holder.execute("BEGIN IMMEDIATE")  # another process's long write
    released = threading.Event()

    class Terminal(io.StringIO):
        def write(self, text: str) -> int:
            if "busy" in text and not released.is_set():
                holder.execute("ROLLBACK")  # the import's batch ends
                released.set()
            return super().write(text)

    err = Terminal()
    monkeypatch.setattr("sys.stderr", err)
    monkeypatch.setenv("CRM_DATABASE_URL", url)
    monkeypatch.setenv("CRM_LANGUAGE", "en")
    from bot import cli

    code = cli.main(["rep", "add", "Ayşe Kaya", "--role", "admin"])
    holder.close()
    assert code == 0
    assert released.is_set()
    assert err.getvalue().count("The database is busy (an import?); waiting…") == 1
    assert "Traceback" not in err.getvalue()
    assert "Ayşe Kaya" in capsys.readouterr().out


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_shows_rate_and_eta_on_a_terminal_only() -> None:
    terminal, piped = Tty(), io.StringIO()
    for stream in (terminal, piped):
        bars = Bars(stream, "rows")
        for done in (100, 200, 300):
            bars("people.csv", done, 300)
    assert "people.csv" in terminal.getvalue() and "300/300" in terminal.getvalue()
    assert "rows/s" in terminal.getvalue()
    assert piped.getvalue() == ""
    quiet = Tty()
    Bars(quiet, "rows", quiet=True)("people.csv", 300, 300)
    assert quiet.getvalue() == ""
