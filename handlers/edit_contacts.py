"""The people at a customer, through /edit contact.

``/edit contact #12 add Ali Veli 0532 111 22 33 ali@acme.com`` adds one;
``/edit contact #12 <number|name> role Purchasing`` changes a field (the number is the
contact's place in the card's list, 1 first); ``/edit contact #12 <number|name> remove``
removes one. The customer comes first as ``#id`` (a name when adding), so a contact's name
is never confused with the customer's.
"""

from __future__ import annotations

from handlers import edit_values as read
from handlers.customers import split_contact_data
from handlers.edit_fields import Change, field_at, shown
from handlers.kit import Abort, Context, Reply, Usage, is_keyword
from handlers.refs import parse_id, resolve_customer
from storage import customers
from storage.folding import fold
from storage.models import Contact, Customer


def edit_contact(ctx: Context, words: list[str]) -> tuple[Customer, list[Change]]:
    add = next((i for i, w in enumerate(words) if is_keyword(w, "kw.edit.add")), None)
    if add is not None and add > 0:
        customer = resolve_customer(ctx, " ".join(words[:add]), ctx.again("contact {ref} add"))
        return customer, _add(ctx, customer, words[add + 1 :])
    if len(words) < 3 or parse_id(words[0]) is None:
        raise Usage()
    customer = resolve_customer(ctx, words[0], "")
    people = customers.contacts(ctx.session, customer.id or 0)
    for i in range(2, len(words) + 1):
        if is_keyword(words[i - 1], "kw.edit.remove") and i == len(words):
            person = _pick(ctx, customer, people, words[1 : i - 1])
            ctx.session.delete(person)
            return customer, [Change("contact", person.name, "—")]
        if (found := field_at("contact", words, i - 1)) and i > 2:
            field, used = found
            person = _pick(ctx, customer, people, words[1 : i - 1])
            value = " ".join(words[i - 1 + used :])
            if not value:
                raise Usage("edit.no_value")
            return customer, _change(ctx, person, field, value)
    raise Usage()


def _pick(ctx: Context, customer: Customer, people: list[Contact], typed: list[str]) -> Contact:
    text = " ".join(typed)
    if text.isdigit() and 1 <= int(text) <= len(people):
        return people[int(text) - 1]
    exact = [p for p in people if fold(p.name) == fold(text)]
    near = exact or [p for p in people if fold(p.name).startswith(fold(text))]
    if len(near) == 1:
        return near[0]
    listed = "\n".join(f"{n}. {p.name}" for n, p in enumerate(people, 1)) or ctx.t("common.none")
    raise Abort(Reply(ctx.t("edit.which_contact", name=customer.name, query=text) + "\n" + listed))


def _add(ctx: Context, customer: Customer, words: list[str]) -> list[Change]:
    name, phone, email = split_contact_data(ctx, words)
    ctx.session.add(Contact(customer_id=customer.id or 0, name=name, phone=phone, email=email))
    return [Change("contact", "—", name)]


def _change(ctx: Context, person: Contact, field: str, value: str) -> list[Change]:
    clear = read.clears(value)
    if field == "name":
        new: str | None = read.name(ctx, value)
    elif clear:
        new = None
    elif field == "role":
        new = read.text(field, value)
    elif field == "phone":
        new = read.phone(ctx, value)
    else:
        new = read.email(value)
    old = getattr(person, field)
    if old == new:
        return []
    setattr(person, field, new)
    ctx.session.add(person)
    return [Change(field, shown(ctx, field, old), shown(ctx, field, new))]
