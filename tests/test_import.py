"""CSV import: normalised rows, look-alikes created apart and flagged, dry runs, idempotence."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from sqlmodel import Session, select

from storage.models import AuditEvent, Contact, ContactPoint, Customer, Deal, RawValue, Rep, Stage
from storage.transfer import importer
from tests.conftest import Chat, add_customer, count

CUSTOMERS = (
    (
        "Firma;Telefon;Cep;E-Posta;Şehir;Sektör;Notlar\n"
        "ANADOLU LOJİSTİK A.Ş.;0216 444 55 66;0532 111 22 33 / 0533 999 88 77;"
        "Info@Anadolu.com.tr;İSTANBUL;lojistik;x\n"
    )
    + """ege tekstil san. ve tic. ltd. şti.;+90 (232) 456 78 90;;;izmir;tekstil;
Mehmet Yıldırım;0555 000 00 00;;;Bursa;;
Kaya Mimarlık;0532 12;;;;;
Anadolu Lojistik AŞ;;;;;;
;0212 111 11 11;;;;;
Anadolu Lojistk;;;;;;
"""
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(services, path: Path, kind: str = "customers", **options) -> importer.Report:
    opts = importer.Options(kind=kind, region="TR", currency="TRY", batch_size=3, **options)
    return importer.run(services.db, path, opts)


def test_customers_are_normalised_and_flawed_rows_reported(services, tmp_path) -> None:
    add_customer(services, "Mehmet Yıldırım", city="Ankara", phone="+905332223344")
    target = tmp_path / "problems.csv"
    (tmp_path / "in").mkdir()
    report = run(services, write(tmp_path / "in", "firmalar.csv", CUSTOMERS), report=target)
    assert dict(report.counts) == {"new": 5, "duplicate": 1, "invalid": 1}
    assert report.ignored_columns == ["Notlar"]
    reasons = {row.line: str(o.issue or o.flags[0]) for row, o in report.problems}
    assert reasons[4].startswith("homonym")  # same name, other phone: never merged
    assert reasons[5].startswith("bad_phone (field=phone, value=0532 12")  # kept as typed
    assert reasons[6].startswith("repeats (line=2)")  # the same company, another suffix
    assert reasons[7] == "missing_name"
    assert reasons[8].startswith("similar (id=")
    with Session(services.db.engine) as s:
        anadolu = s.exec(select(Customer).where(Customer.name_key == "anadolu lojistik")).one()
        points = s.exec(select(ContactPoint.value).where(ContactPoint.customer_id == anadolu.id))
        assert sorted(points) == ["+905321112233", "+905339998877"]
    assert anadolu.name == "Anadolu Lojistik A.Ş." and anadolu.city == "İstanbul"
    assert (anadolu.phone, anadolu.email) == ("+902164445566", "info@anadolu.com.tr")
    problems = list(csv.DictReader(target.open(encoding="utf-8")))
    assert report.report_path == target  # and nothing beside the input:
    assert list((tmp_path / "in").iterdir()) == [tmp_path / "in" / "firmalar.csv"]
    assert [r["line"] for r in problems] == ["4", "5", "6", "7", "8"]
    assert problems[1]["status"] == "new" and "0532 12" in problems[1]["reason"]


def test_reimporting_the_same_file_changes_nothing(services, tmp_path) -> None:
    path = write(tmp_path, "firmalar.csv", CUSTOMERS)
    run(services, path)
    before = (count(services, Customer), count(services, ContactPoint), count(services, AuditEvent))
    again = run(services, path)
    assert again.counts["new"] == 0 and again.counts["updated"] == 0
    assert again.counts["unchanged"] == 5  # the look-alikes created apart are found again
    after = (count(services, Customer), count(services, ContactPoint), count(services, AuditEvent))
    assert after == before


def test_an_update_fills_and_adds_but_never_renames(services, tmp_path) -> None:
    kaya = add_customer(services, "Kaya Mimarlık", phone="+905325551234")
    text = "name,phone,city\nKAYA MİMARLIK,0532 555 12 34; 0212 444 55 66,Ankara\n"
    path = write(tmp_path, "k.csv", text)
    assert dict(run(services, path).counts) == {"updated": 1}
    with Session(services.db.engine) as s:
        row = s.get(Customer, kaya.id)
        extra = s.exec(select(ContactPoint.value).where(ContactPoint.customer_id == kaya.id))
        assert (row.name, row.city, list(extra)) == ("Kaya Mimarlık", "Ankara", ["+902124445566"])


def test_a_dry_run_writes_nothing(services, tmp_path) -> None:
    (tmp_path / "in").mkdir()
    path = write(tmp_path / "in", "firmalar.csv", CUSTOMERS)
    before = (count(services, Customer), count(services, AuditEvent))
    report = run(services, path, dry_run=True)
    assert dict(report.counts) == {"new": 5, "duplicate": 1, "invalid": 1}  # as the real run
    assert (count(services, Customer), count(services, AuditEvent)) == before
    assert report.report_path is None and list(path.parent.iterdir()) == [path]


def test_namesakes_are_created_apart_and_found_again(services, tmp_path) -> None:
    add_customer(services, "Mehmet Yıldırım", phone="+905332223344")
    path = write(tmp_path, "m.csv", "name,phone\nMehmet Yıldırım,0555 000 00 00\n")
    first = run(services, path)
    assert dict(first.counts) == {"new": 1} and first.flags() == {"homonym": 1}
    assert dict(run(services, path).counts) == {"unchanged": 1}  # now matched by its phone
    assert count(services, Customer) == 2


def test_contacts_and_a_column_mapping(services, tmp_path) -> None:
    acme = add_customer(services, "Acme Corporation")
    text = "Company,Person,Job,Tel\nAcme Corp.,Jane Doe,buyer,+1 212 555 0100\nNope,X Y,,\n"
    report = run(services, write(tmp_path, "c.csv", text), "contacts", mapping={"Job": "role"})
    assert dict(report.counts) == {"new": 1, "invalid": 1}
    with Session(services.db.engine) as s:
        jane = s.exec(select(Contact)).one()
    assert (jane.customer_id, jane.role, jane.phone) == (acme.id, "buyer", "+12125550100")


def test_deals_need_known_stages_and_reps_unless_asked(services, tmp_path) -> None:
    acme = add_customer(services, "Acme Corporation")
    text = (
        "id,account,stage,owner,amount,created,close_date\n"
        'D1,Acme,Demo,Zeynep Kaya,"1.250,50",20.10.2026,15.12.2026\n'
        "D2,Acme,Won,Zeynep Kaya,900,01.10.2026,13.11.2026\n"
        "D3,Acme,Lead,,abc,,\n"
    )
    path = write(tmp_path, "d.csv", text)
    strict = run(services, path, "deals", mapping={"id": "external_id"})
    assert dict(strict.counts) == {"new": 2, "invalid": 1}  # only the unknown stage costs a row
    assert [str(o.issue).split(" ")[0] for _, o in strict.rejected] == ["unknown_stage"]
    assert strict.flags() == {"unknown_rep": 1, "bad_number": 1}  # kept as typed
    with Session(services.db.engine) as s:
        kept = {(r.field, r.raw) for r in s.exec(select(RawValue))}
        d3 = s.exec(select(Deal).where(Deal.external_id == "D3")).one()
    assert kept == {("owner", "Zeynep Kaya"), ("amount", "abc")} and d3.amount is None
    loose = run(services, path, "deals", mapping={"id": "external_id"}, create_missing=True)
    assert dict(loose.counts) == {"new": 1, "updated": 1, "unchanged": 1}
    with Session(services.db.engine) as s:
        demo = s.exec(select(Stage).where(Stage.name == "Demo")).one()
        d1 = s.exec(select(Deal).where(Deal.external_id == "D1")).one()
        d2 = s.exec(select(Deal).where(Deal.external_id == "D2")).one()
        assert not demo.is_closed and s.exec(select(Rep).where(Rep.name == "Zeynep Kaya")).one()
    assert (d1.customer_id, str(d1.amount), d1.expected_close.isoformat()) == (
        acme.id,
        "1250.50",
        "2026-12-15",
    )
    assert d2.closed_at.date().isoformat() == "2026-11-13" and str(d2.closed_amount) == "900.00"


def test_the_cli_prints_the_report(services, tmp_path, monkeypatch, capsys) -> None:
    from bot import cli

    monkeypatch.setenv("CRM_DATABASE_URL", services.settings.crm_database_url)
    monkeypatch.setenv("CRM_LANGUAGE", "en")
    path = write(tmp_path, "firmalar.csv", CUSTOMERS)
    assert cli.main(["import", "customers", str(path), "--dry-run", "--map", "Notlar=tags"]) == 0
    out = capsys.readouterr().out
    assert "firmalar.csv → customers: 7 rows" in out
    assert "new 5 · updated 0 · unchanged 0 · duplicate 1 · invalid 1" in out
    assert "1 × invalid phone kept as typed" in out
    assert 'line 5 (new): invalid phone "0532 12" (wrong number of digits): kept as typed' in out
    assert "Dry run: nothing was written." in out
    assert count(services, Customer) == 0


def test_export_round_trip(services, tmp_path, monkeypatch, capsys, chat: Chat) -> None:
    import json

    from bot import cli

    monkeypatch.setenv("CRM_DATABASE_URL", services.settings.crm_database_url)
    run(services, write(tmp_path, "firmalar.csv", CUSTOMERS))
    out = tmp_path / "out.csv"
    assert cli.main(["export", "customers", "--output", str(out)]) == 0
    exported = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["name"] for r in exported] == [
        "Anadolu Lojistik A.Ş.",
        "Ege Tekstil San. ve Tic. Ltd. Şti.",
        "Mehmet Yıldırım",
        "Kaya Mimarlık",
        "Anadolu Lojistk",
    ]
    assert exported[0]["other_phones"] == "'+905321112233; +905339998877"  # not a formula
    assert dict(run(services, out).counts) == {"unchanged": 5}  # exports import back cleanly
    assert cli.main(["export", "deals", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_cells_a_spreadsheet_would_run_are_neutralised(services, tmp_path, monkeypatch, capsys):
    import json

    from bot import cli

    monkeypatch.setenv("CRM_DATABASE_URL", services.settings.crm_database_url)
    hostile = ['=HYPERLINK("http://x.example","click")', "+1+1", "-2+3", "@SUM(A1:A9)"]
    for name in hostile:
        add_customer(services, name)
    out = tmp_path / "out.csv"
    assert cli.main(["export", "customers", "--output", str(out)]) == 0
    names = [r["name"] for r in csv.DictReader(out.open(encoding="utf-8"))]
    assert names == [f"'{name}" for name in hostile]
    assert cli.main(["export", "customers", "--format", "json"]) == 0
    assert [r["name"] for r in json.loads(capsys.readouterr().out)] == names
    assert dict(run(services, out).counts) == {"unchanged": 4}  # the apostrophe comes off


def test_amounts_and_counts_too_big_for_their_columns_are_kept_as_typed(services, tmp_path):
    """A 25-digit amount or a 12-digit head count would not fit its column: the row is
    imported, the value kept as typed and flagged, never an error at the flush."""
    add_customer(services, "Acme Corporation")
    deals_csv = "id,account,stage,amount\nD1,Acme,Lead,9999999999999999999999999\nD2,Acme,Lead,12\n"
    report = run(
        services, write(tmp_path, "d.csv", deals_csv), "deals", mapping={"id": "external_id"}
    )
    assert dict(report.counts) == {"new": 2} and report.flags() == {"bad_number": 1}
    people = "name,employees\nBüyük Holding,999999999999\n"
    report = run(services, write(tmp_path, "c.csv", people))
    assert report.flags() == {"bad_number": 1}
    with Session(services.db.engine) as s:
        kept = {(r.field, r.raw) for r in s.exec(select(RawValue))}
        amounts = {d.external_id: d.amount for d in s.exec(select(Deal))}
    assert kept == {("amount", "9999999999999999999999999"), ("employees", "999999999999")}
    assert amounts == {"D1": None, "D2": Decimal("12.00")}
