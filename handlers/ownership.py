"""When a record is someone else's: the refusal, and ``/ask`` to put the question to its owner.

The dispatcher turns ``storage.access.Forbidden`` (raised when a command's changes are flushed)
into ``refusal``: whose the record is, and a button that asks them. ``/ask`` writes nothing of
the CRM's: it leaves the owner a notice with a button that opens the record.
"""

from __future__ import annotations

from sqlmodel import Session

from handlers.kit import Button, Context, Reply, Translator, Usage, command
from handlers.records import ENTITIES, kind_named
from handlers.refs import parse_id
from storage import customers, deals, reps, tasks
from storage.access import Forbidden


def _title(session: Session, entity: str, entity_id: int | None) -> str | None:
    """The record's name, if this session may read it."""
    if entity_id is None:
        return None
    found = {"customer": customers.get, "deal": deals.get, "task": tasks.get}.get(entity)
    record = found(session, entity_id) if found else None
    if record is None:
        return None
    return str(getattr(record, "name", None) or getattr(record, "title", ""))


def _label(t: Translator, entity: str, entity_id: int | None, title: str | None) -> str:
    word = t(f"entity.{entity}") if entity in ENTITIES else entity
    ref = f"#{entity_id}" if entity_id is not None else ""
    return " ".join(p for p in (word, f'"{title}"' if title else "", ref) if p)


def refusal(session: Session, t: Translator, denied: Forbidden, attempted: str) -> Reply:
    """Why the change was refused, in the rep's words, with a button to ask the owner."""
    if denied.why == "reassign":
        return Reply(t("access.reassign"))
    with session.no_autoflush:
        owner = reps.get(session, denied.owner_id) if denied.owner_id else None
        title = _title(session, denied.entity, denied.entity_id)
    record = _label(t, denied.entity, denied.entity_id, title)
    if owner is None or denied.entity_id is None or denied.entity not in ENTITIES:
        return Reply(t("access.not_yours", record=record))
    ask = f"/ask {denied.entity} #{denied.entity_id} -- {attempted}"
    return Reply(
        t("access.owned", record=record, owner=owner.name),
        buttons=[Button(t("button.ask_owner", owner=owner.name), ask)],
    )


@command("ask", writes=False, hidden=True, aliases=("sor",))
def ask(ctx: Context) -> Reply:
    """``/ask <customer|deal|task> #<id> [-- what you tried]``: tell the owner (the record's
    kind in either language: ``/ask fırsat #12``)."""
    words = ctx.words
    entity = kind_named(words)
    if len(words) != 2 or entity is None or (record_id := parse_id(words[1])) is None:
        raise Usage()
    getter = {"customer": customers.get, "deal": deals.get, "task": tasks.get}[entity]
    record = getter(ctx.session, record_id)
    if record is None:  # gone, or never this rep's to see
        raise Usage("access.ask_unknown", record=words[1])
    owner_id = getattr(record, "assignee_id" if entity == "task" else "owner_id")
    owner = reps.get(ctx.session, owner_id) if owner_id else None
    if owner is None or not owner.active or owner.id == ctx.rep.id:
        raise Usage("access.ask_nobody")
    ot = Translator(owner.language or ctx.services.settings.crm_language)
    record_text = _label(ot, entity, record_id, _title(ctx.session, entity, record_id))
    tried = ctx.literal or ""
    key = "access.asked_notice_tried" if tried else "access.asked_notice"
    opens = {"customer": f"/customer #{record_id}", "deal": f"/deal #{record_id}", "task": "/tasks"}
    notice = Reply(
        ot(key, rep=ctx.rep.name, record=record_text, tried=tried),
        buttons=[Button(ot("button.open"), opens[entity])],
        language=ot.language,
    )
    ctx.notify(owner.id or 0, notice)
    return Reply(ctx.t("access.asked", owner=owner.name))
