"""Platform-neutral CRM commands: one module per capability, each registering its commands.

Importing this package registers every command with ``bot.commands``.
"""

from handlers import (
    customers,
    deals,
    digest,
    help,
    interactions,
    invites,
    merge,
    profile,
    quality,
    subscriptions,
    tasks,
)

__all__ = [
    "customers",
    "deals",
    "digest",
    "help",
    "interactions",
    "invites",
    "merge",
    "profile",
    "quality",
    "subscriptions",
    "tasks",
]
