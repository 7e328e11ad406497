"""``/healthz`` and ``/metrics``: the real aiohttp server of ``bot.ops_http`` on an ephemeral
port of 127.0.0.1, started by ``serve()`` like every other part, asked over real HTTP."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import aiohttp

from bot.adapters.base import Notifier
from bot.app import build_services, serve
from bot.dispatcher import Dispatcher
from bot.metrics import Metrics
from bot.ops_http import OpsServer
from handlers.kit import Incoming, Services
from tests.conftest import add_rep, make_settings


def on_port(services: Services, **overrides: object) -> Services:
    settings = services.settings.model_copy(
        update={"crm_http_port": 0, "crm_http_host": "127.0.0.1", **overrides}
    )
    return dataclasses.replace(services, settings=settings)


async def get(port: int, path: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}{path}") as got:
        return got.status, got.headers["Content-Type"], await got.text()


def test_serve_answers_healthz_and_metrics_after_a_command(services) -> None:
    rep = add_rep(services, "Elif Şahin", role="admin")
    svc = on_port(services)
    parts: list[OpsServer] = []

    async def scenario() -> None:
        up = asyncio.Event()

        class Told(OpsServer):  # says when serve() has started it
            async def start(self) -> None:
                await super().start()
                up.set()

        def ops(s: Services, notifier: Notifier) -> OpsServer:
            parts.append(Told(s, notifier))
            return parts[0]

        stop = asyncio.Event()
        running = asyncio.create_task(serve(svc, background=[ops], stop=stop))
        await asyncio.wait_for(up.wait(), 10)
        server = parts[0]
        assert server.port
        status, kind, body = await get(server.port, "/healthz")
        assert status == 200 and kind.startswith("application/json")
        assert body == '{"status": "ok", "checks": {"database": "ok", "schema": "ok"}}'
        # a command through a dispatcher counting into the same metrics
        dispatcher = Dispatcher(svc, server.metrics)
        await dispatcher.handle(Incoming("console", "c1", str(rep.id), "/tasks"))
        await dispatcher.handle(Incoming("console", "c1", str(rep.id), "/no-such-thing"))
        status, kind, text = await get(server.port, "/metrics")
        assert status == 200 and kind.startswith("text/plain")
        assert 'crm_command_seconds_count{command="tasks"} 1.0' in text
        assert 'crm_command_seconds_count{command="none"} 1.0' in text
        assert "crm_dispatch_queue_depth 0.0" in text
        assert "no-such-thing" not in text  # typed text never becomes a label
        stop.set()
        await running
        assert server._runner is None  # stopped with the rest

    asyncio.run(scenario())


def test_no_port_no_server(services) -> None:
    async def scenario() -> None:
        server = OpsServer(services, Notifier([]))
        await server.start()
        assert server.port is None
        await server.stop()

    asyncio.run(scenario())


def healthz(svc: Services) -> tuple[int, str]:
    """The ops server alone, started for one GET of /healthz: (status, body)."""

    async def scenario() -> tuple[int, str]:
        server = OpsServer(svc, Notifier([], Metrics()))
        await server.start()
        try:
            assert server.port is not None
            status, _kind, body = await get(server.port, "/healthz")
        finally:
            await server.stop()
        return status, body

    return asyncio.run(scenario())


def test_healthz_is_503_when_the_database_does_not_answer(services) -> None:
    down = build_services(
        services.settings.model_copy(
            update={"crm_database_url": "postgresql+psycopg://crm@127.0.0.1:1/crm"}
        )
    )
    status, body = healthz(on_port(down))
    down.db.dispose()
    assert status == 503
    assert body == '{"status": "fail", "checks": {"database": "fail: OperationalError"}}'
    assert "127.0.0.1:1" not in body and "crm@" not in body


def test_healthz_is_503_when_the_schema_is_behind(tmp_path: Path) -> None:
    # a database nobody migrated: connects, but its schema is not the code's
    empty = build_services(make_settings(tmp_path, crm_database_url=f"sqlite:///{tmp_path}/e.db"))
    status, body = healthz(on_port(empty))
    empty.db.dispose()
    assert status == 503
    assert '"schema": "fail: run crm-bot db upgrade"' in body and '"database": "ok"' in body
