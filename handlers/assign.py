"""/assign: a manager gives a customer, a deal or a task to another rep.

``/assign deal #12 Ayşe``, ``/ata fırsat #12 Ayşe'ye``, ``/assign customer Acme @Can``. The
record comes first (``#id`` or a name), the rep last: a full name, a first name no one else
has (with or without a case ending), or ``@name`` anywhere. Where a name could be a rep or a
customer, this command reads the last words as the rep (see ``handlers.assignees``).

Who may give what to whom is the session's scope (``storage.access``): a manager within their
team, an admin to anyone; a rep is told that only a manager may. Only the record itself moves:
a customer's open deals and tasks keep their owners, since a manager who hands over an account
often keeps its deals in flight with the rep who opened them (``crm-bot rep deactivate`` moves
everything). The new owner is told on their own platform, in their language, with buttons on
the record; so is the owner it was taken from.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.assignees import named_rep
from handlers.cards import SNOOZES, customer_card, deal_card, task_card
from handlers.kit import Abort, Button, Context, Reply, Translator, Usage, command
from handlers.records import OPENS, kind_named, owner_field, resolve
from handlers.refs import parse_id, resolve_rep
from storage import reps
from storage.archive import Record, label
from storage.models import Customer, Deal, Rep, Task


@dataclass(frozen=True)
class _Asked:
    entity: str
    ref: str
    rep_text: str


def _parse(ctx: Context) -> _Asked:
    words = ctx.words
    entity = kind_named(words)
    if entity is None or len(words) < 3:
        raise Usage()
    rest = words[1:]
    marked = [i for i, w in enumerate(rest) if w.startswith("@") and len(w) > 1]
    if marked:
        i = marked[-1]
        return _Asked(entity, " ".join(rest[:i] + rest[i + 1 :]), rest[i][1:])
    if parse_id(rest[0]) is not None:
        return _Asked(entity, rest[0], " ".join(rest[1:]))
    for size in (3, 2, 1):  # the longest tail that names one rep exactly
        if len(rest) > size and named_rep(ctx, " ".join(rest[-size:])) is not None:
            return _Asked(entity, " ".join(rest[:-size]), " ".join(rest[-size:]))
    raise Usage("assign.no_rep")


@command("assign", writes=True, aliases=("ata", "devret"))
def assign(ctx: Context) -> Reply:
    asked = _parse(ctx)
    t = ctx.t
    if ctx.rep.role == "rep":
        raise Abort(Reply(t("access.reassign")))
    record = resolve(ctx, asked.entity, asked.ref,
                     ctx.again(f"{asked.entity} {{ref}} {asked.rep_text}"))  # fmt: skip
    entity_id = record.id
    rebuild = ctx.again(f"{asked.entity} #{entity_id} @{{ref}}")
    rep = named_rep(ctx, asked.rep_text) or resolve_rep(ctx, asked.rep_text, rebuild)
    if not ctx.may_change(rep.id):
        raise Abort(Reply(t("assign.outside_team", name=rep.name)))
    field = owner_field(record)
    before: int | None = getattr(record, field)
    what = t(f"entity.{asked.entity}")
    if before == rep.id:
        return _card(ctx, record, t("assign.already", record=what, title=label(record),
                                    name=rep.name))  # fmt: skip
    setattr(record, field, rep.id)
    if not isinstance(record, Task):
        record.updated_at = ctx.now
    ctx.session.add(record)
    ctx.session.flush()  # the scope refuses a rep outside the manager's team here
    _tell(ctx, rep, record, asked.entity, "assign.given")
    previous = reps.get(ctx.session, before) if before not in (None, ctx.rep.id, rep.id) else None
    if previous is not None and previous.active:
        _tell(ctx, previous, record, asked.entity, "assign.taken", to=rep.name)
    text = t("assign.done", record=what, title=label(record), name=rep.name)
    return _card(ctx, record, text)


def _card(ctx: Context, record: Record, text: str) -> Reply:
    if isinstance(record, Customer):
        return customer_card(ctx, record, text)
    if isinstance(record, Deal):
        return deal_card(ctx, record, text)
    return task_card(ctx, record, text)


def _tell(ctx: Context, who: Rep, record: Record, entity: str, key: str, **more: str) -> None:
    """A notice in ``who``'s language, with buttons on the record they can press there."""
    told = Translator(who.language or ctx.services.settings.crm_language)
    text = told(key, by=ctx.rep.name, record=told(f"entity.{entity}"), title=label(record),
                **more)  # fmt: skip
    buttons = [Button(told("button.open"), f"{OPENS[entity]} #{record.id}")]
    if isinstance(record, Task) and key == "assign.given":
        buttons = [Button(told("button.done"), f"/done #{record.id}")] + [
            Button(told(label), f"/snooze #{record.id} {when}") for label, when in SNOOZES
        ]
    ctx.notify(who.id or 0, Reply(text, buttons=buttons))
