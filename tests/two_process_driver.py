"""One bot process for ``tests/test_two_processes.py``: its own Services, Dispatcher, index
and scheduler jobs on a shared database, driven one JSON line at a time.

``python -m tests.two_process_driver URL CLOCK`` reads requests on stdin and answers each with
one JSON line on stdout, in order, so the test coordinates processes by waiting for answers,
never by sleeping:

- ``{"op": "say", "platform", "user", "text", "key"}``: a message through the dispatcher
  (``key`` is the delivery key, as an adapter passes it) -> ``{"texts": [...], "cards": [...]}``
- ``{"op": "digest", "sub": id, "now": iso}``: the digest job for a subscription ->
  ``{"status": str, "sent": n}`` (n: posts this process made, to a recording adapter)
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime
from typing import Any

from bot.app import build_services
from bot.dispatcher import Dispatcher
from bot.jobs import Jobs
from handlers.kit import Incoming, Settings
from tests.scheduling import Recorder, notifier


def settings_for(url: str, **extra: Any) -> Settings:
    """A test process's settings on the shared database (``extra``: its own)."""
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        crm_database_url=url,
        crm_language="en",
        crm_timezone="Europe/Istanbul",
        crm_phone_region="TR",
        crm_currency="TRY",
        **extra,
    )


def main(url: str, clock_at: str) -> None:
    now = datetime.fromisoformat(clock_at)
    # No rate counting: it makes every command a write, and on SQLite the test holds the
    # write lock open while this process must go on answering /find.
    settings = settings_for(url, crm_rate_commands_per_minute=0, crm_rate_writes_per_minute=0)
    services = build_services(settings, lambda: now)
    dispatcher = Dispatcher(services)
    recorder = Recorder()
    jobs = Jobs(services, notifier(recorder))
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "say":
            incoming = Incoming(
                request["platform"],
                "chat-1",
                request["user"],
                request["text"],
                delivery_key=request.get("key"),
            )
            replies = asyncio.run(dispatcher.handle(incoming))
            answer = {
                "texts": [r.text for r in replies],
                "cards": [r.card.id for r in replies if r.card is not None],
            }
        else:
            when = datetime.fromisoformat(request["now"])
            outcome = asyncio.run(jobs.digest(request["sub"], when))
            answer = {"status": outcome.status, "sent": len(recorder.sent)}
        print(json.dumps(answer), flush=True)
    services.db.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
