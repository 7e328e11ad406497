"""The data-quality snapshot: kept by the daily job, read by Monday digests, never shown to a
reader whose scope is narrower than the whole CRM, and not used once older than a day."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from bot.jobs import Jobs
from handlers.digest import QUALITY_MAX_AGE
from handlers.kit import Services
from storage.models import Rep
from storage.quality import snapshot
from tests.conftest import Chat, add_customer, add_deal, add_rep
from tests.scheduling import Recorder, local, notifier, subscribe

NO_CONTACT = "• Customers without any phone or e-mail: "


@pytest.fixture
def murat(services: Services) -> Rep:
    return add_rep(services, "Murat Kaya", role="manager")


@pytest.fixture
def ada(services: Services) -> Rep:
    """An admin: her subscriptions' digests cover the whole CRM, the snapshot's view."""
    return add_rep(services, "Ada Admin", role="admin")


def quality_text(texts: list[str]) -> str:
    found = [t for t in texts if t.startswith("Data quality")]
    assert len(found) == 1, texts
    return found[0]


def stored_count(services: Services, code: str) -> int:
    with services.db.session() as s:
        kept = snapshot.stored(s)
    assert kept is not None
    return next(f.count for f in kept[1] if f.code == code)


def test_the_daily_job_keeps_the_figures_the_monday_digest_shows(services, clock, murat, ada):
    add_deal(services, add_customer(services, "Acme Corporation"), "nobody's", "1000")
    sub = subscribe(services, ada, scope="all", scope_rep_id=None)
    jobs = Jobs(services, notifier(recorder := Recorder()))
    clock.now = local("2026-11-23", "03:00")  # Monday night: the first sweep of the day
    asyncio.run(jobs.tick(clock.now))
    assert stored_count(services, "no_contact") == 1
    add_customer(services, "Second Ltd")  # after the snapshot: shown from tomorrow's
    clock.now = local("2026-11-23", "08:30")
    assert asyncio.run(jobs.digest(sub.id, clock.now)).status == "sent"
    section = quality_text(recorder.texts())
    assert NO_CONTACT + "1" in section
    assert section.endswith(
        "As of Mon, Nov 23, 2026, 03:00; refreshed once a day (/quality shows them now)."
    )
    chat = Chat(services, murat)
    assert NO_CONTACT + "2" in chat.say("/quality").text  # /quality is always live

    clock.now = local("2026-11-24", "03:00")  # the next day's sweep takes the change in
    asyncio.run(jobs.tick(clock.now))
    assert stored_count(services, "no_contact") == 2


def test_a_snapshot_older_than_a_day_is_not_shown(services, clock, murat):
    add_customer(services, "No Contact Ltd")
    clock.now = local("2026-11-21", "03:00")  # Saturday's: the bot was down since
    with services.db.session(write=True) as s:
        snapshot.refresh(s, clock.now)
    add_customer(services, "Second Ltd")
    clock.now = local("2026-11-23", "08:30")
    with services.db.session() as s:
        kept = snapshot.stored(s)
    assert kept is not None and clock.now - kept[0] > QUALITY_MAX_AGE
    section = quality_text([r.text for r in Chat(services, murat).send("/digest")])
    assert NO_CONTACT + "2" in section and "As of" not in section


def test_a_scoped_reader_never_sees_the_snapshot(services, clock, murat):
    """The snapshot covers the whole CRM; a manager's /digest shows only their own scope's."""
    other = add_rep(services, "Other Boss", role="manager")
    admin = add_rep(services, "Ada Admin", role="admin")
    add_customer(services, "Hidden Holding", owner_id=other.id)
    add_customer(services, "Murat's Lead Ltd", owner_id=murat.id)
    clock.now = local("2026-11-23", "03:00")
    with services.db.session(write=True) as s:
        snapshot.refresh(s, clock.now)
    assert stored_count(services, "no_contact") == 2
    clock.now = local("2026-11-23", "09:00")

    mine = quality_text([r.text for r in Chat(services, murat).send("/digest")])
    assert "Murat's Lead Ltd" in mine and "Hidden Holding" not in mine
    assert NO_CONTACT + "1" in mine and "As of" not in mine

    everyone = quality_text([r.text for r in Chat(services, admin).send("/digest")])
    assert "Hidden Holding" in everyone and NO_CONTACT + "2" in everyone
    assert "As of Mon, Nov 23, 2026, 03:00" in everyone


def test_refresh_refuses_a_scoped_session(services, murat):
    from storage import access

    with services.db.session(write=True) as s:
        access.restrict(s, access.Scope(murat.id or 0, frozenset({murat.id or 0}), None))
        with pytest.raises(ValueError):
            snapshot.refresh(s, services.clock())


def test_one_scheduled_run_computes_the_figures_once_for_every_chat(services, clock, ada):
    """Without a snapshot, the chats of one run share one computation: equal sections."""
    add_deal(services, add_customer(services, "Acme Corporation"), "nobody's", "1000")
    subscribe(services, ada, scope="all", scope_rep_id=None)
    subscribe(services, ada, chat_id="-1002", scope="all", scope_rep_id=None)
    recorder = Recorder()
    jobs = Jobs(services, notifier(recorder))
    clock.now = local("2026-11-23", "08:30")
    outcomes = asyncio.run(jobs.due_digests(clock.now))
    assert sorted(o.status for o in outcomes.values()) == ["sent", "sent"]
    first, second = (quality_text(recorder.texts(chat)) for chat in ("-1001", "-1002"))
    assert first == second and NO_CONTACT + "1" in first and "As of" not in first


def test_a_teams_scheduled_digest_shows_only_that_teams_records(services, clock, murat):
    """The scheduler reads everything, but a team's chat is read by the team: its quality
    section counts and names only the team's (and unowned) customers — computed on the spot
    without a snapshot, and from the team's own snapshot once the daily job has kept one."""
    other = add_rep(services, "Other Boss", role="manager")
    add_customer(services, "Hidden Holding", owner_id=other.id)
    lead = add_customer(services, "Murat's Lead Ltd", owner_id=murat.id)
    late = date(2026, 10, 1)  # long past its close: an attention item, so a digest is posted
    add_deal(services, lead, "First order", "1000", owner_id=murat.id, expected_close=late)
    clock.now = local("2026-11-23", "03:00")
    with services.db.session(write=True) as s:
        snapshot.refresh(s, clock.now)
    sub = subscribe(services, murat)
    recorder = Recorder()
    clock.now = local("2026-11-23", "08:30")
    assert (
        asyncio.run(Jobs(services, notifier(recorder)).digest(sub.id, clock.now)).status == "sent"
    )
    section = quality_text(recorder.texts())
    assert "Murat's Lead Ltd" in section and "Hidden Holding" not in section
    assert NO_CONTACT + "1" in section and "As of" not in section
