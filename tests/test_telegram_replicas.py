"""Two real Telegram replicas (webhook mode) on one database behave as one chat partner: a guided
``/log`` whose every answer goes to the other replica ends as it does in one process.

The test plays Telegram, as Telegram paces a chat: each update goes to the other replica, and
only once the previous one was answered (https://github.com/tdlib/telegram-bot-api/issues/75).
Since a replica answers after processing the update (``bot.adapters.telegram_updates``), the
question each step answers is saved before the next step is sent; a replica that answered on
receipt would let the next step race its question. On PostgreSQL (``CRM_TEST_DATABASE_URL``)
and on one SQLite file alike; nothing sleeps.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import aiohttp

from storage.models import Interaction, Task
from tests.conftest import START, add_customer, add_rep, rows
from tests.fakes.telegram_api import FakeBotAPI
from tests.telegram_harness import TOKEN, free_port, private_update, webhook_settings

ROOT = Path(__file__).resolve().parents[1]
ELIF, AYSE = 111, 222


async def replica(url: str, api_base: str, port: int, log: Path) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.telegram_replica", url, START.isoformat(), api_base,
        str(port), cwd=ROOT, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=log.open("w"),
    )  # fmt: skip
    assert process.stdout is not None
    line = await process.stdout.readline()
    assert json.loads(line or b"{}") == {"ready": True}, log.read_text()[-2000:]
    return process


def test_a_guided_log_answered_across_two_replicas(services, tmp_path) -> None:
    add_rep(services, "Elif Şahin", telegram_user_id=ELIF)
    add_rep(services, "Ayşe Yılmaz", telegram_user_id=AYSE)
    acme = add_customer(services, "Acme Corporation")
    steps = ["/log", "1", "acme", "asked for a discount", "send the revised quote tomorrow 10am"]

    async def scenario() -> list[str]:
        fake = FakeBotAPI(TOKEN)
        base = await fake.start()
        ports = [free_port(), free_port()]
        replicas = []
        try:
            for i, port in enumerate(ports):
                replicas.append(await replica(services.db.url, base, port, tmp_path / f"{i}.log"))
            secret = {"X-Telegram-Bot-Api-Secret-Token": _secret(fake)}
            hooks = [webhook_settings(port)["telegram_webhook_url"] for port in ports]
            async with aiohttp.ClientSession() as http:
                for n, text in enumerate(steps):
                    # Elif's next step to the other replica, once this one answered; Ayşe's
                    # message meanwhile to the replica Elif's step went to
                    hook = hooks[n % 2]
                    elif_step = http.post(
                        hook, json=private_update(n + 1, ELIF, text), headers=secret
                    )
                    ayse = private_update(100 + n, AYSE, "/tasks")
                    ayse_step = http.post(hook, json=ayse, headers=secret)
                    answers = await asyncio.gather(elif_step, ayse_step)
                    assert [a.status for a in answers] == [200, 200]
            return [c["text"] for c in fake.of("sendMessage") if int(c["chat_id"]) == ELIF]
        finally:
            for process in replicas:
                assert process.stdin is not None
                process.stdin.close()
                await process.wait()
            await fake.stop()

    said = asyncio.run(scenario())
    assert len(said) == len(steps), said  # each step answered before the next was sent
    assert said[0].startswith("What would you like to log?")
    assert "Who was it with?" in said[1]
    assert "What happened with Acme Corporation?" in said[2]
    assert said[3].startswith("Logged: call · Acme Corporation\nNext step?")
    assert said[4].startswith("Task set: send the revised quote")
    [logged] = rows(services, Interaction)
    assert (logged.kind, logged.summary, logged.customer_id) == (
        "call",
        "asked for a discount",
        acme.id,
    )
    [task] = rows(services, Task)
    assert task.title == "send the revised quote" and task.customer_id == acme.id


def _secret(fake: FakeBotAPI) -> str:
    """The secret both replicas registered with ``setWebhook`` (derived from the token)."""
    registered = {call["secret_token"] for call in fake.of("setWebhook")}
    assert len(registered) == 1, registered
    return registered.pop()
