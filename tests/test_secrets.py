"""Secrets and personal data stay out of what the bot prints and logs: a bad token is one line
without the token, and a failing command's log line holds neither what was typed nor the
customer's phone or e-mail, whatever the exception says."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import logging
import os
import re
import sys
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from bot.adapters.slack import SlackAdapter
from bot.dispatcher import Dispatcher
from bot.errors import SetupError
from bot.logs import RedactingFormatter, redact
from handlers.kit import Context, Reply, Translator, command, unregister
from tests.conftest import Chat
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.slack_harness import slack_settings
from tests.fakes.telegram_api import FakeBotAPI

# Shaped like a Telegram bot token (digits, a colon, 30+ letters), built here so that no
# token-looking literal sits in the repository.
TOKEN = "9" * 9 + ":" + "x" * 35
PHONE, EMAIL = "+90 532 111 22 33", "ugur.ozmen@example.com"


def test_redaction_keeps_what_the_log_needs():
    line = (
        f"digest for telegram:-1001 on 2026-11-24 at 08:30:00 (rep #12, notice #7): "
        f"{PHONE}, 05321112233, {EMAIL} bot{TOKEN}/getMe xoxb-1234-5678-abcdef"
    )
    said = redact(line)
    assert "2026-11-24" in said and "08:30:00" in said and "rep #12" in said
    assert "532" not in said and "ugur" not in said and "AAHdq" not in said
    assert "xoxb" not in said
    assert said.count("[phone]") == 2 and "[e-mail]" in said and said.count("[secret]") == 2


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What the bot's own handler would write, redacting as in production."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(RedactingFormatter([TOKEN]))
    root = logging.getLogger()
    root.addHandler(handler)
    yield out
    root.removeHandler(handler)


def test_a_failing_command_logs_neither_the_text_nor_the_customer(chat: Chat, log_output):
    def leaky(ctx: Context) -> Reply:
        raise RuntimeError(f"lookup failed for {PHONE} / {EMAIL} with {TOKEN}")

    command("leaky", writes=False)(leaky)
    try:
        reply = chat.say(f"/leaky Uğur Özmen {PHONE} {EMAIL}")
    finally:
        unregister("leaky")
    assert "nothing was saved" in reply.text
    written = log_output.getvalue()
    assert "command failed" in written and "/leaky" in written  # the command, not its words
    # the error's reference is random hex, which may by chance hold "532": not a leak
    written = re.sub(r"\[ref [0-9a-f]+\]", "[ref]", written)
    for secret in ("Özmen", "532", "111 22 33", "ugur.ozmen", TOKEN, TOKEN.split(":")[1]):
        assert secret not in written


def test_a_bad_telegram_token_is_one_line_without_the_token(tmp_path):
    """The real crm-bot process, against a Bot API that refuses the token with 401."""

    async def scenario() -> tuple[int, str, str]:
        fake = FakeBotAPI("111:the-right-token")
        base = await fake.start()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CRM_", "SLACK_"))}
        env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=base, CRM_LANGUAGE="en")
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", cwd=tmp_path, env=env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            out, err = await asyncio.wait_for(process.communicate(), 120)
        finally:
            await fake.stop()
        return process.returncode or 0, out.decode(), err.decode()

    code, out, err = asyncio.run(scenario())
    assert code == 2
    [line] = err.strip().splitlines()
    assert line.startswith("Telegram refused TELEGRAM_BOT_TOKEN: check it with @BotFather")
    assert TOKEN not in out + err and TOKEN.split(":")[1] not in out + err


def test_a_bad_slack_token_is_a_setup_error_without_the_token(services):
    async def scenario() -> SetupError:
        fake = await FakeSlackApi().start()
        fake.fail_next("auth.test", 200, {}, {"ok": False, "error": "invalid_auth"})
        settings = slack_settings(services.settings, fake, slack_bot_token=SecretStr("xoxb-bad-1"))
        svc = dataclasses.replace(services, settings=settings)
        try:
            with pytest.raises(SetupError) as problem:
                await SlackAdapter(svc, Dispatcher(svc)).start()
        finally:
            await fake.stop()
        return problem.value

    said = asyncio.run(scenario()).said(Translator("en"))
    assert said == (
        "Slack refused SLACK_BOT_TOKEN (invalid_auth): check the token, or install the app again."
    )
