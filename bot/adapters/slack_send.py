"""Slack's errors read for the retry policy (``retrying``), and the text-only way out.

How the retries combine with slack_sdk's own retry handlers (``retry_handlers``): those sit
inside every Web API and response_url call and retry a dropped connection once and a 429 up to
three times after its Retry-After. What still comes out is ours: a 5xx (slack_sdk's
``AsyncServerErrorRetryHandler`` would also do, but sleeps for real on its own schedule; one
policy for both platforms, with waits the tests can shorten, is simpler to reason about), a
timeout, a connection still refused, or a 429 that outlasted slack_sdk's three. A response_url
answers with a status and a body instead of raising: a non-200 becomes ``Unanswered`` so that
it is judged the same way.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError

# what a send can fail with, once its retries are spent
FAILURES = (SlackClientError, aiohttp.ClientError, TimeoutError)


class Unanswered(SlackClientError):
    """A response_url that did not answer 200; ``code`` is Slack's error word, if any."""

    def __init__(self, status: int, body: str, headers: dict[str, Any]) -> None:
        super().__init__(f"response_url answered {status}")
        self.status = status
        self.code = body.strip()[:40] if status < 500 else ""
        self.headers = headers


def _status(problem: BaseException) -> int | None:
    if isinstance(problem, SlackApiError):
        return int(problem.response.status_code)
    if isinstance(problem, Unanswered):
        return problem.status
    return None


def transient(problem: BaseException) -> bool:
    status = _status(problem)
    if status is not None:
        return status >= 500 or status == 429
    return isinstance(problem, TimeoutError | aiohttp.ClientConnectionError)


def retry_after(problem: BaseException) -> float | None:
    if _status(problem) != 429:
        return None
    headers: Any = (
        problem.response.headers if isinstance(problem, SlackApiError) else problem.headers  # type: ignore[attr-defined]
    )
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            value = value[0] if isinstance(value, list) else value
            try:
                return float(value)
            except ValueError:
                return None
    return None


def error_code(problem: BaseException) -> str:
    """Slack's error word ("invalid_blocks", "is_archived"), or ""."""
    if isinstance(problem, SlackApiError):
        return str(problem.response.get("error") or "")
    return str(getattr(problem, "code", "") or "")


def text_only(message: dict[str, Any]) -> dict[str, Any] | None:
    """The message without its blocks, when Slack refused them (``invalid_blocks``)."""
    if "blocks" not in message or not message.get("text"):
        return None
    return {k: v for k, v in message.items() if k != "blocks"}
