"""Problems the operator must fix before the bot can run: said in one line, in the CRM's
language, never with a traceback and never with a secret in it."""

from __future__ import annotations

from handlers.kit import Translator


class SetupError(Exception):
    """``key`` is the catalog entry that says what is wrong and how to fix it."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    def said(self, t: Translator) -> str:
        return t(self.key, **self.values)
