"""/history: who changed what on a customer, deal or task, and when, before → after.

Read from the audit trail (``storage.history``), newest first, ``PAGE`` changes at a time. A
record is found in the rep's scope as everywhere else, so a history is shown only of what the
rep may read; phones and e-mails in it are masked where others read along, as on the card,
and showing a customer's history is logged as a read of their data. Only fields a person
cares about are shown (``FIELDS``): bookkeeping such as ``updated_at`` or the reminder ledger
stamps is left out, and a change that touched nothing else is not listed.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from handlers.cards import email_text, phone_text
from handlers.kit import Button, Context, Reply, Usage, command, page_asked
from handlers.records import OPENS, kind_named, resolve
from storage import access_log, customers, deals, history, reps
from storage.archive import label
from storage.models import AuditEvent, Customer, Deal, Task

PAGE = 10
# The fields a history shows, with their catalog labels (history.field.<label>).
FIELDS = {
    "name": "name",
    "title": "title",
    "phone": "phone",
    "email": "email",
    "value": "value",
    "kind": "kind",
    "label": "label",
    "role": "role",
    "city": "city",
    "country": "country",
    "industry": "industry",
    "tags": "tags",
    "preferred_channel": "channel",
    "do_not_contact": "dnc",
    "owner_id": "owner",
    "assignee_id": "assignee",
    "customer_id": "customer",
    "deal_id": "deal",
    "parent_id": "parent",
    "merged_into_id": "merged_into",
    "stage_id": "stage",
    "amount": "amount",
    "closed_amount": "closed_amount",
    "currency": "currency",
    "expected_close": "expected_close",
    "lost_reason": "lost_reason",
    "due_at": "due",
    "status": "status",
    "snoozed_until": "snoozed_until",
}
_IDS = {"customer_id", "deal_id", "parent_id", "merged_into_id"}
_MOMENTS = {"due_at", "snoozed_until"}
_MONEY = {"amount", "closed_amount"}
Record = Customer | Deal | Task


def _parse(ctx: Context) -> tuple[str, str, int]:
    """``[kind] <ref> [page N]``; without a kind, a customer."""
    page, words = page_asked(ctx.words)
    entity = kind_named(words)
    if entity is not None:
        words = words[1:]
    return entity or "customer", " ".join(words), page


@command("history", writes=False, aliases=("gecmis", "tarihce"))
def show_history(ctx: Context) -> Reply:
    entity, ref, page = _parse(ctx)
    if not ref:
        raise Usage()
    rebuild = ctx.again(f"{entity} {{ref}}")
    record = resolve(ctx, entity, ref, rebuild)
    assert record.id is not None
    if isinstance(record, Customer):
        access_log.record(ctx.session, rep_id=ctx.rep.id, platform=ctx.incoming.platform,
                          action="read", entity="customer", entity_id=record.id, at=ctx.now,
                          detail="history")  # fmt: skip
    t = ctx.t
    what = t(f"entity.{entity}")
    title = label(record)
    shown = [(e, lines) for e in history.events(ctx.session, entity, record.id)
             if (lines := details(ctx, e, record))]  # fmt: skip
    if not shown:
        return Reply(t("history.none", record=what, title=title))
    pages = -(-len(shown) // PAGE)
    page = min(page, pages)
    head = t.plural("history.header", len(shown), record=what, title=title)
    if pages > 1:
        head = head.removesuffix(":") + t("common.page", page=page, pages=pages)
    names = {r.id: r.name for r in reps.all_reps(ctx.session)}
    lines = [head]
    for event, said in shown[(page - 1) * PAGE : page * PAGE]:
        lines.append(f"• {_headline(ctx, event, entity, names)}")
        lines += [f"   {d}" for d in said]
    buttons = []
    if page < pages:
        older = ctx.again(f"{entity} #{record.id} page {page + 1}")
        buttons.append(Button(t("history.older"), older))
    buttons.append(Button(t("button.open"), f"{OPENS[entity]} #{record.id}"))
    return Reply("\n".join(lines), buttons=buttons)


def _headline(ctx: Context, event: AuditEvent, entity: str, names: dict[int | None, str]) -> str:
    t = ctx.t
    who = names.get(event.actor_rep_id) if event.actor_rep_id else t("history.bot")
    action = t(f"history.action.{event.action}")
    if event.entity != entity:
        action += f" ({t(f'history.part.{event.entity}')})"
    return f"{t.when(event.at, ctx.tz)} · {who or '?'}: {action}"


def details(ctx: Context, event: AuditEvent, record: Record) -> list[str]:
    """One line per shown field ("Stage: Proposal → Won"); [] when nothing shown changed. An
    erasure says so and shows nothing of what it erased."""
    t = ctx.t
    if event.erased or event.action == "erase":
        return [t("history.erased")]
    lines = []
    for field, (before, after) in sorted(event.changes.items(), key=lambda kv: _order(kv[0])):
        if field not in FIELDS:
            continue
        label = t(f"history.field.{FIELDS[field]}")
        was, now = _value(ctx, field, before, record), _value(ctx, field, after, record)
        if event.action == "create":
            if after not in (None, "", [], False):  # a new record: what it was given
                lines.append(f"{label}: {now}")
        elif event.action == "delete":
            lines.append(f"{label}: {was}")
        else:
            lines.append(f"{label}: {was} → {now}")
    if event.action == "delete" and not lines:
        lines.append(t("history.deleted"))
    return lines


def _order(field: str) -> int:
    return list(FIELDS).index(field) if field in FIELDS else len(FIELDS)


def _value(ctx: Context, field: str, value: Any, record: Record) -> str:
    t = ctx.t
    if value is None or value == "" or value == []:
        return "—"
    if field in ("owner_id", "assignee_id"):
        rep = reps.get(ctx.session, int(value))
        return rep.name if rep else f"#{value}"
    if field == "customer_id" and (customer := customers.get(ctx.session, int(value))):
        return f"{customer.name} (#{value})"
    if field in _IDS:
        return f"#{value}"
    if field == "kind":
        return t(f"history.kind.{value}")
    if field == "stage_id":
        stage = deals.stage(ctx.session, int(value))  # the session's identity map: one query
        return t.stage(stage.name) if stage else f"#{value}"
    if field in _MOMENTS:
        return t.when(datetime.fromisoformat(str(value)), ctx.tz)
    if field == "expected_close":
        return t.date(date.fromisoformat(str(value)))
    if field in _MONEY:
        return _money(ctx, value, getattr(record, "currency", None))
    if field == "do_not_contact":
        return t("common.yes") if value else t("common.no")
    if field == "status":
        return t(f"status.{value}")
    if field == "tags":
        return ", ".join(str(v) for v in value)
    if field == "phone" or (field == "value" and str(value).startswith("+")):
        return phone_text(ctx, str(value)) or "—"
    if field in ("email", "value"):
        return email_text(ctx, str(value)) or "—"
    return str(value)


def _money(ctx: Context, value: Any, currency: str | None) -> str:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return ctx.t.money(amount, currency) if currency else str(amount)
