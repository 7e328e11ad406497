"""``crm-bot rep set|deactivate|unlink``: roles and managers changed with an audit trail, a
leaver's access ended at once and their open work handed over, a chat account unlinked."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.app import build_services
from bot.dispatcher import Dispatcher
from handlers.kit import Incoming, Services
from storage.models import AuditEvent, Customer, Deal, Rep, Task
from tests.conftest import add_customer, add_deal, add_rep, add_task, rows


@pytest.fixture
def cli(services: Services, crm_bot):
    """``crm-bot`` on the test's database."""
    return lambda *args: crm_bot(*args, db=services.settings.crm_database_url)


@pytest.fixture
def team(services: Services, clock):
    murat = add_rep(services, "Murat Kaya", role="manager")
    ayse = add_rep(services, "Ayşe Yılmaz", manager_id=murat.id, telegram_user_id=111)
    customer = add_customer(services, "Anadolu Lojistik", owner_id=ayse.id)
    add_deal(services, customer, "Fleet extension", "60000", owner_id=ayse.id)
    add_deal(services, customer, "Last year", "10000", stage="Won", owner_id=ayse.id)
    add_task(services, ayse, "send the quote", clock.now + timedelta(days=1))
    add_task(services, ayse, "old call", clock.now - timedelta(days=3), status="done")
    return {"murat": murat, "ayse": ayse}


def knows(services: Services, telegram_id: int) -> bool:
    """Would a running bot (here, a second process) answer this Telegram user?"""
    other = build_services(services.settings)
    incoming = Incoming("telegram", str(telegram_id), str(telegram_id), "/tasks")
    [reply] = asyncio.run(Dispatcher(other).handle(incoming))
    other.db.dispose()
    return "not registered" not in reply.text


def test_set_changes_the_role_and_the_audit_trail_says_so(services, cli, team):
    done = cli("rep", "set", "Ayşe Yılmaz", "--role", "manager", "--language", "tr")
    assert done.returncode == 0 and "now manager" in done.stdout
    [event] = [e for e in rows(services, AuditEvent) if e.entity == "rep" and e.action == "update"]
    assert event.platform == "cli" and event.actor_rep_id is None
    assert event.changes["role"] == ["rep", "manager"] and event.changes["language"] == [None, "tr"]


def test_a_manager_cannot_report_to_their_own_report(services, cli, team):
    done = cli("rep", "set", "Murat Kaya", "--manager", "Ayşe Yılmaz")
    assert done.returncode == 2 and "Ayşe Yılmaz reports to Murat Kaya" in done.stderr
    assert cli("rep", "set", "Ayşe Yılmaz", "--manager", "none").returncode == 0
    assert [r.manager_id for r in rows(services, Rep) if r.name == "Ayşe Yılmaz"] == [None]


def test_deactivate_ends_access_and_hands_the_open_work_over(services, cli, team):
    murat, ayse = team["murat"], team["ayse"]
    assert knows(services, 111)
    done = cli("rep", "deactivate", "Ayşe Yılmaz")
    assert done.returncode == 0
    assert "1 customer, 1 open deal, and 1 open task went to Murat Kaya" in done.stdout
    assert not knows(services, 111)
    assert [c.owner_id for c in rows(services, Customer)] == [murat.id]
    owners = {d.title: d.owner_id for d in rows(services, Deal)}
    assert owners == {"Fleet extension": murat.id, "Last year": ayse.id}  # history stays hers
    assignees = {t.title: t.assignee_id for t in rows(services, Task)}
    assert assignees == {"send the quote": murat.id, "old call": ayse.id}


def test_deactivate_needs_someone_to_take_over(services, cli, team):
    lone = add_rep(services, "Lone Wolf", telegram_user_id=222)
    refused = cli("rep", "deactivate", "Lone Wolf")
    assert refused.returncode == 2 and "--reassign-to" in refused.stderr
    assert knows(services, 222)
    done = cli("rep", "deactivate", "Lone Wolf", "--reassign-to", "Murat Kaya")
    assert done.returncode == 0 and not knows(services, 222)
    assert [r.active for r in rows(services, Rep) if r.id == lone.id] == [False]


def test_unlink_frees_the_platform_for_a_new_invite(services, cli, team):
    done = cli("rep", "unlink", "Ayşe Yılmaz", "--telegram")
    assert done.returncode == 0 and "Telegram account is unlinked" in done.stdout
    assert not knows(services, 111)
    assert [r.telegram_user_id for r in rows(services, Rep) if r.name == "Ayşe Yılmaz"] == [None]
    trail = [e for e in rows(services, AuditEvent) if e.entity == "rep" and e.action == "update"]
    assert trail[-1].changes["telegram_user_id"] == [111, None]


@pytest.mark.parametrize(
    ("platform", "user_id"), [("telegram", "111"), ("slack", "U0AYSE"), ("console", None)]
)
def test_the_rep_behind_a_platform_id_is_the_sessions_entity(services: Services, platform, user_id):
    """The rep is read on the driver and made the session's entity by hand: it is the one
    ``session.get`` gives, loaded in full, unchanged until changed, and a change is stored."""
    from sqlmodel import Session

    from storage import reps

    ayse = add_rep(services, "Ayşe Yılmaz", telegram_user_id=111, slack_user_id="U0AYSE")
    with Session(services.db.engine) as session:
        rep = reps.for_platform(session, platform, user_id or str(ayse.id))
        assert rep is not None and rep is session.get(Rep, ayse.id)
        assert (rep.name, rep.telegram_user_id, rep.created_at) == (
            ayse.name,
            111,
            ayse.created_at,
        )
        assert not session.is_modified(rep) and not session.dirty
        assert reps.for_platform(session, platform, user_id or str(ayse.id)) is rep
        rep.language = "tr"
        session.commit()
    assert [r.language for r in rows(services, Rep)] == ["tr"]
    with Session(services.db.engine) as session:
        assert reps.for_platform(session, platform, "999") is None


@pytest.mark.parametrize(
    ("platform", "user_id"), [("telegram", "111"), ("slack", "U0AYSE"), ("console", None)]
)
def test_a_deliverys_claim_and_its_rep_are_read_together(services: Services, platform, user_id):
    """The claim and the rep, one statement on PostgreSQL: a first delivery is claimed with
    its rep, a repeat is not, an unknown id is claimed without one, and a key is claimed only
    if the command's transaction is kept."""
    from sqlmodel import Session

    from storage.chat import deliveries

    ayse = add_rep(services, "Ayşe Yılmaz", telegram_user_id=111, slack_user_id="U0AYSE")
    user = user_id or str(ayse.id)
    with Session(services.db.engine) as session:
        claimed, rep, counted = deliveries.claimed_rep(session, platform, "u-1", user)
        assert counted is None  # nothing asked to count
        assert claimed and rep is not None and rep is session.get(Rep, ayse.id)
        assert rep.name == ayse.name and not session.is_modified(rep)
        assert deliveries.claimed_rep(session, platform, "u-1", user) == (False, None, None)
        assert deliveries.claimed_rep(session, platform, "u-2", "999") == (True, None, None)
        assert deliveries.claimed_rep(session, platform, None, user) == (True, rep, None)
        session.rollback()
    with Session(services.db.engine) as session:
        assert deliveries.claimed_rep(session, platform, "u-2", "999") == (True, None, None)
        session.commit()
    with Session(services.db.engine) as session:
        assert deliveries.claimed_rep(session, platform, "u-2", user)[0] is False


def test_a_read_is_counted_by_its_claim_on_postgresql(services: Services, clock) -> None:
    """Given a read's moment, the claim's statement counts it in the rep's minute (PostgreSQL)
    and returns the totals; a repeat and an unknown id count nothing. On SQLite it counts
    nothing and says so (None): the dispatcher counts the command itself then."""
    from storage.chat import deliveries
    from storage.models import RateCounter

    ayse = add_rep(services, "Ayşe Yılmaz")
    with services.db.session(write=True) as session:
        said = [
            deliveries.claimed_rep(session, "console", key, user, clock.now)[2]
            for key, user in (("u-1", str(ayse.id)), ("u-2", str(ayse.id)), ("u-2", str(ayse.id)))
        ]
        assert deliveries.claimed_rep(session, "console", "u-3", "999", clock.now) == (
            True,
            None,
            None,
        )
    kept = [(r.rep_id, r.commands, r.writes) for r in rows(services, RateCounter)]
    if services.db.is_sqlite:
        assert said == [None, None, None] and kept == []
    else:
        assert said == [(1, 0), (2, 0), None] and kept == [(ayse.id, 2, 0)]


def test_a_reps_team_comes_with_the_rep_once(services: Services) -> None:
    """On PostgreSQL the statement that claims a delivery reads the rep's teammates too; the
    scope takes them without a statement of its own, once, and asks again after that (the
    command may have moved someone). On SQLite the team is read when asked."""
    from sqlalchemy import event
    from sqlmodel import Session

    from storage import reps
    from storage.chat import deliveries

    boss = add_rep(services, "Mehmet Kaya", role="manager")
    ayse = add_rep(services, "Ayşe Yılmaz", manager_id=boss.id)
    can = add_rep(services, "Can Demir", manager_id=boss.id)
    add_rep(services, "Elif Şahin")  # in no team
    sent: list[str] = []
    event.listen(services.db.engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
    with Session(services.db.engine) as session:
        claimed, rep, _ = deliveries.claimed_rep(session, "console", "u-1", str(ayse.id))
        assert claimed and rep is not None
        before = len(sent)
        assert reps.teammates(session, boss.id) == {ayse.id, can.id}
        assert len(sent) == before + (1 if services.db.is_sqlite else 0)
        assert reps.teammates(session, boss.id) == {ayse.id, can.id}
        assert len(sent) == before + (2 if services.db.is_sqlite else 1)
        assert reps.teammates(session, boss.id + 1000) == frozenset()
