"""Dates in commands: the reader of ``handlers.when`` applied to a rep, in their timezone.

What a command does with a date lives here: a due date is the last date in the text, the rest
is the title exactly as typed; a reading with two plausible dates (English "5/12") is never
guessed but asked, with both as buttons that re-run the command with the date spelt out.
"""

from __future__ import annotations

from datetime import datetime

from handlers.kit import Abort, Button, Context, Reply
from handlers.kit.timing import read_hhmm
from handlers.when import Calendar, Reading, find, without
from handlers.when.atoms import tokens


def working_day(ctx: Context) -> Calendar:
    """The working day the settings give: "sabah" is its start, a bare day its end."""
    settings = ctx.services.settings
    start, end = read_hhmm(settings.crm_workday_start), read_hhmm(settings.crm_workday_end)
    return Calendar(start or Calendar.start, end or Calendar.end)


def read(ctx: Context, text: str, *, past: bool = False, durations: bool = False) -> Reading | None:
    """The last date in ``text`` as the rep means it, or None."""
    return find(
        text,
        ctx.now,
        ctx.tz,
        english=ctx.t.language == "en",
        work=working_day(ctx),
        past=past,
        durations=durations,
    )


def read_all(
    ctx: Context, text: str, *, past: bool = False, durations: bool = False
) -> Reading | None:
    """A date that is the whole of ``text`` (an answer to "when?"), or None."""
    reading = read(ctx, text, past=past, durations=durations)
    if reading is None or reading.first != 0 or reading.last != len(tokens(text)) - 1:
        return None
    return reading


def split(ctx: Context, text: str, **options: bool) -> tuple[str, Reading] | None:
    """(the text without its last date, that date), or None when there is no date."""
    reading = read(ctx, text, **options)
    return None if reading is None else (without(text, reading), reading)


def spelt(ctx: Context, moment: datetime) -> str:
    """A moment written so the reader takes it one way only: "2026-05-12 18:00"."""
    return f"{moment.astimezone(ctx.tz):%Y-%m-%d %H:%M}"


def settle(ctx: Context, text: str, reading: Reading, again: str) -> datetime:
    """The moment of ``reading``; when it has alternatives, ask with one button for each.

    ``again`` is the command to re-run, with ``{text}`` where ``text`` goes; each button
    re-runs it with the date written out, so the answer is never ambiguous in turn.
    """
    if not reading.alternatives:
        return reading.at
    tokens_ = tokens(text)
    start, end = tokens_[reading.first][1], tokens_[reading.last][2]
    buttons = [
        Button(
            ctx.t.when(moment, ctx.tz),
            again.replace("{text}", f"{text[:start]}{spelt(ctx, moment)}{text[end:]}"),
        )
        for moment in (reading.at, *reading.alternatives)
    ]
    raise Abort(Reply(ctx.t("when.which", text=text[start:end]), buttons=buttons))
