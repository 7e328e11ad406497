#!/usr/bin/env python3
"""Quick start with nothing but Python 3.11+: ``python3 dev.py run`` and ``python3 dev.py test``.

Each command first makes sure ``.venv`` exists and holds this project and its dependencies
(re-installing only when pyproject.toml changed), then runs inside it:

    run    [crm-bot args]  the bot; with no tokens configured, the console on the demo database
    test   [pytest args]   lint (ruff, the layer contracts) and the whole test suite
    clocks [pytest args]   the whole suite again under each moved wall clock in CLOCKS
    postgres [pytest args] the whole suite on a throwaway PostgreSQL server of its own
    ci                     what .ci/run runs: lint, then the suite on PostgreSQL and on
                           SQLite, each under a moved clock, and as `test` runs it, side
                           by side
    bench  [name]          the benchmarks under bench/ (slow; not part of the tests)

The PostgreSQL server is started in a temporary folder on a free port and stopped and removed
afterwards, whatever happens. Its binaries are the system's (``pg_config --bindir``, or the
newest /usr/lib/postgresql/*/bin) when present, else the ``pgserver`` wheel's, installed into
.venv on first use (CRM_TEST_POSTGRES=pgserver chooses it even when the system has its own).
When neither can start a server, the command fails and says so: it is never skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"

# Hostile moments for the suite (tests/conftest.py moves the wall clock there and lets it run
# on), each with the process's own timezone: no test may depend on today's date, weekday,
# DST state or year. Turkey has no DST; reps abroad do. CI runs PostgreSQL at the first and
# SQLite at the other two, plus one SQLite run with the clock unmoved, exactly as README's
# ``dev.py test`` runs it; four runs on 2 cores stay well under CI's 15 minutes. 29 February
# had a run of its own until the suite outgrew the budget; the year rollover below runs into
# a leap year.
CLOCKS = (
    ("2026-10-25T02:59:30+02:00", "Europe/Berlin"),  # the autumn night, 02:00-03:00 twice (Sunday)
    ("2027-03-28T01:59:30+01:00", "Europe/Berlin"),  # the spring-forward night (a Sunday)
    ("2031-12-31T23:59:30+03:00", "Europe/Istanbul"),  # New Year's Eve into a leap year
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
    subprocess.run([*pip, "install", "-e", f"{ROOT}[dev,postgres]"], check=True)
    STAMP.write_text(wanted)


def run(*cmd: str, env: dict[str, str] | None = None) -> int:
    return subprocess.run(list(cmd), cwd=ROOT, env=env).returncode


def side_by_side(python: str, jobs: list[tuple[str, dict[str, str]]], rest: list[str]) -> int:
    """Each job (a title and the environment it adds) runs the suite in a process of its own,
    as many at once as there are cores: each run is single-threaded, and CI must stay well
    under its 15 minutes. Jobs start in the order given (the longest first keeps the cores
    busy to the end); a run's output is printed whole when it ends; the first failure's code
    is returned."""
    width = max(1, min(len(jobs), os.cpu_count() or 1))
    pending = list(jobs)
    running: list[tuple[str, subprocess.Popen[bytes], Any]] = []
    code = 0
    with contextlib.ExitStack() as files:
        while pending or running:
            while pending and len(running) < width:
                title, extra = pending.pop(0)
                out = files.enter_context(tempfile.TemporaryFile())
                proc = subprocess.Popen([python, "-m", "pytest", *rest], cwd=ROOT,
                                        env={**os.environ, **extra}, stdout=out,
                                        stderr=subprocess.STDOUT)  # fmt: skip
                running.append((title, proc, out))
            finished = next((r for r in running if r[1].poll() is not None), None)
            if finished is None:
                time.sleep(0.5)  # dev.py's own wait, not a test's
                continue
            running.remove(finished)
            title, proc, out = finished
            out.seek(0)
            print(f"== the suite {title}", flush=True)
            sys.stdout.buffer.write(out.read())
            sys.stdout.flush()
            code = code or proc.returncode
    return code


def moved_clocks() -> list[tuple[str, dict[str, str]]]:
    return [(f"at {moment} ({tz})", {"CRM_TEST_CLOCK": moment, "TZ": tz}) for moment, tz in CLOCKS]


def postgres_bindir() -> Path | None:
    """The system's PostgreSQL binaries, if it has them."""
    candidates = []
    if pg_config := shutil.which("pg_config"):
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        candidates.append(Path(found.stdout.strip()))
    installed = Path("/usr/lib/postgresql").glob("*/bin")
    candidates += sorted(installed, key=lambda p: int("0" + p.parent.name.split(".")[0]))[::-1]
    return next(
        (c for c in candidates if (c / "initdb").exists() and (c / "pg_ctl").exists()), None
    )


@contextlib.contextmanager
def system_postgres(bindir: Path) -> Iterator[str]:
    """initdb and pg_ctl in a temporary folder, on a free port of 127.0.0.1 (and a socket in
    the folder); as root, run as ``nobody``, since PostgreSQL refuses to run as root. Durability
    is off (fsync and friends): the data dies with the run."""
    folder = Path(tempfile.mkdtemp(prefix="crm-postgres-"))
    data, log = folder / "data", folder / "log"
    as_user: dict[str, Any] = {}
    if os.name != "nt" and os.geteuid() == 0:
        as_user = {"user": "nobody", "group": "nogroup"}
        shutil.chown(folder, "nobody", "nogroup")
    quiet: dict[str, Any] = {"stdout": subprocess.DEVNULL, "check": True, **as_user}
    with socket.socket() as probe:  # a port free now: the server takes it a moment later
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off")  # fmt: skip
    try:
        subprocess.run([bindir / "initdb", "-D", data, "-U", "postgres", "-A", "trust",
                        "-E", "UTF8", "--locale=C.UTF-8"], **quiet)  # fmt: skip
        subprocess.run([bindir / "pg_ctl", "-D", data, "-l", log, "-w", "-o", options, "start"],
                       **quiet)  # fmt: skip
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/crmtest"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [bindir / "pg_ctl", "-D", data, "-m", "immediate", "stop"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                **as_user,
            )
        shutil.rmtree(folder, ignore_errors=True)


# Runs in .venv: keeps a pgserver server for as long as its standard input stays open, so the
# server goes with it even if dev.py is killed. pgserver runs PostgreSQL as a user of its own
# when started as root.
PGSERVER_HOLDER = """
import sys, tempfile, pgserver
with pgserver.get_server(tempfile.mkdtemp(prefix="crm-pgserver-"), cleanup_mode="delete") as s:
    print(s.get_uri("crmtest"), flush=True)
    sys.stdin.read()
"""


@contextlib.contextmanager
def wheel_postgres() -> Iterator[str]:
    pip = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "pgserver>=0.1.4"], check=True)
    holder = subprocess.Popen([str(BIN / "python"), "-c", PGSERVER_HOLDER], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert holder.stdin is not None and holder.stdout is not None
    try:
        uri = holder.stdout.readline().strip()
        if not uri.startswith("postgresql://"):
            raise RuntimeError("pgserver did not start a server")
        yield uri.replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        holder.stdin.close()
        holder.wait()


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    """A throwaway server's URL for CRM_TEST_DATABASE_URL, or exit with why there is none."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the server is removed
    bindir = None if os.environ.get("CRM_TEST_POSTGRES") == "pgserver" else postgres_bindir()
    try:
        server = system_postgres(bindir) if bindir else wheel_postgres()
        url = server.__enter__()
    except (OSError, RuntimeError, subprocess.CalledProcessError) as failure:
        sys.exit(
            f"No PostgreSQL server could be started ({failure}); the suite must run on "
            "one. Install the system's postgresql package, or let pip install pgserver."
        )
    try:
        yield url
    finally:
        server.__exit__(None, None, None)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "clocks", "postgres", "ci", "bench"}:
        print(__doc__)
        return 2
    ensure_venv()
    what, rest = argv[0], argv[1:]
    python = str(BIN / "python")
    if what == "run":
        return run(str(BIN / "crm-bot"), *rest)
    if what in ("test", "ci"):
        for check in (
            [python, "-m", "ruff", "format", "--check", "."],
            [python, "-m", "ruff", "check", "."],
            [str(BIN / "lint-imports")],  # the layer contracts in pyproject.toml
        ):
            if code := run(*check):
                return code
    if what == "test":
        return run(python, "-m", "pytest", *rest)
    if what == "clocks":
        return side_by_side(python, moved_clocks(), rest)
    if what == "postgres":
        with postgres() as url:
            return side_by_side(python, [("on PostgreSQL", {"CRM_TEST_DATABASE_URL": url})], rest)
    if what == "ci":  # PostgreSQL first: the longest run
        with postgres() as url:
            [(when, moved), *others] = moved_clocks()
            on_postgres = (f"on PostgreSQL {when}", {"CRM_TEST_DATABASE_URL": url, **moved})
            as_readme_says = ("as `dev.py test` runs it (the clock unmoved)", {})
            return side_by_side(python, [on_postgres, *others, as_readme_says], rest)
    names = rest or sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))
    for name in names:
        if code := run(python, str(ROOT / "bench" / f"{name.removesuffix('.py')}.py")):
            return code
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
