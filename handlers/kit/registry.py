"""The command registry: names and aliases, who may run a command, and whether it writes.

A handler is a plain function ``handler(ctx: Context) -> Reply | list[Reply]`` registered with
``@command("name", writes=..., aliases=...)``. It runs on the dispatcher's worker thread,
inside the command's one transaction, so it simply does its database work and returns. Its
usage, example and one-line description live in the catalog under ``help.<name>`` (spaces
become underscores), so adding a command means touching one handlers/ module, its test and
the catalog.

A name or alias is registered once: a second command claiming it fails at import time with
both places named, because a silent winner (whichever module happened to load last) is how
``/start`` once belonged to two commands. ``writes=False`` is a promise the dispatcher holds
the handler to: its session refuses writes to CRM records (``storage.access``).

Handlers stop early by raising: ``Usage`` (answer with the command's usage and example) or
``Abort`` (answer with a ready Reply, e.g. a choice list). Either way the dispatcher rolls the
transaction back, so nothing is half-written.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from handlers.kit.context import CommandSpec, Handler
from handlers.kit.i18n import Translator, catalog, is_keyword
from handlers.kit.messages import Button, Reply
from storage.folding import fold
from storage.models import ROLES

CONFIRM_FLAG = "--confirm"
SENTENCE = "read"  # the hidden command plain text goes to: a sentence, a greeting or a name
PREVIEW_FLAG = "--preview"  # run, show the answer, keep nothing ("Try it" in /help)


class Usage(Exception):
    """Missing or malformed arguments; ``problem`` is an optional catalog key said first."""

    def __init__(self, problem: str | None = None, **values: object) -> None:
        super().__init__(problem)
        self.problem = problem
        self.values = values


class Abort(Exception):
    """Stop here and answer with this reply; the transaction is rolled back."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.text)
        self.reply = reply


class RegistryClash(Exception):
    """Two commands claim the same name or alias."""


REGISTRY: dict[str, CommandSpec] = {}
_LOOKUP: dict[str, CommandSpec] = {}


def command(
    name: str,
    *,
    writes: bool,
    aliases: tuple[str, ...] = (),
    roles: tuple[str, ...] = ROLES,
    hidden: bool = False,
) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        spec = CommandSpec(name, fn, writes, aliases, roles, hidden)
        if inspect.iscoroutinefunction(fn):
            raise TypeError(f"{spec.where}: a handler is a plain function, not async")
        words = {fold(word): word for word in (name, *aliases)}
        for folded, word in words.items():
            other = _LOOKUP.get(folded)
            if other is not None and other.where != spec.where:
                raise RegistryClash(
                    f'"{word}" is claimed twice: /{other.name} in {other.where} '
                    f"and /{name} in {spec.where}"
                )
        REGISTRY[name] = spec
        for folded in words:
            _LOOKUP[folded] = spec
        return fn

    return register


def unregister(name: str) -> None:
    """Forget a command again (tests register throwaway ones)."""
    spec = REGISTRY.pop(name)
    for word in (spec.name, *spec.aliases):
        _LOOKUP.pop(fold(word), None)


def lookup(words: list[str]) -> tuple[CommandSpec | None, int]:
    """The command named by the first one or two words, and how many words it took."""
    if len(words) >= 2 and (spec := _LOOKUP.get(fold(f"{words[0]} {words[1]}"))):
        return spec, 2
    if words and (spec := _LOOKUP.get(fold(words[0]))):
        return spec, 1
    return None, 0


def command_words() -> list[str]:
    return list(_LOOKUP)


def meant(words: list[str]) -> tuple[CommandSpec | None, str | None]:
    """What an unknown command means, before any spelling guess: (the command that does it,
    None), (None, a ``kw.missing`` key) for what does not exist yet, or (None, None).

    "/forecast" and "/tahmin" are /pipeline, not /task or /find that merely look alike.
    """
    typed = [words[0], "".join(words[:2])] if words else []
    for key in (k for k in catalog("en") if k.startswith(("kw.meaning.", "kw.missing."))):
        if any(is_keyword(word, key) for word in typed):
            _, kind, name = key.split(".")
            if kind == "missing":
                return None, name
            return REGISTRY.get(name.replace("_", " ")), None
    return None, None


def usage_reply(t: Translator, key: str, problem: str | None = None, **values: object) -> Reply:
    """The answer to a ``Usage``: what was wrong, the usage, an example and a Help button."""
    lines = [t(problem, **values)] if problem else []
    lines += [
        t("usage.label", usage=t(f"help.{key}.usage")),
        t("usage.example", example=t(f"help.{key}.example")),
    ]
    return Reply("\n".join(lines), buttons=[Button(t("button.help"), f"/help {key}")])
