"""Events API: @-mentions in channels, direct messages, retries, and what is ignored."""

from __future__ import annotations

import asyncio

import pytest

from storage.models import Interaction, ProcessedEvent
from tests.conftest import add_customer, add_rep, count, rows
from tests.fakes.slack_harness import block_texts, run, slack_running


@pytest.fixture
def world(services):
    rep = add_rep(services, "Ayşe Yılmaz", slack_user_id="UREP1")
    acme = add_customer(services, "Acme Lojistik A.Ş.", city="İzmir")
    return rep, acme


def mention(text: str, ts: str = "1700000001.000100", user: str = "UREP1", **more) -> dict:
    return {
        "type": "app_mention",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": "C0SALES",
        "event_ts": ts,
        **more,
    }


def dm(text: str, ts: str = "1700000002.000100", **more) -> dict:
    return {
        "type": "message",
        "channel_type": "im",
        "user": "UREP1",
        "text": text,
        "ts": ts,
        "channel": "D0AYSE",
        "event_ts": ts,
        **more,
    }


def test_a_mention_is_answered_in_a_thread_in_the_channel(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            body = slack.event_body(mention("<@UCRMBOT> find <mailto:x@y.z|acme>"), "Ev1")
            sent = await slack.event(body)
            assert sent.status == 200
            [posted] = await slack.fake.wait_for("chat.postMessage")
            assert posted.args["channel"] == "C0SALES"
            assert posted.args["thread_ts"] == "1700000001.000100"
            assert "Acme Lojistik A.Ş. (#1)" in block_texts(posted.args)
            assert posted.token.startswith("xoxb-")

    run(scenario())


def test_a_direct_message_runs_the_command_as_written(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            await slack.event(slack.event_body(dm("log call acme sent the brochure"), "Ev2"))
            [posted] = await slack.fake.wait_for("chat.postMessage")
            assert posted.args["channel"] == "D0AYSE"
            assert "thread_ts" not in posted.args
            assert "Logged: call · Acme Lojistik A.Ş." in block_texts(posted.args)

    run(scenario())
    [logged] = rows(services, Interaction)
    assert (logged.summary, logged.source_message_id) == ("sent the brochure", "1700000002.000100")


def test_an_event_retried_four_times_logs_once_and_answers_once(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            body = slack.event_body(dm("log call acme discussed pricing"), "EvRetry")
            first = slack.event(body)
            retries = [slack.event(body, retry=n) for n in range(1, 5)]
            sent = await asyncio.gather(first, *retries)
            assert [s.status for s in sent] == [200] * 5
            await slack.fake.wait_for("chat.postMessage")
            await slack.settled()
            assert len(slack.fake.of("chat.postMessage")) == 1

    run(scenario())
    assert count(services, Interaction) == 1
    assert [e.key for e in rows(services, ProcessedEvent)] == ["EvRetry"]


def test_a_retried_slash_command_runs_once(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            body = slack.command_body("log call acme agreed on a pilot")
            first = await slack.post(body)
            headers = {**slack.signed(body), "X-Slack-Retry-Num": "1"}
            retried = await slack.post(body, headers=headers)
            assert (first.status, retried.status) == (200, 200)
            await slack.settled()
            [answer] = slack.fake.of("response_url")
            assert "Logged: call" in block_texts(answer.args)

    run(scenario())
    assert count(services, Interaction) == 1


def test_a_mention_in_a_slack_connect_channel_is_answered_only_to_the_rep(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            slack.fake.channels["C0SALES"] = {"id": "C0SALES", "is_ext_shared": True}
            await slack.event(slack.event_body(mention("<@UCRMBOT> find acme"), "Ev3"))
            [private] = await slack.fake.wait_for("chat.postEphemeral")
            assert private.args["user"] == "UREP1"
            assert "Acme Lojistik A.Ş. (#1)" in block_texts(private.args)
            # the payload's own flag is trusted without asking conversations.info again
            flagged = slack.event_body(
                mention("<@UCRMBOT> find acme", ts="1700000009.000100"),
                "Ev4",
                is_ext_shared_channel=True,
            )
            await slack.event(flagged)
            await slack.fake.wait_for("chat.postEphemeral", 2)
            await slack.settled()
            assert "chat.postMessage" not in slack.fake.methods()
            assert len(slack.fake.of("conversations.info")) == 1

    run(scenario())


def test_strangers_in_channels_get_silence_and_bots_edits_and_chatter_are_ignored(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            events = [
                mention("<@UCRMBOT> find acme", user="USTRANGER"),
                dm("find acme", subtype="message_changed"),
                dm("find acme", bot_id="BOTHER"),
                {**dm("find acme"), "channel_type": "channel", "channel": "C0SALES"},
                {**mention("<@UCRMBOT> find acme"), "channel": "D0AYSE"},  # comes as a DM too
            ]
            for n, event in enumerate(events):
                assert (await slack.event(slack.event_body(event, f"EvQuiet{n}"))).status == 200
            await slack.settled()
            assert [m for m in slack.fake.methods() if m.startswith("chat.")] == []

    run(scenario())


def test_a_stranger_in_a_dm_is_told_they_are_not_registered(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            event = {**dm("find acme"), "user": "USTRANGER"}
            await slack.event(slack.event_body(event, "EvDm"))
            [posted] = await slack.fake.wait_for("chat.postMessage")
            assert "USTRANGER" in block_texts(posted.args)

    run(scenario())


def test_the_url_verification_challenge_is_answered(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            body = '{"type": "url_verification", "token": "t", "challenge": "c-123"}'
            sent = await slack.event(body)
            assert sent.status == 200
            assert "c-123" in sent.body

    run(scenario())
