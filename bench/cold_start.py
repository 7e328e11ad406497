"""A process starting on a loaded database, measured in a fresh interpreter of its own.

Why a child process: the benchmark that calls this holds a million generated records and its
command plan in memory, so its RSS said nothing about what a serving process needs; and a
process that has already read the database has its pages in its caches. The child starts as
``serve()`` does (services, ``bot.app.warm_index``), times the first /find from that moment,
answers the plan's /finds from the database while the index builds, waits for the build, and
reports its own RSS with the index loaded. Run by ``bench_dispatch.py``; its input and output
are one JSON document each (stdin, stdout).
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()  # before the project's imports: a start-up pays for them too

import asyncio  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from dataclasses import asdict  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from chat_plan import Command  # noqa: E402
from measure import status_mb  # noqa: E402

from bot.app import build_services, warm_index  # noqa: E402
from bot.dispatcher import Dispatcher  # noqa: E402
from handlers.kit import Incoming, Services, Settings  # noqa: E402


def open_services(url: str) -> Services:
    """Services on ``url``, as a process starting on it builds them."""
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        crm_database_url=url,
        crm_language="en",
        crm_timezone="Europe/Istanbul",
        crm_phone_region="TR",
        # One rep sends every command here: the limits stay on (their counting is part of
        # each command's cost) but high enough never to refuse.
        crm_rate_commands_per_minute=10**9,
        crm_rate_writes_per_minute=10**9,
    )
    return build_services(settings)


def measure(url: str, rep_id: int, warmup: Command, finds: list[Command]) -> dict[str, Any]:
    """Run the child on ``url`` and return what it measured."""
    job = {
        "url": url,
        "rep_id": rep_id,
        "warmup": asdict(warmup),
        "finds": [asdict(c) for c in finds],
    }
    done = subprocess.run(
        [sys.executable, str(Path(__file__))],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"the cold-start process failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


async def _find(dispatcher: Dispatcher, rep_id: int, cmd: Command) -> tuple[float, int | None]:
    start = time.perf_counter()
    replies = await dispatcher.handle(
        Incoming("console", "bench", str(rep_id), cmd.text, message_id=cmd.message_id)
    )
    card = replies[0].card if replies else None
    return (time.perf_counter() - start) * 1000, card.id if card else None


async def _cold(job: dict[str, Any]) -> dict[str, Any]:
    imported = time.perf_counter()
    services = open_services(job["url"])
    dispatcher = Dispatcher(services)
    await asyncio.to_thread(warm_index, services)
    warmup = Command(**job["warmup"])
    _, shown = await _find(dispatcher, job["rep_id"], warmup)
    first = time.perf_counter()
    cold: list[float] = []
    finds = iter(Command(**c) for c in job["finds"])
    while services.index.cold and (cmd := next(finds, None)) is not None:
        ms, _ = await _find(dispatcher, job["rep_id"], cmd)
        cold.append(ms)
    while services.index.cold:  # the build's thread ends by clearing ``cold``
        await asyncio.sleep(0.05)  # a benchmark's poll, not a test's wait
    built = time.perf_counter()
    gc.collect()
    result = {
        "import_s": imported - STARTED,
        "first_find_ms": (first - imported) * 1000,
        "first_find_from_exec_ms": (first - STARTED) * 1000,
        "first_find_as_intended": shown == warmup.target,
        "built_s": built - imported,
        "cold_find_ms": cold,
        "names": len(services.index),
        "rss_mb": status_mb("VmRSS"),
        "peak_rss_mb": status_mb("VmHWM"),
    }
    services.db.dispose()
    return result


if __name__ == "__main__":
    print(json.dumps(asyncio.run(_cold(json.load(sys.stdin)))))
