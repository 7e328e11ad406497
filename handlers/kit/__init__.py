"""The kit that commands are written against, at the bottom of ``handlers/``.

Messages in and out, the command registry and the Context a handler receives, the message
catalogs and their keywords, the services a process passes down (database, settings, clock,
hooks), what adapters may ask of the store (``Accounts``), the calendar rules of scheduled
sends, and how a typed command is cut into words. Handlers and the process (``bot/``) import
these names from here; the modules behind them are the kit's own business.
"""

from handlers.kit.accounts import Accounts, Member
from handlers.kit.context import FLOW_IDLE, PROPOSAL_STEP, CommandSpec, Context, Handler
from handlers.kit.i18n import (
    CURRENCY_SIGNS,
    LANGUAGES,
    Translator,
    catalog,
    is_keyword,
    keyword_pattern,
    keywords,
)
from handlers.kit.messages import Attachment, Button, Card, Incoming, Reply, numbered
from handlers.kit.parsing import page_asked, split_command, split_literal
from handlers.kit.registry import (
    CONFIRM_FLAG,
    PREVIEW_FLAG,
    REGISTRY,
    SENTENCE,
    Abort,
    RegistryClash,
    Usage,
    command,
    command_words,
    lookup,
    meant,
    unregister,
    usage_reply,
)
from handlers.kit.services import Clock, Hook, Hooks, Services
from handlers.kit.settings import Settings
from handlers.kit.timing import (
    EVERY_DAY,
    MonthlySchedule,
    Schedule,
    WorkCalendar,
    parse_days,
    parse_hhmm,
    read_hhmm,
    schedule_of,
)

__all__ = [
    "CONFIRM_FLAG",
    "CURRENCY_SIGNS",
    "EVERY_DAY",
    "FLOW_IDLE",
    "LANGUAGES",
    "PREVIEW_FLAG",
    "PROPOSAL_STEP",
    "REGISTRY",
    "SENTENCE",
    "Abort",
    "Accounts",
    "Attachment",
    "Button",
    "Card",
    "Clock",
    "CommandSpec",
    "Context",
    "Handler",
    "Hook",
    "Hooks",
    "Incoming",
    "Member",
    "MonthlySchedule",
    "RegistryClash",
    "Reply",
    "Schedule",
    "Services",
    "Settings",
    "Translator",
    "Usage",
    "WorkCalendar",
    "catalog",
    "command",
    "command_words",
    "is_keyword",
    "keyword_pattern",
    "keywords",
    "lookup",
    "meant",
    "numbered",
    "page_asked",
    "parse_days",
    "parse_hhmm",
    "read_hhmm",
    "schedule_of",
    "split_command",
    "split_literal",
    "unregister",
    "usage_reply",
]
