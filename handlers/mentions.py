"""Customers named inside a task's text: at its end ("teklif gönder cuma Özmen'e", "… 0532 111
22 33", "… #12") or at its start ("Uğur Özmen'i ara cuma", "#12 teklif gönder cuma").

A mention at the end is taken off the title. At the start, a name stays in the title ("Uğur
Özmen'i ara" is the task as the rep wrote it) while an ``#id``, a phone or an e-mail is taken
off. A name at the start links the task only when it is clearly a name: two words or more, or
one with a case ending after an apostrophe; a lone word ("ozmen ara") stays text. Only an
unambiguous mention links; namesakes are asked about, and a phone or e-mail no customer has
leaves the task unlinked with the words in its title.
"""

from __future__ import annotations

from handlers.kit import Abort, Context, Reply
from handlers.refs import (
    CHOICES,
    MAX_NAME_WORDS,
    customer_choices,
    find_customers,
    parse_id,
    phone_span,
)
from storage import customers
from storage.endings import marked, query_tokens
from storage.folding import looks_like_email
from storage.models import Customer
from storage.search import Match, Tier


def _explicit(ctx: Context, text: str, used: int, again: str) -> list[tuple[int, Customer]]:
    """An ``#id``, phone or e-mail mention: [(words used, customer)], [] when no one has it."""
    if (customer_id := parse_id(text)) is not None:
        customer = customers.get(ctx.session, customer_id)
        if customer is None:
            raise Abort(Reply(ctx.t("customer.not_found", query=text)))
        return [(used, customer)]
    found = find_customers(ctx, text)
    if found.chosen is None and len(found.ranked) > 1:
        raise customer_choices(ctx, found.ranked, text, again)
    return [(used, found.chosen)] if found.chosen else []


def _one(ctx: Context, matches: list[Match], text: str, again: str) -> Customer | None:
    """The one customer ``matches`` name; namesakes stop with a choice, anything else is None."""
    inside = [m for m in matches if m.inside]
    exact = [m for m in inside if m.tier is Tier.EXACT]
    chosen = exact[0] if len(exact) == 1 else inside[0] if len(inside) == 1 else None
    if chosen is not None:
        return customers.get(ctx.session, chosen.customer_id)
    if len(exact) > 1:
        ranked = list(customers.labels(ctx.session, [m.customer_id for m in exact]).values())
        raise customer_choices(ctx, ranked, text, again)
    return None


def trailing_customer(ctx: Context, words: list[str]) -> list[tuple[int, Customer]]:
    """Customers the last words might name, longest span first: [(words used, customer)]."""
    last = words[-1] if words else ""
    head = " ".join(words[:-1])
    if (last.startswith("#") and parse_id(last) is not None) or looks_like_email(last):
        return _explicit(ctx, last, 1, ctx.again(f"{head} {{ref}}"))
    region = ctx.services.settings.crm_phone_region
    if phone := phone_span(words[1:], region, at_end=True):
        used, text = phone
        return _explicit(ctx, text, used, ctx.again(" ".join([*words[:-used], "{ref}"])))
    index = ctx.services.index
    index.refresh(ctx.session)
    found: list[tuple[int, Customer]] = []
    for size in range(min(MAX_NAME_WORDS, len(words) - 2), 0, -1):
        span = " ".join(words[-size:])
        tokens = query_tokens(span)
        if not tokens or not all(index.knows(tok) for tok in tokens):
            continue
        matches = index.search(span, limit=CHOICES, visible=ctx.may_read)
        again = ctx.again(f"{' '.join(words[:-size])} {{ref}}")
        if customer := _one(ctx, matches, span, again):
            found.append((size, customer))
    return found


def leading_customer(ctx: Context, title: str, again: str) -> tuple[Customer | None, str]:
    """The customer the start of a task's title names, and the title to keep.

    ``again`` re-runs the command with ``{ref}`` where a chosen ``#id`` goes (at the end).
    """
    words = title.split()
    if not words:
        return None, title
    region = ctx.services.settings.crm_phone_region
    explicit = phone_span(words, region)
    if explicit is None and (parse_id(words[0]) is not None and words[0].startswith("#")):
        explicit = (1, words[0])
    if explicit is None and looks_like_email(words[0]):
        explicit = (1, words[0])
    if explicit is not None:
        used, text = explicit
        found = _explicit(ctx, text, used, again)
        rest = title.split(maxsplit=used)[used:] if found else [title]
        return (found[0][1] if found else None), " ".join(rest)
    index = ctx.services.index
    index.refresh(ctx.session)
    for size in range(min(MAX_NAME_WORDS, len(words)), 0, -1):
        span = " ".join(words[:size])
        tokens = query_tokens(span)
        clearly_a_name = len(tokens) > 1 or marked(words[size - 1])
        if not clearly_a_name or not all(index.knows(tok) for tok in tokens):
            continue
        matches = index.search(span, limit=CHOICES, visible=ctx.may_read)
        if customer := _one(ctx, matches, span, again):
            return customer, title
    return None, title
