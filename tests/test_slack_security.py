"""Signatures, other workspaces, e-mail matching, rate limits and proactive posts."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest

from bot.adapters.base import DeliveryError
from handlers.kit import Attachment, Reply
from storage.models import Interaction, Rep
from tests.conftest import add_customer, add_rep, count, rows
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_harness import block_texts, run, slack_running


@pytest.fixture
def world(services):
    rep = add_rep(services, "Ayşe Yılmaz", slack_user_id="UREP1")
    acme = add_customer(services, "Acme Lojistik A.Ş.", city="İzmir")
    return rep, acme


def command_body(slack, text: str = "log call acme forged") -> str:
    return urlencode(
        {
            "team_id": slack.fake.team_id,
            "channel_id": "C0SALES",
            "user_id": "UREP1",
            "command": "/crm",
            "text": text,
            "response_url": slack.fake.response_url(),
            "trigger_id": "trigger-forged",
        }
    )


@pytest.mark.parametrize("problem", ["missing", "wrong", "stale", "tampered"])
def test_a_badly_signed_request_gets_401_and_changes_nothing(services, world, problem):
    async def scenario():
        async with slack_running(services) as slack:
            body = command_body(slack)
            if problem == "missing":
                headers = {}
            elif problem == "wrong":
                headers = {**slack.signed(body), "X-Slack-Signature": "v0=" + "0" * 64}
            elif problem == "stale":  # correctly signed, six minutes ago
                headers = slack.signed(body, timestamp=int(time.time()) - 360)
            else:  # signed, then the body was changed on the way
                headers = slack.signed(body)
                body = body.replace("forged", "altered")
            sent = await slack.post(body, headers=headers)
            assert sent.status == 401
            await slack.settled()
            assert slack.fake.methods() == ["auth.test"]  # only the adapter's own start-up

    run(scenario())
    assert count(services, Interaction) == 0


def test_a_fresh_signature_a_little_old_is_still_accepted(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            body = command_body(slack, "find acme")
            sent = await slack.post(body, headers=slack.signed(body, int(time.time()) - 200))
            assert sent.status == 200
            await slack.fake.wait_for("response_url")

    run(scenario())


def test_another_workspace_is_refused_on_every_path(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            sent = await slack.command("log call acme hello", team="T0FOREIGN")
            assert sent.status == 200
            assert sent.json()["text"] == "This CRM serves only its own Slack workspace."
            element = {"type": "button", "action_id": "crm_cmd_1", "value": "/log call #1 hi"}
            await slack.interactive(
                {
                    "type": "block_actions",
                    "user": {"id": "UREP1"},
                    "channel": {"id": "C0SALES"},
                    "actions": [{**element, "block_id": "b"}],
                },
                team="T0FOREIGN",
            )
            event = {
                "type": "message",
                "channel_type": "im",
                "user": "UREP1",
                "text": "log call acme hi",
                "ts": "1.2",
                "channel": "D0AYSE",
            }
            assert (
                await slack.event(slack.event_body(event, "EvF", team="T0FOREIGN"))
            ).status == 200
            await slack.settled()
            assert slack.fake.methods() == ["auth.test"]

    run(scenario())
    assert count(services, Interaction) == 0


def test_email_matching_binds_a_rep_on_first_contact(services, world):
    add_rep(services, "Can Demir", email="Can.Demir@acme.example")
    fake = FakeSlackApi()
    fake.users["UCAN"] = {
        "id": "UCAN",
        "team_id": fake.team_id,
        "profile": {"email": "can.demir@acme.example"},
    }
    fake.users["UEXT"] = {
        "id": "UEXT",
        "team_id": "T0OTHER",
        "profile": {"email": "can.demir@acme.example"},
    }

    async def scenario():
        async with slack_running(services, fake, slack_match_email=True) as slack:
            await slack.command("find acme", user="UEXT")  # same address, other organisation
            [refused] = await slack.fake.wait_for("response_url")
            assert "not linked to a rep" in block_texts(refused.args)
            await slack.command("find acme", user="UCAN")
            answered = (await slack.fake.wait_for("response_url", 2))[1]
            assert "Acme Lojistik A.Ş. (#1)" in block_texts(answered.args)
            await slack.command("find acme", user="UCAN")
            await slack.fake.wait_for("response_url", 3)
            users = [c.args["user"] for c in slack.fake.of("users.info")]
            assert users == ["UEXT", "UCAN"]  # once each; a bound user is known from then on

    run(scenario())
    linked = {r.name: r.slack_user_id for r in rows(services, Rep)}
    assert linked["Can Demir"] == "UCAN"


def test_a_slow_slack_api_never_delays_the_ack(services, world):
    fake = FakeSlackApi()
    fake.users["UNEW"] = {"id": "UNEW", "team_id": fake.team_id, "profile": {"email": "x@y.z"}}

    async def scenario():
        release = fake.hold("users.info")
        async with slack_running(services, fake, slack_match_email=True) as slack:
            sent = await slack.command("find acme", user="UNEW")
            assert sent.status == 200  # acknowledged while users.info is still held
            assert slack.fake.of("response_url") == []
            release.set()
            [answer] = await slack.fake.wait_for("response_url")
            assert "not linked to a rep" in block_texts(answer.args)

    run(scenario())


def test_a_429_from_the_web_api_is_retried_after_retry_after(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            slack.fake.fail_next("chat.postMessage", 429, {"Retry-After": "0"})
            event = {
                "type": "message",
                "channel_type": "im",
                "user": "UREP1",
                "text": "log call acme after the limit",
                "ts": "1.5",
                "channel": "D0AYSE",
            }
            await slack.event(slack.event_body(event, "Ev429"))
            calls = await slack.fake.wait_for("chat.postMessage", 2)
            assert [c.status for c in calls] == [429, 200]
            assert calls[0].args == calls[1].args
            assert "Logged: call" in block_texts(calls[1].args)

    run(scenario())
    assert count(services, Interaction) == 1  # the retry re-sent the answer, not the command


def test_a_429_from_the_response_url_is_retried_too(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            slack.fake.fail_next("response_url", 429, {"Retry-After": "0"})
            await slack.command("find acme")
            calls = await slack.fake.wait_for("response_url", 2)
            assert [c.status for c in calls] == [429, 200]

    run(scenario())


def test_send_posts_to_a_channel_and_a_users_dm_with_files(services, world):
    report = Attachment("pipeline.csv", "text/csv", b"stage,total\nLead,250000\n", "Pipeline")

    async def scenario():
        async with slack_running(services) as slack:
            await slack.adapter.send("C0SALES", [Reply("Good morning, team")])
            await slack.adapter.send("UREP1", [Reply("Your tasks", attachments=[report])])
            posts = slack.fake.of("chat.postMessage")
            assert [p.args["channel"] for p in posts] == ["C0SALES", "DREP1"]
            [opened] = slack.fake.of("conversations.open")
            assert opened.args["users"] == "UREP1"
            [upload] = slack.fake.of("upload")
            assert upload.args["bytes"] == report.data
            [done] = slack.fake.of("files.completeUploadExternal")
            assert done.args["channel_id"] == "DREP1"
            assert done.args["files"][0]["title"] == "Pipeline"

    run(scenario())


def test_send_refuses_a_slack_connect_channel_and_reports_api_errors(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            slack.fake.channels["C0EXT"] = {"id": "C0EXT", "is_ext_shared": True}
            with pytest.raises(DeliveryError, match="shared with another organisation"):
                await slack.adapter.send("C0EXT", [Reply("digest")])
            slack.fake.fail_next("chat.postMessage", 200, {}, {"ok": False, "error": "is_archived"})
            with pytest.raises(DeliveryError, match="is_archived"):
                await slack.adapter.send("C0OLD", [Reply("digest")])
            assert [c.args["channel"] for c in slack.fake.of("chat.postMessage")] == ["C0OLD"]

    run(scenario())


def test_health_probe_for_the_load_balancer(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            url = slack.url.replace("/slack/events", "/healthz")
            async with slack.http.get(url) as response:
                assert (response.status, await response.text()) == (200, "ok")
            async with slack.http.get(slack.url) as response:
                assert response.status == 405  # events are POSTed only

    run(scenario())


def test_response_bodies_are_valid_json_for_options(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            sent = await slack.options("acme")
            assert json.loads(sent.body)["options"][0]["value"] == "#1"

    run(scenario())
