"""/edit: correct any field of a customer, a contact, a deal or a task.

``/edit [customer|deal|task|contact] <#id|name> <field> <value>`` (``/düzenle``,
``/değiştir``); without a kind it is a customer. Field names are keywords in either
language (``telefon``, ``şehir``, ``tutar``, ``son tarih``…), values are read by the readers
the rest of the bot uses (``handlers.edit_values``), and ``none``/``yok`` empties a field.
Several fields at once are separated by ``;`` (``/edit #12 city Ankara; tags +vip``): one
transaction, all or nothing; the Slack form submits that way.

Without a field it answers with the record's fields and their values, one button per field
(the card's "Edit" button); a field without a value asks for it (``ctx.ask``), so the next
message is the value. Owners and assignees change through /assign. A field an import kept
as raw text (``RawValue``) is fixed by the edit, so that stale row goes (/quality stops
listing it).
"""

from __future__ import annotations

from handlers.cards import customer_card, deal_card, task_card
from handlers.edit_contacts import edit_contact
from handlers.edit_fields import FIELDS, RAW_FIELDS, Change, apply, field_at, shown
from handlers.kit import Abort, Button, Card, Context, Reply, Usage, catalog, command, is_keyword
from handlers.records import kind_named, owner_of, resolve
from handlers.refs import parse_id
from storage import customers, edits
from storage.archive import label
from storage.models import Customer, Deal, Task

KINDS = ("customer", "deal", "task")
Record = Customer | Deal | Task


def _kind(words: list[str]) -> tuple[str, list[str]]:
    if words and is_keyword(words[0], "kw.edit.contact"):
        return "contact", words[1:]
    if kind := kind_named(words):
        return kind, words[1:]
    return "customer", words


@command("edit", writes=True, aliases=("duzenle", "degistir"))
def edit(ctx: Context) -> Reply:
    first, *more = [part.split() for part in ctx.args.split(";")]
    kind, words = _kind(first)
    if not words:
        raise Usage()
    if kind == "contact":
        customer, changes = edit_contact(ctx, words)
        return _answer(ctx, "customer", customer, changes)
    start = (
        1
        if parse_id(words[0]) is not None
        else next((i for i in range(1, len(words)) if field_at(kind, words, i)), len(words))
    )
    ref = " ".join(words[:start])
    tail = " ".join(words[start:])
    record = resolve(ctx, kind, ref, ctx.again(f"{kind} {{ref}} {tail}".strip()))
    prefix = f"/edit {kind} #{record.id}"
    if not ctx.may_change(owner_of(record)):
        raise Abort(Reply(ctx.t("edit.not_yours")))
    if start == len(words) and not more:
        return menu(ctx, kind, record)
    changes: list[Change] = []
    for part in [words[start:], *more]:
        found = field_at(kind, part, 0)
        if found is None:
            raise Usage("edit.bad_field", word=part[0] if part else "", fields=_names(ctx, kind))
        field, used = found
        value = " ".join(part[used:])
        if not value:
            if more:
                raise Usage("edit.no_value")
            return _ask_value(ctx, kind, record, field, f"{prefix} {' '.join(part[:used])}")
        changes += apply(ctx, record, field, value)
        edits.forget_raw(ctx.session, kind, record.id or 0, RAW_FIELDS.get(field, ()))
    return _answer(ctx, kind, record, changes)


def _names(ctx: Context, kind: str) -> str:
    return ", ".join(_word(ctx, f) for f in FIELDS[kind])


def _word(ctx: Context, field: str) -> str:
    """The field's first keyword in the rep's language: what a button types."""
    return catalog(ctx.t.language)[f"kw.field.{field}"].split("|")[0]


def current(ctx: Context, kind: str, record: Record) -> list[tuple[str, str, str]]:
    """(field, label, value as one would type it) for each field: the form's initial values."""
    s = ctx.session
    rows: list[tuple[str, str, str]] = []
    for field in FIELDS[kind]:
        value: object
        if field == "dnc":
            key = "kw.on" if getattr(record, "do_not_contact", False) else "kw.off"
            value = catalog(ctx.t.language)[key].split("|")[0]
        elif field == "customer":
            owner = customers.get(s, record.customer_id) if record.customer_id else None  # type: ignore[union-attr]
            value = f"#{owner.id}" if owner else ""
        elif field == "deal":
            value = f"#{record.deal_id}" if getattr(record, "deal_id", None) else ""
        elif field == "close":
            value = str(getattr(record, "expected_close", None) or "")
        elif field == "due":
            value = f"{record.due_at.astimezone(ctx.tz):%Y-%m-%d %H:%M}"  # type: ignore[union-attr]
        elif field in ("amount", "closed_amount"):
            number = getattr(record, field)
            value = f"{number:f} {record.currency}" if number is not None else ""  # type: ignore[union-attr]
        elif field == "lost_reason":
            value = getattr(record, "lost_reason", None) or ""
        elif field == "tags":
            value = ", ".join(getattr(record, "tags", []))
        else:
            value = getattr(record, field, None) or ""
            if field == "phone" and value:
                value = shown(ctx, "phone", value)
        rows.append((field, ctx.t(f"edit.field.{field}"), str(value)))
    return rows


def menu(ctx: Context, kind: str, record: Record) -> Reply:
    """The fields with their values and a button for each: pressing one asks for its value."""
    rows = current(ctx, kind, record)
    card = Card(
        f"edit_{kind}", record.id or 0, label(record), [(lab, v or "—") for _, lab, v in rows]
    )
    choices = [Button(lab, f"/edit {kind} #{record.id} {_word(ctx, f)}") for f, lab, _ in rows]
    text = ctx.t("edit.ask_field", title=label(record))
    return Reply(
        text, card=card, choices=choices, buttons=[Button(ctx.t("button.cancel"), "/cancel")]
    )


def _ask_value(ctx: Context, kind: str, record: Record, field: str, prefix: str) -> Reply:
    now = next(v for f, _, v in current(ctx, kind, record) if f == field)
    question = ctx.t("edit.ask_value", field=ctx.t(f"edit.field.{field}"), now=now or "—")
    return ctx.ask(f"{question}\n{ctx.t(f'edit.hint.{field}')}", prefix)


def _answer(ctx: Context, kind: str, record: Record, changes: list[Change]) -> Reply:
    t = ctx.t
    if changes:
        lines = [f"• {t(f'edit.field.{c.field}')}: {c.before} → {c.after}" for c in changes]
        text = t("edit.done", title=label(record)) + "\n" + "\n".join(lines)
    else:
        text = t("edit.unchanged", title=label(record))
    ctx.session.flush()
    if isinstance(record, Customer):
        return customer_card(ctx, record, text)
    if isinstance(record, Deal):
        return deal_card(ctx, record, text)
    return task_card(ctx, record, text)


@command("customer edit", writes=True, aliases=("musteri duzenle",), hidden=True)
def customer_edit(ctx: Context) -> Reply:
    """ "/customer edit #14 name Kaya İnşaat", as reps typed it before /edit existed."""
    ctx.args = f"customer {ctx.args}"
    return edit(ctx)
