#!/usr/bin/env python3
"""Quick start with nothing but Python 3.11+: ``python3 dev.py run`` and ``python3 dev.py test``.

Each command first makes sure ``.venv`` exists and holds this project and its dependencies
(re-installing only when pyproject.toml changed), then runs inside it:

    run   [crm-bot args]   the bot; with no tokens configured, the console on the demo database
    test  [pytest args]    lint (ruff, the layer contracts) and the whole test suite
    bench [name]           the benchmarks under bench/ (slow; not part of the tests)
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"


def ensure_venv() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script runs before the venv exists
        sys.exit("Python 3.11 or newer is needed.")
    if not (BIN / "python").exists() and not (BIN / "python.exe").exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    pip = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "install", "-e", f"{ROOT}[dev]"], check=True)
    STAMP.write_text(wanted)


def run(*cmd: str) -> int:
    return subprocess.run(list(cmd), cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "bench"}:
        print(__doc__)
        return 2
    ensure_venv()
    what, rest = argv[0], argv[1:]
    python = str(BIN / "python")
    if what == "run":
        return run(str(BIN / "crm-bot"), *rest)
    if what == "test":
        for check in (
            [python, "-m", "ruff", "format", "--check", "."],
            [python, "-m", "ruff", "check", "."],
            [str(BIN / "lint-imports")],  # the layer contracts in pyproject.toml
        ):
            if code := run(*check):
                return code
        return run(python, "-m", "pytest", *rest)
    names = rest or sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))
    for name in names:
        if code := run(python, str(ROOT / "bench" / f"{name.removesuffix('.py')}.py")):
            return code
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
