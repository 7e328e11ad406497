"""Nothing lost on the way out, on Telegram: the real python-telegram-bot stack over HTTP against
the fake Bot API, made to fail the next sends. A 500, a timeout and a 429 beyond its retry_after
are retried, unparsable HTML is resent as plain text; what still fails (a 401, retries spent)
is logged with its delivery key and record and nothing personal, the write being kept either
way. The retry waits are recorded, never slept (``tests.quick_sends``)."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta

import pytest

from bot.adapters.base import Notifier
from bot.jobs import Jobs
from storage.models import Interaction, Rep, RunLedger, Subscription
from tests.conftest import add_customer, add_deal, add_rep, add_task, count, rows
from tests.fakes.telegram_api import FakeBotAPI
from tests.quick_sends import Waits, quick
from tests.telegram_harness import TOKEN, telegram

ELIF, GROUP = 111, -100500
NAME, PHONE = "Acme Corporation", "+12125550100"


def error(code: int, description: str, **parameters: int) -> dict:
    body = {"ok": False, "error_code": code, "description": description}
    return body | ({"parameters": parameters} if parameters else {})


SERVER_ERROR = error(500, "Internal Server Error")
UNPARSABLE = error(400, "Bad Request: can't parse entities: can't find end tag for \"b\"")
UNAUTHORIZED = error(401, "Unauthorized")


@pytest.fixture
def acme(services):
    add_rep(services, "Elif Şahin", role="admin", telegram_user_id=ELIF)
    return add_customer(services, NAME, phone=PHONE)


async def log_a_call(fake: FakeBotAPI) -> int:
    """``/log call`` from Elif; returns its update id (the delivery key's number)."""
    return await fake.say(ELIF, "/log call acme asked for the price list")


def delivered(fake: FakeBotAPI) -> list:
    return [c for c in fake.of("sendMessage") if c.result is not None]


def lost_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "not delivered" in r.getMessage()]


def nothing_personal(caplog: pytest.LogCaptureFixture) -> None:
    """Our own log lines (httpx's request lines are the log set-up's to redact)."""
    text = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot"))
    for secret in (NAME, "Acme", PHONE, "price list", "Elif", TOKEN):
        assert secret not in text


def test_a_500_is_retried_and_the_answer_arrives(services, acme) -> None:
    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            fake.fail_next("sendMessage", 500, SERVER_ERROR)
            await log_a_call(fake)
            failed, answer = await fake.wait_for("sendMessage", 2)
            assert failed.result is None and answer.result is not None
            assert answer["text"] == failed["text"] and "Logged" in answer["text"]

    asyncio.run(scenario())
    assert count(services, Interaction) == 1  # the answer was sent again, not the command


def test_a_timeout_is_retried(services, acme) -> None:
    """The client waits 0.3 s for an answer; the fake answers its first send after 1 s."""

    async def scenario() -> None:
        async with telegram(services, policy=quick(timeout=0.3)) as (fake, _adapter):
            fake.stall_next("sendMessage", 1.0)
            await log_a_call(fake)
            calls = await fake.wait_for("sendMessage", 2)
            assert any("Logged" in c["text"] for c in calls)

    asyncio.run(scenario())
    assert count(services, Interaction) == 1


def test_a_429_beyond_the_rate_limiters_retries_waits_its_retry_after(services, acme) -> None:
    """PTB's rate limiter rides out three 429s itself (waiting 1.1 s each, for real); the
    fourth comes out as RetryAfter, and the policy waits at least its retry_after again."""
    waits = Waits()
    flood = error(429, "Too Many Requests: retry after 1", retry_after=1)

    async def scenario() -> None:
        async with telegram(services, policy=quick(waits)) as (fake, _adapter):
            fake.fail_next("sendMessage", 429, flood, times=4)
            await log_a_call(fake)
            calls = await fake.wait_for("sendMessage", 5, timeout=20)
            assert [c.result is None for c in calls] == [True] * 4 + [False]
            assert "Logged" in calls[-1]["text"]

    asyncio.run(scenario())
    assert waits.seen and min(waits.seen) >= 1.0
    assert count(services, Interaction) == 1


def test_html_telegram_cannot_parse_is_resent_as_plain_text_once(services, acme, caplog) -> None:
    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            fake.fail_next("sendMessage", 400, UNPARSABLE)
            await fake.say(ELIF, "/find acme")
            refused, plain = await fake.wait_for("sendMessage", 2)
            assert refused["parse_mode"] == "HTML" and "<b>" in refused["text"]
            assert "parse_mode" not in plain.params and plain.result is not None
            assert plain["text"].startswith(f"{NAME} #{acme.id}")
            assert "<" not in plain["text"] and "Phone: +1 212-555-0100" in plain["text"]
            assert plain.buttons == refused.buttons  # the keyboard goes with it

            fake.fail_next("sendMessage", 400, UNPARSABLE, times=2)  # plain text refused too
            before = len(fake.of("sendMessage"))
            update = await fake.say(ELIF, "/find acme")
            await fake.wait_for("sendMessage", before + 2)
            await fake.say(ELIF, "/tasks")  # answered after the lost one was logged
            await fake.wait_for("sendMessage", before + 3)
            assert len(fake.of("sendMessage")) == before + 3  # once, not again and again
            return update

    with caplog.at_level(logging.INFO):
        update = asyncio.run(scenario())
    [line] = lost_lines(caplog)
    assert f"update:{update}" in line and f"customer #{acme.id}" in line
    nothing_personal(caplog)


def test_a_401_is_not_retried_and_is_logged_with_key_and_record(services, acme, caplog) -> None:
    async def scenario() -> None:
        async with telegram(services) as (fake, _adapter):
            fake.fail_next("sendMessage", 401, UNAUTHORIZED)
            update = await log_a_call(fake)
            await fake.wait_for("sendMessage")
            await fake.say(ELIF, "/tasks")  # the next command is answered again
            await fake.wait_for("sendMessage", 2)
            assert len(fake.of("sendMessage")) == 2
            return update

    with caplog.at_level(logging.INFO):
        update = asyncio.run(scenario())
    [line] = lost_lines(caplog)
    assert line.startswith("telegram: answer to delivery") and f"update:{update}" in line
    assert f"#{acme.id}" in line and "InvalidToken" in line
    assert [r.levelname for r in caplog.records if "not delivered" in r.getMessage()] == ["ERROR"]
    assert count(services, Interaction) == 1  # the write was kept
    nothing_personal(caplog)


def test_retries_are_bounded_and_the_loss_is_logged(services, acme, caplog) -> None:
    waits = Waits()

    async def scenario() -> int:
        async with telegram(services, policy=quick(waits, attempts=3)) as (fake, _adapter):
            fake.fail_next("sendMessage", 500, SERVER_ERROR, times=3)
            update = await log_a_call(fake)
            await fake.wait_for("sendMessage", 3)
            await fake.say(ELIF, "/tasks")
            await fake.wait_for("sendMessage", 4)
            assert len(delivered(fake)) == 1 and "No open tasks" in delivered(fake)[0]["text"]
            return update

    with caplog.at_level(logging.INFO):
        update = asyncio.run(scenario())
    assert len(waits.seen) == 2  # three attempts, two waits, growing
    assert waits.seen[0] < waits.seen[1] + 1  # jitter aside: exponential from first_wait
    [line] = lost_lines(caplog)
    assert f"update:{update}" in line and "NetworkError" in line
    assert count(services, Interaction) == 1
    nothing_personal(caplog)


def test_a_scheduled_send_that_still_fails_is_marked_failed_for_the_sweep(
    services, acme, clock, caplog
) -> None:
    """The digest's send is retried by the adapter; once the retries are spent the run ledger
    says failed (with the error's kind, not the text), and the next sweep sends it."""

    [elif_] = rows(services, Rep)
    add_deal(services, acme, "Stuck renewal", "40000", stage="Proposal", owner_id=elif_.id,
             expected_close=date(2026, 10, 1))  # fmt: skip
    add_task(services, elif_, "Send the contract", clock.now - timedelta(days=2))

    async def scenario() -> None:
        async with telegram(services, policy=quick(attempts=2)) as (fake, adapter):
            await fake.say(ELIF, "/subscribe digest 08:30", chat_id=GROUP)
            await fake.wait_for("sendMessage")
            [sub] = rows(services, Subscription)
            jobs = Jobs(services, Notifier([adapter]))
            clock.advance(hours=22, minutes=31)  # the next 08:31, local: the digest is due
            fake.fail_next("sendMessage", 500, SERVER_ERROR, times=2)
            outcome = await jobs.digest(sub.id, clock.now)
            assert outcome.status == "failed"
            [row] = rows(services, RunLedger)
            assert (row.status, row.attempts) == ("failed", 1)
            assert row.job == "digest" and row.target == f"telegram:{GROUP}"
            clock.advance(minutes=5)  # the sweep, within the grace window
            outcomes, _ = await jobs.tick(clock.now)
            assert outcomes[sub.id].status == "sent"
            assert rows(services, RunLedger)[0].status == "sent"

    with caplog.at_level(logging.INFO):
        asyncio.run(scenario())
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("digest to")]
    assert f"telegram:{GROUP}" in line and "Internal Server Error" in line
    assert "Acme" not in caplog.text
