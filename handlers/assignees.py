"""Who a task is for, when it is not the rep who types it: marked explicitly, never guessed
from a name that could as well be a customer's. "@Ayşe" (anywhere), "for Ayşe Yılmaz" or
"Ayşe için" (at the end) and "Ayşe Yılmaz'a:" (at the start, with a colon) name a rep; any
other name in a task is read as a customer. Assigning to someone else is a change to their
records: the rep's scope decides (a manager for their team, an admin for all), and the
assignee is told.
"""

from __future__ import annotations

import re

from handlers.kit import Context
from handlers.refs import resolve_rep
from storage import reps
from storage.endings import strip_marked
from storage.folding import fold
from storage.models import Rep

_AT = re.compile(r"(?:^|\s)@(\S+)")
_FOR = re.compile(r"\sfor\s+((?:\S+\s*){1,3})$", re.IGNORECASE)
_ICIN = re.compile(r"\s+i[çc]in$", re.IGNORECASE)  # "Ayşe için": the name comes before
_LEADING = re.compile(r"^((?:[^\s:]+\s+){0,2}[^\s:]+):\s*")


def named_rep(ctx: Context, text: str) -> Rep | None:
    """The one active rep ``text`` names exactly: full name, or a first name no one shares."""
    wanted = fold(strip_marked(text).strip(" ,.;"))
    everyone = [r for r in reps.all_reps(ctx.session) if r.active]
    full = [r for r in everyone if fold(r.name) == wanted]
    first = [r for r in everyone if fold(r.name.split()[0]) == wanted]
    found = full or first
    return found[0] if len(found) == 1 else None


def assignee(ctx: Context, text: str) -> tuple[Rep | None, str]:
    """The rep a task's text assigns it to (None: the rep typing it), and the text without
    the marker, as typed."""
    if found := _AT.search(text):
        rep = named_rep(ctx, found.group(1)) or resolve_rep(
            ctx, found.group(1), ctx.again(_AT.sub(" @{ref}", text, count=1))
        )
        return rep, (text[: found.start()] + text[found.end() :]).strip()
    if (found := _FOR.search(text)) and (rep := named_rep(ctx, found.group(1))):
        return rep, text[: found.start()].strip()
    if found := _ICIN.search(text):
        words = text[: found.start()].split()
        for size in (3, 2, 1):
            if len(words) > size and (rep := named_rep(ctx, " ".join(words[-size:]))):
                return rep, " ".join(words[:-size])
    if (found := _LEADING.match(text)) and (rep := named_rep(ctx, found.group(1))):
        return rep, text[found.end() :].strip()
    return None, text
