"""Chats that others read: ``/dm`` sends the full card privately, and ``/chat internal on|off``
lets an admin show full cards in a group or channel that only the company reads.

In a group or a channel the bot masks phones and e-mails and hides interaction notes
(``handlers.masking``); Slack Connect channels, shared with other organisations, get no
public answers at all, whatever this setting says.
"""

from __future__ import annotations

import dataclasses

from handlers.cards import customer_card
from handlers.kit import Context, Reply, Usage, command, is_keyword
from handlers.refs import resolve_customer
from storage.chat import settings


@command("dm", writes=False, hidden=True, aliases=("ozel",))
def show_in_dm(ctx: Context) -> Reply:
    """The full customer card, sent to the rep's private chat on this platform."""
    if not ctx.args:
        raise Usage()
    customer = resolve_customer(ctx, ctx.args, "/dm {ref}")
    private = dataclasses.replace(ctx, shared=False)
    ctx.notify(ctx.rep.id or 0, customer_card(private, customer), platform=ctx.incoming.platform)
    return Reply(ctx.t("chat.sent_privately", ref=f"#{customer.id}"))


@command("chat", writes=True, roles=("admin",), aliases=("sohbet",))
def chat(ctx: Context) -> Reply:
    """``/chat internal on|off``: full cards in this group or channel, or masked ones again."""
    words = ctx.words
    if len(words) != 2 or not is_keyword(words[0], "kw.internal"):
        raise Usage()
    if is_keyword(words[1], "kw.on"):
        internal = True
    elif is_keyword(words[1], "kw.off"):
        internal = False
    else:
        raise Usage()
    where = ctx.incoming
    if where.is_private:
        return Reply(ctx.t("chat.already_private"))
    settings.set_internal(
        ctx.session, where.platform, where.chat_id, internal, ctx.rep.id or 0, ctx.now
    )
    return Reply(ctx.t("chat.internal_on" if internal else "chat.internal_off"))
