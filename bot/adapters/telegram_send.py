"""Telegram's errors read for the retry policy (``retrying``), and the plain-text way out.

How the retries combine with python-telegram-bot's ``AIORateLimiter(max_retries=3)``: the rate
limiter sits inside every API call and rides out up to three 429s on its own, waiting each
retry_after (it also paces calls to stay under Telegram's limits, which is why it stays). A
``RetryAfter`` that still comes out of a call is "a 429 beyond its retry_after": the send policy
counts that whole rate-limited call as one attempt, waits at least the retry_after again, and
stops within its own bounds (its total time includes the limiter's waits, being wall-clock).

PTB raises ``NetworkError`` for 5xx answers and dropped connections, and its subclass
``TimedOut`` for timeouts: passing. ``BadRequest`` is also a ``NetworkError`` subclass but is
the request's fault, never retried; ``Forbidden`` (403), ``InvalidToken`` (401/404),
``Conflict`` (409) and ``ChatMigrated`` are ``TelegramError`` only and fail at once.
"""

from __future__ import annotations

import re
import warnings
from datetime import timedelta
from html import unescape

from telegram.error import BadRequest, Conflict, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

_TAG = re.compile(r"<[^<>]*>")
_CUT = re.compile(r"^[^<>]*>|<[^<>]*$")  # a tag cut in two where a long message was split


def transient(problem: BaseException) -> bool:
    if isinstance(problem, RetryAfter):
        return True
    return isinstance(problem, NetworkError) and not isinstance(problem, BadRequest)


def retry_after(problem: BaseException) -> float | None:
    if not isinstance(problem, RetryAfter):
        return None
    with warnings.catch_warnings():  # an int retry_after is deprecated in PTB 22
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = problem.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def unparsable(problem: TelegramError) -> bool:
    """Telegram could not read the HTML (a tag cut by a split, say): plain text will do."""
    return isinstance(problem, BadRequest) and "can't parse entities" in str(problem).lower()


def plain_text(html: str) -> str:
    """What the rep reads of an HTML message, as plain text: tags dropped, entities undone.

    Our HTML escapes every ``<`` and ``>`` of the text, so any left raw belongs to a tag."""
    return unescape(_CUT.sub("", _TAG.sub("", html))).strip() or "…"


def other_poller(problem: BaseException) -> bool:
    """409 because another process polls the same bot (not because a webhook is set)."""
    return isinstance(problem, Conflict) and "other getupdates" in str(problem).lower()
