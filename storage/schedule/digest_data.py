"""What a digest holds: its scope, thresholds and sections (filled by ``schedule.digest``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, true
from sqlmodel import col

from storage.deals import StageTotal
from storage.models import Stage
from storage.reports.attention import RepLoad as RepLoad  # defined with its rule


@dataclass(frozen=True)
class Scope:
    """Whose deals and tasks: ``rep_ids`` None means everyone; ``unowned`` adds ownerless deals."""

    rep_ids: frozenset[int] | None = None
    unowned: bool = True

    def deals(self, owner: Any) -> Any:
        if self.rep_ids is None:
            return true()
        mine = col(owner).in_(sorted(self.rep_ids))
        return or_(mine, col(owner).is_(None)) if self.unowned else mine

    def tasks(self, assignee: Any) -> Any:
        return true() if self.rep_ids is None else col(assignee).in_(sorted(self.rep_ids))


@dataclass(frozen=True)
class Thresholds:
    close_overdue_days: int = 14
    stale_days: int = 14
    lead_contact_days: int = 3
    won_low_pct: int = 50
    won_high_pct: int = 125
    max_open_tasks: int = 20
    task_age_days: int = 30
    items_per_rule: int = 5


@dataclass(frozen=True)
class DealItem:
    id: int
    title: str
    customer_id: int | None
    customer: str | None
    owner_id: int | None
    currency: str
    amount: Decimal | None
    closed_amount: Decimal | None
    expected_close: date | None
    lost_reason: str | None
    stage_id: int
    stage_changed_at: datetime
    created_at: datetime
    closed_at: datetime | None
    last_touch: datetime | None = None  # last interaction with the customer (stale rule)


@dataclass(frozen=True)
class Listing:
    """The first few items of a list, and how many there are in all."""

    items: list[DealItem] = field(default_factory=list)
    total: int = 0


@dataclass(frozen=True)
class Sum:
    currency: str
    count: int
    total: Decimal


@dataclass(frozen=True)
class Move:
    from_stage_id: int
    to_stage_id: int
    count: int


@dataclass
class Changes:
    new: list[Sum]
    new_deals: Listing
    moves: list[Move]
    closed: dict[int, list[Sum]]  # by (won or lost) stage id
    won: Listing
    lost: Listing

    @property
    def empty(self) -> bool:
        return not (self.new or self.moves or self.closed)


@dataclass
class Attention:
    close_overdue: Listing
    stale: Listing
    lost_no_reason: Listing
    won_off: Listing
    unowned: Listing
    uncontacted: Listing
    loads: list[RepLoad]

    @property
    def empty(self) -> bool:
        listings = (
            self.close_overdue,
            self.stale,
            self.lost_no_reason,
            self.won_off,
            self.unowned,
            self.uncontacted,
        )
        return not self.loads and all(listing.total == 0 for listing in listings)


@dataclass
class DigestData:
    stages: list[Stage]
    pipeline: list[StageTotal]
    changes: Changes
    attention: Attention
    since: datetime
    now: datetime
    today: date
    limits: Thresholds

    @property
    def empty(self) -> bool:
        """Nothing changed and nothing needs attention: not worth a post (see README)."""
        return self.changes.empty and self.attention.empty
