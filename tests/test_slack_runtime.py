"""How the Slack app runs: inside serve() beside background jobs, in Socket Mode, or not."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from urllib.parse import urlencode

import aiohttp
import pytest

from bot.adapters import Notifier, configured
from bot.adapters.slack import SlackAdapter
from bot.app import serve
from bot.dispatcher import Dispatcher
from bot.errors import SetupError
from handlers.kit import Reply, Services, Settings
from tests.conftest import add_customer, add_rep
from tests.fakes.slack_api import APP_TOKEN, FakeSlackApi
from tests.fakes.slack_harness import block_texts, run, sign, slack_running, slack_settings


@pytest.fixture
def world(services):
    add_rep(services, "Ayşe Yılmaz", slack_user_id="UREP1")
    add_customer(services, "Acme Lojistik A.Ş.", city="İzmir")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Probe:
    """A background job for serve(): started after the adapters, it holds the notifier."""

    def __init__(self, notifier: Notifier, started: asyncio.Event) -> None:
        self.notifier = notifier
        self.started = started

    async def start(self) -> None:
        self.started.set()

    async def stop(self) -> None:
        return None


def test_serve_runs_slack_with_the_background_jobs_in_one_loop(services, world):
    port = free_port()

    async def scenario():
        fake = await FakeSlackApi().start()
        settings = slack_settings(services.settings, fake, slack_http_port=port)
        svc = dataclasses.replace(services, settings=settings)
        [adapter] = configured(svc, Dispatcher(svc))
        assert isinstance(adapter, SlackAdapter)
        stop, started = asyncio.Event(), asyncio.Event()
        probes: list[Probe] = []

        def make(_services: Services, notifier: Notifier) -> Probe:
            probes.append(Probe(notifier, started))
            return probes[-1]

        running = asyncio.create_task(serve(svc, background=[make], stop=stop))
        await asyncio.wait_for(started.wait(), 5)  # every adapter started before the jobs
        [probe] = probes
        assert probe.notifier.platforms == {"slack"}
        async with aiohttp.ClientSession() as http:
            body = urlencode(
                {
                    "team_id": fake.team_id,
                    "channel_id": "C0SALES",
                    "user_id": "UREP1",
                    "command": "/crm",
                    "text": "find acme",
                    "response_url": fake.response_url(),
                    "trigger_id": "trigger-serve",
                }
            )
            url = f"http://127.0.0.1:{port}/slack/events"
            headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
            async with http.post(url, data=body, headers=headers) as response:
                assert response.status == 200
            [answer] = await fake.wait_for("response_url")
            assert "Acme Lojistik A.Ş. (#1)" in block_texts(answer.args)
            # the scheduler's path: the notifier reaches the same running adapter
            await probe.notifier.send("slack", "C0SALES", [Reply("Morning digest")])
            [posted] = fake.of("chat.postMessage")
            assert posted.args["text"] == "Morning digest"
            stop.set()
            await asyncio.wait_for(running, 10)
            with pytest.raises(aiohttp.ClientConnectionError):
                await http.post(url, data=body, headers=headers)
        await fake.stop()

    run(scenario())


def test_socket_mode_receives_over_the_websocket_and_acks_each_envelope(services, world):
    async def scenario():
        overrides = {"slack_app_token": APP_TOKEN, "slack_signing_secret": None}
        async with slack_running(services, **overrides) as slack:
            assert slack.adapter.port is None  # no HTTP server in Socket Mode
            [opened] = await slack.fake.wait_for("apps.connections.open")
            assert opened.token == APP_TOKEN
            command = {
                "team_id": slack.fake.team_id,
                "channel_id": "C0SALES",
                "user_id": "UREP1",
                "command": "/crm",
                "text": "find acme",
                "response_url": slack.fake.response_url(),
                "trigger_id": "trigger-socket",
            }
            envelope = {
                "envelope_id": "env-1",
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": command,
            }
            await slack.fake.socket_send(envelope)
            [ack] = await slack.fake.wait_for("socket_ack")
            assert ack.args["envelope_id"] == "env-1"
            [answer] = await slack.fake.wait_for("response_url")
            assert "Acme Lojistik A.Ş. (#1)" in block_texts(answer.args)

    run(scenario())


def test_without_a_way_to_receive_events_the_adapter_refuses_to_start(services):
    values = {**services.settings.model_dump(), "slack_bot_token": "xoxb-x"}
    svc = dataclasses.replace(services, settings=Settings(_env_file=None, **values))
    with pytest.raises(SetupError, match=r"slack\.setup\.no_mode"):
        SlackAdapter(svc, Dispatcher(svc))
