#!/usr/bin/env python3
"""Quick start with nothing but Python 3.11+: ``python3 dev.py run`` and ``python3 dev.py test``.

Each command first makes sure ``.venv`` exists and holds this project and its dependencies
(re-installing only when pyproject.toml changed), then runs inside it:

    run    [crm-bot args]  the bot; with no tokens configured, the console on the demo database
    test   [pytest args]   lint (ruff, the layer contracts) and the whole test suite
    clocks [pytest args]   the whole suite again under each moved wall clock in CLOCKS
    bench  [name]          the benchmarks under bench/ (slow; not part of the tests)

CI (.ci/run) runs ``test`` and then ``clocks``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"

# Hostile moments for the suite (tests/conftest.py moves the wall clock there and lets it run
# on), each with the process's own timezone: no test may depend on today's date, weekday,
# DST state or year. Turkey has no DST; reps abroad do.
CLOCKS = (
    ("2027-03-28T01:59:30+01:00", "Europe/Berlin"),  # the spring-forward night, mid-run
    ("2026-10-25T02:59:30+02:00", "Europe/Berlin"),  # the autumn night: 02:00-03:00 twice
    ("2028-02-29T12:00:00+03:00", "Europe/Istanbul"),  # 29 February
    ("2026-12-31T23:59:30+03:00", "Europe/Istanbul"),  # New Year's Eve, crossing midnight
    ("2026-11-29T10:00:00+03:00", "UTC"),  # a Sunday
)


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


def run(*cmd: str, env: dict[str, str] | None = None) -> int:
    return subprocess.run(list(cmd), cwd=ROOT, env=env).returncode


def clocks(python: str, rest: list[str]) -> int:
    """The suite under each moved clock, as many at once as there are cores: each run is one
    single-threaded process, and CI must stay well under its 15 minutes. A run's output is
    printed whole when it ends, in CLOCKS order; the first failure's code is returned."""
    width = max(1, min(len(CLOCKS), os.cpu_count() or 1))
    pending = list(CLOCKS)
    running: list[tuple[str, str, subprocess.Popen[bytes], Any]] = []
    code = 0
    with contextlib.ExitStack() as files:
        while pending or running:
            while pending and len(running) < width:
                moment, tz = pending.pop(0)
                out = files.enter_context(tempfile.TemporaryFile())
                env = {**os.environ, "CRM_TEST_CLOCK": moment, "TZ": tz}
                proc = subprocess.Popen([python, "-m", "pytest", *rest], cwd=ROOT, env=env,
                                        stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
                running.append((moment, tz, proc, out))
            moment, tz, proc, out = running.pop(0)
            returned = proc.wait()
            out.seek(0)
            print(f"== the suite at {moment} ({tz})", flush=True)
            sys.stdout.buffer.write(out.read())
            sys.stdout.flush()
            code = code or returned
    return code


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "clocks", "bench"}:
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
    if what == "clocks":
        return clocks(python, rest)
    names = rest or sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))
    for name in names:
        if code := run(python, str(ROOT / "bench" / f"{name.removesuffix('.py')}.py")):
            return code
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
