"""How a typed command is cut into words: the slash, a Telegram "@botname", and "--".

Adapters and the dispatcher both need this (Slack turns ``/crm find acme`` into ``/find acme``
and opens a form for ``/log call``), so it lives in the kit rather than in either of them.
"""

from __future__ import annotations

import re

from handlers.kit.i18n import is_keyword

LITERAL = re.compile(r"(?:^|\s)--(?:\s|$)")


def split_command(text: str) -> list[str]:
    """Words of a command, without the leading slash or a Telegram "@botname" suffix."""
    words = text.strip().split()
    if not words:
        return []
    head = words[0].lstrip("/")
    words[0] = head.split("@", 1)[0]
    return [w for w in words if w]


def split_literal(text: str) -> tuple[str, str | None]:
    """Split off free text after a lone "--": it is taken as is, whitespace and keywords alike.

    So a logged message may contain "next:", "--confirm" or line breaks without them being read
    as parts of the command ("/log note #12 -- <the message>").
    """
    found = LITERAL.search(text)
    if found is None:
        return text, None
    return text[: found.start()], text[found.end() :].strip()


def page_asked(words: list[str]) -> tuple[int, list[str]]:
    """``… page 2`` / ``… sayfa 2`` at the end of a list command: (the page, the other words)."""
    if len(words) >= 2 and is_keyword(words[-2], "kw.page") and words[-1].isdigit():
        return max(int(words[-1]), 1), words[:-2]
    return 1, words
