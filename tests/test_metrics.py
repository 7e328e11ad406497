"""The metrics counted where the work happens: real commands through the dispatcher, real
sends (and 429s) through python-telegram-bot and slack_sdk against the fake APIs, and
scheduled runs."""

from __future__ import annotations

import asyncio

from bot.adapters.base import Notifier
from bot.dispatcher import Dispatcher
from bot.jobs import Jobs
from bot.metrics import Metrics
from handlers.kit import Incoming
from tests.conftest import add_rep
from tests.fakes.slack_harness import run, slack_running
from tests.telegram_harness import telegram

ELIF = 111
RATE_LIMITED = {
    "ok": False,
    "error_code": 429,
    "description": "Too Many Requests: retry after 1",
    "parameters": {"retry_after": 1},
}


def test_commands_are_timed_by_their_canonical_name_and_errors_counted(services) -> None:
    rep = add_rep(services, "Elif Şahin", role="admin")
    metrics = Metrics()
    dispatcher = Dispatcher(services, metrics)

    def say(text: str) -> None:
        asyncio.run(dispatcher.handle(Incoming("console", "c1", str(rep.id), text)))

    say("/tasks")
    say("/TASKS")  # typed differently, the same command
    say("/help")
    assert metrics.value("crm_command_seconds_count", command="tasks") == 2
    assert metrics.value("crm_command_seconds_count", command="help") == 1
    assert metrics.value("crm_command_errors_total", command="tasks") == 0

    # A real fault, not a stand-in for our code: the table /tasks reads has gone.
    with services.db.engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE task RENAME TO task_gone")
    say("/tasks")
    assert metrics.value("crm_command_errors_total", command="tasks") == 1
    assert metrics.value("crm_command_seconds_count", command="tasks") == 3
    assert metrics.value("crm_dispatch_queue_depth") == 0


def test_telegram_sends_and_429s_are_counted(services) -> None:
    add_rep(services, "Elif Şahin", role="admin", telegram_user_id=ELIF)

    async def scenario() -> Metrics:
        async with telegram(services) as (fake, adapter):
            metrics = adapter.dispatcher.metrics
            fake.fail_next("sendMessage", 429, RATE_LIMITED)
            await fake.say(ELIF, "/tasks")
            await fake.wait_for("sendMessage", 2)  # refused once, then delivered
            await adapter.send(str(ELIF), [])  # nothing to send: no count
            return metrics

    metrics = asyncio.run(scenario())
    assert metrics.value("crm_rate_limited_total", platform="telegram") == 1
    assert metrics.value("crm_sends_total", platform="telegram") == 1
    assert metrics.value("crm_command_seconds_count", command="tasks") == 1


def test_slack_sends_and_429s_are_counted(services) -> None:
    add_rep(services, "Ayşe Yılmaz", slack_user_id="UREP1")

    async def scenario() -> Metrics:
        async with slack_running(services) as slack:
            metrics = slack.adapter.outbox.metrics
            assert metrics is not None
            slack.fake.fail_next("chat.postMessage", 429, {"Retry-After": "0"})
            await slack.adapter.send("C0SALES", [])  # nothing: no count
            from handlers.kit import Reply

            await slack.adapter.send("C0SALES", [Reply("Pipeline")])
            await slack.command("tasks")
            await slack.fake.wait_for("response_url", 1)
            await slack.settled()
            return metrics

    metrics = run(scenario())
    assert metrics.value("crm_rate_limited_total", platform="slack") == 1
    # the channel post (after its 429) and the command's answer by response_url
    assert metrics.value("crm_sends_total", platform="slack") == 2


def test_scheduled_runs_are_counted_by_job_and_outcome(services, clock) -> None:
    notifier = Notifier([], Metrics())
    jobs = Jobs(services, notifier)
    asyncio.run(jobs.tick(clock()))
    metrics = notifier.metrics
    assert metrics.value("crm_scheduler_runs_total", job="reminders", outcome="none") == 1
    assert metrics.value("crm_scheduler_runs_total", job="notices", outcome="none") == 1
    assert metrics.value("crm_scheduler_runs_total", job="digest", outcome="sent") == 0
