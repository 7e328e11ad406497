"""Bookkeeping beside the records: the audit trail, chat state (flows, invites, delivery
keys, button tokens), subscriptions and the run ledger of scheduled sends."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import created_field as _created
from storage.models.base import ts_field as _ts
from storage.types import UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    """One change to one record. ``digest`` is the SHA-256 of ``changes`` as written; ``chain``
    links the row to the one before it in ``chain_seq`` order (``storage.audit_chain``), so
    an edited or removed row shows. Erasure replaces the values and sets ``erased``; the
    digest stays, so the chain still holds."""

    __audit__: ClassVar[bool] = False
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _created()
    actor_rep_id: int | None = Field(default=None, foreign_key="rep.id")
    platform: str | None = Field(default=None, max_length=16)
    action: str = Field(max_length=16)  # create | update | delete | erase
    entity: str = Field(max_length=40)
    entity_id: int | None = None
    changes: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    digest: str | None = Field(default=None, max_length=64)
    chain_seq: int | None = Field(default=None, unique=True)
    chain: str | None = Field(default=None, max_length=64)
    erased: bool = False
    # The command that wrote it (one short id per chat command): what /undo reverts together.
    command: str | None = Field(default=None, max_length=16, index=True)


class Undone(SQLModel, table=True):
    """A command /undo reverted (by the command ``by_command``): never reverted twice."""

    __audit__: ClassVar[bool] = False
    id: int | None = Field(default=None, primary_key=True)
    command: str = Field(max_length=16, unique=True)
    by_command: str | None = Field(default=None, max_length=16)
    rep_id: int | None = Field(default=None, foreign_key="rep.id")
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class AccessLog(SQLModel, table=True):
    """A read of personal data: a customer card shown, an export written (who, what, when)."""

    __audit__: ClassVar[bool] = False
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
    rep_id: int | None = Field(default=None, foreign_key="rep.id", index=True)
    platform: str | None = Field(default=None, max_length=16)
    action: str = Field(max_length=16)  # read | export
    entity: str = Field(max_length=40)
    entity_id: int | None = Field(default=None, index=True)
    detail: str | None = Field(default=None, max_length=200)


class ChatFlow(SQLModel, table=True):
    """A guided multi-step command in progress; in the database so it survives a restart."""

    __audit__: ClassVar[bool] = False
    __table_args__ = (UniqueConstraint("platform", "chat_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    user_id: str = Field(max_length=64)
    command: str = Field(max_length=32)
    step: str = Field(max_length=32)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    updated_at: datetime = _created()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class InviteCode(SQLModel, table=True):
    """A one-time code that binds one platform's chat account to a rep (Telegram deep links).

    ``code`` holds the SHA-256 of the code, never the code: the table (and the audit trail that
    records its rows) cannot be replayed. ``platform`` is the one it may be redeemed on."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=64)
    platform: str | None = Field(default=None, max_length=16)
    rep_id: int = Field(foreign_key="rep.id")
    created_by_id: int | None = Field(default=None, foreign_key="rep.id")
    created_at: datetime = _created()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    used_at: datetime | None = _ts()
    used_by: str | None = Field(default=None, max_length=64)


class ProcessedEvent(SQLModel, table=True):
    """Deliveries already handled (Telegram update ids, Slack event ids), so a retry is a no-op."""

    __audit__: ClassVar[bool] = False
    __table_args__ = (UniqueConstraint("platform", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    key: str = Field(max_length=128)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)


class ButtonCommand(SQLModel, table=True):
    """A button's command too long for the platform's callback payload, stored behind a token."""

    __audit__: ClassVar[bool] = False
    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(unique=True, max_length=32)
    command: str = Field(max_length=4000)
    created_at: datetime = _created()


class Subscription(SQLModel, table=True):
    """A chat that receives a scheduled post (the daily digest, or a report of one kind), set
    up by a manager or admin."""

    __table_args__ = (UniqueConstraint("platform", "chat_id", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    kind: str = Field(default="digest", max_length=16)
    at_time: str = Field(default="08:30", max_length=5)  # HH:MM, local to ``timezone``
    timezone: str = Field(max_length=64)
    scope: str = Field(default="team", max_length=8)  # team | rep
    scope_rep_id: int | None = Field(default=None, foreign_key="rep.id")
    working_days_only: bool = True
    created_by_id: int | None = Field(default=None, foreign_key="rep.id")
    created_at: datetime = _created()
    active: bool = True
    # Report subscriptions (kind "report:<kind>") only; a digest leaves them None.
    cadence: str | None = Field(default=None, max_length=8)  # daily|workdays|weekly|monthly
    cadence_day: int | None = None  # weekly: 0 = Monday; monthly: 1-28, or 0 = the last day
    period: str | None = Field(default=None, max_length=32)  # relative: "last week", "son 30 gün"


class RunLedger(SQLModel, table=True):
    """One row per scheduled send (job, target, local date): exactly once across processes."""

    __audit__: ClassVar[bool] = False
    __table_args__ = (UniqueConstraint("job", "target", "run_date"),)
    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=40)
    target: str = Field(max_length=128)
    run_date: date
    status: str = Field(default="pending", max_length=16)  # pending | sent | failed | skipped
    attempts: int = 0
    error: str | None = Field(default=None, max_length=1000)
    created_at: datetime = _created()
    sent_at: datetime | None = _ts()


class Notice(SQLModel, table=True):
    """A message for a rep that is not an answer to what they typed (an owner asked about a
    record, an invite redeemed, a card sent to a private chat). Written in the command's own
    transaction, delivered after it commits by the bot process, and deleted once delivered, so
    no copy of what it said is kept. ``platform`` limits it to that platform's private chat."""

    __audit__: ClassVar[bool] = False
    id: int | None = Field(default=None, primary_key=True)
    rep_id: int = Field(foreign_key="rep.id", index=True)
    platform: str | None = Field(default=None, max_length=16)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = _created()
    next_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    attempts: int = 0
    error: str | None = Field(default=None, max_length=500)


class ChatSetting(SQLModel, table=True):
    """A chat an admin marked internal: full cards are shown there, not masked ones."""

    __table_args__ = (UniqueConstraint("platform", "chat_id"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    internal: bool = False
    set_by_id: int | None = Field(default=None, foreign_key="rep.id")
    at: datetime = _created()


class RateCounter(SQLModel, table=True):
    """Commands and writes a rep sent in one minute (UTC), for the per-rep rate limits."""

    __audit__: ClassVar[bool] = False
    __table_args__ = (UniqueConstraint("rep_id", "window"),)
    id: int | None = Field(default=None, primary_key=True)
    rep_id: int = Field(foreign_key="rep.id")
    window: datetime = Field(sa_type=UTCDateTime, nullable=False)
    commands: int = 0
    writes: int = 0


class CustomerGone(SQLModel, table=True):
    """A deleted customer row (``crm-bot purge``), written by a trigger: a deleted row can no
    longer tell the other processes' search indexes to drop it, its tombstone does. One row
    per id (a later delete of a reused SQLite id replaces it); ``change_seq`` as on
    ``Customer``."""

    __audit__: ClassVar[bool] = False
    customer_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    change_seq: int = Field(sa_type=BigInteger, index=True)
