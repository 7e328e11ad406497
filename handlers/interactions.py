"""Logging calls, meetings, visits, e-mails and notes, with an optional next step."""

from __future__ import annotations

import re
from datetime import timedelta

from handlers import dates
from handlers.kit import Button, Context, Reply, Usage, command, keyword_pattern, keywords
from handlers.refs import leading_customer, resolve_customer
from handlers.tasks import confirm_contact, create_task, parse_task
from storage import deals, interactions
from storage.folding import fold
from storage.models import INTERACTION_KINDS, Interaction

KINDS = INTERACTION_KINDS  # what /log takes, in the order forms and buttons offer them
NEXT = re.compile(rf"(?:^|\s)(?:{keyword_pattern('kw.next')})\s*", re.IGNORECASE)
NEXT_SEP = "next: "
# "on: dün" (Turkish "tarih:"): when it happened, if not now; read as a past event
OCCURRED = re.compile(rf"(?:^|\s)(?:{keyword_pattern('kw.occurred')})\s*(.+)$", re.IGNORECASE)
MAX_SUMMARY = 4000  # the column's size; a longer text (a pasted e-mail) is cut, and said so
RECENT_VISIT = timedelta(minutes=30)
OUTBOUND = ("call", "email")  # reaching out: a do-not-contact customer is asked about first


def kind_named(word: str) -> str | None:
    """The interaction kind a word names, in either language ("ziyaret" is a visit)."""
    folded = fold(word)
    return next((k for k in KINDS if folded in keywords(f"kw.kind.{k}")), None)


@command("log", writes=True, aliases=("kaydet",))
def log(ctx: Context) -> Reply:
    words = ctx.words
    if not words:
        kinds = [Button(ctx.t(f"kind.{k}"), f"/log {k}") for k in KINDS]
        return ctx.ask(ctx.t("log.ask_kind"), "/log", choices=kinds)
    kind = kind_named(words[0])
    if kind is None:
        raise Usage("log.bad_kind", word=words[0])
    source = (ctx.incoming.platform, ctx.incoming.message_id)
    if source[1] and interactions.logged_from(ctx.session, source[0], source[1]):
        return Reply(ctx.t("log.duplicate"))
    main, *rest = NEXT.split(" ".join(words[1:]), maxsplit=1)
    next_step = rest[0] if rest else ""
    occurred = ctx.now
    if found := OCCURRED.search(main):
        reading = dates.read_all(ctx, found.group(1), past=True)
        if reading is None:
            raise Usage("log.bad_occurred", when=found.group(1))
        main, occurred = main[: found.start()], reading.at
    main_words = main.split()
    later = f" {NEXT_SEP}{next_step}" if next_step else ""
    if not main_words:
        recent = interactions.recent_customers(ctx.session, ctx.rep.id or 0)
        options = [Button(c.name, ctx.again(f"{words[0]} #{c.id}{later}")) for c in recent]
        rest_of_it = f"{later} -- {ctx.literal}" if ctx.literal is not None else later
        return ctx.ask(ctx.t("log.ask_customer"), f"/log {words[0]}", rest_of_it.strip(), options)
    if ctx.literal is not None:  # "/log note #12 -- <text as written>": the rest is the summary
        customer = resolve_customer(ctx, main, ctx.again(f"{words[0]} {{ref}}{later}"))
        summary = ctx.literal
    else:
        customer, used = leading_customer(ctx, main_words, before=words[0])
        summary = " ".join(main_words[used:]).strip(" -—:")
    if not summary:
        key = "log.ask_visit_summary" if kind == "visit" else "log.ask_summary"
        prefix = f"/log {words[0]} #{customer.id}"
        return ctx.ask(ctx.t(key, customer=customer.name), prefix, later.strip())
    shortened = len(summary) > MAX_SUMMARY
    summary = summary[: MAX_SUMMARY - 1] + "…" if shortened else summary
    if kind in OUTBOUND:
        confirm_contact(ctx, customer)
    open_deals = deals.open_deal_ids(ctx.session, customer.id or 0, limit=2)
    deal_id = open_deals[0] if len(open_deals) == 1 else None
    where = ctx.location
    interactions.add(
        ctx.session,
        Interaction(
            kind=kind,
            summary=summary,
            occurred_at=occurred,
            rep_id=ctx.rep.id,
            customer_id=customer.id or 0,
            deal_id=deal_id,
            source_platform=source[0],
            source_message_id=source[1],
            created_at=ctx.now,
            latitude=where[0] if where else None,
            longitude=where[1] if where else None,
        ),
    )
    lines = [ctx.t("log.done", kind=ctx.t(f"kind.{kind}"), customer=customer.name)]
    if shortened:
        lines.append(ctx.t("log.shortened", limit=MAX_SUMMARY))
    if where:
        lines.append(ctx.t("log.located"))
    ref = f"#{customer.id}"
    if next_step.strip():
        again = ctx.again(f"{words[0]} {main.strip()} {NEXT_SEP}{{text}}")
        title, due, _ = parse_task(ctx, next_step, with_customer=False, again=again)
        create_task(ctx, title, due, customer, deal_id)
        lines.append(ctx.t("log.next", title=title, when=ctx.t.when(due, ctx.tz)))
    elif ctx.via_flow:
        follow_up = ctx.ask(ctx.t("log.ask_next"), "/task", suffix=ref)
        follow_up.text = "\n".join([*lines, follow_up.text])
        return follow_up
    return Reply(
        "\n".join(lines),
        buttons=[
            Button(ctx.t("button.open_card"), f"/customer {ref}"),
            Button(ctx.t("button.new_task"), f"/task {ref}"),
            Button(ctx.t("button.deals"), f"/deals {ref}"),
        ],
    )


@command("location", writes=True, hidden=True, aliases=("konum",))
def location(ctx: Context) -> Reply:
    """A location shared outside a flow lands on the rep's visit of the last half hour."""
    if ctx.location is None:
        return Reply(ctx.t("location.how"))
    visit = interactions.latest_visit_without_location(
        ctx.session, ctx.rep.id or 0, ctx.now - RECENT_VISIT
    )
    if visit is None:
        return Reply(ctx.t("location.no_visit"))
    visit.latitude, visit.longitude = ctx.location
    ctx.session.add(visit)
    return Reply(ctx.t("location.saved"))
