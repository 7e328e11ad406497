"""Imports lose nothing (issue 12, part 8) and malformed files get one clear line (part 10).

Every file is built in tmp_path; the CLI runs in-process against the test database."""

from __future__ import annotations

import csv
import stat
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot import cli
from storage.models import Customer, RawValue
from storage.transfer import importer, reading
from tests.conftest import Chat, add_customer, count

DIRTY = """name;phone;email;city
Kaya İnşaat;;;İzmir
Doğa Gıda;0532 12;;Bursa
Ege Yapı;0232 456 78 90;ege@@yapi;İzmir
Ayşe Demir;0533 111 22 33;;Ankara
Ayşe Demir;0544 222 33 44;;Konya
;0212 111 11 11;;
Mavi Tur;0555 12 34;mavi at tur;
"""


def folder(tmp_path: Path) -> Path:
    inbox = tmp_path / "in"
    inbox.mkdir()
    return inbox


def import_cli(args: list[str], monkeypatch, services, language: str = "en") -> int:
    monkeypatch.setenv("CRM_DATABASE_URL", services.settings.crm_database_url)
    monkeypatch.setenv("CRM_LANGUAGE", language)
    return cli.main(["import", *args])


def test_a_dirty_file_keeps_every_record_but_the_nameless_one(services, tmp_path, chat: Chat):
    kaya = add_customer(services, "Kaya İnşaat", phone="+905321234567", city="Ankara")
    path = folder(tmp_path) / "dirty.csv"
    path.write_text(DIRTY, encoding="utf-8")
    opts = importer.Options(kind="customers", region="TR", report=tmp_path / "report.csv")
    report = importer.run(services.db, path, opts)

    assert dict(report.counts) == {"new": 6, "invalid": 1}  # the name-only match is not "updated"
    assert report.flags() == {"name_only": 1, "bad_phone": 2, "bad_email": 2, "homonym": 1}
    by_line = {row.line: o for row, o in report.problems}
    assert by_line[2].flags[0].code == "name_only" and by_line[2].flags[0].args["id"] == str(
        kaya.id
    )
    assert by_line[7].status == "invalid" and by_line[7].issue.code == "missing_name"
    with Session(services.db.engine) as s:
        names = sorted(c.name for c in s.exec(select(Customer)))
        untouched = s.get(Customer, kaya.id)
        kept = sorted((r.field, r.raw, r.problem) for r in s.exec(select(RawValue)))
        doga = s.exec(select(Customer).where(Customer.name == "Doğa Gıda")).one()
    assert names == [
        "Ayşe Demir",
        "Ayşe Demir",
        "Doğa Gıda",
        "Ege Yapı",
        "Kaya İnşaat",
        "Kaya İnşaat",
        "Mavi Tur",
    ]
    assert (untouched.city, untouched.phone) == ("Ankara", "+905321234567")  # never overwritten
    assert doga.phone is None  # the normalised column stays valid or empty
    assert kept == [
        ("email", "ege@@yapi", "bad_email"),
        ("email", "mavi at tur", "bad_email"),  # the cell as typed, not word by word
        ("phone", "0532 12", "bad_phone"),
        ("phone", "0555 12 34", "bad_phone"),
    ]
    written = list(csv.DictReader((tmp_path / "report.csv").open(encoding="utf-8")))
    assert [r["line"] for r in written] == [str(line) for line in sorted(by_line)]

    quality = chat.say("/quality").text
    assert "Values an import kept as typed" in quality and "0532 12" in quality
    assert "Likely duplicate groups" in quality and "Namesakes kept apart" in quality

    again = importer.run(services.db, path, opts)  # re-importing changes nothing
    assert dict(again.counts) == {"unchanged": 6, "invalid": 1}
    assert count(services, RawValue) == len(kept)


def test_a_maven_like_account_never_overwrites_a_namesake(services, tmp_path) -> None:
    local = add_customer(services, "Acme Corporation", city="İstanbul")
    path = folder(tmp_path) / "accounts.csv"
    path.write_text("account,sector,office_location\nAcme Corporation,retail,United States\n")
    opts = importer.Options(kind="customers", source="maven")
    report = importer.run(services.db, path, opts)
    assert dict(report.counts) == {"new": 1} and report.flags() == {"name_only": 1}
    with Session(services.db.engine) as s:
        assert s.get(Customer, local.id).industry is None


def write_bytes(tmp_path: Path, data: bytes) -> Path:
    path = folder(tmp_path) / "bad.csv"
    path.write_bytes(data)
    return path


MALFORMED = {
    "huge field": (
        b"name,city\nAcme,Ankara\nBeta," + b"x" * (reading.MAX_FIELD + 10) + b"\n",
        "bad.csv, line 3: a field longer than 1,000,000 characters",
    ),
    "undecodable lines": (
        "name;city\nDoğru Ltd;İzmir\n".encode() + b"Bad\x81\x8d;X\nOk;Y\n",
        "bad.csv: line 3 is neither UTF-8 nor a known encoding",
    ),
    "extra cells": (
        b"name,city\nAcme,Ankara\nKaya, Mimarlik,Izmir\n",
        "bad.csv, line 3: 3 cells but the header has 2 columns",
    ),
    "other delimiter": (
        b"name;city;phone\nAcme;Ankara;\nBeta,Izmir,\n",
        'bad.csv, line 3: not separated by ";" like the header',
    ),
    "broken UTF-16": (
        "name\tcity\nAcme\tAnkara\n".encode("utf-16-le")[:-1] + b"\xd8",
        "bad.csv: line 2 is neither UTF-8",  # its last character is cut in half
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_files_get_one_line_and_write_nothing(
    case: str, services, tmp_path, monkeypatch, capsys
) -> None:
    data, expected = MALFORMED[case]
    path = write_bytes(tmp_path, (codecs_bom(case)) + data)
    assert import_cli(["customers", str(path)], monkeypatch, services) == 2
    out, err = capsys.readouterr()
    assert err.strip().startswith(expected), err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in out + err
    assert count(services, Customer) == 0 and list(path.parent.iterdir()) == [path]


def codecs_bom(case: str) -> bytes:
    return b"\xff\xfe" if case == "broken UTF-16" else b""


@pytest.mark.parametrize(
    "data",
    [
        "name;city\nDoğru Ltd;İzmir\n".encode() + "Şahin Tic.;Çorum\n".encode("cp1254"),
        "\ufeffname\tcity\nDoğru Ltd\tİzmir\nŞahin Tic.\tÇorum\n".encode("utf-16-le"),
        "name\tcity\nDoğru Ltd\tİzmir\nŞahin Tic.\tÇorum\n".encode("utf-16-be"),
        "name|city\nDoğru Ltd|İzmir\nŞahin Tic.|Çorum\n".encode("cp1254"),
    ],
    ids=["mixed utf-8 and cp1254", "utf-16 with BOM", "utf-16 without BOM", "cp1254 pipes"],
)
def test_encodings_and_delimiters_read_right(data: bytes, services, tmp_path) -> None:
    path = write_bytes(tmp_path, data)
    report = importer.run(services.db, path, importer.Options(kind="customers"))
    assert dict(report.counts) == {"new": 2}
    with Session(services.db.engine) as s:
        found = sorted((c.name, c.city) for c in s.exec(select(Customer)))
    assert found == [("Doğru Ltd", "İzmir"), ("Şahin Tic.", "Çorum")]  # never mojibake


def test_a_read_only_input_folder_works(services, tmp_path, monkeypatch, capsys) -> None:
    path = folder(tmp_path) / "dirty.csv"
    path.write_text(DIRTY, encoding="utf-8")
    path.parent.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        assert import_cli(["customers", str(path)], monkeypatch, services) == 0
    finally:
        path.parent.chmod(stat.S_IRWXU)
    out = capsys.readouterr().out
    assert "Problem rows:" in out and "line 7 (not imported): no name" in out
    assert list(path.parent.iterdir()) == [path]  # nothing written beside the input
    assert count(services, Customer) == 6


def test_the_report_goes_where_asked_or_the_import_does_not_start(
    services, tmp_path, monkeypatch, capsys
) -> None:
    path = folder(tmp_path) / "dirty.csv"
    path.write_text(DIRTY, encoding="utf-8")
    nowhere = tmp_path / "missing" / "r.csv"
    assert import_cli(["customers", str(path), "--report", str(nowhere)], monkeypatch, services)
    assert "its folder does not exist. Nothing was imported." in capsys.readouterr().err
    assert count(services, Customer) == 0
    target = tmp_path / "r.csv"
    args = ["customers", str(path), "--report", str(target), "--allow-duplicates"]
    assert import_cli(args, monkeypatch, services) == 0  # the retired flag is still accepted
    assert f"Problem rows, with the reasons, written to {target}" in capsys.readouterr().out
    assert len(list(csv.DictReader(target.open(encoding="utf-8")))) == 5


def test_messages_in_turkish(services, tmp_path, monkeypatch, capsys) -> None:
    bad = write_bytes(tmp_path, b"name,city\nAcme,Ankara\nKaya, Mimarlik,Izmir\n")
    assert import_cli(["customers", str(bad)], monkeypatch, services, "tr") == 2
    err = capsys.readouterr().err
    assert err.startswith("bad.csv, 3. satır: başlıkta 2 sütun var ama bu satırda 3 hücre")
    good = bad.with_name("temiz.csv")
    good.write_text(DIRTY, encoding="utf-8")
    assert import_cli(["customers", str(good)], monkeypatch, services, "tr") == 0
    out = capsys.readouterr().out
    assert "Sorunlu satırlar:" in out and "7. satır (aktarılmadı): ad yok" in out
    assert 'geçersiz telefon "0532 12" (hane sayısı yanlış): yazıldığı gibi saklandı' in out
    assert "wrong number of digits" not in out
