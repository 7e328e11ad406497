"""The dispatcher's rate limit: each command counted in its rep's minute, and which limit, if
any, it passes (``storage.chat.rates`` keeps the counts).

Apart from the dispatcher because a command's count has three sources, by engine and kind: on
PostgreSQL a typed read was counted by the statement that claimed its delivery
(``deliveries.claimed_rep``), a typed write is counted by the statement that ends the chat's
flow (``rates.count_ending_flow``), and anything else by ``rates.count``.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from handlers.kit.settings import Settings
from storage.chat import rates


def limited(settings: Settings) -> bool:
    """Is any limit set (0 is none)?"""
    return bool(settings.crm_rate_commands_per_minute or settings.crm_rate_writes_per_minute)


def count(
    session: Session,
    settings: Settings,
    rep_id: int,
    writes: bool,
    now: datetime,
    ending: tuple[str, str, str] | None,
    counted: tuple[int, int] | None = None,
) -> tuple[str | None, bool | None]:
    """Count the command: the catalog key of the limit it passes, if it does, and for a write
    that ends the chat's flow (``ending``: where) whether that flow was a question, or None
    when it was not ended here (on PostgreSQL the count ends it, within the limits, in the
    same statement). ``counted``: the minute's totals when the command was counted already."""
    if not limited(settings):
        return None, None
    limits = (settings.crm_rate_commands_per_minute, settings.crm_rate_writes_per_minute)
    if counted is not None:
        commands, written, ended = *counted, None
    elif ending and (both := rates.count_ending_flow(session, rep_id, now, ending, limits)):
        commands, written, ended = both
    else:
        commands, written, ended = *rates.count(session, rep_id, now, writes), None
    # A limit of 0 is no limit: "or commands" makes that comparison false.
    if commands > (limits[0] or commands):
        return "rate.commands", None
    if writes and written > (limits[1] or written):
        return "rate.writes", None
    return None, ended
