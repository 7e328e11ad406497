"""``crm-bot backup`` and ``crm-bot restore``: a database seeded through the real commands
comes back identical, table by table; a backup taken while a writer writes is one consistent
moment; the refusals change nothing and say why in the rep's language.

The databases here are SQLite files whatever engine the suite runs on (backup and restore are
SQLite's); on PostgreSQL the commands only point to pg_dump and pg_restore, tested last.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest

from storage import backup, customers, migrate
from storage.db import Actor, Database
from storage.models import Customer

SEED = [
    "/customer add Anadolu Lojistik A.Ş. 0532 111 22 33 info@anadolu.example",
    "/customer add Uğur Özmen 0533 444 55 66",
    "/customer add Zeytin Dalı Kooperatifi",
    "/deal add Anadolu Lojistik filo takip 250k",
    "/deal add Uğur Özmen yazılım lisansı 40000",
    "/stage filo takip Qualified",
    "/log call Anadolu Lojistik asked for a quote next: send the quote in 3 days",
    "/log visit Uğur Özmen demo went well",
    "/task call Zeytin Dalı back in 2 days",
    "/edit Zeytin Dalı Kooperatifi city İzmir",
]


def dump(path: Path) -> dict[str, list[tuple]]:
    """Every table's rows (shadow tables of the full-text index included) and the schema."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        schema = sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
        tables = [name for kind, name, _, _ in schema if kind == "table"]
        out = {"": [tuple(row) for row in schema]}
        for name in tables:
            if name.startswith("sqlite_"):
                continue
            out[name] = sorted(conn.execute(f'SELECT * FROM "{name}"'), key=repr)
        return out
    finally:
        conn.close()


def seeded(crm_bot, tmp_path: Path) -> str:
    """A database filled by ``db upgrade``, ``rep add`` and a console session."""
    db = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    assert crm_bot("db", "upgrade", db=db).returncode == 0
    assert crm_bot("rep", "add", "Elif Şahin", "--role", "admin", db=db).returncode == 0
    done = crm_bot("console", "--jsonl", stdin="\n".join(SEED) + "\n", db=db)
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(answers) >= len(SEED)
    return db


def test_a_backup_restores_to_an_identical_database(crm_bot, tmp_path: Path) -> None:
    live = seeded(crm_bot, tmp_path)
    made = crm_bot("backup", "backups/crm.sqlite3", db=live)
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == (
        "Backup written to backups/crm.sqlite3: 3 customers, 2 deals, and 2 interactions."
    )
    fresh = f"sqlite:///{tmp_path / 'fresh' / 'crm.sqlite3'}"
    back = crm_bot("restore", "backups/crm.sqlite3", db=fresh)
    assert back.returncode == 0, back.stderr
    assert back.stdout.strip() == (
        "Restored from backups/crm.sqlite3: 3 customers, 2 deals, and 2 interactions."
    )
    before, after = dump(tmp_path / "live.sqlite3"), dump(tmp_path / "fresh" / "crm.sqlite3")
    assert before.keys() == after.keys()
    for table in before:
        assert before[table] == after[table], table
    for table in ("customer", "deal", "interaction", "task", "auditevent", "interaction_fts"):
        assert before[table], f"the seed wrote nothing to {table}"
    # The restored file is a working database: the bot finds what was written.
    found = crm_bot("console", "--jsonl", stdin="/find zeytin dali\n", db=fresh)
    assert json.loads(found.stdout)["card"]["title"] == "Zeytin Dalı Kooperatifi"
    search = crm_bot("console", "--jsonl", stdin="/search quote\n", db=fresh)
    assert "Anadolu" in json.loads(search.stdout)["text"]


def test_a_backup_taken_while_a_writer_writes_is_one_moment(crm_bot, tmp_path: Path) -> None:
    live_url = seeded(crm_bot, tmp_path)
    live = Database(live_url)
    stop, warmed, resumed = threading.Event(), threading.Event(), threading.Event()
    written: list[int] = []
    backed_up = threading.Event()
    after_backup: list[int] = []

    def writer() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            with live.session(write=True, actor=Actor(None, "cli")) as s:
                customers.create(s, Customer(name=f"Yazar Müşteri {n}"))
            written.append(n)
            if n == 25:
                warmed.set()
            if backed_up.is_set():
                after_backup.append(n)
                if len(after_backup) >= 10:
                    resumed.set()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert warmed.wait(60)
        made = crm_bot("backup", "during.sqlite3", db=live_url)
        backed_up.set()
        assert resumed.wait(60)  # the writer was never shut out for good
    finally:
        stop.set()
        thread.join()
        live.dispose()
    assert made.returncode == 0, made.stderr
    copy = sqlite3.connect(tmp_path / "during.sqlite3")
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute("PRAGMA foreign_key_check").fetchall() == []
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one file, alone
    names = [r[0] for r in copy.execute("SELECT name FROM customer WHERE name LIKE 'Yazar%'")]
    created = "SELECT count(*) FROM auditevent WHERE entity = 'customer' AND action = 'create'"
    audited, total = (
        copy.execute(created).fetchone(),
        copy.execute("SELECT count(*) FROM customer").fetchone(),
    )
    copy.close()
    # Every customer up to some moment, none after: a snapshot, not a torn copy.
    assert 25 <= len(names) < len(written)
    assert sorted(names) == sorted(f"Yazar Müşteri {n}" for n in range(1, len(names) + 1))
    assert audited == total == (len(names) + 3,)  # each with its audit row; the seed's three
    restored = crm_bot("restore", "during.sqlite3", db=f"sqlite:///{tmp_path / 'r.sqlite3'}")
    assert restored.returncode == 0 and f"{len(names) + 3} customers" in restored.stdout


def test_an_older_backup_is_upgraded_as_it_is_restored(crm_bot, tmp_path: Path) -> None:
    old = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    migrate.upgrade(old, "0018")
    old.dispose()
    assert backup.inspect(tmp_path / "old.sqlite3") == "0018"
    target = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    done = crm_bot("restore", "old.sqlite3", db=target)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == (
        f"The backup was at schema revision 0018; it was brought up to {migrate.head()}."
    )
    restored = Database(target)
    assert migrate.current(restored) == migrate.head()
    restored.dispose()
    assert backup.inspect(tmp_path / "old.sqlite3") == "0018"  # the backup itself untouched


@pytest.mark.parametrize("language", ["en", "tr"])
def test_refusals_change_nothing_and_say_why(
    crm_bot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    live = seeded(crm_bot, tmp_path)
    monkeypatch.setenv("CRM_LANGUAGE", language)
    assert crm_bot("backup", "b.sqlite3", db=live).returncode == 0
    words = {
        "en": ("There is no backup file", "is not a crm-bot SQLite database", "already holds"),
        "tr": ("adında bir yedek dosyası yok", "bir crm-bot SQLite veritabanı değil", "zaten veri"),
    }[language]

    missing = crm_bot("restore", "nowhere.sqlite3", db=live)
    assert missing.returncode == 2 and words[0] in missing.stderr
    assert "crm-bot backup" in missing.stderr  # how to make one

    (tmp_path / "notes.txt").write_text("not a database\n")
    plain = sqlite3.connect(tmp_path / "other.sqlite3")
    plain.execute("CREATE TABLE t (x)")
    plain.close()
    for stranger in ("notes.txt", "other.sqlite3"):
        refused = crm_bot("restore", stranger, db=live)
        assert refused.returncode == 2 and words[1] in refused.stderr

    before = dump(tmp_path / "live.sqlite3")
    full = crm_bot("restore", "b.sqlite3", db=live)
    assert full.returncode == 2 and words[2] in full.stderr and "--force" in full.stderr
    assert "customer" in full.stderr  # which tables hold data
    again = crm_bot("backup", "b.sqlite3", db=live)
    assert again.returncode == 2 and "--force" in again.stderr
    assert dump(tmp_path / "live.sqlite3") == before
    for done in (missing, full, again):
        assert "Traceback" not in done.stderr and done.stdout == ""

    forced = crm_bot("restore", "b.sqlite3", "--force", db=live)
    assert forced.returncode == 0 and dump(tmp_path / "live.sqlite3") == before


def test_an_upgraded_empty_database_takes_a_restore(crm_bot, tmp_path: Path) -> None:
    """``db upgrade`` writes the default pipeline (and its audit rows): not data to protect."""
    live = seeded(crm_bot, tmp_path)
    assert crm_bot("backup", "b.sqlite3", db=live).returncode == 0
    empty = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    assert crm_bot("db", "upgrade", db=empty).returncode == 0
    done = crm_bot("restore", "b.sqlite3", db=empty)
    assert done.returncode == 0, done.stderr
    assert dump(tmp_path / "empty.sqlite3") == dump(tmp_path / "live.sqlite3")


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_on_postgresql_the_commands_point_to_pg_dump(crm_bot, command: str) -> None:
    url = "postgresql+psycopg://crm:s3cret-pass@db.example:5432/crm"
    done = crm_bot(command, "crm.dump", db=url)
    assert done.returncode == 2
    assert "pg_dump --format=custom --file=crm.dump postgresql://crm@db.example:5432/crm" in (
        done.stderr
    )
    assert (
        "pg_restore --clean --if-exists --no-owner --dbname=postgresql://crm@db.example:5432/crm"
        " crm.dump"
    ) in done.stderr
    assert "s3cret" not in done.stderr + done.stdout and "PGPASSWORD" in done.stderr
