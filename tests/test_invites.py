"""Invites cannot take an account over: who may invite whom, one platform, one use, a day to
redeem, stored hashed, audited, and the rep's manager and the admins told at once."""

from __future__ import annotations

import asyncio
import hashlib
import re
from datetime import timedelta

import pytest

from bot.dispatcher import Dispatcher
from bot.scheduler import Scheduler
from handlers.kit import Incoming, Services
from storage.chat import invites
from storage.models import AuditEvent, InviteCode, Notice, Rep
from tests.conftest import Chat, add_rep, count, rows
from tests.scheduling import Recorder, notifier


@pytest.fixture
def org(services: Services) -> dict[str, Rep]:
    """An admin on Telegram, two managers, a rep under each, and a rep under the first rep's
    manager's own report (the chain goes two levels down)."""
    elif_ = add_rep(services, "Elif Şahin", role="admin", telegram_user_id=100)
    murat = add_rep(services, "Murat Kaya", role="manager", telegram_user_id=200)
    deniz = add_rep(services, "Deniz Arslan", role="manager", telegram_user_id=300)
    can = add_rep(services, "Can Demir", role="manager", manager_id=murat.id)
    ayse = add_rep(services, "Ayşe Yılmaz", manager_id=can.id, language="tr")
    burak = add_rep(services, "Burak Öz", manager_id=deniz.id)
    return {"elif": elif_, "murat": murat, "deniz": deniz, "can": can, "ayse": ayse, "burak": burak}


def code_in(text: str) -> str:
    found = re.search(r"(?:start=|Invite code: )(\S+)", text)
    assert found, text
    return found.group(1)


def redeem(services: Services, platform: str, user_id: str, code: str) -> str:
    incoming = Incoming(platform, user_id, user_id, f"/start {code}")
    return asyncio.run(Dispatcher(services).handle(incoming))[0].text


@pytest.fixture
def linked(services: Services) -> Services:
    services.deep_links["telegram"] = "https://t.me/crm_test_bot?start={code}"
    return services


def test_the_takeover_is_refused_at_every_step(linked, org):
    murat = Chat(linked, org["murat"])
    assert "is an admin" in murat.say("/invite Elif Şahin").text
    assert count(linked, InviteCode) == 0
    # Even an invite for the admin that got into the table some other way cannot be redeemed.
    with linked.db.session(write=True) as s:
        admin = s.get(Rep, org["elif"].id)
        _, code = invites.create(s, admin, admin, linked.clock(), "telegram", timedelta(hours=24))
    assert "not valid" in redeem(linked, "telegram", "666", code)
    assert "not valid" in redeem(linked, "telegram", "666", "guess")
    assert [r.telegram_user_id for r in rows(linked, Rep) if r.id == org["elif"].id] == [100]
    assert rows(linked, InviteCode)[0].used_at is None


def test_a_manager_invites_only_the_reps_below_them(linked, org):
    murat = Chat(linked, org["murat"])
    assert "does not report to you" in murat.say("/invite Burak Öz").text
    assert "start=" in murat.say("/invite Ayşe Yılmaz").text  # two levels down the chain
    assert "start=" in Chat(linked, org["elif"]).say("/invite Burak Öz").text  # admins: anyone


def test_never_for_a_rep_already_linked_on_that_platform(linked, org):
    elif_ = Chat(linked, org["elif"])
    refused = elif_.say("/invite Deniz Arslan").text
    assert "already has a Telegram account linked" in refused
    assert 'crm-bot rep unlink "Deniz Arslan" --telegram' in refused
    assert "Invite code:" in elif_.say("/invite Deniz Arslan slack").text  # Slack is free


def test_one_platform_one_use_one_day(linked, org, clock):
    elif_ = Chat(linked, org["elif"])
    code = code_in(elif_.say("/invite Ayşe Yılmaz").text)
    assert "not valid" in redeem(linked, "slack", "U777", code)  # a Telegram invite
    clock.advance(hours=25)
    assert "expired" in redeem(linked, "telegram", "777", code)
    fresh = code_in(elif_.say("/invite Ayşe Yılmaz").text)
    assert redeem(linked, "telegram", "777", fresh).startswith("Hoş geldiniz Ayşe Yılmaz!")
    assert "already been used" in redeem(linked, "telegram", "778", fresh)


def test_a_slack_invite_is_redeemed_in_a_direct_message(linked, org):
    code = code_in(Chat(linked, org["elif"]).say("/invite Burak Öz slack").text)
    incoming = Incoming("slack", "D1", "U0BURAK", f"start {code}")
    [welcome] = asyncio.run(Dispatcher(linked).handle(incoming))
    assert welcome.text.startswith("Welcome, Burak Öz!")
    assert [r.slack_user_id for r in rows(linked, Rep) if r.id == org["burak"].id] == ["U0BURAK"]


def test_only_the_hash_of_a_code_is_kept(linked, org):
    code = code_in(Chat(linked, org["elif"]).say("/invite Ayşe Yılmaz").text)
    [row] = rows(linked, InviteCode)
    assert row.code == hashlib.sha256(code.encode()).hexdigest()
    assert row.platform == "telegram"
    trail = [e for e in rows(linked, AuditEvent) if e.entity == "invitecode"]
    assert trail and all(code not in str(e.changes) for e in trail)


def test_redeeming_is_audited_and_the_watchers_are_told(linked, org):
    code = code_in(Chat(linked, org["elif"]).say("/invite Ayşe Yılmaz").text)
    telegram = Recorder("telegram")

    async def scenario() -> None:
        scheduler = Scheduler(linked, notifier(telegram))
        await scheduler.start()
        try:
            incoming = Incoming("telegram", "777", "777", f"/start {code}")
            await Dispatcher(linked).handle(incoming)
            await scheduler.settled()  # the notices, delivered once the binding committed
        finally:
            await scheduler.stop()

    asyncio.run(scenario())
    told = {chat: text for chat, replies in telegram.sent for text in [replies[0].text]}
    assert set(told) == {"100"}  # the admin; Can (the manager) has no chat account
    assert "Ayşe Yılmaz linked a Telegram account (user id 777)" in told["100"]
    assert "crm-bot rep deactivate" in told["100"]
    waiting = rows(linked, Notice)
    assert [n.rep_id for n in waiting] == [org["can"].id]  # kept until Can can be reached
    [bound] = [
        e
        for e in rows(linked, AuditEvent)
        if e.entity == "rep" and e.entity_id == org["ayse"].id and e.action == "update"
    ]
    assert bound.actor_rep_id == org["ayse"].id and bound.platform == "telegram"
    assert bound.changes["telegram_user_id"] == [None, 777]
