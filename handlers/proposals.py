"""A message without a slash: a sentence becomes a proposal, a greeting gets a short answer,
anything else is looked up as a customer, as before.

A proposal says what was understood (kind, customer, summary, the next step and its date) and
offers [Save] [Change…] [Cancel]. [Save] is the very command a rep could type (``/log``,
``/stage``, ``/task``), so saving takes the same path, checks and one transaction as typing it;
"evet"/"ok" answers the proposal like the button. Nothing is written before that.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from handlers import dates
from handlers.customers import find
from handlers.kit import PROPOSAL_STEP, SENTENCE, Button, Context, Reply, Usage, command
from handlers.money import checked, parse_amount
from handlers.refs import customer_label, find_customers
from handlers.sentences.reader import Understanding, understand
from handlers.when.lexicon import is_money
from storage import customers, deals
from storage.endings import query_tokens, stems, strip_marked
from storage.folding import looks_like_email, looks_like_phone
from storage.models import Customer

CHANGE = "--change"  # the [Change…] button: the same text, with the alternatives
KINDS = ("call", "visit", "meeting", "email", "note")


@command(SENTENCE, writes=False, hidden=True)
def read(ctx: Context) -> Reply:
    text = ctx.args
    changing = text.endswith(f" {CHANGE}")
    text = text.removesuffix(f" {CHANGE}")
    said = understand(
        text, ctx.now, ctx.tz, english=ctx.t.language == "en", work=dates.working_day(ctx)
    )
    if said.greeting:
        return Reply(
            ctx.t(f"chat.{said.greeting}", name=ctx.rep.name.split()[0]),
            buttons=[
                Button(ctx.t("button.my_tasks"), "/tasks"),
                Button(ctx.t("button.log_something"), "/log"),
            ],
        )
    if said.kind is None and said.stage is None and not said.next_title:
        return find(ctx)  # a name, a phone, an e-mail: the card or the choices
    customer = _customer(ctx, said.names)
    if said.stage is not None:
        return _stage(ctx, said, customer, text)
    save = _save(ctx, said, customer, said.kind or "", text)
    if changing:
        return _changes(ctx, said, customer, text)
    return _propose(ctx, _lines(ctx, said, customer), save, text)


def _customer(ctx: Context, names: list[str]) -> Customer | None:
    """The customer the first candidate that names anyone names, if only one: namesakes are
    never guessed between (Save then asks who), and a weaker candidate is not tried after."""
    index = ctx.services.index
    index.refresh(ctx.session)
    for name in names:
        explicit = name.startswith("#") or looks_like_email(name) or looks_like_phone(name)
        tokens = query_tokens(name)
        if not explicit and not (tokens and all(index.knows(t) for t in tokens)):
            name = _unglued(ctx, name)  # "ozmeni aradim": the ending glued on
            if name is None:
                continue
        if not explicit and (named := index.named(name, visible=ctx.may_read)):
            return customers.get(ctx.session, named[0]) if len(named) == 1 else None
        found = find_customers(ctx, name)
        if found.chosen is not None or (found.ranked and not found.fuzzy_only):
            return found.chosen
    return None


def _spelt(ctx: Context, moment: datetime | None) -> str:
    return dates.spelt(ctx, moment) if moment else ""


def _save(
    ctx: Context, said: Understanding, customer: Customer | None, kind: str, text: str
) -> str:
    """The command [Save] runs: /log for an event, /task for a reminder or a plan alone."""
    ref = f"#{customer.id}" if customer else ""
    due = _spelt(ctx, said.next_when.at if said.next_when else None)
    if not kind:
        return " ".join(p for p in ("/task", said.next_title, due, ref) if p)
    parts = [f"/log {kind}", ref]
    if said.when is not None:
        parts.append(f"on: {_spelt(ctx, said.when.at)}")
    if said.next_title:
        parts.append(f"next: {said.next_title} {due}".strip())
    return " ".join(p for p in (*parts, "--", said.summary or text) if p)


def _lines(ctx: Context, said: Understanding, customer: Customer | None) -> list[str]:
    t = ctx.t
    lines = [t("proposal.head")]
    if said.kind:
        kind = _capital(t.language, t(f"kind.{said.kind}"))
        lines.append(
            t("proposal.kind", kind=kind, customer=customer.name)
            if customer
            else t("proposal.kind_unknown", kind=kind)
        )
        lines.append(t("proposal.summary", summary=said.summary))
        if said.when is not None:
            lines.append(t("proposal.when_event", when=t.when(said.when.at, ctx.tz)))
    if said.next_title:
        when = t.when(said.next_when.at, ctx.tz) if said.next_when else "?"
        key = "proposal.next" if said.kind else "proposal.task"
        lines.append(t(key, title=said.next_title, when=when))
        if not said.kind and customer is not None:
            lines.append(customer_label(customer))
    return lines


def _propose(ctx: Context, lines: list[str], save: str, text: str) -> Reply:
    """The proposal, kept as an open question: "evet"/"ok" saves it like the button."""
    asked = ctx.ask("\n".join(lines), save, step=PROPOSAL_STEP)
    asked.text = "\n".join(lines)
    asked.buttons = [
        Button(ctx.t("button.save"), save),
        Button(ctx.t("button.change"), f"/{SENTENCE} {text} {CHANGE}"),
        Button(ctx.t("button.cancel"), "/cancel"),
    ]
    return asked


def _changes(ctx: Context, said: Understanding, customer: Customer | None, text: str) -> Reply:
    """Every other kind for the same words, and the same without the customer (asked for)."""
    kinds = [k for k in KINDS if k != said.kind]
    buttons = [
        Button(_capital(ctx.t.language, ctx.t(f"kind.{k}")), _save(ctx, said, customer, k, text))
        for k in kinds
    ]
    if customer is not None:
        buttons.append(
            Button(
                ctx.t("proposal.other_customer"), _save(ctx, said, None, said.kind or "note", text)
            )
        )
    return Reply(ctx.t("proposal.change"), choices=buttons)


def _stage(ctx: Context, said: Understanding, customer: Customer | None, text: str) -> Reply:
    """Won or lost: /stage on the customer's open deal (asked which, when there are several)."""
    t = ctx.t
    if customer is None:
        return find(ctx) if not said.names else _propose_log_note(ctx, said, text)
    open_deals = deals.open_deals(ctx.session, customer_id=customer.id, limit=6)
    if not open_deals:
        return Reply(t("proposal.no_deal", customer=customer.name))
    stage = "won" if said.stage == "won" else "lost"
    extra = ""
    if stage == "won" and (amount := _amount(text, open_deals[0].currency)):
        extra = f"{_plain(ctx, amount[1], amount[2])} {amount[2]}"
    elif stage == "lost":
        extra = said.reason
    commands = [f"/stage #{d.id} {stage} {extra}".strip() for d in open_deals]
    if len(open_deals) > 1:
        options = [
            Button(f"{d.title} · #{d.id}", c) for d, c in zip(open_deals, commands, strict=True)
        ]
        return Reply(t("deal.which", query=customer.name), choices=options)
    deal = open_deals[0]
    lines = [t("proposal.head"), t("proposal.stage", stage=t.stage(stage.title()), deal=deal.title,
                                   customer=customer.name)]  # fmt: skip
    if stage == "lost" and extra:
        lines.append(t("proposal.reason", reason=extra))
    if stage == "won" and extra:
        lines.append(t("proposal.amount", amount=t.money(amount[1], amount[2])))  # type: ignore[index]
    return _propose(ctx, lines, commands[0], text)


def _propose_log_note(ctx: Context, said: Understanding, text: str) -> Reply:
    """Stage news about a customer the book does not know: offer to note it (asks who)."""
    save = f"/log note -- {text}"
    return _propose(
        ctx, [ctx.t("proposal.head"), ctx.t("proposal.summary", summary=text)], save, text
    )


def _capital(language: str, word: str) -> str:
    """ "arama" -> "Arama" at the head of a line; Turkish "i" capitalises to "İ"."""
    head = "İ" if language == "tr" and word[:1] == "i" else word[:1].upper()
    return head + word[1:]


def _unglued(ctx: Context, name: str) -> str | None:
    """``name`` with a case ending cut from its last word, when every word is then a name
    word ("Anadolu Makinaya" -> "Anadolu Makina"); None otherwise."""
    words = name.split()
    index = ctx.services.index
    if not words or not all(index.knows(t) for w in words[:-1] for t in query_tokens(w)):
        return None
    for stem in stems(words[-1]):
        if all(index.knows(t) for t in query_tokens(stem)):
            return " ".join([*words[:-1], stem])
    return None


def _plain(ctx: Context, amount: Decimal, currency: str) -> str:
    """The amount as [Save] types it: in the currency's decimals when it is a valid one, else
    as said, so that saving answers why it is refused."""
    try:
        return f"{checked(ctx.t, amount, currency):f}"
    except Usage:
        return f"{amount:f}"


def _amount(text: str, currency: str) -> tuple[int, Decimal, str] | None:
    """The closing amount said anywhere in a sentence ("320.000 TL'ye anlaştık"): a number
    with a currency or a multiplier beside it, or one of at least a thousand."""
    words = [strip_marked(w).strip(",.;!?") for w in text.split()]
    for end in range(len(words), 0, -1):
        found = parse_amount(words[:end], currency)
        if found is None:
            continue
        used = words[end - found[0] : end]
        if any(is_money(w) for w in used) or found[1] >= 1000:
            return found
    return None
