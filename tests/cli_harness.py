"""``crm-bot`` run in this process, as ``main(argv)``: its own environment, directory and
standard streams, for the CLI tests."""

from __future__ import annotations

import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def crm_bot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture):
    """``crm-bot ARGS`` in a clean environment, in ``tmp_path``, with ``stdin`` typed in."""
    for name in list(os.environ):
        if name.startswith(("CRM_", "TELEGRAM_", "SLACK_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CRM_LANGUAGE", "en")
    monkeypatch.chdir(tmp_path)

    def run(*args: str, stdin: str = "", db: str | None = None) -> Done:
        if db:
            monkeypatch.setenv("CRM_DATABASE_URL", db)
        else:
            monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(list(args))
        out, err = capsys.readouterr()
        return Done(code, out, err)

    return run
