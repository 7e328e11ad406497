"""/tasks: a rep's open tasks, each one a tap away from done or snoozed.

A list mixes customers, so every line names its task's customer. Every line is numbered and
each number is a choice that opens the task's card, where [Done] and the snooze buttons are:
the fortieth task is as reachable as the first, by a tap or by typing its number. A long list
comes ``PAGE`` tasks at a time, under a header that counts them all, with a button to the next
page ("/tasks page 2", "/tasks sayfa 2").

``/tasks #12`` opens task 12's card. A manager or admin may name another rep, by name or as
``@#3`` (the digest's buttons); a rep may name only themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.cards import task_card, task_line
from handlers.kit import Button, Context, Reply, Usage, command, is_keyword, page_asked
from handlers.refs import parse_id, resolve_rep, resolve_task
from storage import customers, tasks
from storage.folding import fold
from storage.models import Rep

PAGE = 15
TITLE_CHARS = 40  # of a task's title on its button


@dataclass(frozen=True)
class _Asked:
    overdue: bool
    named: str  # a rep's name or "#id", "" for the rep asking
    page: int


def _parse(words: list[str]) -> _Asked:
    """``[overdue] [rep] [page N]``, the keywords in either language."""
    page, words = page_asked(words)
    overdue = bool(words) and is_keyword(words[0], "kw.overdue")
    named = " ".join(words[1:] if overdue else words).removeprefix("@")
    return _Asked(overdue, named, page)


def _whose(ctx: Context, asked: _Asked) -> Rep:
    me = ctx.rep
    if not asked.named or parse_id(asked.named) == me.id or fold(asked.named) == fold(me.name):
        return me
    if me.role == "rep":
        raise Usage("tasks.bad_filter", word=asked.named)
    return resolve_rep(ctx, asked.named, ctx.again(f"{_filter(asked.overdue)}@{{ref}}"))


def _filter(overdue: bool) -> str:
    return "overdue " if overdue else ""


@command("tasks", writes=False, aliases=("gorevler",))
def list_tasks(ctx: Context) -> Reply:
    words = ctx.words
    if len(words) == 1 and parse_id(words[0]) is not None:
        return task_card(ctx, resolve_task(ctx, words[0], "/tasks {ref}"))
    asked = _parse(words)
    who = _whose(ctx, asked)
    mine = who.id == ctx.rep.id
    at = ctx.now if asked.overdue else None
    total = tasks.count_open(ctx.session, who.id or 0, overdue_at=at)
    t = ctx.t
    if not total:
        key = "tasks.none_overdue" if asked.overdue else "tasks.none"
        return Reply(
            t(key) if mine else t("tasks.none_for", name=who.name),
            buttons=[Button(t("button.new_task"), "/task")] if mine else [],
        )
    pages = -(-total // PAGE)
    page = min(asked.page, pages)
    rows = tasks.open_for(
        ctx.session, who.id or 0, overdue_at=at, limit=PAGE, offset=(page - 1) * PAGE
    )
    linked = customers.many(ctx.session, sorted({r.customer_id for r in rows if r.customer_id}))
    key = ("tasks.overdue_header" if asked.overdue else "tasks.header") + ("" if mine else "_for")
    head = t(key, count=total, name=who.name)
    if pages > 1:
        head = head.removesuffix(":") + t("common.page", page=page, pages=pages)
    lines = [
        f"{n}. {task_line(ctx, row, linked.get(row.customer_id or 0))}"
        for n, row in enumerate(rows, 1)
    ]
    choices = [Button(row.title[:TITLE_CHARS], f"/tasks #{row.id}") for row in rows]
    buttons = []
    if page < pages:
        whom = "" if mine else f"@#{who.id} "
        more = f"/tasks {_filter(asked.overdue)}{whom}page {page + 1}"
        buttons.append(Button(t("tasks.next_page", count=min(PAGE, total - page * PAGE)), more))
    if mine:
        buttons.append(Button(t("button.new_task"), "/task"))
    return Reply("\n".join([head, *lines]), choices=choices, buttons=buttons)
