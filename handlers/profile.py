"""The rep's own preferences."""

from __future__ import annotations

from bot.commands import Context, Usage, command
from bot.i18n import LANGUAGES, Translator
from bot.messages import Reply


@command("lang", writes=True, aliases=("dil", "language"))
async def language(ctx: Context) -> Reply:
    choice = ctx.args.strip().lower()
    if choice not in LANGUAGES:
        raise Usage("lang.unknown", languages=", ".join(LANGUAGES))
    ctx.rep.language = choice
    ctx.session.add(ctx.rep)
    return Reply(Translator(choice)("lang.set"))
