"""KVKK/GDPR: everything held about a person exported as one document, and ``privacy forget``
leaving no trace of their name, phone or e-mail anywhere in the database, nor in the search
index of another running process, while the audit chain still holds."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from sqlmodel import SQLModel

from bot.app import build_services
from bot.dispatcher import Dispatcher
from bot.jobs import Jobs
from handlers.kit import Incoming, Services
from storage import customers
from storage.models import AuditEvent, Contact, Customer, Deal, Interaction, Rep
from tests.conftest import Chat, add_customer, rows
from tests.scheduling import Recorder, notifier

NAME, PHONE, EMAIL = "Uğur Özmen", "+905321112233", "ugur.ozmen@example.com"
MARKS = (NAME, PHONE, "0532 111 22 33", "05321112233", EMAIL, "Hatice Özmen", "+905339998877")


@pytest.fixture
def cli(services: Services, crm_bot):
    return lambda *args: crm_bot(*args, db=services.settings.crm_database_url)


@pytest.fixture
def ugur(services: Services, chat: Chat, clock):
    """A customer with everything a CRM collects, and mentions of him elsewhere."""
    person = add_customer(services, NAME, phone=PHONE, email=EMAIL, city="Ankara")
    with services.db.session(write=True) as s:
        customers.add_point(s, s.get(Customer, person.id), "phone", "+905339998877")
        s.add(Contact(customer_id=person.id or 0, name="Hatice Özmen", phone="+905441234567"))
    cid = person.id
    chat.say(f"/log call #{cid} {NAME} asked for prices, call 0532 111 22 33 back")
    chat.say(f"/task call {NAME} back tomorrow 10am #{cid}")
    chat.say(f"/deal add #{cid} {NAME} fleet 250k")
    chat.say(f"/consent #{cid} given signed form at the fair")
    other = add_customer(services, "Anadolu Lojistik")
    chat.say(f"/log note #{other.id} -- {NAME} recommended us; his e-mail is {EMAIL}")
    chat.say(f"/customer #{cid}")  # a card read, in the access log
    chat.say("/log")  # a question pending ...
    chat.say(f"#{cid}")  # ... answered with him: the flow's state holds a reference only
    clock.advance(minutes=1)
    return person


def dump(services: Services) -> str:
    """Every row of every table, as text."""
    lines = []
    with services.db.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for row in conn.execute(table.select()):
                lines.append(f"{table.name}: {tuple(row)}")
    return "\n".join(lines)


def test_export_holds_everything_about_them(services, ugur, cli, tmp_path):
    out = tmp_path / "ugur.json"
    done = cli("privacy", "export", f"customer#{ugur.id}", "--output", str(out))
    assert done.returncode == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["subject"] == f"customer#{ugur.id}"
    assert document["customer"]["name"] == NAME and document["customer"]["phone"] == PHONE
    assert [p["value"] for p in document["contact_points"]] == ["+905339998877"]
    assert [c["name"] for c in document["contacts"]] == ["Hatice Özmen"]
    assert "asked for prices" in document["interactions"][0]["summary"]
    assert [c["status"] for c in document["consents"]] == ["given"]
    assert {e["entity"] for e in document["audit"]} >= {"customer", "interaction", "deal", "task"}
    assert document["access_log"] and document["access_log"][0]["action"] == "read"
    by_name = cli("privacy", "export", NAME)
    assert by_name.returncode == 0 and json.loads(by_name.stdout)["customer"]["id"] == ugur.id


def test_forget_leaves_no_trace(services, ugur, cli):
    other_process = build_services(services.settings)  # a bot that has already indexed him
    asyncio.run(find(other_process, "ugur ozmen"))
    assert NAME in dump(services)
    asked = cli("privacy", "forget", NAME)
    assert asked.returncode == 2 and "Add --yes" in asked.stdout
    assert NAME in dump(services)
    done = cli("privacy", "forget", f"customer#{ugur.id}", "--yes")
    assert done.returncode == 0 and done.stdout.startswith(
        f"Erased the personal data of customer#{ugur.id}"
    )
    everything = dump(services)
    for mark in MARKS:
        assert mark not in everything, mark
    assert "erased customer" in everything
    [deal] = rows(services, Deal)
    assert (deal.amount, deal.title) == (250000, f"deal #{deal.id}")  # the figures stay
    assert [c.name for c in rows(services, Customer)] == [
        f"erased customer #{ugur.id}",
        "Anadolu Lojistik",
    ]
    answer = asyncio.run(find(other_process, "ugur ozmen"))
    assert "No customer matches" in answer
    other_process.db.dispose()
    verified = cli("audit", "verify")
    assert verified.returncode == 0, verified.stdout
    erasure = [line for line in cli("audit", "--record", f"customer#{ugur.id}").stdout.splitlines()]
    assert "\terase\t" in erasure[-1] and NAME not in "\n".join(erasure)


@pytest.mark.sqlite_only
def test_sqlite_keeps_no_old_page(services, ugur, cli):
    cli("privacy", "forget", f"customer#{ugur.id}", "--yes")
    path = services.db.engine.url.database
    with open(path, "rb") as fh:
        raw = fh.read()
    assert NAME.encode() not in raw and EMAIL.encode() not in raw and PHONE.encode() not in raw


async def find(services: Services, query: str) -> str:
    rep_id = rows(services, Rep)[0].id
    incoming = Incoming("console", "c", str(rep_id), f"/find {query}")
    [reply] = await Dispatcher(services).handle(incoming)
    return reply.text


def test_retention_counts_first_and_purges_only_when_applied(
    services, chat: Chat, cli, clock, caplog
):
    stamps = {"created_at": clock(), "updated_at": clock()}  # the test's clock, not the wall's
    old = add_customer(services, "Eski Müşteri", **stamps)
    recent = add_customer(services, "Yeni Müşteri", **stamps)
    chat.say(f"/log call #{old.id} last talk long ago")
    clock.advance(days=365 * 3)
    chat.say(f"/log call #{recent.id} talked today")
    services.settings.crm_retention_years = 2
    asyncio.run(Jobs(services, notifier(Recorder())).tick(clock()))  # the daily job: dry run
    assert "would purge (dry run) 1 interactions of 1 customers" in caplog.text
    assert len(rows(services, Interaction)) == 2
    before = (clock() - timedelta(days=365 * 2)).date().isoformat()
    counted = cli("privacy", "retention", "--before", before)
    assert counted.stdout.startswith("1 interactions of 1 customers inactive since")
    assert len(rows(services, Interaction)) == 2
    assert cli("privacy", "retention", "--before", before, "--apply").returncode == 0
    assert [i.summary for i in rows(services, Interaction)] == ["talked today"]
    assert [c.name for c in rows(services, Customer)] == ["Eski Müşteri", "Yeni Müşteri"]
    [purge] = [e for e in rows(services, AuditEvent) if e.action == "purge"]
    assert purge.changes == {"customers": 1, "interactions": 1}
