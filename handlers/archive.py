"""/delete, /restore and /deleted: a customer, deal or task taken out of sight, and back.

``/delete customer #12``, ``/sil fırsat #8``, ``/delete task Call Ayşe``. The kind comes first,
as in /assign; without it, ``#12`` is whichever record the rep can see with that id (asked
with buttons when it is more than one) and a name is a customer's. Nothing is removed: the
record is archived (``storage.archive``) and leaves every lookup, list, digest and report; a
customer takes all its deals and the tasks on it with it, a deal its tasks, and the
confirmation says how many. The question is a proposal: [Delete], "yes", or /cancel. The answer
carries [Restore]; ``/deleted`` lists what the rep deleted (or lost) in the last 30 days, each
with [Restore]. Only who may change the record may delete or restore it (the session's scope).
Removing an archived record for good is an admin's ``crm-bot purge``.
"""

from __future__ import annotations

from handlers.cards import customer_card, deal_card, task_card
from handlers.kit import (
    PROPOSAL_STEP,
    Abort,
    Button,
    Context,
    Reply,
    Usage,
    command,
)
from handlers.records import ENTITIES, kind_named, owner_of, resolve
from handlers.refs import choices_reply, parse_id
from storage import archive
from storage.access import Forbidden
from storage.archive import ArchiveError, Batch, Record, kind_of, label
from storage.models import Customer, Deal


def _kind_and_ref(ctx: Context) -> tuple[str | None, str]:
    words = ctx.words
    kind = kind_named(words)
    ref = " ".join(words[1:] if kind else words)
    if not ref:
        raise Usage()
    return kind, ref


def _name(ctx: Context, record: Record) -> str:
    return ctx.t("archive.record", kind=ctx.t(f"entity.{kind_of(record)}"),
                 title=label(record), id=record.id)  # fmt: skip


def _by_id(ctx: Context, ref: str, record_id: int, archived: bool) -> Record:
    """Whichever record has this id: asked when it could be a customer, a deal or a task."""
    found = [
        r
        for kind in ENTITIES
        if (r := archive.find(ctx.session, kind, record_id)) is not None
        and (r.archived_at is not None) == archived
    ]
    if not found:
        raise Abort(Reply(ctx.t("archive.not_found", ref=ref)))
    if len(found) > 1:
        options = [(_name(ctx, r), ctx.again(f"{kind_of(r)} #{record_id}")) for r in found]
        raise Abort(choices_reply(ctx, "archive.which", options, ref=f"#{record_id}"))
    return found[0]


def _record(ctx: Context, kind: str | None, ref: str) -> Record:
    record_id = parse_id(ref)
    if kind is None and record_id is not None:
        return _by_id(ctx, ref, record_id, archived=False)
    return resolve(ctx, kind or "customer", ref, ctx.again(f"{kind or 'customer'} {{ref}}"))


def _along(ctx: Context, batch: Batch) -> str:
    t = ctx.t
    items = [t.plural("archive.count.deals", len(batch.deals)) if batch.deals else "",
             t.plural("archive.count.tasks", len(batch.tasks)) if batch.tasks else ""]  # fmt: skip
    return t.join(i for i in items if i)


def _may_change(ctx: Context, record: Record) -> None:
    """Refused before asking, not after the rep has confirmed."""
    if not ctx.may_change(owner_of(record)):
        raise Forbidden(kind_of(record), record.id, owner_of(record), "change")


@command("delete", writes=True, aliases=("sil", "remove", "kaldir", "kaldır"))
def delete(ctx: Context) -> Reply:
    kind, ref = _kind_and_ref(ctx)
    record = _record(ctx, kind, ref)
    _may_change(ctx, record)
    t, name, again = ctx.t, _name(ctx, record), f"{kind_of(record)} #{record.id}"
    if not ctx.confirmed:
        along = _along(ctx, archive.preview(ctx.session, record))
        lines = [t("archive.confirm", record=name)]
        if along:
            lines.append(t("archive.confirm_along", items=along))
        lines.append(t("archive.confirm_restore"))
        command_text = f"{ctx.again(again)} --confirm"
        asked = ctx.ask("\n".join(lines), command_text, step=PROPOSAL_STEP)
        asked.buttons.insert(0, Button(t("button.delete_confirm"), command_text))
        return asked
    batch = archive.archive(ctx.session, record, ctx.rep.id, ctx.now)
    along = _along(ctx, batch)
    text = t("archive.done", record=name)
    if along:
        text += " " + t("archive.done_along", items=along)
    restore = Button(t("button.restore"), f"/restore {again}")
    return Reply(text, buttons=[restore])


@command("restore", writes=True, aliases=("geriyukle", "geriyükle", "undelete"))
def restore(ctx: Context) -> Reply:
    kind, ref = _kind_and_ref(ctx)
    record_id = parse_id(ref)
    if record_id is None:
        raise Usage("archive.restore_by_id")
    if kind is None:
        kind = kind_of(_by_id(ctx, ref, record_id, archived=True))
    found = archive.find(ctx.session, kind, record_id)
    if found is None:  # said with the number as typed (one past any id reads as NO_RECORD)
        kind_word = ctx.t(f"entity.{kind}")
        raise Abort(Reply(ctx.t("archive.error.not_found", kind=kind_word, id=ref.lstrip("#"))))
    _may_change(ctx, found)
    try:
        batch = archive.restore(ctx.session, kind, record_id)
    except ArchiveError as problem:
        values = {**problem.values, "kind": ctx.t(f"entity.{problem.values['kind']}")}
        raise Abort(Reply(ctx.t(f"archive.error.{problem.code}", **values))) from None
    record = batch.record
    text = ctx.t("archive.restored", record=_name(ctx, record))
    if along := _along(ctx, batch):
        text += " " + ctx.t("archive.done_along", items=along)
    if isinstance(record, Customer):
        return customer_card(ctx, record, text)
    if isinstance(record, Deal):
        return deal_card(ctx, record, text)
    return task_card(ctx, record, text)


@command("deleted", writes=False, aliases=("silinenler", "arsiv", "arşiv", "trash"))
def deleted(ctx: Context) -> Reply:
    since = ctx.now - archive.RESTORABLE_FOR
    found = archive.recent(ctx.session, ctx.rep.id or 0, since)
    t = ctx.t
    if not found:
        return Reply(t("archive.none"))
    lines = [t("archive.list_title", days=archive.RESTORABLE_FOR.days)]
    buttons = []
    for record in found:
        assert record.archived_at is not None
        when = t.when(record.archived_at, ctx.tz)
        lines.append(t("archive.list_line", record=_name(ctx, record), when=when))
        command_text = f"/restore {kind_of(record)} #{record.id}"
        buttons.append(Button(t("button.restore_one", id=record.id), command_text))
    return Reply("\n".join(lines), buttons=buttons)
