"""Nothing lost on the way out, on Slack: the real Bolt app and slack_sdk clients over HTTP
against the fake Web API and response_url, made to fail the next posts. A 500, a timeout and a
429 that outlasts slack_sdk's own retries are retried; blocks Slack refuses go again as text;
what still fails (invalid_auth) is logged with the event id and nothing personal."""

from __future__ import annotations

import logging

import pytest

from storage.models import Interaction
from tests.conftest import add_customer, add_rep, count
from tests.fakes.slack_harness import block_texts, run, slack_running
from tests.quick_sends import quick

NAME = "Acme Lojistik A.Ş."


@pytest.fixture
def acme(services):
    add_rep(services, "Ayşe Yılmaz", slack_user_id="UREP1")
    return add_customer(services, NAME, city="İzmir")


def dm(slack, text: str, event_id: str) -> str:
    event = {"type": "message", "channel_type": "im", "user": "UREP1", "text": text,
             "ts": "1.5", "channel": "D0AYSE"}  # fmt: skip
    return slack.event_body(event, event_id)


def test_a_500_from_the_web_api_is_retried(services, acme):
    async def scenario():
        async with slack_running(services) as slack:
            slack.fake.fail_next("chat.postMessage", 500, {}, {"ok": False, "error": "fatal"})
            await slack.event(dm(slack, "log call acme asked for prices", "Ev500"))
            calls = await slack.fake.wait_for("chat.postMessage", 2)
            assert [c.status for c in calls] == [500, 200]
            assert "Logged: call" in block_texts(calls[1].args)

    run(scenario())
    assert count(services, Interaction) == 1


def test_a_500_from_the_response_url_is_retried(services, acme):
    async def scenario():
        async with slack_running(services) as slack:
            slack.fake.fail_next("response_url", 500, {}, {"error": "oops"})
            await slack.command("find acme")
            calls = await slack.fake.wait_for("response_url", 2)
            assert [c.status for c in calls] == [500, 200]
            assert NAME in block_texts(calls[1].args)

    run(scenario())


def test_a_timeout_is_retried(services, acme):
    async def scenario():
        async with slack_running(services, policy=quick(timeout=0.3)) as slack:
            slack.fake.stall_next("chat.postMessage", 1.0)
            await slack.event(dm(slack, "log call acme asked for prices", "EvSlow"))
            await slack.settled()
            calls = slack.fake.of("chat.postMessage")
            assert calls[0].status == 0 and calls[-1].status == 200
            assert "Logged: call" in block_texts(calls[-1].args)

    run(scenario())
    assert count(services, Interaction) == 1


def test_a_429_beyond_slack_sdks_retries_is_retried(services, acme):
    async def scenario():
        async with slack_running(services) as slack:
            for _ in range(4):  # slack_sdk retries three 429s itself
                slack.fake.fail_next("chat.postMessage", 429, {"Retry-After": "0"})
            await slack.event(dm(slack, "find acme", "Ev429"))
            calls = await slack.fake.wait_for("chat.postMessage", 5)
            assert [c.status for c in calls] == [429] * 4 + [200]

    run(scenario())


def test_invalid_blocks_are_sent_again_as_text(services, acme):
    async def scenario():
        async with slack_running(services) as slack:
            refused = {"ok": False, "error": "invalid_blocks"}
            slack.fake.fail_next("chat.postMessage", 200, {}, refused)
            await slack.event(dm(slack, "find acme", "EvBlocks"))
            first, second = await slack.fake.wait_for("chat.postMessage", 2)
            assert first.args.get("blocks") and not second.args.get("blocks")
            assert NAME in second.args["text"]

    run(scenario())


def test_invalid_auth_is_not_retried_and_is_logged(services, acme, caplog):
    async def scenario():
        async with slack_running(services) as slack:
            refused = {"ok": False, "error": "invalid_auth"}
            slack.fake.fail_next("chat.postMessage", 200, {}, refused)
            await slack.event(dm(slack, "log call acme asked for prices", "EvAuth"))
            await slack.settled()
            assert len(slack.fake.of("chat.postMessage")) == 1

    with caplog.at_level(logging.INFO):
        run(scenario())
    [line] = [r.getMessage() for r in caplog.records if "not delivered" in r.getMessage()]
    assert line.startswith("slack: answer to delivery EvAuth") and "invalid_auth" in line
    assert count(services, Interaction) == 1
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot"))
    assert "Acme" not in ours and "prices" not in ours and "xoxb" not in ours
