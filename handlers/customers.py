"""Finding, showing and adding customers.

/customer add normalises what it stores (``storage.quality.normalize``: E.164 phone, validated
lower-case e-mail, a name typed all in one case re-cased the Turkish way) and checks for
duplicates before writing (``_refuse_duplicates``).
"""

from __future__ import annotations

from handlers.cards import customer_card
from handlers.kit import Abort, Button, Context, Reply, Usage, command
from handlers.quality import evidence
from handlers.refs import (
    add_offer,
    choices_reply,
    customer_label,
    find_customers,
    looks_like_phone_part,
    resolve_customer,
)
from storage import customers, reps
from storage.folding import looks_like_phone, name_key
from storage.models import Customer
from storage.quality import dupes, normalize


@command("find", writes=False, aliases=("bul", "ara"))
def find(ctx: Context) -> Reply:
    if not ctx.args:
        raise Usage()
    found = find_customers(ctx, ctx.args)
    if found.chosen is not None:
        return customer_card(ctx, found.chosen)
    add = add_offer(ctx, ctx.args)
    if not found.ranked:
        return Reply(ctx.t("customer.not_found", query=ctx.args), buttons=add)
    options = [(customer_label(c), f"/customer #{c.id}") for c in found.ranked]
    key = "find.suggest" if found.fuzzy_only else "find.results"
    reply = choices_reply(ctx, key, options, query=ctx.args, count=len(found.ranked))
    if found.fuzzy_only:
        reply.buttons.extend(add)
    return reply


@command("customer", writes=False, aliases=("musteri",))
def show(ctx: Context) -> Reply:
    if not ctx.args:
        raise Usage()
    return customer_card(ctx, resolve_customer(ctx, ctx.args, "/customer {ref}"))


def split_contact_data(ctx: Context, words: list[str]) -> tuple[str, str | None, str | None]:
    """Name, E.164 phone and e-mail from "<name> [phone] [email]"."""
    emails = [w for w in words if "@" in w]  # a mistyped address is refused, not a name
    if len(emails) > 1:
        raise Usage("customer.two_emails")
    rest = [w for w in words if "@" not in w]
    tail = len(rest)
    while tail > 0 and looks_like_phone_part(rest[tail - 1]):
        tail -= 1
    phone_text = " ".join(rest[tail:])
    phone = None
    if phone_text:
        if not looks_like_phone(phone_text):
            raise Usage("customer.bad_phone", phone=phone_text)
        phone = normalize.phone(phone_text, ctx.services.settings.crm_phone_region).value
        if phone is None:
            raise Usage("customer.bad_phone", phone=phone_text)
    region = ctx.services.settings.crm_phone_region
    name = normalize.display_name(" ".join(rest[:tail]).strip(" ,;"), region)
    if len(name) < 2:
        raise Usage("customer.missing_name")
    email = None
    if emails:
        checked = normalize.email(emails[0])
        if not checked.ok:
            raise Usage("customer.bad_email", email=emails[0])
        email = checked.value
    return name, phone, email


@command("customer add", writes=True, aliases=("musteri ekle",))
def add(ctx: Context) -> Reply:
    name, phone, email = split_contact_data(ctx, ctx.words)
    if not ctx.confirmed:
        _refuse_duplicates(ctx, name, phone, email)
    customer = customers.create(
        ctx.session, Customer(name=name, phone=phone, email=email, owner_id=ctx.rep.id)
    )
    return customer_card(ctx, customer, ctx.t("customer.added", name=customer.name))


def _refuse_duplicates(ctx: Context, name: str, phone: str | None, email: str | None) -> None:
    """Stop with the existing records and why they look the same; never create silently.

    Candidates are customers with the same name key, phone or e-mail, and names the index
    finds close enough (``storage.quality.dupes``); each is judged on its contact data, so the same
    name with a different phone is shown as a possible namesake, not as the same person.
    """
    s = ctx.session
    me = dupes.Person(
        0, name, name_key(name), frozenset(filter(None, [phone])), frozenset(filter(None, [email]))
    )
    found: dict[int, Customer] = {}
    for c in [
        *customers.by_name_key(s, name),
        *(customers.by_phone(s, phone) if phone else []),
        *(customers.by_email(s, email) if email else []),
    ]:
        found.setdefault(c.id or 0, c)
    ctx.services.index.refresh(s)
    near = [m.customer_id for m in ctx.services.index.search(name, limit=8)]
    for cid, c in customers.many(s, [i for i in near if i not in found]).items():
        found[cid] = c
    judged = []
    for c in found.values():
        pair = dupes.judge(me, dupes.person(c, customers.points(s, c.id or 0)))
        if dupes.is_candidate(pair):
            judged.append((c, pair))
    hidden = _hidden_holders(ctx, found, phone, email)
    if not judged and not hidden:
        return
    judged.sort(key=lambda cp: (cp[1].homonym, -cp[1].confidence, cp[0].id or 0))
    lines = [f"• {customer_label(c)}: {evidence(ctx, pair)}" for c, pair in judged] + hidden
    choices = [
        Button(ctx.t("button.use_existing", name=c.name), f"/customer #{c.id}") for c, _ in judged
    ]
    create = Button(ctx.t("button.create_anyway"), f"{ctx.again(ctx.args)} --confirm")
    key = "dupe.namesakes" if judged and all(p.homonym for _, p in judged) else "dupe.found"
    text = ctx.t(key, name=name) + "\n" + "\n".join(lines)
    raise Abort(Reply(text, choices=choices, buttons=[create]))


def _hidden_holders(
    ctx: Context, seen: dict[int, Customer], phone: str | None, email: str | None
) -> list[str]:
    """Customers this rep may not see that hold the same phone or e-mail: that one exists
    and whose it is, never who it is."""
    lines = []
    for kind, value in (("phone", phone), ("email", email)):
        if value is None:
            continue
        owners = {
            o for cid, o in customers.contact_owners(ctx.session, kind, value) if cid not in seen
        }
        names = reps.names(ctx.session, {o for o in owners if o is not None})
        lines += [
            f"• {ctx.t(f'dupe.hidden_{kind}', owner=names.get(o or 0, ctx.t('common.none')))}"
            for o in sorted(owners, key=lambda o: o or 0)
        ]
    return lines
