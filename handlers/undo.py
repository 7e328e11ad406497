"""/undo: take back the rep's last command (or last few), within 15 minutes, exactly.

Every write answer carries an [Undo] button for its own command (``/undo <id>``, the
dispatcher adds it); ``/undo`` alone takes back the rep's latest command, ``/undo 3`` the last
three, newest first, each whole or not at all (``storage.undo`` says when it refuses). Another
``/undo`` goes further back: an undo is not itself undone by it.
"""

from __future__ import annotations

from handlers.kit import Abort, Context, Reply, Usage, command
from storage import reps
from storage.folding import fold
from storage.undo import UndoRefused, recent, undo

MOST = 5  # commands one /undo takes back


def _asked(ctx: Context) -> list[str]:
    words = ctx.words
    if words and fold(words[0]) == "al":  # "/geri al": Turkish for "take back"
        words = words[1:]
    if not words:
        return recent(ctx.session, ctx.rep.id or 0, ctx.now, 1)
    if len(words) == 1 and words[0].isdigit() and len(words[0]) <= 2:
        count = int(words[0])
        if not 1 <= count <= MOST:
            raise Usage("undo.count", most=MOST)
        return recent(ctx.session, ctx.rep.id or 0, ctx.now, count)
    if len(words) == 1 and len(words[0]) == 8 and all(c in "0123456789abcdef" for c in words[0]):
        return [words[0]]
    raise Usage()


@command("undo", writes=True, aliases=("gerial", "geri"))
def take_back(ctx: Context) -> Reply:
    t = ctx.t
    commands = _asked(ctx)
    if not commands:
        return Reply(t("undo.nothing", minutes=15))
    mine = ctx.session.info["actor"].command
    reverted: list[str] = []
    for ref in commands:
        try:
            done = undo(ctx.session, ref, ctx.rep.id or 0, ctx.now, mine)
        except UndoRefused as refused:
            raise Abort(Reply(_why(ctx, refused))) from refused
        reverted += [f"{_what(ctx, entity)} #{record_id}" for entity, record_id in done.entities]
    listed = list(dict.fromkeys(reverted))
    return Reply(t.plural("undo.done", len(commands), what=t.join(listed)))


def _what(ctx: Context, entity: str) -> str:
    return ctx.t(f"history.part.{entity}") if entity in PARTS else entity


PARTS = ("customer", "deal", "task", "contact", "contactpoint", "interaction", "rep")


def _why(ctx: Context, refused: UndoRefused) -> str:
    values = dict(refused.values)
    if "entity" in values:
        values["entity"] = _what(ctx, values["entity"])
    if "by" in values:
        rep = reps.get(ctx.session, values["by"]) if values["by"] else None
        values["by"] = rep.name if rep else ctx.t("history.bot")
    return ctx.t(f"undo.refused.{refused.why}", **values) + " " + ctx.t("undo.nothing_saved")
