"""What the CLI refuses to do, said in one line in the CRM's language: never a traceback and
never a secret. ``SetupError`` is the kind the operator must fix before the bot can run."""

from __future__ import annotations

from handlers.kit import Translator


class Refusal(Exception):
    """``key`` is the catalog entry that says what is wrong and how to put it right."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    def said(self, t: Translator) -> str:
        return t(self.key, **self.values)


class SetupError(Refusal):
    """A problem with the configuration, the database or a platform's credentials."""
