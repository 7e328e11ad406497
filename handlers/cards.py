"""Cards for customers, deals and tasks, with the buttons that act on them.

Each button's command is a complete or deliberately open-ended typed command ("/log call #12"
asks for the summary), so every adapter renders them the same way and a press is a command.
"""

from __future__ import annotations

from decimal import Decimal

from handlers.kit import Button, Card, Context, Reply
from handlers.masking import human_phone, masked_email, masked_phone
from storage import access_log, card_reads, customers, deals, reps
from storage.card_reads import LatestConsent, Note, OpenTask
from storage.models import Customer, Deal, Stage, Task

SNOOZES = (
    ("button.snooze_hour", "in 1 hour"),
    ("button.snooze_tomorrow", "tomorrow 9:00"),
    ("button.snooze_week", "next monday 9:00"),
)


def deal_line(ctx: Context, deal: Deal, stage: Stage | None) -> str:
    """One deal in a list: a won deal at its closing amount, as the totals count it."""
    won = stage is not None and stage.is_won and deal.closed_amount is not None
    stage_name = ctx.t.stage(stage.name) if stage else "?"
    return _deal_text(
        ctx,
        deal.title,
        deal.id,
        stage_name,
        deal.closed_amount if won else deal.amount,
        deal.currency,
    )


def _deal_text(
    ctx: Context,
    title: str,
    deal_id: int | None,
    stage_name: str,
    amount: Decimal | None,
    currency: str,
) -> str:
    return f"{title} — {stage_name} — {ctx.t.money(amount, currency)} (#{deal_id})"


def interaction_line(ctx: Context, item: Note) -> str:
    kind = ctx.t(f"kind.{item.kind}")
    when = ctx.t.date(item.occurred_at.astimezone(ctx.tz).date())
    summary = ctx.t("mask.note") if ctx.shared else item.summary
    return f"{when} · {kind} · {summary}" + (f" ({item.rep_name})" if item.rep_name else "")


def phone_text(ctx: Context, e164: str | None) -> str | None:
    """A phone as a rep reads it here: in full privately, masked where others read too."""
    if not e164:
        return None
    region = ctx.services.settings.crm_phone_region
    return masked_phone(e164, region) if ctx.shared else human_phone(e164, region)


def email_text(ctx: Context, email: str | None) -> str | None:
    if not email:
        return None
    return masked_email(email) if ctx.shared else email


def task_line(ctx: Context, task: Task | OpenTask, customer: Customer | None = None) -> str:
    """ "⚠ send the offer — Fri, Nov 27, 2026, 18:00 · Uğur Hami Özmen (#12)": the customer
    named where a list mixes several."""
    mark = "⚠ " if task.due_at < ctx.now else ""
    whom = f" · {customer.name}" if customer is not None else ""
    return f"{mark}{task.title} — {ctx.t.when(task.due_at, ctx.tz)}{whom} (#{task.id})"


def _consent(ctx: Context, row: LatestConsent | None) -> str | None:
    if row is None:
        return None
    parts = [ctx.t(f"consent.status.{row.status}"), ctx.t.date(row.at.astimezone(ctx.tz).date())]
    if row.source and not ctx.shared:
        parts.append(row.source)
    return " · ".join(parts)


def customer_card(ctx: Context, customer: Customer, text: str = "") -> Reply:
    """The card, and a line in the access log: who saw this customer's data, and when."""
    t = ctx.t
    assert customer.id is not None
    access = access_log.row(
        rep_id=ctx.rep.id,
        platform=ctx.incoming.platform,
        action="read",
        entity="customer",
        entity_id=customer.id,
        at=ctx.now,
        detail="masked" if ctx.shared else None,
    )
    data = card_reads.read(ctx.session, customer, access)
    fields: list[tuple[str, str]] = []
    for label, value in (
        ("field.phone", phone_text(ctx, customer.phone)),
        ("field.email", email_text(ctx, customer.email)),
        ("field.city", customer.city),
        ("field.owner", data.owner_name),
        ("field.tags", ", ".join(customer.tags) if customer.tags else None),
        (
            "field.channel",
            t(f"channel.{customer.preferred_channel}") if customer.preferred_channel else None,
        ),
        ("field.dnc", t("common.yes") if customer.do_not_contact else None),
        ("field.consent", _consent(ctx, data.consent)),
    ):
        if value:
            fields.append((t(label), value))
    if data.contacts:
        lines = [
            " ".join(
                p for p in (c.name, f"({c.role})" if c.role else "", phone_text(ctx, c.phone)) if p
            )
            for c in data.contacts
        ]
        fields.append((t("field.contacts"), "\n".join(lines)))
    deal_lines = [
        _deal_text(ctx, d.title, d.id, t.stage(d.stage), d.amount, d.currency) for d in data.deals
    ]
    fields.append((t("field.open_deals"), "\n".join(deal_lines) or t("common.none")))
    history = [interaction_line(ctx, note) for note in data.history]
    fields.append((t("field.history"), "\n".join(history) or t("common.none")))
    todo = [task_line(ctx, task) for task in data.tasks]
    fields.append((t("field.open_tasks"), "\n".join(todo) or t("common.none")))
    ref = f"#{customer.id}"
    buttons = [
        Button(t("button.log_call"), f"/log call {ref}"),
        Button(t("button.new_task"), f"/task {ref}"),
        Button(t("button.new_deal"), f"/deal add {ref}"),
        Button(t("button.deals"), f"/deals {ref}"),
        Button(t("button.edit"), f"/edit customer {ref}"),
        Button(t("button.delete"), f"/delete customer {ref}"),
    ]
    if not ctx.may_change(customer.owner_id):  # a teammate's: read it, task yourself, ask
        buttons = [b for b in buttons if b.command.startswith(("/task", "/deals"))]
    if ctx.shared:
        buttons.append(Button(t("button.show_in_dm"), f"/dm {ref}"))
    card = Card("customer", customer.id, customer.name, fields)
    return Reply(text or customer.name, card=card, buttons=buttons)


def deal_card(ctx: Context, deal: Deal, text: str = "") -> Reply:
    t, s = ctx.t, ctx.session
    assert deal.id is not None
    all_stages = deals.stages(s)
    current = next((st for st in all_stages if st.id == deal.stage_id), None)
    customer = customers.get(s, deal.customer_id) if deal.customer_id else None
    if deal.owner_id is not None and deal.owner_id == ctx.rep.id:  # the rep's own: no query
        owner: str | None = ctx.rep.name
    else:
        owner = reps.names(s, {deal.owner_id or 0}).get(deal.owner_id or 0)
    fields: list[tuple[str, str]] = [
        (t("field.customer"), f"{customer.name} (#{customer.id})" if customer else "—"),
        (t("field.amount"), t.money(deal.amount, deal.currency)),
        (
            t("field.stage"),
            f"{t.stage(current.name)} ({t.percent(current.probability)})" if current else "?",
        ),
    ]
    if deal.closed_amount is not None:
        fields.append((t("field.closed_amount"), t.money(deal.closed_amount, deal.currency)))
    if deal.expected_close:
        fields.append((t("field.expected_close"), t.date(deal.expected_close)))
    if owner:
        fields.append((t("field.owner"), owner))
    # never negative: a stage stamped by another host whose clock runs ahead of ours
    days = max((ctx.now - deal.stage_changed_at).days, 0)
    fields.append((t("field.in_stage"), t.plural("common.days", days)))
    if deal.lost_reason:
        fields.append((t("field.lost_reason"), deal.lost_reason))
    buttons = [
        Button(t.stage(st.name), f"/stage #{deal.id} {st.name.lower()}")
        for st in all_stages
        if st.id != deal.stage_id and ctx.may_change(deal.owner_id)
    ]
    if ctx.may_change(deal.owner_id):
        buttons.append(Button(t("button.edit"), f"/edit deal #{deal.id}"))
        buttons.append(Button(t("button.delete"), f"/delete deal #{deal.id}"))
    card = Card("deal", deal.id, deal.title, fields)
    return Reply(text or deal.title, card=card, buttons=buttons)


def task_card(ctx: Context, task: Task, text: str = "") -> Reply:
    t = ctx.t
    assert task.id is not None
    fields = [
        (t("field.due"), t.when(task.due_at, ctx.tz)),
        (t("field.status"), t(f"status.{task.status}")),
    ]
    if task.snoozed_until and task.snoozed_until > ctx.now:
        fields.append((t("field.snoozed_until"), t.when(task.snoozed_until, ctx.tz)))
    if task.customer_id:
        customer = customers.get(ctx.session, task.customer_id)
        if customer:
            fields.append((t("field.customer"), f"{customer.name} (#{customer.id})"))
    buttons: list[Button] = []
    if task.status == "open" and ctx.may_change(task.assignee_id):
        buttons.append(Button(t("button.done"), f"/done #{task.id}"))
        buttons += [Button(t(key), f"/snooze #{task.id} {when}") for key, when in SNOOZES]
    if ctx.may_change(task.assignee_id):
        buttons.append(Button(t("button.edit"), f"/edit task #{task.id}"))
        buttons.append(Button(t("button.delete"), f"/delete task #{task.id}"))
    return Reply(
        text or task.title, card=Card("task", task.id, task.title, fields), buttons=buttons
    )
