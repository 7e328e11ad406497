"""Logging calls, meetings, visits, e-mails and notes, with an optional next step."""

from __future__ import annotations

import re

from bot.commands import Context, Usage, command
from bot.messages import Button, Reply
from handlers.refs import leading_customer
from handlers.tasks import create_task, parse_task
from storage import deals, interactions
from storage.folding import fold
from storage.models import Interaction

KINDS = {
    "call": "call",
    "arama": "call",
    "telefon": "call",
    "tel": "call",
    "meeting": "meeting",
    "toplanti": "meeting",
    "gorusme": "meeting",
    "visit": "visit",
    "ziyaret": "visit",
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "eposta": "email",
    "e-posta": "email",
    "note": "note",
    "not": "note",
}
NEXT = re.compile(r"(?:^|\s)(?:next|sonraki|sonra):\s*", re.IGNORECASE)


@command("log", writes=True, aliases=("kaydet",))
async def log(ctx: Context) -> Reply:
    words = ctx.words
    if not words:
        raise Usage()
    kind = KINDS.get(fold(words[0]))
    if kind is None:
        raise Usage("log.bad_kind", word=words[0])
    source = (ctx.incoming.platform, ctx.incoming.message_id)
    if source[1] and interactions.by_source(ctx.session, source[0], source[1]):
        return Reply(ctx.t("log.duplicate"))
    main, *rest = NEXT.split(" ".join(words[1:]), maxsplit=1)
    next_step = rest[0] if rest else ""
    main_words = main.split()
    if not main_words:
        raise Usage("log.missing_customer")
    customer, used = leading_customer(ctx, main_words, before=words[0])
    summary = " ".join(main_words[used:]).strip(" -—:")
    if not summary:
        raise Usage(
            "log.missing_summary", customer=customer.name, ref=f"#{customer.id}", kind=words[0]
        )
    open_deals = deals.open_deals(ctx.session, customer_id=customer.id, limit=2)
    deal_id = open_deals[0].id if len(open_deals) == 1 else None
    interactions.add(
        ctx.session,
        Interaction(
            kind=kind,
            summary=summary,
            occurred_at=ctx.now,
            rep_id=ctx.rep.id,
            customer_id=customer.id or 0,
            deal_id=deal_id,
            source_platform=source[0],
            source_message_id=source[1],
        ),
    )
    lines = [ctx.t("log.done", kind=ctx.t(f"kind.{kind}"), customer=customer.name)]
    if next_step.strip():
        title, due, _ = parse_task(ctx, next_step.split(), with_customer=False)
        create_task(ctx, title, due, customer, deal_id)
        lines.append(ctx.t("log.next", title=title, when=ctx.t.when(due, ctx.tz)))
    ref = f"#{customer.id}"
    return Reply(
        "\n".join(lines),
        buttons=[
            Button(ctx.t("button.open_card"), f"/customer {ref}"),
            Button(ctx.t("button.new_task"), f"/task {ref}"),
            Button(ctx.t("button.deals"), f"/deals {ref}"),
        ],
    )
