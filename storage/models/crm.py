"""The CRM's records: reps, customers and their contacts, the pipeline, deals, interactions,
tasks. ``change_seq`` on customers is what every process's search index refreshes by: a
database trigger sets it on each write (``storage.search`` says why and how)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.models.base import created_field as _created
from storage.models.base import ts_field as _ts
from storage.types import Money, UTCDateTime, utcnow

# A partial index of archived rows: reports leave them out with ``id NOT IN (archived)``,
# which without it reads the whole table for a handful of ids.
_ARCHIVED: dict[str, Any] = {
    "sqlite_where": text("archived_at IS NOT NULL"),
    "postgresql_where": text("archived_at IS NOT NULL"),
}


class Rep(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=120)
    role: str = Field(default="rep", max_length=16)
    manager_id: int | None = Field(default=None, foreign_key="rep.id")
    telegram_user_id: int | None = Field(default=None, unique=True, sa_type=BigInteger)
    slack_user_id: str | None = Field(default=None, unique=True, max_length=32)
    email: str | None = Field(default=None, max_length=254)
    timezone: str | None = Field(default=None, max_length=64)
    language: str | None = Field(default=None, max_length=8)
    region: str | None = Field(default=None, max_length=60)  # regional office
    # How long before a task's due time its reminder comes (/early); 0: at the time itself.
    remind_before_minutes: int = 0
    active: bool = True
    created_at: datetime = _created()


class Customer(SQLModel, table=True):
    """One real customer. ``phone``/``email`` are the primary contact points (normalised: E.164,
    lower case); further ones are ContactPoint rows. A customer merged into another keeps its
    row, with ``merged_into_id`` set, so /unmerge can bring it back; it leaves search and lists.
    ``external_source``/``external_id`` identify a row from an import, so re-importing the same
    file updates instead of duplicating."""

    __table_args__ = (
        UniqueConstraint("external_source", "external_id"),
        # the few archived customers, which every report leaves out (migration 0020)
        Index("ix_customer_archived", "id", **_ARCHIVED),
    )
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    name_key: str = Field(index=True, max_length=200)
    kind: str = Field(default="company", max_length=16)  # company | person
    phone: str | None = Field(default=None, index=True, max_length=20)  # E.164
    email: str | None = Field(default=None, index=True, max_length=254)
    city: str | None = Field(default=None, max_length=80)
    tags: list[str] = Field(default_factory=list, sa_type=JSON)
    owner_id: int | None = Field(default=None, foreign_key="rep.id", index=True)
    preferred_channel: str | None = Field(default=None, max_length=16)
    do_not_contact: bool = False
    industry: str | None = Field(default=None, max_length=80)
    revenue: Decimal | None = Field(default=None, sa_type=Money)  # annual, in millions
    employees: int | None = None
    founded: int | None = None  # year established
    country: str | None = Field(default=None, max_length=80)
    parent_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    merged_into_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    external_source: str | None = Field(default=None, max_length=32)
    external_id: str | None = Field(default=None, max_length=64)
    erased_at: datetime | None = _ts()  # personal data erased on request (crm-bot privacy)
    archived_at: datetime | None = _ts()  # deleted (archived): out of every query, restorable
    archived_by_id: int | None = Field(default=None, foreign_key="rep.id")
    created_at: datetime = _created()
    updated_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True
    )
    # Set by a trigger on every insert and update, never by Python (what it holds differs by
    # engine; see storage.search): whatever a write puts here is overwritten.
    change_seq: int | None = Field(default=None, sa_type=BigInteger, index=True)


class ContactPoint(SQLModel, table=True):
    """A further phone or e-mail of a customer (the first ones live on the customer itself).

    Values are normalised before they get here (E.164, lower-cased e-mail), so an equality
    lookup on the indexed ``value`` finds a number however it was typed."""

    __table_args__ = (
        UniqueConstraint("customer_id", "kind", "value"),
        Index("ix_contactpoint_kind_value", "kind", "value"),
    )
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id")
    kind: str = Field(max_length=8)  # phone | email
    value: str = Field(max_length=254)
    label: str | None = Field(default=None, max_length=40)
    created_at: datetime = _created()


class RawValue(SQLModel, table=True):
    """A value from an import kept exactly as typed because it failed the entry standards (a
    phone libphonenumber refuses, an e-mail, date or amount that does not read, a rep not on
    the team). The record's own column stays valid or empty; this row keeps what was typed
    so nothing is lost, and /quality lists it until someone fixes the record and deletes it.
    ``customer_id`` is whose data it is (the customer itself, or the customer of a contact or
    deal), for /quality and for erasure; ``line`` is where it was in the file."""

    __table_args__ = (Index("ix_rawvalue_entity", "entity", "entity_id"),)
    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=16)  # customer | contact | deal | rep | product
    entity_id: int
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    field: str = Field(max_length=40)
    raw: str = Field(sa_type=Text)
    problem: str = Field(max_length=40)  # the import issue code: bad_phone, unknown_rep, …
    source: str | None = Field(default=None, max_length=32)
    line: int | None = None
    created_at: datetime = _created()


class CustomerMerge(SQLModel, table=True):
    """What one /merge moved, exactly, so /unmerge can put it back.

    ``moved`` maps a table name to the ids whose customer_id went from ``other`` to ``kept``
    ("interaction", "deal", "task", "contact", and "customer" for subsidiaries re-parented);
    ``copied_points`` are the ContactPoint ids created on the kept customer; ``filled`` names
    the kept customer's empty fields that were filled from the other, with the value put in."""

    id: int | None = Field(default=None, primary_key=True)
    kept_id: int = Field(foreign_key="customer.id", index=True)
    other_id: int = Field(foreign_key="customer.id", index=True)
    rep_id: int | None = Field(default=None, foreign_key="rep.id")
    evidence: str | None = Field(default=None, max_length=500)
    moved: dict[str, list[int]] = Field(default_factory=dict, sa_type=JSON)
    copied_points: list[int] = Field(default_factory=list, sa_type=JSON)
    filled: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    at: datetime = _created()
    undone_at: datetime | None = _ts()
    undone_by_id: int | None = Field(default=None, foreign_key="rep.id")


class Contact(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    name: str = Field(max_length=200)
    role: str | None = Field(default=None, max_length=80)
    phone: str | None = Field(default=None, index=True, max_length=20)
    email: str | None = Field(default=None, index=True, max_length=254)
    created_at: datetime = _created()


class Pipeline(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=80)
    is_default: bool = False


class Stage(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("pipeline_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    pipeline_id: int = Field(foreign_key="pipeline.id", index=True)
    name: str = Field(max_length=60)
    position: int
    probability: int = 0  # percent, 0-100
    is_won: bool = False
    is_lost: bool = False

    @property
    def is_closed(self) -> bool:
        return self.is_won or self.is_lost


class Product(SQLModel, table=True):
    """What is sold; ``key`` is the name folded without spaces, so "GTXPro" finds "GTX Pro"."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=120)
    key: str = Field(unique=True, max_length=120)
    series: str | None = Field(default=None, max_length=80)
    price: Decimal | None = Field(default=None, sa_type=Money)
    currency: str = Field(default="TRY", max_length=3)
    created_at: datetime = _created()


class Deal(SQLModel, table=True):
    __table_args__ = (
        Index("ix_deal_owner_stage", "owner_id", "stage_id"),
        UniqueConstraint("external_source", "external_id"),
        Index("ix_deal_archived", "id", **_ARCHIVED),
    )
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    title: str = Field(max_length=200)
    amount: Decimal | None = Field(default=None, sa_type=Money)
    closed_amount: Decimal | None = Field(default=None, sa_type=Money)
    currency: str = Field(default="TRY", max_length=3)
    stage_id: int = Field(foreign_key="stage.id", index=True)
    expected_close: date | None = None
    owner_id: int | None = Field(default=None, foreign_key="rep.id")
    product_id: int | None = Field(default=None, foreign_key="product.id", index=True)
    external_source: str | None = Field(default=None, max_length=32)
    external_id: str | None = Field(default=None, max_length=64)
    lost_reason: str | None = Field(default=None, max_length=500)
    stage_changed_at: datetime = _created()
    archived_at: datetime | None = _ts()  # deleted (archived): out of every query, restorable
    archived_by_id: int | None = Field(default=None, foreign_key="rep.id")
    closed_at: datetime | None = _ts()
    created_at: datetime = _created()
    updated_at: datetime = _created()


class DealStageChange(SQLModel, table=True):
    """One row per stage move, so time-in-stage and "what moved" are a query, not a replay."""

    __table_args__ = (
        # a period's moves (what advanced, by whom) read from the index alone (migration 0019)
        Index("ix_dealstagechange_time", "at", "deal_id", "from_stage_id", "to_stage_id", "rep_id"),
        # a deal's moves in order, as time in stage numbers them
        Index("ix_dealstagechange_deal_time", "deal_id", "at", "id", "to_stage_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deal.id")
    from_stage_id: int | None = Field(default=None, foreign_key="stage.id")
    to_stage_id: int = Field(foreign_key="stage.id")
    rep_id: int | None = Field(default=None, foreign_key="rep.id")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Interaction(SQLModel, table=True):
    __table_args__ = (
        Index("ix_interaction_customer_time", "customer_id", "occurred_at"),
        # reports read a period: its interactions by rep, kind and customer, from the index
        Index("ix_interaction_time_rep", "occurred_at", "rep_id", "kind", "customer_id"),
        Index("ix_interaction_rep_time", "rep_id", "occurred_at", "kind", "customer_id"),
        Index("ix_interaction_deal_time", "deal_id", "occurred_at"),  # touched since a day
        UniqueConstraint("source_platform", "source_message_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    summary: str = Field(max_length=4000)
    outcome: str | None = Field(default=None, max_length=500)
    occurred_at: datetime = _created()
    rep_id: int | None = Field(default=None, foreign_key="rep.id")
    customer_id: int = Field(foreign_key="customer.id")
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    deal_id: int | None = Field(default=None, foreign_key="deal.id")
    source_platform: str | None = Field(default=None, max_length=16)
    source_message_id: str | None = Field(default=None, max_length=128)
    latitude: float | None = None
    longitude: float | None = None
    created_at: datetime = _created()


class Task(SQLModel, table=True):
    """A next step. Its reminders look tasks up by due time, and by a snooze's end, within a
    few minutes' window: both are indexed behind the assignee and status."""

    __table_args__ = (
        Index("ix_task_assignee_status_due", "assignee_id", "status", "due_at"),
        Index("ix_task_assignee_status_snoozed", "assignee_id", "status", "snoozed_until"),
    )
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=500)
    due_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    assignee_id: int = Field(foreign_key="rep.id")
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    deal_id: int | None = Field(default=None, foreign_key="deal.id")
    status: str = Field(default="open", max_length=16)
    done_at: datetime | None = _ts()
    snoozed_until: datetime | None = _ts()
    last_reminded_at: datetime | None = _ts()
    created_by_id: int | None = Field(default=None, foreign_key="rep.id")
    created_at: datetime = _created()
    archived_at: datetime | None = _ts()  # deleted (archived): out of every query, restorable
    archived_by_id: int | None = Field(default=None, foreign_key="rep.id")


class Consent(SQLModel, table=True):
    """A customer's consent to be contacted, as given or withdrawn, with where it came from.

    Rows are never changed: the latest row is the customer's current answer, the earlier ones
    its history (KVKK and GDPR ask that consent can be shown)."""

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    status: str = Field(max_length=16)  # given | withdrawn
    source: str | None = Field(default=None, max_length=200)  # "signed form", "phone call", …
    rep_id: int | None = Field(default=None, foreign_key="rep.id")
    at: datetime = _created()
