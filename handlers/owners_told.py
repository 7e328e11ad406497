"""Owners are told when someone else changes their customer, deal or task.

After a chat command's handler has run, the audit rows it wrote (``storage.audit.watch``) are
read once more: each change to a record owned by another active rep becomes a line in that
rep's language and timezone, "Murat Kaya changed the deal "Fleet" (#12): Stage: Lead →
Proposal", with the same fields and values as ``/history``. Lines are notices of one batch per
owner (``storage.chat.notices.add_batched``): the courier sends a minute of them as one
private message, so a manager tidying ten deals sends one message, not ten.

Not told: the rep who made the change; a change of the owner itself (``/assign`` and
``/task @rep`` tell both sides in their own words); unowned records; interactions, which are
new records about a customer rather than changes to it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from handlers.history import details
from handlers.kit import Button, Context, Reply, Translator
from handlers.records import owner_field, owner_of
from storage import reps
from storage.archive import KINDS, label
from storage.audit import audited
from storage.chat import notices
from storage.models import AuditEvent

BATCH = "owners"
_OWNER_FIELDS = {"customer": "owner_id", "deal": "owner_id", "task": "assignee_id"}
WINDOW = timedelta(minutes=1)


def tell_owners(ctx: Context) -> None:
    for row in audited(ctx.session):
        entity = row["entity"]
        if entity not in KINDS or row["entity_id"] is None:
            continue
        # A new record's row holds every value it was given: one created with an owner is a
        # change of owner, not told here. Said before the look-up, which would cost a SELECT:
        # the new record has usually left the session by now.
        if row["action"] == "create" and _OWNER_FIELDS[entity] in row["changes"]:
            continue
        with ctx.session.no_autoflush:
            record = ctx.session.get(KINDS[entity], row["entity_id"])
        if record is None or owner_field(record) in row["changes"]:
            continue
        owner_id = owner_of(record)
        if owner_id is None or owner_id == ctx.rep.id:
            continue
        owner = reps.get(ctx.session, owner_id)
        if owner is not None and owner.active:
            _tell(ctx, owner, entity, record, AuditEvent(**row))


def _tell(ctx: Context, owner: Any, entity: str, record: Any, event: AuditEvent) -> None:
    settings = ctx.services.settings
    told = Translator(owner.language or settings.crm_language)
    theirs = replace(ctx, t=told, tz=ZoneInfo(owner.timezone or settings.crm_timezone),
                     shared=False)  # fmt: skip
    said = details(theirs, event, record)
    if not said:
        return
    title = label(record)
    line = told("owners.changed", by=ctx.rep.name, action=told(f"history.action.{event.action}"),
                record=told(f"entity.{entity}"), title=title, id=record.id)  # fmt: skip
    reply = Reply(
        f"• {line}: " + "; ".join(said),
        buttons=[Button(told("owners.history", id=record.id), f"/history {entity} #{record.id}")],
        language=told.language,
    )
    payload = {**reply.to_payload(), "batch_header": told("owners.header")}
    notices.add_batched(ctx.session, owner.id or 0, payload, ctx.now, BATCH, WINDOW)
