"""The process's log: what goes in, and what never does.

Log lines say what happened to which id (a command, a chat, a delivery key, a notice, a rep),
never what a rep typed, a customer's name or contact data, or an update's contents. As a
backstop for what an exception's text may carry (a library's error message, an SQL error),
the formatter redacts the configured secrets, anything shaped like a bot token, e-mail
addresses and phone numbers from every message and traceback it writes.

``CRM_LOG_FORMAT=json`` writes one JSON object per line instead (python-json-logger): ``ts``
(UTC, ISO 8601), ``level``, ``logger``, ``message``, the ``extra`` fields a call gives (the
dispatcher's ``command``, ``delivery_key``, ``duration_ms``, ...) and ``exc_info``; every string
in it goes through the same redaction.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from handlers.kit import Settings

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
_TOKENS = re.compile(r"\d{6,}:[A-Za-z0-9_-]{30,}|xox[abpr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Ten digits or more, single separators between them: a phone, not an id, a date or a time.
_PHONE = re.compile(r"(?<![\w.:])\+?\d(?:[ ().-]{0,2}\d){9,}(?![\d:])")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in secrets:
        text = text.replace(secret, "[secret]")
    text = _TOKENS.sub("[secret]", text)
    text = _EMAIL.sub("[e-mail]", text)
    return _PHONE.sub("[phone]", text)


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__(FORMAT)
        self.secrets = [s for s in secrets if len(s) >= 8]

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_text  # another handler may have cached it unredacted: redo it
        record.exc_text = None
        try:
            return super().format(record)
        finally:
            record.exc_text = saved

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = redact(record.message, self.secrets)
        return super().formatMessage(record)

    def formatException(self, ei: object) -> str:
        return redact(super().formatException(ei), self.secrets)  # type: ignore[arg-type]


class RedactingJsonFormatter(JsonFormatter):
    """JSON lines, redacted like the text format: the message, the traceback and every string
    field a call added."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__(
            "{levelname}{name}{message}",
            style="{",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="ts",
            json_ensure_ascii=False,
        )
        self.secrets = [s for s in secrets if len(s) >= 8]

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {key: self._clean(value) for key, value in log_data.items()}

    def _clean(self, value: Any) -> Any:
        if isinstance(value, str):
            return redact(value, self.secrets)
        if isinstance(value, list | tuple):
            return [self._clean(v) for v in value]
        if isinstance(value, dict):
            return {k: self._clean(v) for k, v in value.items()}
        return value


def secrets_of(settings: Settings) -> list[str]:
    values = (
        settings.telegram_bot_token,
        settings.telegram_webhook_secret,
        settings.slack_bot_token,
        settings.slack_app_token,
        settings.slack_signing_secret,
    )
    return [v.get_secret_value() for v in values if v is not None]


def formatter_for(settings: Settings) -> logging.Formatter:
    secrets = secrets_of(settings)
    if settings.crm_log_format == "json":
        return RedactingJsonFormatter(secrets)
    return RedactingFormatter(secrets)


def setup(settings: Settings, level: int | None = None) -> None:
    """One handler on stderr, redacting, for the whole process (CRM_LOG_LEVEL, CRM_LOG_FORMAT)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter_for(settings))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level if level is not None else settings.crm_log_level)
