"""The send retry policy as the tests run it: every wait recorded, none waited for.

The harnesses hand ``quick()`` to the adapters, so a test that makes the fake fail a send sees
the retries at once; ``Waits.seen`` holds the waits the policy asked for (a 429's retry_after
among them), for the tests that check them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.adapters.retrying import SendPolicy


@dataclass
class Waits:
    seen: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.seen.append(seconds)


def quick(waits: Waits | None = None, **bounds: float | int | None) -> SendPolicy:
    return SendPolicy(sleep=waits or Waits(), **bounds)  # type: ignore[arg-type]
