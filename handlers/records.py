"""The three kinds of record a rep names in a command (/ask, /assign, /history, /delete, /edit):
the kind word that may lead the arguments, finding the record in the rep's scope, its owner,
and the command that opens it."""

from __future__ import annotations

from handlers.kit import Context, is_keyword
from handlers.refs import resolve_customer, resolve_deal, resolve_task
from storage.archive import Record
from storage.models import Task

ENTITIES = ("customer", "deal", "task")
OPENS = {"customer": "/customer", "deal": "/deal", "task": "/tasks"}  # + " #<id>"


def kind_named(words: list[str]) -> str | None:
    """The kind its first word names, in either language ("fırsat", "deal"), or None."""
    return next((e for e in ENTITIES if words and is_keyword(words[0], f"kw.entity.{e}")), None)


def resolve(ctx: Context, entity: str, ref: str, rebuild: str) -> Record:
    """The record of that kind ``ref`` names, or stop with choices (``rebuild`` re-runs)."""
    found = {"customer": resolve_customer, "deal": resolve_deal, "task": resolve_task}[entity]
    return found(ctx, ref, rebuild)


def owner_field(record: Record) -> str:
    return "assignee_id" if isinstance(record, Task) else "owner_id"


def owner_of(record: Record) -> int | None:
    return getattr(record, owner_field(record))
