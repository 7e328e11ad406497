"""Ownership and visibility, through the dispatcher: a matrix of roles × actions × ownership ×
policy, checked against an oracle written from the rules (README "Security and privacy").

The organisation: admin Elif; manager Murat with reps Ayşe and Can (a team); manager Deniz
with rep Burak. Ayşe owns a customer, a deal on it and a task; a lead is nobody's.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import product

import pytest
from sqlmodel import Session

from handlers.kit import Services
from storage.access import Forbidden, Scope, restrict
from storage.models import Customer, Deal, Interaction, Notice, Rep, Task
from tests.conftest import Chat, add_customer, add_deal, add_rep, add_task, count, rows

ACTORS = ("ayse", "can", "burak", "murat", "deniz", "elif")
POLICIES = ("team", "own", "all")


@pytest.fixture
def org(services: Services, clock) -> dict[str, object]:
    people = {"elif": add_rep(services, "Elif Şahin", role="admin")}
    people["murat"] = add_rep(services, "Murat Kaya", role="manager")
    people["deniz"] = add_rep(services, "Deniz Arslan", role="manager")
    people["ayse"] = add_rep(services, "Ayşe Yılmaz", manager_id=people["murat"].id)
    people["can"] = add_rep(services, "Can Demir", manager_id=people["murat"].id)
    people["burak"] = add_rep(services, "Burak Öz", manager_id=people["deniz"].id)
    mine = add_customer(
        services, "Anadolu Lojistik", owner_id=people["ayse"].id, phone="+905321112233"
    )
    lead = add_customer(services, "Boğaziçi Danışmanlık")
    deal = add_deal(services, mine, "Fleet extension", "60000", owner_id=people["ayse"].id)
    task = add_task(services, people["ayse"], "send the quote", clock.now + timedelta(days=1))
    return {"people": people, "mine": mine, "lead": lead, "deal": deal, "task": task}


def reads(actor: str, policy: str) -> bool:
    """May ``actor`` read what Ayşe owns?"""
    if actor in ("ayse", "murat", "elif") or policy == "all":
        return True
    return actor == "can" and policy == "team"


def changes(actor: str) -> bool:
    """May ``actor`` change what Ayşe owns? (The same under every policy.)"""
    return actor in ("ayse", "murat", "elif")


def chat_for(services: Services, org: dict, actor: str, policy: str) -> Chat:
    services.settings.crm_visibility = policy
    return Chat(services, org["people"][actor])


@pytest.mark.parametrize(("actor", "policy"), list(product(ACTORS, POLICIES)))
def test_reading(services, org, actor, policy):
    chat = chat_for(services, org, actor, policy)
    mine, deal = org["mine"], org["deal"]
    card = chat.say(f"/customer #{mine.id}")
    found = chat.say("/find anadolu lojistik")
    deal_card = chat.say(f"/deal #{deal.id}")
    deals = chat.say("/deals all").text
    pipeline = chat.say("/pipeline").text
    if reads(actor, policy):
        assert card.card is not None and card.card.title == "Anadolu Lojistik"
        assert found.card is not None
        assert deal_card.card is not None and deal_card.card.title == "Fleet extension"
        assert "Fleet extension" in deals
        assert "60,000" in pipeline
    else:  # never confirmed to exist: not found, not offered, not counted
        assert card.card is None and "No customer matches" in card.text
        assert found.card is None and not found.choices and "Anadolu" not in found.text
        assert deal_card.card is None and "Fleet" not in deal_card.text
        assert "Fleet extension" not in deals
        assert "60,000" not in pipeline
    # The unowned lead is everyone's, under every policy.
    assert chat.say("/find bogazici").card is not None


@pytest.mark.parametrize(("actor", "policy"), list(product(ACTORS, POLICIES)))
def test_changing(services, org, actor, policy):
    chat = chat_for(services, org, actor, policy)
    mine, deal, task = org["mine"], org["deal"], org["task"]
    logged = chat.say(f"/log call #{mine.id} talked about the fleet")
    moved = chat.say(f"/stage #{deal.id} proposal")
    done = chat.say(f"/done #{task.id}")
    calls = [i for i in rows(services, Interaction) if i.customer_id == mine.id]
    stage_of = {d.id: d.stage_id for d in rows(services, Deal)}
    status_of = {t.id: t.status for t in rows(services, Task)}
    if changes(actor):
        assert logged.text.startswith("Logged: call · Anadolu Lojistik") and len(calls) == 1
        assert moved.text.startswith('Moved "Fleet extension" to Proposal')
        assert done.text.startswith("Done:") and status_of[task.id] == "done"
        return
    assert calls == [] and stage_of[deal.id] == deal.stage_id and status_of[task.id] == "open"
    if reads(actor, policy):  # a teammate's: refused, with whose it is and a way to ask
        assert "belongs to Ayşe Yılmaz" in logged.text
        assert "belongs to Ayşe Yılmaz" in moved.text
        assert [b.label for b in moved.buttons] == ["Ask Ayşe Yılmaz"]
        if actor == "deniz":
            assert "belongs to Ayşe Yılmaz" in done.text
        else:  # a rep reaches only their own tasks by number
            assert "No open task of yours matches" in done.text
    else:
        assert "No customer matches" in logged.text
        assert "No open deal matches" in moved.text
        assert "No open task of yours matches" in done.text


@pytest.mark.parametrize("actor", ACTORS)
def test_the_unowned_lead_is_everyones_to_work(services, org, actor):
    chat = chat_for(services, org, actor, "own")
    lead = org["lead"]
    assert chat.say(f"/log call #{lead.id} first contact").text.startswith("Logged: call")


def test_the_owner_is_asked_with_one_press(services, org):
    can = chat_for(services, org, "can", "team")
    refused = can.say(f"/stage #{org['deal'].id} won")
    asked = can.press(refused, "Ask Ayşe")
    assert asked.text.startswith("Asked Ayşe Yılmaz")
    [notice] = rows(services, Notice)
    assert notice.rep_id == org["people"]["ayse"].id
    text = notice.payload["text"]
    assert "Can Demir asks you about the deal" in text and f"/stage #{org['deal'].id} won" in text
    assert notice.payload["buttons"] == [{"label": "Open", "command": f"/deal #{org['deal'].id}"}]
    assert "There is no" in can.say("/ask deal #999").text  # nothing to confirm


def test_a_hidden_customer_with_the_same_phone_is_mentioned_not_shown(services, org):
    burak = chat_for(services, org, "burak", "team")
    reply = burak.say("/customer add Anadolu Taşımacılık 0532 111 22 33")
    assert "a customer with this phone already exists, owned by Ayşe Yılmaz" in reply.text
    assert "Anadolu Lojistik" not in reply.text and not reply.choices
    assert [b.label for b in reply.buttons] == ["Create anyway"]
    assert count(services, Customer) == 2


def test_buttons_offer_only_what_may_be_done(services, org):
    can = chat_for(services, org, "can", "team")
    card = can.say(f"/customer #{org['mine'].id}")
    assert [b.command.split()[0] for b in card.buttons] == ["/task", "/deals"]
    assert can.say(f"/deal #{org['deal'].id}").buttons == []
    murat = chat_for(services, org, "murat", "team")
    assert len(murat.say(f"/deal #{org['deal'].id}").buttons) > 3


def scoped(services: Services, org: dict, actor: str) -> tuple[Session, Scope]:
    from handlers.kit.visibility import scope_for

    session = Session(services.db.engine)
    rep = session.get(Rep, org["people"][actor].id)
    assert rep is not None
    scope = scope_for(session, rep, "team")
    restrict(session, scope)
    return session, scope


@pytest.mark.parametrize(
    ("actor", "to", "allowed"),
    [
        ("ayse", "can", False),  # a rep never gives a record away
        ("murat", "can", True),  # a manager, within the chain
        ("murat", "burak", False),  # not outside it
        ("elif", "burak", True),
    ],
)
def test_only_managers_reassign_and_only_within_their_chain(services, org, actor, to, allowed):
    session, _ = scoped(services, org, actor)
    with session:
        deal = session.get(Deal, org["deal"].id)
        assert deal is not None
        deal.owner_id = org["people"][to].id
        session.add(deal)
        if allowed:
            session.flush()
        else:
            with pytest.raises(Forbidden) as denied:
                session.flush()
            assert denied.value.why in ("reassign", "change")
        session.rollback()


def test_a_task_for_someone_else_is_a_reassignment(services, org, clock):
    session, _ = scoped(services, org, "ayse")
    with session:
        session.add(
            Task(
                title="x",
                due_at=clock.now,
                assignee_id=org["people"]["can"].id,
                created_at=clock.now,
            )
        )
        with pytest.raises(Forbidden, match="reassign"):
            session.flush()
