"""A clean start and stop: "quit", Ctrl-C and SIGTERM end the bot quietly, a command in
flight answers first, and a scheduled send under way finishes before the scheduler stops."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import signal
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.adapters.console import ConsoleAdapter
from bot.app import serve
from bot.dispatcher import Dispatcher
from bot.scheduler import Scheduler
from handlers.kit import Context, Reply, Services, command, unregister
from storage.models import Rep
from tests.conftest import add_rep, add_task
from tests.scheduling import Recorder, ledger_rows, notifier


@pytest.fixture
def slowpoke() -> Iterator[tuple[threading.Event, threading.Event]]:
    """A command that says when it has started and finishes when released."""
    started, release = threading.Event(), threading.Event()

    def slow(ctx: Context) -> Reply:
        started.set()
        release.wait(10)
        return Reply("finally done")

    command("slowpoke", writes=False)(slow)
    yield started, release
    release.set()
    unregister("slowpoke")


def console(services: Services, rep: Rep, stdin: io.TextIOBase) -> ConsoleAdapter:
    return ConsoleAdapter(
        Dispatcher(services), rep.id or 0, "en", stdin=stdin, stdout=io.StringIO()
    )


def printed(adapter: ConsoleAdapter) -> str:
    out = adapter.stdout
    assert isinstance(out, io.StringIO)
    return out.getvalue()


def test_quit_stops_the_scheduler_and_says_goodbye(services, admin, caplog, capsys):
    chat = console(services, admin, io.StringIO("/find nobody\nquit\n"))
    with caplog.at_level(logging.WARNING):
        asyncio.run(serve(services, console=chat, console_rep=admin.name, background=[Scheduler]))
    assert printed(chat).rstrip().endswith("Bye.")
    assert 'No customer matches "nobody"' in printed(chat)
    assert caplog.records == []
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_lets_the_command_in_flight_answer_then_stops(
    services, admin, slowpoke, sig, caplog, capsys
):
    started, release = slowpoke
    read_end, write_end = os.pipe()
    os.write(write_end, b"/slowpoke\n")  # and the pipe stays open: the rep is still there
    stdin = os.fdopen(read_end)
    chat = console(services, admin, stdin)

    async def scenario() -> None:
        bot = asyncio.ensure_future(
            serve(services, console=chat, console_rep=admin.name, background=[Scheduler])
        )
        assert await asyncio.to_thread(started.wait, 10)
        os.kill(os.getpid(), sig)  # handled by the loop: it only asks the bot to stop
        await asyncio.sleep(0)
        assert not bot.done()
        release.set()
        await asyncio.wait_for(bot, 30)

    try:
        with caplog.at_level(logging.WARNING):
            asyncio.run(scenario())
    finally:
        os.close(write_end)
    out = printed(chat)
    assert "finally done" in out
    assert out.index("finally done") < out.index("Bye.")
    assert caplog.records == []
    assert capsys.readouterr().err == ""


class Held(Recorder):
    """A platform whose sends wait until the test lets them through."""

    def __init__(self) -> None:
        super().__init__("telegram")
        self.sending, self.gate = asyncio.Event(), asyncio.Event()

    async def send(self, chat_id: str, replies: list[Reply]) -> None:
        self.sending.set()
        await self.gate.wait()
        await super().send(chat_id, replies)


def test_a_send_under_way_finishes_before_the_scheduler_stops(services, clock, caplog):
    ayse = add_rep(services, "Ayşe Yılmaz", telegram_user_id=111)
    add_task(services, ayse, "send quote", clock() - timedelta(hours=1))

    async def scenario() -> None:
        slow = Held()
        scheduler = Scheduler(services, notifier(slow))
        await scheduler.start()  # the first sweep runs at once: the reminder is due
        await asyncio.wait_for(slow.sending.wait(), 10)
        stopping = asyncio.ensure_future(scheduler.stop())
        await asyncio.sleep(0)
        assert not stopping.done()  # waiting for the send, not cancelling it
        slow.gate.set()
        await asyncio.wait_for(stopping, 30)
        assert [text.splitlines()[0] for text in slow.texts()] == ["⏰ Overdue tasks (1):"]
        assert not scheduler.aps.running

    with caplog.at_level(logging.WARNING):
        asyncio.run(scenario())
    assert caplog.records == []
    assert [row.status for row in ledger_rows(services, "reminder")] == ["sent"]
