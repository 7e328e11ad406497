"""What a burst over several processes left behind, checked after the fact.

Why apart from ``bench_burst_processes.py``: answer times say how fast, these say whether the
replicas behaved as one — the database holds one claim per delivery and one interaction per
``/log`` message however many processes a delivery reached, and one chat's messages ran in
their order (or, across processes, how often they did not) — plus the server's own CPU, which
no client process's ``process_time`` includes.
"""

from __future__ import annotations

import os
from collections import defaultdict
from itertools import pairwise
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text

from storage.models import Interaction, ProcessedEvent


def kept_once(url: str, tag: str, keys: set[str], log_keys: set[str]) -> dict[str, int]:
    """Claims of this run's deliveries, and its ``/log`` messages stored (once each?)."""
    claims: Any = ProcessedEvent.__table__
    stored: Any = Interaction.__table__
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            claimed = set(conn.execute(
                select(claims.c.key).where(claims.c.key.like(f"{tag}-%"))
            ).scalars())  # fmt: skip
            per_message = dict(list(conn.execute(
                select(stored.c.source_message_id, func.count())
                .where(stored.c.source_message_id.like(f"{tag}-%"))
                .group_by(stored.c.source_message_id)
            ).tuples()))  # fmt: skip
    finally:
        engine.dispose()
    return {
        "claims": len(claimed),
        "claims_unknown": len(claimed - keys),
        "logs_sent": len(log_keys),
        "logs_stored": len(per_message.keys() & log_keys),
        "logs_twice": sum(1 for c in per_message.values() if c > 1),
    }


def order_across(answered: list[dict[str, Any]]) -> dict[str, int]:
    """One chat's consecutive messages (in sending order): how many pairs ran in different
    processes, and of those how many started out of order or overlapped the one before.
    Within one process the chat-ordered pool must run a chat's messages one after another in
    the order they arrived (``due``; a retry arrives later than its message): counted too."""
    chats: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for done in answered:
        chats[done["rep"]].append(done)
    pairs = inverted = overlapped = same_inverted = 0
    for runs in chats.values():
        runs.sort(key=lambda d: d["seq"])
        for before, after in pairwise(runs):
            if before["process"] != after["process"]:
                pairs += 1
                inverted += after["began"] < before["began"]
                overlapped += before["began"] <= after["began"] < before["ended"]
        for process in {d["process"] for d in runs}:
            arrived = sorted((d for d in runs if d["process"] == process), key=lambda d: d["due"])
            for before, after in pairwise(arrived):
                same_inverted += after["began"] < before["ended"]
    return {
        "pairs": pairs,
        "inverted": inverted,
        "overlapped": overlapped,
        "same_process_inverted": same_inverted,
    }


def _cpu_s(pid: int) -> float | None:
    """utime + stime of a process, from ``/proc`` (None when it is gone or elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pg_backend_cpu(url: str, since: dict[str, Any] | None = None) -> dict[str, Any]:
    """The CPU of the server processes serving clients of this database; with ``since``,
    spent since that reading (a backend that connected in between counts from its start).
    Autovacuum's workers are left out: a bench's own load wakes them, and counted with the
    clients they made a burst's commands look 3x dearer. Only meaningful when the server
    runs on this machine: otherwise ``cpu_s`` is None."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            pids = list(conn.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )).scalars())  # fmt: skip
    finally:
        engine.dispose()
    now = {pid: cpu for pid in pids if (cpu := _cpu_s(pid)) is not None}
    if not now:
        return {"pids": {}, "cpu_s": None, "backends": 0}
    before = (since or {}).get("pids", {})
    spent = sum(cpu - before.get(pid, 0.0) for pid, cpu in now.items())
    return {"pids": now, "cpu_s": spent if since is not None else None, "backends": len(now)}
