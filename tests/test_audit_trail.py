"""The audit trail you can read and trust: linked by hash after commit, an edited or removed
row found by ``crm-bot audit verify``, erasure that keeps the chain, and the reads of
personal data in an access log."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from bot.jobs import Jobs
from handlers.kit import Services
from storage import audit_chain
from storage.audit import digest_of
from storage.models import AccessLog, AuditEvent, Deal, DealStageChange
from tests.conftest import Chat, add_customer, rows
from tests.scheduling import Recorder, notifier


@pytest.fixture
def cli(services: Services, crm_bot):
    return lambda *args: crm_bot(*args, db=services.settings.crm_database_url)


@pytest.fixture
def trail(chat: Chat) -> Chat:
    chat.say("/customer add Anadolu Lojistik 0532 111 22 33")
    chat.say("/log call #1 discussed the fleet")
    chat.say("/deal add #1 fleet extension 250k")
    return chat


def test_the_sweep_links_what_committed(services, trail, clock):
    assert all(e.chain is None for e in rows(services, AuditEvent))
    asyncio.run(Jobs(services, notifier(Recorder())).tick(clock()))
    linked = rows(services, AuditEvent)
    assert [e.chain_seq for e in linked] == list(range(1, len(linked) + 1))
    with services.db.session() as session:
        verdict = audit_chain.verify(session)
    assert (verdict.broken_at, verdict.checked, verdict.unlinked) == (None, len(linked), 0)


def test_a_new_deal_and_its_first_stage_are_audited_as_stored(services, trail):
    """The first stage row is written through Core beside the deal's flush; its audit row is
    the one the flush hook writes for a row made through the ORM, in one statement with the
    deal's."""
    [deal], [moved] = rows(services, Deal), rows(services, DealStageChange)
    made = [e for e in rows(services, AuditEvent) if e.entity in ("deal", "dealstagechange")]
    assert [(e.action, e.entity, e.entity_id) for e in made] == [
        ("create", "deal", deal.id),
        ("create", "dealstagechange", moved.id),
    ]
    assert made[0].changes["title"] == [None, "fleet extension"]
    assert made[0].changes["owner_id"] == [None, trail.rep.id] and "id" not in made[0].changes
    assert made[1].changes == {
        "deal_id": [None, deal.id],
        "to_stage_id": [None, deal.stage_id],
        "rep_id": [None, trail.rep.id],
        "at": [None, deal.created_at.isoformat()],
    }
    assert made[0].command == made[1].command and made[1].actor_rep_id == trail.rep.id
    assert all(e.digest == digest_of(e.changes) for e in made)


def test_verify_finds_an_edited_row(services, trail, cli):
    assert cli("audit", "verify").stdout.startswith("Audit chain intact")
    victim = rows(services, AuditEvent)[1]
    with services.db.engine.begin() as conn:
        conn.execute(
            text("UPDATE auditevent SET changes = :c WHERE id = :id"),
            {"c": '{"summary": [null, "nothing happened"]}', "id": victim.id},
        )
    done = cli("audit", "verify")
    assert done.returncode == 1
    assert f"BROKEN at row #{victim.id}: its values were changed" in done.stdout


def test_verify_finds_a_removed_row(services, trail, cli):
    cli("audit", "verify")
    victim = rows(services, AuditEvent)[0]
    with services.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM auditevent WHERE id = :id"), {"id": victim.id})
    done = cli("audit", "verify")
    assert done.returncode == 1 and "a row before it is gone" in done.stdout


def test_erased_values_keep_the_chain_intact(services, trail, cli):
    cli("audit", "verify")
    with services.db.engine.begin() as conn:
        conn.execute(text("UPDATE auditevent SET changes = '{}', erased = :yes"), {"yes": True})
    assert cli("audit", "verify").stdout.startswith("Audit chain intact")


def test_rows_are_read_by_record_and_actor(services, trail, cli):
    lines = cli("audit", "--record", "customer#1").stdout.splitlines()
    assert len(lines) == 1 and "\tcreate\tcustomer#1\t" in lines[0]
    assert "Elif Şahin" in lines[0] and "Anadolu Lojistik" in lines[0]
    hers = [e for e in rows(services, AuditEvent) if e.actor_rep_id == trail.rep.id]
    assert len(cli("audit", "--actor", "Elif Şahin").stdout.splitlines()) == len(hers) == 4
    refused = cli("audit", "--record", "customer")
    assert refused.returncode == 2 and "customer#12" in refused.stderr


def test_card_reads_and_exports_are_logged(services, chat: Chat, cli, tmp_path):
    customer = add_customer(services, "Uğur Özmen", phone="+905321112233")
    chat.say(f"/customer #{customer.id}")
    chat.say("/find ugur ozmen")
    assert cli("export", "customers", "--output", str(tmp_path / "x.csv")).returncode == 0
    log = [(a.action, a.entity, a.entity_id, a.detail) for a in rows(services, AccessLog)]
    assert log[:2] == [("read", "customer", customer.id, None)] * 2
    assert log[2][:2] == ("export", "customers") and log[2][3].startswith("1 rows, csv")
    reads = cli("audit", "--reads").stdout.splitlines()
    assert len(reads) == 3 and "Elif Şahin" in reads[0]
