"""Re-importing rows that meet archived (deleted) records: refused and reported, never a crash
nor a silent resurrection; restored and updated with --restore-archived."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from storage import archive
from storage.models import AuditEvent, Contact, Customer, Deal
from storage.transfer import importer
from tests.conftest import add_customer, count

CUSTOMERS = "external_id,name,phone,city\nA1,Anadolu Lojistik,0532 111 22 33,İzmir\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(services, path: Path, kind: str = "customers", **options) -> importer.Report:
    opts = importer.Options(kind=kind, region="TR", currency="TRY", batch_size=3, **options)
    return importer.run(services.db, path, opts)


def delete(services, kind: str, record_id: int) -> None:
    with services.db.session(write=True) as s:
        record = archive.find(s, kind, record_id)
        assert record is not None
        archive.archive(s, record, None, record.created_at)


def archived_at(services, model, record_id: int):
    with Session(services.db.engine) as s:
        return s.exec(archive.with_archived(select(model).where(model.id == record_id))).one()


@pytest.mark.parametrize(
    "second",
    [
        CUSTOMERS,  # the same external id
        "name,phone\nANADOLU LOJİSTİK A.Ş.,+90 532 111 22 33\n",  # its phone, an alike name
    ],
)
def test_a_row_meeting_an_archived_customer_is_reported_and_writes_nothing(
    services, tmp_path, second
) -> None:
    run(services, write(tmp_path, "a.csv", CUSTOMERS))
    with Session(services.db.engine) as s:
        anadolu = s.exec(select(Customer)).one()
    delete(services, "customer", anadolu.id)
    events = count(services, AuditEvent)
    report = run(services, write(tmp_path, "b.csv", second))
    assert dict(report.counts) == {"archived": 1}
    ((_, outcome),) = report.problems
    assert str(outcome.issue) == f"archived_customer (id={anadolu.id}, name=Anadolu Lojistik)"
    assert count(services, AuditEvent) == events  # nothing written, nothing resurrected
    assert archived_at(services, Customer, anadolu.id).archived_at is not None
    with Session(services.db.engine) as s:
        assert len(s.exec(archive.with_archived(select(Customer))).all()) == 1


def test_restore_archived_restores_and_updates_the_customer(services, tmp_path) -> None:
    run(services, write(tmp_path, "a.csv", CUSTOMERS))
    with Session(services.db.engine) as s:
        anadolu = s.exec(select(Customer)).one()
    delete(services, "customer", anadolu.id)
    moved = CUSTOMERS.replace("İzmir", "Ankara")
    report = run(services, write(tmp_path, "b.csv", moved), restore_archived=True)
    assert dict(report.counts) == {"updated": 1}
    assert [str(n) for n in report.notes] == ["restored_customer"]
    back = archived_at(services, Customer, anadolu.id)
    assert (back.archived_at, back.city) == (None, "Ankara")
    with Session(services.db.engine) as s:
        changes = s.exec(
            select(AuditEvent).where(
                AuditEvent.entity == "customer", AuditEvent.entity_id == anadolu.id
            )
        ).all()
    assert any("archived_at" in (e.changes or {}) for e in changes[-2:])  # the restore, audited
    assert dict(run(services, write(tmp_path, "c.csv", moved)).counts) == {"unchanged": 1}


def test_deals_and_contacts_of_an_archived_customer(services, tmp_path) -> None:
    acme = add_customer(services, "Acme Corporation")
    deals = "external_id,title,customer,stage,amount\nD1,Kurulum,Acme Corporation,Lead,1000\n"
    contacts = "customer,name,role\nAcme Corporation,Jane Doe,buyer\n"
    run(services, write(tmp_path, "d.csv", deals), "deals")
    with Session(services.db.engine) as s:
        deal = s.exec(select(Deal)).one()
    delete(services, "customer", acme.id)  # its deal goes with it
    events = count(services, AuditEvent)
    for kind, text in (("deals", deals), ("contacts", contacts)):
        report = run(services, write(tmp_path, f"{kind}.csv", text), kind)
        assert dict(report.counts) == {"archived": 1}
        assert report.problems[0][1].issue.code == "archived_customer"
    assert count(services, AuditEvent) == events and count(services, Contact) == 0
    again = run(services, write(tmp_path, "d2.csv", deals), "deals", restore_archived=True)
    assert dict(again.counts) == {"unchanged": 1}  # restored with its customer, as it was
    assert archived_at(services, Deal, deal.id).archived_at is None
    assert archived_at(services, Customer, acme.id).archived_at is None
    delete(services, "customer", acme.id)
    report = run(services, write(tmp_path, "c2.csv", contacts), "contacts", restore_archived=True)
    assert dict(report.counts) == {"new": 1}
    assert archived_at(services, Customer, acme.id).archived_at is None


def test_a_row_meeting_an_archived_deal(services, tmp_path) -> None:
    add_customer(services, "Acme Corporation")
    deals = "external_id,title,customer,stage,amount\nD1,Kurulum,Acme Corporation,Lead,1000\n"
    run(services, write(tmp_path, "d.csv", deals), "deals")
    with Session(services.db.engine) as s:
        deal = s.exec(select(Deal)).one()
    delete(services, "deal", deal.id)
    report = run(services, write(tmp_path, "d2.csv", deals), "deals")
    assert [str(o.issue) for _, o in report.problems] == [
        f"archived_deal (id={deal.id}, name=Kurulum)"
    ]
    bigger = deals.replace("1000", "2000")
    report = run(services, write(tmp_path, "d3.csv", bigger), "deals", restore_archived=True)
    assert dict(report.counts) == {"updated": 1}
    back = archived_at(services, Deal, deal.id)
    assert (back.archived_at, str(back.amount)) == (None, "2000.00")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "matches archived customer #{id} Anadolu Lojistik: not imported; restore it "
            "with /restore customer #{id} (or import with --restore-archived)",
        ),
        (
            "tr",
            "arşivdeki #{id} Anadolu Lojistik müşterisiyle eşleşiyor: aktarılmadı; "
            "/geriyukle müşteri #{id} ile geri yükleyin (ya da --restore-archived ile aktarın)",
        ),
    ],
)
def test_the_cli_report_names_the_archived_record_in_both_languages(
    services, tmp_path, monkeypatch, capsys, language, expected
) -> None:
    from bot import cli

    monkeypatch.setenv("CRM_DATABASE_URL", services.settings.crm_database_url)
    monkeypatch.setenv("CRM_LANGUAGE", language)
    path = write(tmp_path, "a.csv", CUSTOMERS)
    assert cli.main(["import", "customers", str(path)]) == 0
    with Session(services.db.engine) as s:
        anadolu = s.exec(select(Customer)).one()
    delete(services, "customer", anadolu.id)
    capsys.readouterr()
    assert cli.main(["import", "customers", str(path)]) == 0
    out = capsys.readouterr().out
    assert expected.format(id=anadolu.id) in out
    assert ("archived 1" if language == "en" else "arşivde 1") in out
    assert cli.main(["import", "customers", str(path), "--restore-archived"]) == 0
    assert archived_at(services, Customer, anadolu.id).archived_at is None
