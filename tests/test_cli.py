"""The public CLI contract: console (interactive and --jsonl), demo seeding rules,
``rep add|list`` and ``db upgrade``.

``main(argv)`` runs in this process, as ``crm-bot`` would, with its own environment, working
directory and standard streams; one smoke test at the end runs the real ``crm-bot`` process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from storage import migrate
from storage.db import Database
from storage.models import Stage


def jsonl(crm_bot, lines: list[str], *args: str, db: str | None = None) -> list[dict]:
    done = crm_bot("console", "--jsonl", *args, stdin="\n".join(lines) + "\n", db=db)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_jsonl_contract_on_the_embedded_demo_database(crm_bot, tmp_path: Path) -> None:
    out = jsonl(crm_bot, ["/find ugur ozmen", "", "/find mehmet yildirim", "/nonsense"])
    assert [o["input"] for o in out] == [1, 3, 4]
    for o in out:
        assert set(o) == {"input", "text", "card", "choices", "buttons", "attachments"}
    card = out[0]["card"]
    assert card["kind"] == "customer" and card["title"] == "Uğur Özmen"
    assert set(card) == {"kind", "id", "title", "fields"}
    assert ["Phone", "0532 111 22 33"] in card["fields"]
    assert all(set(b) == {"label", "command"} for b in out[0]["buttons"])
    homonyms = out[1]["choices"]
    assert len(homonyms) == 2 and "Ankara" in homonyms[0]["label"]
    assert homonyms[0]["command"].startswith("/customer #")
    assert out[2]["text"].startswith("I don't know")
    assert (tmp_path / "crm.sqlite3").exists()


def test_embedded_database_is_seeded_once_and_keeps_data(crm_bot) -> None:
    jsonl(crm_bot, ["/customer add Zeytin Dalı Kooperatifi"])
    again = jsonl(crm_bot, ["/find zeytin dali", "/find mehmet yildirim"])
    assert again[0]["card"]["title"] == "Zeytin Dalı Kooperatifi"
    assert len(again[1]["choices"]) == 2  # the demo's two namesakes, not four


def test_named_database_needs_upgrade_and_gets_no_demo(crm_bot, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'named.sqlite3'}"
    refused = crm_bot("console", "--jsonl", db=db)
    assert refused.returncode == 2 and "crm-bot db upgrade" in refused.stderr
    upgraded = crm_bot("db", "upgrade", db=db)
    assert upgraded.returncode == 0 and f"revision {migrate.head()}." in upgraded.stdout
    stored = Database(db)  # the stages exist: no read-only command will have to create them
    with stored.session() as session:
        assert [s.name for s in session.exec(select(Stage))][-2:] == ["Won", "Lost"]
    stored.dispose()
    no_reps = crm_bot("console", "--jsonl", db=db)
    assert no_reps.returncode == 2 and "No reps yet" in no_reps.stderr
    added = crm_bot(
        "rep",
        "add",
        "Zeynep Kaya",
        "--role",
        "admin",
        "--telegram-id",
        "123456789",
        "--language",
        "tr",
        db=db,
    )
    assert added.returncode == 0 and "Zeynep Kaya" in added.stdout
    out = jsonl(crm_bot, ["/find ugur", "/yardim find"], db=db)
    assert out[0]["text"] == '"ugur" ile eşleşen müşteri yok.'
    assert out[1]["text"].startswith("/find — müşteri bulur")


def test_rep_add_and_list(crm_bot, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'reps.sqlite3'}"
    assert crm_bot("db", "upgrade", db=db).returncode == 0
    boss = crm_bot("rep", "add", "Elif Şahin", "--role", "manager", db=db)
    assert boss.returncode == 0
    rep = crm_bot(
        "rep",
        "add",
        "Can Demir",
        "--manager",
        "Elif Şahin",
        "--slack-id",
        "U123ABC",
        "--timezone",
        "Europe/Istanbul",
        db=db,
    )
    assert rep.returncode == 0
    assert crm_bot("rep", "add", "Can Demir", db=db).returncode == 2
    bad_tz = crm_bot("rep", "add", "X", "--timezone", "Mars/Olympus", db=db)
    assert bad_tz.returncode == 2 and "Unknown timezone" in bad_tz.stderr
    no_boss = crm_bot("rep", "add", "Y", "--manager", "Nobody", db=db)
    assert no_boss.returncode == 2 and "no rep named" in no_boss.stderr
    rows = [line.split("\t") for line in crm_bot("rep", "list", db=db).stdout.splitlines()]
    assert [r[1] for r in rows] == ["Can Demir", "Elif Şahin"]
    assert rows[0][2:5] == ["rep", "Elif Şahin", "slack U123ABC"]


@pytest.mark.parametrize("who", ["Ayşe Yılmaz", None])
def test_interactive_console_runs_a_numbered_button(crm_bot, who: str | None) -> None:
    args = ["console", "--as", who] if who else ["console"]
    done = crm_bot(*args, stdin="/find mehmet yildirim\n2\nquit\n")
    assert done.returncode == 0, done.stderr
    assert "[1] Mehmet Yıldırım · Ankara" in done.stdout
    assert "│ Şehir: İzmir" in done.stdout if who else "│ City: İzmir" in done.stdout
    assert done.stdout.rstrip().endswith("Hoşça kalın." if who else "Bye.")


def test_console_as_unknown_rep(crm_bot) -> None:
    done = crm_bot("console", "--as", "Nobody")
    assert done.returncode == 2 and 'no rep named "Nobody"' in done.stderr


def test_the_real_process_starts_answers_and_quits_quietly(tmp_path: Path) -> None:
    """``crm-bot`` as users start it: demo database, scheduler, console, "quit"."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRM_", "TELEGRAM_", "SLACK_"))}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli"],
        input="/find ugur ozmen\nquit\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "CRM_LANGUAGE": "en"},
        timeout=120,
    )
    assert done.returncode == 0
    assert "┌ Uğur Özmen (#" in done.stdout
    assert done.stdout.rstrip().endswith("Bye.")
    assert done.stderr == ""
