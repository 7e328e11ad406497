"""/merge <keep> <other> and /unmerge <merge id>, for managers and admins.

A merge is always asked before it is done: the question says what would move and why the two
look alike, and warns when they look like two different people (a homonym: same name,
different phone or e-mail). Only the "Merge" button (the same command with --confirm) writes.
The answer to a merge carries an "Undo" button, which is /unmerge with the merge's id.
"""

from __future__ import annotations

from handlers.cards import customer_card, email_text, phone_text
from handlers.kit import Abort, Button, Context, Reply, Usage, command
from handlers.quality import evidence
from handlers.refs import customer_label, parse_id, resolve_customer
from storage import customers
from storage.models import Customer
from storage.quality import dupes, merge

MANAGERS = ("manager", "admin")


def two_refs(text: str) -> tuple[str, str] | None:
    """ "#12 #34", "#12, Uğur Özmen" or "Uğur Özmen | Ugur Ozmen": (keep, other)."""
    for separator in (",", "|", ";"):
        if separator in text:
            keep, _, other = text.partition(separator)
            keep, other = keep.strip(), other.strip()
            return (keep, other) if keep and other else None
    words = text.split()
    return (words[0], words[1]) if len(words) == 2 else None


def _person(ctx: Context, c: Customer) -> dupes.Person:
    return dupes.person(c, customers.points(ctx.session, c.id or 0))


def _point(ctx: Context, kind: str, value: str) -> str:
    """A phone or e-mail the kept customer gains, as the card would show it."""
    return (phone_text(ctx, value) if kind == "phone" else email_text(ctx, value)) or value


def _error(ctx: Context, problem: merge.MergeError) -> Abort:
    return Abort(Reply(ctx.t(f"merge.error.{problem.code}", **problem.values)))


@command("merge", writes=True, roles=MANAGERS, aliases=("birlestir", "birleştir"))
def merge_customers(ctx: Context) -> Reply:
    refs = two_refs(ctx.args)
    if refs is None:
        raise Usage("merge.two_refs")
    keep = resolve_customer(ctx, refs[0], ctx.again(f"{{ref}}, {refs[1]}"))
    other = resolve_customer(ctx, refs[1], ctx.again(f"#{keep.id}, {{ref}}"))
    t = ctx.t
    pair = dupes.judge(_person(ctx, keep), _person(ctx, other))
    why = evidence(ctx, pair)
    try:
        plan = merge.preview(ctx.session, keep, other)
    except merge.MergeError as problem:
        raise _error(ctx, problem) from None
    if not ctx.confirmed:
        lines = [t("merge.confirm", other=customer_label(other), keep=customer_label(keep))]
        lines.append(t("merge.evidence", evidence=why))
        moving = [(k, plan.counts.get(k, 0)) for k, *_ in merge.MOVABLE]
        items = [t.plural(f"merge.count.{k}", n) for k, n in moving if n]
        lines.append(t("merge.moves", items=t.join(items)) if items else t("merge.moves_none"))
        if plan.points:
            lines.append(t("merge.points", points=", ".join(_point(ctx, *p) for p in plan.points)))
        if pair.homonym:
            lines.append(t("merge.homonym_warning"))
        command_text = f"{ctx.again(f'#{keep.id} #{other.id}')} --confirm"
        return Reply(
            "\n".join(lines),
            buttons=[
                Button(t("button.merge_confirm"), command_text),
                Button(t("button.open_card"), f"/customer #{other.id}"),
            ],
        )
    record = merge.merge(ctx.session, keep, other, rep_id=ctx.rep.id, now=ctx.now, evidence=why)
    moved = sum(len(ids) for ids in record.moved.values())
    text = t.plural("merge.done", moved, other=other.name, keep=keep.name, id=record.id)
    reply = customer_card(ctx, keep, text)
    reply.buttons.append(Button(t("button.undo"), f"/unmerge {record.id}"))
    return reply


@command("unmerge", writes=True, roles=MANAGERS, aliases=("ayir", "ayır"))
def unmerge_customers(ctx: Context) -> Reply:
    merge_id = parse_id(ctx.args.strip())
    if merge_id is None:
        raise Usage()
    try:
        done = merge.unmerge(ctx.session, merge_id, rep_id=ctx.rep.id, now=ctx.now)
    except merge.MergeError as problem:
        raise _error(ctx, problem) from None
    other = customers.get(ctx.session, done.record.other_id)
    keep = customers.get(ctx.session, done.record.kept_id)
    assert other is not None and keep is not None
    t = ctx.t
    text = t.plural("unmerge.done", sum(done.restored.values()), other=other.name, keep=keep.name)
    if done.stayed:
        text += " " + t.plural("unmerge.stayed", done.stayed)
    return customer_card(ctx, other, text)
