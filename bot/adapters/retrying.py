"""How hard an answer is pushed out: one retry policy for every platform's sends.

A write is saved before its answer is sent, so an answer lost to a passing server error is a
rep who thinks nothing happened and types it again. Each send (a reply, a notice, a digest) is
therefore tried again when the failure is the platform's and passing: a 5xx, a timeout or a
dropped connection, or a 429 that the client library's own rate-limit handling could not ride
out. The waits grow exponentially with jitter (so that replicas do not retry in step) but never
undercut a 429's retry_after, and both the attempts and the total time are bounded: a rep is
better served by a logged failure than by an answer a quarter of an hour late. A 4xx other
than 429 is the request's fault and fails at once. A timeout may mean the platform did get the
message: retrying may show it twice, which is the lesser harm.

Each adapter says which of its platform's errors are passing (``transient``) and how long a
429 asked to wait (``retry_after``); ``sleep`` is injectable so that tests never wait.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_exponential_jitter,
)

from handlers.kit import Reply

log = logging.getLogger(__name__)
T = TypeVar("T")
_COMMAND_ON_RECORD = re.compile(r"/[a-z]+(?: [a-z]+)? #\d+")  # command words and a number only

Transient = Callable[[BaseException], bool]
RetryAfter = Callable[[BaseException], float | None]


@dataclass(frozen=True)
class SendPolicy:
    """Bounds of one send's retries; ``timeout`` is one attempt's (None: the library's)."""

    attempts: int = 4
    total: float = 60.0  # seconds for all attempts and waits together
    first_wait: float = 1.0
    max_wait: float = 15.0
    longest_retry_after: float = 30.0  # a 429 asking for longer is not waited for
    timeout: float | None = None
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    async def run(
        self, call: Callable[[], Awaitable[T]], transient: Transient, retry_after: RetryAfter
    ) -> T:
        """``call()``, tried again while it fails in a passing way; the last error is raised."""
        backoff = wait_exponential_jitter(initial=self.first_wait, max=self.max_wait)

        def wait(state: RetryCallState) -> float:
            asked = _asked(state, retry_after)
            return max(backoff(state), asked or 0.0)

        def worth_it(problem: BaseException) -> bool:
            asked = retry_after(problem)
            return transient(problem) and (asked is None or asked <= self.longest_retry_after)

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.attempts) | stop_before_delay(self.total),
            wait=wait,
            retry=retry_if_exception(worth_it),
            sleep=self.sleep,
            before_sleep=_noted,
            reraise=True,
        )
        async for attempt in retrying:  # lambdas and partials too (not only async defs)
            with attempt:
                return await call()
        raise AssertionError("unreachable: the last attempt returns or raises")


def _asked(state: RetryCallState, retry_after: RetryAfter) -> float | None:
    outcome = state.outcome
    problem = outcome.exception() if outcome is not None and outcome.failed else None
    return retry_after(problem) if problem is not None else None


def _noted(state: RetryCallState) -> None:
    outcome = state.outcome
    problem = outcome.exception() if outcome is not None else None
    wait = state.next_action.sleep if state.next_action else 0.0
    log.info(
        "send attempt %d failed (%s); again in %.1f s",
        state.attempt_number, type(problem).__name__, wait,
    )  # fmt: skip


def record_of(reply: Reply) -> str:
    """The record an answer concerns, for logs: "customer #12" from its card, else the first
    of its buttons that names a record by number ("/task #12"); never a name or a text."""
    card = reply.card
    if card is not None:
        return f"{card.kind} #{card.id}"
    for button in (*reply.buttons, *reply.choices):
        if found := _COMMAND_ON_RECORD.match(button.command):
            return found.group(0)
    return "no record"


def lost(
    platform: str, key: str | None, reply: Reply, problem: BaseException, blocked: bool = False
) -> None:
    """The one line that says an answer never arrived: which delivery, which record, why.

    A rep who blocked the bot is a warning (theirs to undo); anything else an error."""
    log.log(
        logging.WARNING if blocked else logging.ERROR,
        "%s: answer to delivery %s (%s) not delivered: %s",
        platform, key or "-", record_of(reply), why(problem),
    )  # fmt: skip


def why(problem: BaseException) -> str:
    """An error's kind and the platform's error code, never its message (which may quote
    the text sent)."""
    code = getattr(problem, "code", None)
    answer = getattr(getattr(problem, "response", None), "get", None)
    if not code and callable(answer):
        code = answer("error")  # Slack's error word
    return type(problem).__name__ + (f" ({code})" if code else "")
