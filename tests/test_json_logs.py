"""CRM_LOG_FORMAT=json: one JSON object per line, with the dispatcher's fields, and the same
redaction as the text format (nothing personal, no token)."""

from __future__ import annotations

import asyncio
import io
import json
import logging

from pydantic import SecretStr

from bot import logs
from bot.dispatcher import Dispatcher
from handlers.kit import Incoming
from tests.conftest import add_rep

TOKEN = "123456:AAAAbbbbCCCCddddEEEEffffGGGGhhhh12"


def captured(services, **settings: object) -> tuple[io.StringIO, logging.Handler]:
    configured = services.settings.model_copy(update=settings)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.formatter_for(configured))
    return stream, handler


def test_json_lines_carry_the_command_fields_and_stay_redacted(services) -> None:
    rep = add_rep(services, "Elif Şahin", role="admin")
    stream, handler = captured(services, crm_log_format="json", telegram_bot_token=SecretStr(TOKEN))
    root = logging.getLogger()
    saved = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        dispatcher = Dispatcher(services)
        incoming = Incoming("console", "c1", str(rep.id), "/tasks", delivery_key="update:77")
        asyncio.run(dispatcher.handle(incoming))
        log = logging.getLogger("bot.test")
        log.warning("call ayse@example.com on +90 532 123 45 67", extra={"who": TOKEN})
        try:
            raise RuntimeError(f"API said no to {TOKEN}")
        except RuntimeError:
            log.exception("sending failed")
    finally:
        root.removeHandler(handler)
        root.setLevel(saved)
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    handled = next(r for r in records if r.get("command") == "tasks")
    assert handled["level"] == "INFO" and handled["logger"] == "bot.dispatcher"
    assert handled["delivery_key"] == "update:77" and handled["duration_ms"] >= 0
    assert handled["ts"].endswith("+00:00")
    warned = next(r for r in records if r["logger"] == "bot.test" and r["level"] == "WARNING")
    assert warned["message"] == "call [e-mail] on [phone]" and warned["who"] == "[secret]"
    failed = records[-1]
    assert failed["message"] == "sending failed" and "RuntimeError" in failed["exc_info"]
    assert TOKEN not in stream.getvalue() and "ayse@" not in stream.getvalue()


def test_text_stays_the_default(services) -> None:
    stream, handler = captured(services)
    logging.getLogger("bot.test").addHandler(handler)
    try:
        logging.getLogger("bot.test").error("plain %s", "line")
    finally:
        logging.getLogger("bot.test").removeHandler(handler)
    assert stream.getvalue().rstrip().endswith("ERROR bot.test plain line")
    assert not stream.getvalue().startswith("{")
