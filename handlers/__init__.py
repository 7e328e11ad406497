"""Platform-neutral CRM commands: one module per capability, each registering its commands.

Importing this package registers every command with ``bot.commands``.
"""

from handlers import (
    customers,
    deals,
    help,
    interactions,
    invites,
    merge,
    profile,
    quality,
    tasks,
)

__all__ = [
    "customers",
    "deals",
    "help",
    "interactions",
    "invites",
    "merge",
    "profile",
    "quality",
    "tasks",
]
