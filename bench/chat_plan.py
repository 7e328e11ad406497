"""The chat commands ``bench_dispatch.py`` sends, and how each reply is judged.

Why judge replies in a speed benchmark: a /find that got faster by resolving less, or a /log
that files a call under the wrong customer, must not pass as an improvement. Every command
carries the customer it was written for, so the reply can be checked against it.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from bulkload import SUMMARIES
from names import CustomerRecord, local_phone
from variants import with_typo

from handlers.kit import Reply

FIND_MIX = (("find exact", 0.4), ("find typo", 0.3), ("find phone", 0.3))


@dataclass(frozen=True, slots=True)
class Command:
    kind: str  # find exact | find typo | find phone | log #id | log name
    text: str
    target: int  # customer id the command was written for
    summary: str = ""  # what a /log should store
    message_id: str | None = None


def plan(
    records: list[CustomerRecord], keys: list[str], finds: int, logs: int, rng: random.Random
) -> tuple[Command, list[Command]]:
    """A warm-up /find, then ``finds`` /find and ``logs`` /log commands shuffled together."""
    counts = Counter(keys)
    unique_ids = [i + 1 for i, key in enumerate(keys) if counts[key] == 1]
    with_phone = [i + 1 for i, r in enumerate(records) if r.phone]
    commands: list[Command] = []
    kinds = rng.choices([k for k, _ in FIND_MIX], weights=[w for _, w in FIND_MIX], k=finds)
    for kind in kinds:
        if kind == "find phone":
            target = rng.choice(with_phone)
            phone = records[target - 1].phone or ""
            commands.append(Command(kind, f"/find {local_phone(phone)}", target))
            continue
        target = rng.randrange(1, len(records) + 1)
        name = records[target - 1].name
        if kind == "find typo":
            name = with_typo(name, rng)
        else:
            kind += " (unique)" if counts[keys[target - 1]] == 1 else " (namesakes)"
        commands.append(Command(kind, f"/find {name}", target))
    for i in range(logs):
        summary = rng.choice(SUMMARIES)
        if i % 2 == 0:
            target = rng.randrange(1, len(records) + 1)
            ref, kind = f"#{target}", "log #id"
        else:
            target = rng.choice(unique_ids)
            ref, kind = records[target - 1].name, "log name"
        text = f"/log call {ref} {summary}"
        commands.append(Command(kind, text, target, summary, f"bench-{i}"))
    rng.shuffle(commands)
    warm = rng.choice(unique_ids)
    warmup = Command("find exact (unique)", f"/find {records[warm - 1].name}", warm)
    return warmup, commands


def shape(replies: list[Reply]) -> str:
    """What came back: a card, a choice list, or plain text (not found, usage, error)."""
    if len(replies) != 1:
        return f"{len(replies)} replies"
    reply = replies[0]
    if reply.card is not None:
        return "card"
    if reply.choices:
        return "choices"
    return "text"


def shown_ids(reply: Reply) -> list[int]:
    """Customer ids on the card or behind the choices (each choice re-runs a "#id" command)."""
    ids = [reply.card.id] if reply.card is not None else []
    for choice in reply.choices:
        ids += [int(w[1:]) for w in choice.command.split() if w[:1] == "#" and w[1:].isdigit()]
    return ids


@dataclass
class Verdicts:
    """Per command kind: how many replies of each shape, and which were wrong."""

    shapes: dict[str, Counter[str]] = field(default_factory=dict)
    good: Counter[str] = field(default_factory=Counter)
    problems: dict[str, list[str]] = field(default_factory=dict)

    def judge(self, cmd: Command, replies: list[Reply], names: list[str], keys: list[str]) -> None:
        """Namesakes share a name key; the bot cannot tell them apart, so any of them will do
        where only a choice list can be right, and only the intended one where a card can."""
        kind_shape = shape(replies)
        self.shapes.setdefault(cmd.kind, Counter())[kind_shape] += 1
        reply = replies[0] if replies else Reply("")
        target_name, target_key = names[cmd.target - 1], keys[cmd.target - 1]
        shown = shown_ids(reply)
        if cmd.kind.startswith("log"):
            ok = reply.text.startswith("Logged") and reply.text.endswith(f"· {target_name}")
        elif cmd.kind in ("find exact (unique)", "find phone"):
            ok = reply.card is not None and reply.card.id == cmd.target
        elif cmd.kind == "find exact (namesakes)":  # a choice list, namesakes ranked first
            same = [keys[i - 1] == target_key for i in shown]
            ok = reply.card is None and any(same) and same == sorted(same, reverse=True)
        else:  # typo: a card of the intended one, or it or a namesake among the choices
            ok = (
                (reply.card.id == cmd.target)
                if reply.card is not None
                else any(keys[i - 1] == target_key for i in shown)
            )
        if ok:
            self.good[cmd.kind] += 1
        else:
            first_line = reply.text.splitlines()[0] if reply.text else "(no reply)"
            what = f"{kind_shape}: {first_line} " + ", ".join(
                f"#{i} {names[i - 1]}" for i in shown[:3]
            )
            self.problems.setdefault(cmd.kind, []).append(
                f"{cmd.text!r} (meant #{cmd.target} {target_name}) -> {what}"
            )
