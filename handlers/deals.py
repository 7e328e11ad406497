"""Deals through the pipeline: add, move between stages, list (the summary is handlers.pipeline)."""

from __future__ import annotations

import re
from decimal import Decimal

from handlers import dates
from handlers.cards import deal_card, deal_line
from handlers.kit import (
    Button,
    Context,
    Reply,
    Usage,
    command,
    is_keyword,
    keyword_pattern,
)
from handlers.money import checked, parse_amount
from handlers.refs import leading_customer, resolve_customer, resolve_deal
from storage import deals, interactions
from storage.folding import fold
from storage.models import Deal, Stage

CLOSE = re.compile(rf"\s(?:{keyword_pattern('kw.close')})\s*(.+)$", re.IGNORECASE)


@command("deal add", writes=True, aliases=("firsat ekle",))
def add(ctx: Context) -> Reply:
    text = f" {ctx.args}"
    expected, close = None, ""
    if found := CLOSE.search(text):
        reading = dates.read_all(ctx, found.group(1))
        if reading is None:
            raise Usage("deal.bad_close", when=found.group(1))
        again = ctx.again(text[: found.start(1)].strip() + " {text}")
        expected = dates.settle(ctx, found.group(1), reading, again).astimezone(ctx.tz).date()
        text, close = text[: found.start()], found.group(0).strip()
    words = text.split()
    if not words:
        recent = interactions.recent_customers(ctx.session, ctx.rep.id or 0)
        options = [Button(c.name, f"/deal add #{c.id}") for c in recent]
        return ctx.ask(ctx.t("deal.ask_customer"), "/deal add", choices=options)
    amount = parse_amount(words, ctx.services.settings.crm_currency)
    amount_words = amount[0] if amount else 0
    customer, used = leading_customer(ctx, words[: len(words) - amount_words] or words)
    title = " ".join(words[used : len(words) - amount_words]).strip(" -—:")
    ref = f"/deal add #{customer.id}"
    if amount is None:
        key = "deal.ask_amount" if title else "deal.ask_title_amount"
        question = ctx.t(key, customer=customer.name, title=title)
        return ctx.ask(question, f"{ref} {title}".strip(), suffix=close)
    if not title:
        tail = " ".join(words[len(words) - amount_words :])
        question = ctx.t("deal.ask_title", customer=customer.name)
        return ctx.ask(question, ref, suffix=f"{tail} {close}".strip())
    value = checked(ctx.t, amount[1], currency := amount[2])
    if question := _small(ctx, value, currency, f"{ref} {title}", close):
        return question
    first = next(st for st in deals.stages(ctx.session) if not st.is_closed)
    deal = deals.create(
        ctx.session,
        Deal(
            customer_id=customer.id,
            title=title,
            amount=value,
            currency=currency,
            stage_id=first.id,
            owner_id=ctx.rep.id,
            expected_close=expected,
            stage_changed_at=ctx.now,
            created_at=ctx.now,
            updated_at=ctx.now,
        ),
    )
    return deal_card(ctx, deal, ctx.t("deal.added", title=title, customer=customer.name))


@command("deal", writes=False, aliases=("firsat",))
def show(ctx: Context) -> Reply:
    if not ctx.args:
        raise Usage()
    return deal_card(ctx, resolve_deal(ctx, ctx.args, "/deal {ref}"))


def _stage_words(ctx: Context, stage: Stage) -> set[str]:
    key = f"stage_alias.{stage.name.lower()}"
    aliases = ctx.t.words(key) if ctx.t.has(key) else []
    return {fold(w) for w in (stage.name, ctx.t.stage(stage.name), *aliases)}


def _find_stage(ctx: Context, words: list[str]) -> tuple[int, int, Stage] | None:
    """Where the stage is named in "<deal> <stage> [reason]": (start, length, stage)."""
    names: dict[str, Stage] = {}
    for st in deals.stages(ctx.session):
        for word in _stage_words(ctx, st):
            names[word] = st
    for start in range(1, len(words)):
        for size in (3, 2, 1):
            if (st := names.get(fold(" ".join(words[start : start + size])))) is not None:
                return start, size, st
    return None


@command("stage", writes=True, aliases=("asama",))
def stage(ctx: Context) -> Reply:
    words = ctx.words
    found = _find_stage(ctx, words)
    if found is None:
        names = ", ".join(ctx.t.stage(st.name) for st in deals.stages(ctx.session))
        raise Usage("stage.bad_stage", stages=names) if len(words) > 1 else Usage()
    start, size, target = found
    reason = " ".join(words[start + size :]).strip()
    stage_text = " ".join(words[start:])
    deal = resolve_deal(ctx, " ".join(words[:start]), ctx.again(f"{{ref}} {stage_text}"))
    if deal.stage_id == target.id and target.is_lost and (reason or not deal.lost_reason):
        if not reason:  # lost without a reason (say, imported): ask for it now
            return _ask_lost_reason(ctx, deal, target)
        deal.lost_reason, deal.updated_at = reason, ctx.now
        ctx.session.add(deal)
        return deal_card(ctx, deal, ctx.t("stage.reason_saved", title=deal.title))
    won_again = f"/stage #{deal.id} {target.name.lower()}"
    if deal.stage_id == target.id and target.is_won:  # the closing amount, given or changed later
        return (
            _closing(ctx, deal, reason, won_again) if reason else _ask_closing(ctx, deal, won_again)
        )
    if deal.stage_id == target.id:
        return deal_card(
            ctx, deal, ctx.t("stage.already", title=deal.title, stage=ctx.t.stage(target.name))
        )
    if target.is_lost and not reason:
        return _ask_lost_reason(ctx, deal, target)
    closing = deal.amount if target.is_won else None  # a bare Won: the estimate, until answered
    if target.is_won and reason:
        closing, currency = _closing_amount(ctx, deal, reason)
        if question := _small(ctx, closing, currency, won_again):
            return question
        deal.currency = currency
    deal.closed_amount = closing
    deal.closed_at = ctx.now if target.is_closed else None
    deal.lost_reason = reason if target.is_lost else None
    deals.move(ctx.session, deal, target, ctx.rep.id, ctx.now)
    card = deal_card(
        ctx, deal, ctx.t("stage.moved", title=deal.title, stage=ctx.t.stage(target.name))
    )
    if target.is_won and not reason:
        asked = _ask_closing(ctx, deal, won_again)
        card.text, card.choices = f"{card.text}\n{asked.text}", asked.choices
    return card


def _closing_amount(ctx: Context, deal: Deal, typed: str) -> tuple[Decimal, str]:
    """The closing amount typed after "won", checked; in the deal's currency (a deal without
    an estimate takes the currency it closed in: there is nothing to compare it with)."""
    words = typed.split()
    found = parse_amount(words, deal.currency)
    if found is None or found[0] != len(words):
        raise Usage("stage.bad_won_amount", amount=typed)
    _, value, currency = found
    if currency != deal.currency and deal.amount is not None:
        raise Usage("stage.won_currency", title=deal.title, currency=deal.currency)
    return checked(ctx.t, value, currency), currency


def _closing(ctx: Context, deal: Deal, typed: str, again: str) -> Reply:
    """Set or correct the closing amount of a deal already won."""
    value, currency = _closing_amount(ctx, deal, typed)
    if question := _small(ctx, value, currency, again):
        return question
    deal.closed_amount, deal.currency, deal.updated_at = value, currency, ctx.now
    ctx.session.add(deal)
    amount = ctx.t.money(value, deal.currency)
    return deal_card(ctx, deal, ctx.t("stage.amount_saved", title=deal.title, amount=amount))


def _ask_closing(ctx: Context, deal: Deal, again: str) -> Reply:
    """What did it close at: the estimate as a button, or the amount typed as the answer."""
    estimate = []
    if deal.amount is not None:
        shown = ctx.t("stage.as_estimated", amount=ctx.t.money(deal.amount, deal.currency))
        estimate = [Button(shown, f"{again} {deal.amount:f} --confirm")]
    question = ctx.t("stage.ask_won_amount", title=deal.title)
    return ctx.ask(question, again, choices=estimate)


def _small(
    ctx: Context, value: Decimal, currency: str, prefix: str, suffix: str = ""
) -> Reply | None:
    """ "₺2? That seems small for a deal": asked unless confirmed; None when it is not small."""
    if ctx.confirmed or value >= ctx.services.settings.crm_small_amount:
        return None
    shown = ctx.t.money(value, currency)
    keep = Button(ctx.t("money.keep", amount=shown), f"{ctx.again(ctx.args)} --confirm")
    other = Button(ctx.t("money.other"), f"{prefix} {suffix}".strip())
    return ctx.ask(ctx.t("money.small", amount=shown), prefix, suffix=suffix, choices=[keep, other])


def _ask_lost_reason(ctx: Context, deal: Deal, lost: Stage) -> Reply:
    word = ctx.t.stage(lost.name).lower()  # "kaybedildi" for a Turkish rep: what they would type
    buttons = [
        Button(reason, f"/stage #{deal.id} {word} {reason}")
        for reason in ctx.t.words("stage.lost_reasons")
    ]
    question = ctx.t("stage.lost_needs_reason", title=deal.title, ref=f"#{deal.id}", word=word)
    return ctx.ask(question, f"/stage #{deal.id} {word}", choices=buttons)


@command("deals", writes=False, aliases=("firsatlar",))
def list_deals(ctx: Context) -> Reply:
    arg = ctx.args.strip()
    s = ctx.session
    if not arg or is_keyword(arg, "kw.mine"):
        rows, head = deals.open_deals(s, owner_id=ctx.rep.id), ctx.t("deals.mine")
    elif is_keyword(arg, "kw.all"):
        rows, head = deals.open_deals(s), ctx.t("deals.all")
    else:
        customer = resolve_customer(ctx, arg, "/deals {ref}")
        rows = deals.customer_deals(s, customer.id or 0)
        head = ctx.t("deals.of_customer", customer=customer.name)
    if not rows:
        return Reply(ctx.t("deals.none"), buttons=[Button(ctx.t("button.pipeline"), "/pipeline")])
    by_id = {st.id: st for st in deals.stages(s)}
    lines = [f"• {deal_line(ctx, d, by_id.get(d.stage_id))}" for d in rows]
    buttons = [Button(d.title[:30], f"/deal #{d.id}") for d in rows[:8]]
    return Reply("\n".join([f"{head} ({len(rows)})", *lines]), buttons=buttons)
