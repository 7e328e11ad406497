"""Two real bot processes on one database behave as one (issue 14, item 4): a customer written
in one is found by the other's next query, however long its transaction stayed open; one
delivery is processed once; one digest is posted once.

Each process is ``tests/two_process_driver.py`` with its own Services, Dispatcher, name index
and jobs. They are coordinated by waiting for their answers on pipes, never by sleeping; on
PostgreSQL (``CRM_TEST_DATABASE_URL``) and on one SQLite file alike.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, func, select

from handlers.kit import Services
from storage import customers
from storage.db import Database
from storage.models import Customer, RunLedger
from tests.conftest import START, add_customer, add_deal, add_rep
from tests.scheduling import local, subscribe

ROOT = Path(__file__).resolve().parents[1]
TELEGRAM_ID = 7001


class Process:
    """One bot process, asked one JSON line at a time."""

    def __init__(self, url: str, log: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.stderr = log.open("w")
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "tests.two_process_driver", url, START.isoformat()],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
        )
        self.log = log

    def post(self, **request: Any) -> None:
        assert self.popen.stdin is not None
        self.popen.stdin.write(json.dumps(request) + "\n")
        self.popen.stdin.flush()

    def answer(self) -> dict[str, Any]:
        assert self.popen.stdout is not None
        line = self.popen.stdout.readline()
        assert line, f"the process ended: {self.log.read_text()[-2000:]}"
        return json.loads(line)

    def say(self, text: str, key: str | None = None) -> dict[str, Any]:
        self.post(op="say", platform="telegram", user=str(TELEGRAM_ID), text=text, key=key)
        return self.answer()

    def close(self) -> None:
        assert self.popen.stdin is not None
        self.popen.stdin.close()
        try:
            self.popen.wait(timeout=30)
        finally:
            if self.popen.poll() is None:
                self.popen.kill()
            self.stderr.close()


@pytest.fixture
def pair(services: Services, tmp_path: Path) -> Iterator[tuple[Process, Process]]:
    """Processes A and B, started side by side, once the rep exists."""
    add_rep(services, "Murat Kaya", role="manager", telegram_user_id=TELEGRAM_ID)
    a = Process(services.db.url, tmp_path / "a.log")
    b = Process(services.db.url, tmp_path / "b.log")
    try:
        assert a.answer() == {"ready": True} and b.answer() == {"ready": True}
        yield a, b
    finally:
        a.close()
        b.close()


def found(answer: dict[str, Any]) -> list[int]:
    """The customers a /find answered with (a card for one; none when nothing matches)."""
    assert answer["texts"], answer
    return answer["cards"]


def test_a_customer_added_in_one_process_is_found_by_the_others_next_query(pair) -> None:
    a, b = pair
    assert "No customer matches" in b.say("/find Boğaziçi Danışmanlık")["texts"][0]  # warm
    [added] = a.say("/customer add Boğaziçi Danışmanlık Ltd. Şti.")["cards"]
    assert found(b.say("/find bogazici danismanlik")) == [added]


def test_a_transaction_held_open_past_any_look_back_is_still_found(pair, services) -> None:
    """The held row's ``updated_at`` is a day older than what B has already seen: a stamp
    taken long before the commit (a slow batch, a lock wait, another host's clock). While it
    is held, B refreshes on each query and must not find it; once it commits, B must."""
    a, b = pair
    writer = Database(services.db.url)  # a third connection, like an import in another process
    if services.db.is_sqlite:  # SQLite: no one else may commit while a write is held open
        [early] = a.say("/customer add Ege Tekstil")["cards"]
        assert found(b.say("/find Ege Tekstil")) == [early]
    try:
        with writer.session(write=True) as s:
            held = customers.create(s, Customer(name="Karadeniz Lojistik"))
            held.updated_at = START - timedelta(days=1)
            s.flush()
            if not services.db.is_sqlite:  # PostgreSQL: others commit meanwhile, stamped later
                [early] = a.say("/customer add Ege Tekstil")["cards"]
                assert found(b.say("/find Ege Tekstil")) == [early]
            for _ in range(2):
                assert "No customer matches" in b.say("/find Karadeniz Lojistik")["texts"][0]
        assert found(b.say("/find Karadeniz Lojistik")) == [held.id]
        assert found(a.say("/find karadeniz lojistik")) == [held.id]
    finally:
        writer.dispose()


def test_one_delivery_given_to_both_processes_runs_once(pair, services) -> None:
    a, b = pair
    for process in pair:  # both asked before either answers: they race for the same key
        process.post(
            op="say",
            platform="telegram",
            user=str(TELEGRAM_ID),
            text="/customer add Trakya Gıda",
            key="update-424242",
        )
    answers = [a.answer(), b.answer()]
    assert sorted(len(x["cards"]) for x in answers) == [0, 1]
    assert [x["texts"] for x in answers if not x["cards"]] == [[]]  # the repeat: no reply
    with services.db.session() as s:
        named = select(func.count()).where(col(Customer.name) == "Trakya Gıda")
        assert s.exec(named).one() == 1


def test_a_digest_due_in_both_processes_is_posted_once(pair, services) -> None:
    manager = add_rep(services, "Selin Aydın", role="manager")
    add_deal(services, add_customer(services, "Acme Corporation"), "nobody's", "1000")
    sub = subscribe(services, manager)
    now = local("2026-11-24", "08:30")
    for process in pair:
        process.post(op="digest", sub=sub.id, now=now.isoformat())
    answers = [process.answer() for process in pair]
    assert sum(x["sent"] for x in answers) == 1, answers
    with services.db.session() as s:
        rows = s.exec(select(RunLedger.status).where(RunLedger.job == "digest")).all()
    assert rows == ["sent"]
