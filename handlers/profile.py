"""The rep's own preferences."""

from __future__ import annotations

from handlers.kit import LANGUAGES, Context, Reply, Translator, Usage, command


@command("lang", writes=True, aliases=("dil", "language"))
def language(ctx: Context) -> Reply:
    choice = ctx.args.strip().lower()
    if choice not in LANGUAGES:
        raise Usage("lang.unknown", languages=", ".join(LANGUAGES))
    ctx.rep.language = choice
    ctx.session.add(ctx.rep)
    return Reply(Translator(choice)("lang.set"))
