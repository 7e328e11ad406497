"""Platform-neutral CRM commands: one module per capability, each registering its commands.

Importing this package imports every module in it, so a new command module is registered by
being here: there is no list to forget to update. Sub-packages (``kit``, the plumbing every
command uses, and ``when``, the date reader) hold no commands and are imported by their users.
"""

from __future__ import annotations

import importlib
import pkgutil

COMMAND_MODULES = tuple(
    importlib.import_module(f"{__name__}.{found.name}")
    for found in pkgutil.iter_modules(__path__)
    if not found.ispkg
)
