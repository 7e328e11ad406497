"""What /edit may change on a customer, a deal and a task, and how each field changes.

A change is applied to the record in the command's session and returned as (field,
before, after) in words the rep reads, for the reply; the audit trail records it by itself
(``storage.audit``). Phones and e-mails: the customer's ``phone``/``email`` column is the
primary one, further ones are ContactPoint rows:
- ``phone 0532 111 22 33`` replaces the primary number (a typo corrected);
- ``phone add 0532…`` adds one (the first becomes the primary);
- ``phone remove 0532…`` removes one (removing the primary promotes the oldest other one);
- ``phone primary 0532…`` makes one primary (a new number is added as the primary, and the
  old primary is kept as a further one). The same for ``email``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handlers import edit_values as read
from handlers.cards import email_text, phone_text
from handlers.kit import Abort, Button, Context, Reply, Usage, is_keyword
from handlers.refs import resolve_customer, resolve_deal
from storage import customers, deals
from storage.folding import name_key
from storage.models import ContactPoint, Customer, Deal, Task

FIELDS: dict[str, tuple[str, ...]] = {
    "customer": ("name", "phone", "email", "city", "tags", "dnc"),
    "deal": ("title", "amount", "currency", "close", "customer", "lost_reason", "closed_amount"),
    "task": ("title", "due", "customer", "deal"),
    "contact": ("name", "role", "phone", "email"),
}
# The import's names for a field it kept as typed (``RawValue.field``), per /edit field.
RAW_FIELDS = {"phone": ("phone",), "email": ("email",), "amount": ("amount",),
              "close": ("close_date",), "role": ("role",)}  # fmt: skip


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


def field_at(kind: str, words: list[str], start: int) -> tuple[str, int] | None:
    """The field named at ``words[start]`` (one or two words): (field, words used)."""
    for size in (3, 2, 1):
        typed = " ".join(words[start : start + size])
        if len(words) - start < size:
            continue
        for field in FIELDS[kind]:
            if is_keyword(typed, f"kw.field.{field}"):
                return field, size
    return None


def shown(ctx: Context, field: str, value: Any) -> str:
    """A value as the reply says it: "—" for nothing."""
    if value is None or value == [] or value == "":
        return "—"
    if field == "phone":
        return phone_text(ctx, value) or "—"
    if field == "email":
        return email_text(ctx, value) or "—"
    if field == "tags":
        return ", ".join(value)
    if field == "dnc":
        return ctx.t("common.yes") if value else ctx.t("common.no")
    return str(value)


def apply(ctx: Context, record: Customer | Deal | Task, field: str, value: str) -> list[Change]:
    if isinstance(record, Customer):
        changes = _customer(ctx, record, field, value)
        record.updated_at = ctx.now
    elif isinstance(record, Deal):
        changes = _deal(ctx, record, field, value)
        record.updated_at = ctx.now
    else:
        changes = _task(ctx, record, field, value)
    ctx.session.add(record)
    return changes


def _set(ctx: Context, record: Any, attr: str, field: str, new: Any) -> list[Change]:
    old = getattr(record, attr)
    if old == new:
        return []
    setattr(record, attr, new)
    return [Change(field, shown(ctx, field, old), shown(ctx, field, new))]


def _customer(ctx: Context, c: Customer, field: str, value: str) -> list[Change]:
    if field == "name":
        changes = _set(ctx, c, "name", field, read.name(ctx, value))
        c.name_key = name_key(c.name)
        return changes
    if field in ("phone", "email"):
        return _point(ctx, c, field, value)
    if field == "city":
        return _set(ctx, c, "city", field, None if read.clears(value) else read.text(field, value))
    if field == "tags":
        return _set(ctx, c, "tags", field, [] if read.clears(value) else read.tags(value, c.tags))
    return _set(ctx, c, "do_not_contact", field, read.flag(value))


def _point(ctx: Context, c: Customer, kind: str, value: str) -> list[Change]:
    """Phones and e-mails, several each with one primary (see the module's docstring)."""
    words = value.split()
    op = next((o for o in ("add", "remove", "primary") if is_keyword(words[0], f"kw.edit.{o}")),
              None)  # fmt: skip
    typed = " ".join(words[1:] if op else words)
    if not typed:
        raise Usage(f"edit.bad_{kind}", **{kind: value})
    new = read.phone(ctx, typed) if kind == "phone" else read.email(typed)
    s, assert_id = ctx.session, c.id
    assert assert_id is not None
    others = [p for p in customers.points(s, assert_id) if p.kind == kind]
    before = customers.all_values(c, others, kind)
    primary: str | None = getattr(c, kind)
    same = next((p for p in others if p.value == new), None)
    if op == "add":
        customers.add_point(s, c, kind, new)
    elif op == "remove":
        if new == primary:
            promoted = others[0] if others else None
            setattr(c, kind, promoted.value if promoted else None)
            if promoted:
                s.delete(promoted)
        elif same is not None:
            s.delete(same)
        else:
            raise Usage(f"edit.no_such_{kind}", value=typed)
    elif new != primary:
        if same is not None:
            s.delete(same)
        if op == "primary" and primary:
            s.add(ContactPoint(customer_id=assert_id, kind=kind, value=primary))
        setattr(c, kind, new)
    s.flush()
    after = customers.all_values(c, customers.points(s, assert_id), kind)
    if after == before:
        return []
    return [Change(kind, _values(ctx, kind, before), _values(ctx, kind, after))]


def _values(ctx: Context, kind: str, values: list[str]) -> str:
    return ", ".join(shown(ctx, kind, v) for v in values) or "—"


def _deal(ctx: Context, d: Deal, field: str, value: str) -> list[Change]:
    clear = read.clears(value)
    if field == "title":
        return _set(ctx, d, "title", field, read.text(field, value))
    if field in ("amount", "closed_amount"):
        return _money(ctx, d, field, value)
    if field == "currency":
        return _set(ctx, d, "currency", field, read.currency(value))
    if field == "close":
        new_day = None if clear else read.day(ctx, value)
        old = d.expected_close
        if old == new_day:
            return []
        d.expected_close = new_day
        return [Change(field, _day(ctx, old), _day(ctx, new_day))]
    if field == "customer":
        return _customer_of(ctx, d, value, f"/edit deal #{d.id} customer {{ref}}")
    return _set(ctx, d, "lost_reason", field, None if clear else read.text(field, value))


def _day(ctx: Context, value: Any) -> str:
    return ctx.t.date(value) if value else "—"


def _money(ctx: Context, d: Deal, field: str, value: str) -> list[Change]:
    stage = deals.stage(ctx.session, d.stage_id)
    if field == "closed_amount" and not (stage and stage.is_won):
        raise Usage("edit.not_won", title=d.title)
    old = getattr(d, field)
    before = ctx.t.money(old, d.currency) if old is not None else "—"
    if read.clears(value):
        if field == "closed_amount":
            raise Usage("edit.bad_amount", amount=value)
        d.amount = None
        return [Change(field, before, "—")] if old is not None else []
    number, currency = read.amount(ctx, value, d.currency)
    if field == "closed_amount" and currency != d.currency:
        raise Usage("stage.won_currency", title=d.title, currency=d.currency)
    if number == old and currency == d.currency:
        return []
    if not ctx.confirmed and number < ctx.services.settings.crm_small_amount:
        shown = ctx.t.money(number, currency)  # "₺2? That seems small": as /deal add asks
        keep = Button(ctx.t("money.keep", amount=shown), f"{ctx.again(ctx.args)} --confirm")
        raise Abort(Reply(ctx.t("money.small", amount=shown), buttons=[keep]))
    setattr(d, field, number)
    d.currency = currency
    return [Change(field, before, ctx.t.money(number, currency))]


def _customer_of(ctx: Context, record: Deal | Task, value: str, again: str) -> list[Change]:
    old = customers.get(ctx.session, record.customer_id) if record.customer_id else None
    new = None if read.clears(value) else resolve_customer(ctx, value, again)
    if (old and old.id) == (new and new.id):
        return []
    record.customer_id = new.id if new else None
    return [Change("customer", old.name if old else "—", new.name if new else "—")]


def _task(ctx: Context, task: Task, field: str, value: str) -> list[Change]:
    if field == "title":
        return _set(ctx, task, "title", field, read.text(field, value, limit=500))
    if field == "due":
        due = read.moment(ctx, value, f"/edit task #{task.id} due {{value}}")
        old = task.due_at
        if old == due:
            return []
        task.due_at, task.snoozed_until, task.last_reminded_at = due, None, None
        return [Change(field, ctx.t.when(old, ctx.tz), ctx.t.when(due, ctx.tz))]
    if field == "customer":
        return _customer_of(ctx, task, value, f"/edit task #{task.id} customer {{ref}}")
    old_deal = deals.get(ctx.session, task.deal_id) if task.deal_id else None
    rebuild = f"/edit task #{task.id} deal {{ref}}"
    new_deal = None if read.clears(value) else resolve_deal(ctx, value, rebuild)
    if (old_deal and old_deal.id) == (new_deal and new_deal.id):
        return []
    task.deal_id = new_deal.id if new_deal else None
    return [
        Change("deal", old_deal.title if old_deal else "—", new_deal.title if new_deal else "—")
    ]
