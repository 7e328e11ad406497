"""The customer card's parts, read in one statement as Core (``storage.card_reads``): what the
session's hooks did for the ORM reads (the scope, the archive) still holds, and each part keeps
its order and its length.

The organisation: manager Murat with reps Ayşe and Can (a team); manager Deniz with rep Burak.
The customer is a lead (nobody's, so everyone reads it); on it are deals and tasks of Ayşe's
and of Burak's, a won deal, an archived deal and task, five interactions, two contacts and two
consents.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from handlers.kit import Services
from storage import consents, deals
from storage.models import AccessLog, Contact, Customer, Deal, Interaction, Task
from storage.types import utcnow
from tests.conftest import Chat, add_customer, add_deal, add_rep, add_task


@pytest.fixture
def book(services: Services, clock) -> dict[str, object]:
    murat = add_rep(services, "Murat Kaya", role="manager")
    deniz = add_rep(services, "Deniz Arslan", role="manager")
    people = {
        "murat": murat,
        "deniz": deniz,
        "ayse": add_rep(services, "Ayşe Yılmaz", manager_id=murat.id),
        "can": add_rep(services, "Can Demir", manager_id=murat.id),
        "burak": add_rep(services, "Burak Öz", manager_id=deniz.id),
        "elif": add_rep(services, "Elif Şahin", role="admin"),
    }
    ayse, burak = people["ayse"], people["burak"]
    lead = add_customer(services, "Boğaziçi Danışmanlık", city="İstanbul")
    now = clock.now
    add_deal(services, lead, "Fleet", "60000", owner_id=ayse.id, expected_close=now.date())
    add_deal(services, lead, "Tyres", "1500.50", owner_id=burak.id)
    add_deal(services, lead, "Service", "900", stage="Won", owner_id=ayse.id)
    add_deal(services, lead, "Nobody's", "100")
    gone = add_deal(services, lead, "Archived", "700", owner_id=ayse.id)
    add_task(services, ayse, "call back", now + timedelta(days=2), customer_id=lead.id)
    add_task(services, ayse, "send the quote", now + timedelta(days=1), customer_id=lead.id)
    add_task(services, burak, "visit", now + timedelta(days=1), customer_id=lead.id)
    old = add_task(services, ayse, "old task", now + timedelta(days=1), customer_id=lead.id)
    with services.db.session(write=True) as s:
        for model, record_id in ((Deal, gone.id), (Task, old.id)):
            row = s.get(model, record_id)
            row.archived_at = now
            s.add(row)
        for days, summary in enumerate(("fifth", "fourth", "third", "second", "first")):
            s.add(
                Interaction(
                    kind="call",
                    summary=summary,
                    occurred_at=now - timedelta(days=days + 1),
                    rep_id=burak.id if summary == "fifth" else None,
                    customer_id=lead.id,
                )
            )
        s.add(Contact(customer_id=lead.id, name="Selin Ak", role="buyer", phone="+905321112233"))
        s.add(Contact(customer_id=lead.id, name="Ali Can"))
        customer = s.get(Customer, lead.id)
        consents.record(s, customer, "given", "signed form", ayse.id, now - timedelta(days=3))
        consents.record(s, customer, "withdrawn", "phone call", ayse.id, now - timedelta(days=2))
        assert len(deals.stages(s)) == 6
    return {"people": people, "lead": lead}


def card_of(services: Services, book: dict, who: str) -> dict[str, str]:
    services.settings.crm_visibility = "team"
    reply = Chat(services, book["people"][who]).say(f"/customer #{book['lead'].id}")
    assert reply.card is not None and reply.card.title == "Boğaziçi Danışmanlık"
    return dict(reply.card.fields)


@pytest.mark.parametrize(
    ("who", "deals_seen", "tasks_seen"),
    [
        # a teammate of Ayşe's reads her deals and tasks, not the other team's
        ("can", ["Fleet", "Nobody's"], ["send the quote", "call back"]),
        ("burak", ["Tyres", "Nobody's"], ["visit"]),
        ("murat", ["Fleet", "Nobody's"], ["send the quote", "call back"]),
        ("elif", ["Fleet", "Tyres", "Nobody's"], ["send the quote", "visit", "call back"]),
    ],
)
def test_the_card_shows_what_the_scope_reads_in_order(services, book, who, deals_seen, tasks_seen):
    fields = card_of(services, book, who)
    deal_lines = fields["Open deals"].split("\n")
    # by expected close, those without one last; never won, lost or archived ones
    assert [line.split(" — ")[0] for line in deal_lines] == deals_seen
    assert all(" — Lead — " in line for line in deal_lines)
    task_lines = fields["Open tasks"].split("\n")
    assert [line.split(" — ")[0] for line in task_lines] == tasks_seen  # soonest first
    history = fields["Last interactions"].split("\n")
    assert [line.split(" · ")[2].split(" (")[0] for line in history] == [
        "fifth",
        "fourth",
        "third",
    ]
    assert history[0].endswith("(Burak Öz)") and "(" not in history[1]
    assert fields["Contacts"] == "Selin Ak (buyer) 0532 111 22 33\nAli Can"
    assert fields["Consent"].startswith("withdrawn · ") and fields["Consent"].endswith("phone call")
    assert "Owner" not in fields and fields["City"] == "İstanbul"


def test_amounts_are_exact_and_the_owner_named(services, book):
    with services.db.session(write=True) as s:
        lead = s.get(Customer, book["lead"].id)
        lead.owner_id = book["people"]["burak"].id
        s.add(lead)
    fields = card_of(services, book, "burak")
    assert fields["Owner"] == "Burak Öz"
    assert "Tyres — Lead — ₺1,500.50" in fields["Open deals"]


def test_a_customer_out_of_scope_shows_nothing_of_its_own(services, book):
    """The card's customer comes from the session, inside the scope; were one handed over from
    outside it, its parts stay unread rather than shown (the access asked for still logged)."""
    from storage import access_log, card_reads
    from storage.access import Scope, restrict

    with services.db.session() as s:
        lead = s.get(Customer, book["lead"].id)
        lead.owner_id = book["people"]["ayse"].id
        burak = book["people"]["burak"].id
        restrict(s, Scope(burak, frozenset({burak}), frozenset({burak})))
        access = access_log.row(
            rep_id=burak,
            platform="console",
            action="read",
            entity="customer",
            entity_id=lead.id,
            at=utcnow(),
        )
        data = card_reads.read(s, lead, access)
        with s.no_autoflush:  # the owner changed above is not burak's to write
            logged = [(a.rep_id, a.entity_id) for a in s.exec(select(AccessLog))]
        s.rollback()
    assert logged == [(burak, book["lead"].id)]
    assert (data.deals, data.tasks, data.history, data.contacts, data.consent) == (
        [],
        [],
        [],
        [],
        None,
    )
