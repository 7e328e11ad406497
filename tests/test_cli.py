"""The public CLI contract, run as a real process: console (interactive and --jsonl), demo
seeding rules, ``rep add|list`` and ``db upgrade``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from storage import migrate


def run(
    cwd: Path, *args: str, stdin: str = "", db: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRM_", "TELEGRAM_", "SLACK_"))}
    env["CRM_LANGUAGE"] = "en"
    if db:
        env["CRM_DATABASE_URL"] = db
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def jsonl(cwd: Path, lines: list[str], *args: str, db: str | None = None) -> list[dict]:
    done = run(cwd, "console", "--jsonl", *args, stdin="\n".join(lines) + "\n", db=db)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_jsonl_contract_on_the_embedded_demo_database(tmp_path: Path) -> None:
    out = jsonl(tmp_path, ["/find ugur ozmen", "", "/find mehmet yildirim", "/nonsense"])
    assert [o["input"] for o in out] == [1, 3, 4]
    for o in out:
        assert set(o) == {"input", "text", "card", "choices", "buttons", "attachments"}
    card = out[0]["card"]
    assert card["kind"] == "customer" and card["title"] == "Uğur Özmen"
    assert set(card) == {"kind", "id", "title", "fields"}
    assert ["Phone", "+905321112233"] in card["fields"]
    assert all(set(b) == {"label", "command"} for b in out[0]["buttons"])
    homonyms = out[1]["choices"]
    assert len(homonyms) == 2 and "Ankara" in homonyms[0]["label"]
    assert homonyms[0]["command"].startswith("/customer #")
    assert out[2]["text"].startswith("I don't know")
    assert (tmp_path / "crm.sqlite3").exists()


def test_embedded_database_is_seeded_once_and_keeps_data(tmp_path: Path) -> None:
    jsonl(tmp_path, ["/customer add Zeytin Dalı Kooperatifi"])
    again = jsonl(tmp_path, ["/find zeytin dali", "/find mehmet yildirim"])
    assert again[0]["card"]["title"] == "Zeytin Dalı Kooperatifi"
    assert len(again[1]["choices"]) == 2  # the demo's two namesakes, not four


def test_named_database_needs_upgrade_and_gets_no_demo(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'named.sqlite3'}"
    refused = run(tmp_path, "console", "--jsonl", db=db)
    assert refused.returncode == 2 and "crm-bot db upgrade" in refused.stderr
    upgraded = run(tmp_path, "db", "upgrade", db=db)
    assert upgraded.returncode == 0 and f"revision {migrate.head()}." in upgraded.stdout
    no_reps = run(tmp_path, "console", "--jsonl", db=db)
    assert no_reps.returncode == 2 and "No reps yet" in no_reps.stderr
    added = run(
        tmp_path,
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
    out = jsonl(tmp_path, ["/find ugur", "/yardim find"], db=db)
    assert out[0]["text"] == '"ugur" ile eşleşen müşteri yok.'
    assert out[1]["text"].startswith("/find — müşteri bulur")


def test_rep_add_and_list(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'reps.sqlite3'}"
    assert run(tmp_path, "db", "upgrade", db=db).returncode == 0
    boss = run(tmp_path, "rep", "add", "Elif Şahin", "--role", "manager", db=db)
    assert boss.returncode == 0
    rep = run(
        tmp_path,
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
    assert run(tmp_path, "rep", "add", "Can Demir", db=db).returncode == 2
    bad_tz = run(tmp_path, "rep", "add", "X", "--timezone", "Mars/Olympus", db=db)
    assert bad_tz.returncode == 2 and "Unknown timezone" in bad_tz.stderr
    no_boss = run(tmp_path, "rep", "add", "Y", "--manager", "Nobody", db=db)
    assert no_boss.returncode == 2 and "no rep named" in no_boss.stderr
    rows = [line.split("\t") for line in run(tmp_path, "rep", "list", db=db).stdout.splitlines()]
    assert [r[1] for r in rows] == ["Can Demir", "Elif Şahin"]
    assert rows[0][2:5] == ["rep", "Elif Şahin", "slack U123ABC"]


@pytest.mark.parametrize("who", ["Ayşe Yılmaz", None])
def test_interactive_console_runs_a_numbered_button(tmp_path: Path, who: str | None) -> None:
    args = ["console", "--as", who] if who else ["console"]
    done = run(tmp_path, *args, stdin="/find mehmet yildirim\n2\nquit\n")
    assert done.returncode == 0, done.stderr
    assert "[1] Mehmet Yıldırım · Ankara" in done.stdout
    assert "│ Şehir: İzmir" in done.stdout if who else "│ City: İzmir" in done.stdout
    assert done.stdout.rstrip().endswith("Hoşça kalın." if who else "Bye.")


def test_console_as_unknown_rep(tmp_path: Path) -> None:
    done = run(tmp_path, "console", "--as", "Nobody")
    assert done.returncode == 2 and 'no rep named "Nobody"' in done.stderr
