"""Tasks: next steps with due dates, listed, done and snoozed."""

from __future__ import annotations

from datetime import datetime

from handlers import dates
from handlers.assignees import assignee
from handlers.cards import task_card
from handlers.kit import Abort, Button, Context, Reply, Translator, Usage, command
from handlers.mentions import leading_customer, trailing_customer
from handlers.refs import parse_id, resolve_task
from storage import tasks
from storage.models import Customer, Rep, Task


def confirm_future(ctx: Context, due: datetime) -> None:
    """A new date in the past is a question, not a fact: ask before writing it."""
    if due >= ctx.now or ctx.confirmed:
        return
    when = ctx.t.when(due, ctx.tz)
    raise Abort(
        Reply(
            ctx.t("task.past", when=when),
            buttons=[
                Button(ctx.t("button.keep_date", when=when), ctx.again(f"{ctx.args} --confirm"))
            ],
        )
    )


def find_task_parts(
    ctx: Context, text: str, *, with_customer: bool, again: str
) -> tuple[str, datetime | None, Customer | None]:
    """Split "[customer] <title> <when> [customer]": the date is the last date in the text.

    Returns the title exactly as typed (the date's words taken out), the due moment (None when
    no date was found) and the customer named at the end or the start (``handlers.mentions``).
    ``again`` re-runs the command with ``{text}`` in place of ``text`` when the date must be
    asked about.
    """
    words = text.split()
    candidates = trailing_customer(ctx, words) if with_customer else []
    used, customer = candidates[0] if candidates else (0, None)
    title, due = " ".join(words[: len(words) - used]), None
    for used, named in [*candidates, (0, None)]:
        head = " ".join(words[: len(words) - used])
        if found := dates.split(ctx, head):
            title, reading = found
            tail = " ".join(words[len(words) - used :])
            due = dates.settle(ctx, head, reading, again.replace("{text}", f"{{text}} {tail}"))
            customer = named
            break
    if customer is None and with_customer:
        customer, title = leading_customer(ctx, title, again.replace("{text}", f"{text} {{ref}}"))
    return title.strip(" ,;:-"), due, customer


def parse_task(
    ctx: Context, text: str, *, with_customer: bool, again: str
) -> tuple[str, datetime, Customer | None]:
    title, due, customer = find_task_parts(ctx, text, with_customer=with_customer, again=again)
    if due is None:
        raise Usage("task.bad_when")
    if not title:
        raise Usage("task.missing_text")
    return title, due, customer


def confirm_contact(ctx: Context, customer: Customer | None) -> None:
    """A customer who asked not to be contacted: say so, and go on only when confirmed."""
    if customer is None or not customer.do_not_contact or ctx.confirmed:
        return
    raise Abort(
        Reply(
            ctx.t("dnc.warning", name=customer.name),
            buttons=[Button(ctx.t("button.dnc_anyway"), ctx.again(f"{ctx.args} --confirm"))],
        )
    )


def create_task(
    ctx: Context,
    title: str,
    due: datetime,
    customer: Customer | None,
    deal_id: int | None = None,
    assignee: Rep | None = None,
) -> Task:
    confirm_future(ctx, due)
    confirm_contact(ctx, customer)
    task = Task(
        title=title,
        due_at=due,
        assignee_id=(assignee or ctx.rep).id or 0,
        created_by_id=ctx.rep.id,
        customer_id=customer.id if customer else None,
        deal_id=deal_id,
        created_at=ctx.now,
    )
    return tasks.add(ctx.session, task)


@command("task", writes=True, aliases=("gorev",))
def task(ctx: Context) -> Reply:
    words = ctx.words
    if not words or (len(words) == 1 and parse_id(words[0]) is not None):
        return ctx.ask(ctx.t("task.ask_what"), "/task", suffix=" ".join(words))
    who, text = assignee(ctx, ctx.args)
    title, due, customer = find_task_parts(
        ctx, text, with_customer=True, again=ctx.again("{text}" + (f" @#{who.id}" if who else ""))
    )
    suffix = " ".join(p for p in (f"#{customer.id}" if customer else "", _for(who)) if p)
    if not title:
        return ctx.ask(ctx.t("task.ask_what"), "/task", suffix=" ".join(words))
    if due is None:
        return ctx.ask(ctx.t("task.ask_when", title=title), f"/task {title}", suffix=suffix)
    created = create_task(ctx, title, due, customer, assignee=who)
    when = ctx.t.when(due, ctx.tz)
    if who is None or who.id == ctx.rep.id:
        return task_card(ctx, created, ctx.t("task.created", title=title, when=when))
    told = Translator(who.language or ctx.services.settings.crm_language)
    ctx.notify(who.id or 0, Reply(told("task.given", by=ctx.rep.name, title=title,
                                       when=told.when(due, ctx.tz))))  # fmt: skip
    return task_card(ctx, created, ctx.t("task.created_for", title=title, when=when, name=who.name))


def _for(who: Rep | None) -> str:
    return f"@#{who.id}" if who else ""


@command("done", writes=True, aliases=("tamam", "bitti"))
def done(ctx: Context) -> Reply:
    if not ctx.args:
        raise Usage()
    item = resolve_task(ctx, ctx.args, "/done {ref}")
    if item.status != "open":
        return Reply(
            ctx.t("task.not_open", title=item.title, status=ctx.t(f"status.{item.status}"))
        )
    item.status = "done"
    item.done_at = ctx.now
    ctx.session.add(item)
    buttons = (
        [Button(ctx.t("button.next_step"), f"/task #{item.customer_id}")]
        if item.customer_id
        else []
    )
    return Reply(ctx.t("task.done", title=item.title), buttons=buttons)


@command("snooze", writes=True, aliases=("ertele",))
def snooze(ctx: Context) -> Reply:
    found = dates.split(ctx, ctx.args, durations=True)
    if found is None:
        raise Usage()
    rest, reading = found
    if not rest:
        raise Usage("snooze.missing_task")
    until = dates.settle(ctx, ctx.args, reading, ctx.again("{text}"))
    if until <= ctx.now:
        raise Usage("snooze.past", when=ctx.t.when(until, ctx.tz))
    item = resolve_task(ctx, rest, ctx.again(f"{{ref}} {dates.spelt(ctx, until)}"))
    if item.status != "open":
        return Reply(
            ctx.t("task.not_open", title=item.title, status=ctx.t(f"status.{item.status}"))
        )
    item.snoozed_until = until
    ctx.session.add(item)
    return task_card(
        ctx, item, ctx.t("task.snoozed", title=item.title, when=ctx.t.when(until, ctx.tz))
    )
