"""SQLModel tables: the single source of truth every chat action writes to.

``base`` holds the conventions every table follows, ``crm`` the records, ``bookkeeping`` what
is kept beside them, ``rates`` the exchange rates, ``quotas`` the sales quotas, ``snapshots``
figures computed ahead for the digests; importing this package registers every table on
``SQLModel.metadata``.
"""

from storage.models.base import INTERACTION_KINDS, ROLES, TASK_STATUSES
from storage.models.bookkeeping import (
    AccessLog,
    AuditEvent,
    ButtonCommand,
    ChatFlow,
    ChatSetting,
    CustomerGone,
    InviteCode,
    Notice,
    ProcessedEvent,
    RateCounter,
    RunLedger,
    Subscription,
    Undone,
)
from storage.models.crm import (
    Consent,
    Contact,
    ContactPoint,
    Customer,
    CustomerMerge,
    Deal,
    DealStageChange,
    Interaction,
    Pipeline,
    Product,
    RawValue,
    Rep,
    Stage,
    Task,
)
from storage.models.quotas import Quota
from storage.models.rates import RATE_PLACES, RATE_SCALE, ExchangeRate
from storage.models.snapshots import QualitySnapshot

__all__ = [
    "INTERACTION_KINDS",
    "RATE_PLACES",
    "RATE_SCALE",
    "ROLES",
    "TASK_STATUSES",
    "AccessLog",
    "AuditEvent",
    "ButtonCommand",
    "ChatFlow",
    "ChatSetting",
    "Consent",
    "Contact",
    "ContactPoint",
    "Customer",
    "CustomerGone",
    "CustomerMerge",
    "Deal",
    "DealStageChange",
    "ExchangeRate",
    "Interaction",
    "InviteCode",
    "Notice",
    "Pipeline",
    "ProcessedEvent",
    "Product",
    "QualitySnapshot",
    "Quota",
    "RateCounter",
    "RawValue",
    "Rep",
    "RunLedger",
    "Stage",
    "Subscription",
    "Task",
    "Undone",
]
