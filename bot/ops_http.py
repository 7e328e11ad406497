"""``/healthz`` and ``/metrics`` on CRM_HTTP_PORT: a ``Background`` part of ``serve()``.

An aiohttp server in the bot's own event loop, apart from the Slack HTTP mode and Telegram
webhook servers (those face the internet behind a proxy; this one faces the orchestrator and
Prometheus, on 127.0.0.1 unless CRM_HTTP_HOST says otherwise). With no port configured it
does nothing.

``/healthz`` asks the database in a worker thread (a slow or locked database never blocks the
loop the adapters share), within ``CHECK_TIMEOUT``: 200 ``{"status": "ok", "checks": {...}}``
when it answers and its schema is current, 503 with the failing check otherwise. Failures are
named by their exception's type only: a driver's message may carry a host or a user name.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.adapters.base import Notifier
from bot.metrics import Metrics
from handlers.kit import Services
from storage import health, migrate

log = logging.getLogger(__name__)

CHECK_TIMEOUT = 5.0  # seconds /healthz waits for the database


class OpsServer:
    """``OpsServer(services, notifier)``: the factory signature ``serve()`` expects."""

    def __init__(self, services: Services, notifier: Notifier) -> None:
        self.services = services
        self.metrics: Metrics = notifier.metrics
        self.port: int | None = None  # the bound port once started (0 asks for any free one)
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        settings = self.services.settings
        if settings.crm_http_port is None:
            return
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.metrics_page)
        self._runner = web.AppRunner(app, access_log=None)  # probes every few seconds: no log
        await self._runner.setup()
        site = web.TCPSite(self._runner, settings.crm_http_host, settings.crm_http_port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        log.info("health and metrics on %s:%s", settings.crm_http_host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def healthz(self, _request: web.Request) -> web.Response:
        checks = await self.checks()
        healthy = all(value == "ok" for value in checks.values())
        body = {"status": "ok" if healthy else "fail", "checks": checks}
        return web.json_response(body, status=200 if healthy else 503)

    async def checks(self) -> dict[str, str]:
        try:
            current = await asyncio.wait_for(asyncio.to_thread(self._schema), CHECK_TIMEOUT)
        except TimeoutError:
            return {"database": "fail: no answer in time"}
        except Exception as problem:  # the driver's message may name hosts and users
            log.warning("health check: the database failed: %s", type(problem).__name__)
            return {"database": f"fail: {type(problem).__name__}"}
        return {"database": "ok", "schema": "ok" if current else "fail: run crm-bot db upgrade"}

    def _schema(self) -> bool:
        db = self.services.db
        health.ping(db)
        return migrate.is_current(db)

    async def metrics_page(self, _request: web.Request) -> web.Response:
        body = self.metrics.exposition()
        response = web.Response(body=body)
        response.headers["Content-Type"] = self.metrics.content_type
        return response
