"""Finding, showing and adding customers."""

from __future__ import annotations

from bot.commands import Abort, Context, Usage, command
from bot.messages import Button, Reply
from handlers.cards import customer_card
from handlers.refs import (
    choices_reply,
    customer_label,
    find_customers,
    looks_like_phone_part,
    resolve_customer,
    to_e164,
)
from storage import customers
from storage.folding import looks_like_email, looks_like_phone
from storage.models import Customer


@command("find", writes=False, aliases=("bul", "ara"))
async def find(ctx: Context) -> Reply:
    if not ctx.args:
        raise Usage()
    found = find_customers(ctx, ctx.args)
    if found.chosen is not None:
        return customer_card(ctx, found.chosen)
    add = Button(ctx.t("button.add_customer"), f"/customer add {ctx.args}")
    if not found.ranked:
        return Reply(ctx.t("customer.not_found", query=ctx.args), buttons=[add])
    options = [(customer_label(c), f"/customer #{c.id}") for c in found.ranked]
    key = "find.suggest" if found.fuzzy_only else "find.results"
    reply = choices_reply(ctx, key, options, query=ctx.args, count=len(found.ranked))
    if found.fuzzy_only:
        reply.buttons.append(add)
    return reply


@command("customer", writes=False, aliases=("musteri",))
async def show(ctx: Context) -> Reply:
    if not ctx.args:
        raise Usage()
    return customer_card(ctx, resolve_customer(ctx, ctx.args, "/customer {ref}"))


def _split_contact_data(ctx: Context, words: list[str]) -> tuple[str, str | None, str | None]:
    """Name, E.164 phone and e-mail from "<name> [phone] [email]"."""
    emails = [w for w in words if looks_like_email(w)]
    if len(emails) > 1:
        raise Usage("customer.two_emails")
    rest = [w for w in words if not looks_like_email(w)]
    tail = len(rest)
    while tail > 0 and looks_like_phone_part(rest[tail - 1]):
        tail -= 1
    phone_text = " ".join(rest[tail:])
    phone = None
    if phone_text:
        if not looks_like_phone(phone_text):
            raise Usage("customer.bad_phone", phone=phone_text)
        phone = to_e164(phone_text, ctx.services.settings.crm_phone_region)
        if phone is None:
            raise Usage("customer.bad_phone", phone=phone_text)
    name = " ".join(rest[:tail]).strip(" ,;")
    if len(name) < 2:
        raise Usage("customer.missing_name")
    return name, phone, emails[0].lower() if emails else None


@command("customer add", writes=True, aliases=("musteri ekle",))
async def add(ctx: Context) -> Reply:
    name, phone, email = _split_contact_data(ctx, ctx.words)
    if not ctx.confirmed:
        _refuse_duplicates(ctx, name, phone, email)
    customer = customers.create(
        ctx.session, Customer(name=name, phone=phone, email=email, owner_id=ctx.rep.id)
    )
    return customer_card(ctx, customer, ctx.t("customer.added", name=customer.name))


def _refuse_duplicates(ctx: Context, name: str, phone: str | None, email: str | None) -> None:
    """Stop with the existing records and why they look the same; never create silently."""
    s = ctx.session
    evidence: dict[int, tuple[Customer, list[str]]] = {}
    for key, found in (
        ("dupe.same_name", customers.by_name_key(s, name)),
        ("dupe.same_phone", customers.by_phone(s, phone) if phone else []),
        ("dupe.same_email", customers.by_email(s, email) if email else []),
    ):
        for c in found:
            evidence.setdefault(c.id or 0, (c, []))[1].append(ctx.t(key))
    if not evidence:
        return
    lines = [f"• {customer_label(c)}: {', '.join(why)}" for c, why in evidence.values()]
    choices = [
        Button(ctx.t("button.use_existing", name=c.name), f"/customer #{c.id}")
        for c, _ in evidence.values()
    ]
    create = Button(ctx.t("button.create_anyway"), f"{ctx.again(ctx.args)} --confirm")
    text = ctx.t("dupe.found", name=name) + "\n" + "\n".join(lines)
    raise Abort(Reply(text, choices=choices, buttons=[create]))
