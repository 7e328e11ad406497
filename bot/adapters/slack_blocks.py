"""Replies as Block Kit messages, and Slack message text back to what the user typed.

Slack rejects a whole message when one limit is exceeded (50 blocks, 10 fields per section,
25 elements per actions block, 3000 characters per text, 75 per button label, 2000 per button
value), so everything is clipped or split here instead: long text becomes several sections,
many fields several sections, many buttons several actions blocks, and more than 50 blocks
several messages. A button's ``value`` is the command it runs, so a press is a typed command.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from bot.adapters.text import split_lines
from handlers.kit import REGISTRY, Button, Card, Reply, Translator, lookup, numbered, split_command

log = logging.getLogger(__name__)

MAX_BLOCKS = 50
MAX_FIELDS = 10
MAX_ELEMENTS = 25
MAX_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_HEADER = 150
MAX_BUTTON_TEXT = 75
MAX_VALUE = 2000
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_OPTIONS = 100
SHORT_FIELD = 60  # longer or multi-line values get a section of their own, not a column

COMMAND_ACTION = "crm_cmd"  # every action id that runs its value starts with this
SHARE_ACTION = "crm_share"

Block = dict[str, Any]
Message = dict[str, Any]  # {"text": fallback, "blocks": [...]}


def escape(text: str) -> str:
    """Text for mrkdwn and a message's top-level ``text``: Slack reads <, > and & as markup,
    so a customer named "<!channel> Evil Corp" would ping a whole channel."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def inert(text: str) -> str:
    """Plain text (button labels, headers, options) shown as it is: a "<" that came from data
    is followed by an invisible zero-width space, so it can never open a mention."""
    return text.replace("<", "<\u200b")


def as_typed_in_slack(text: str) -> str:
    """Our commands are typed "/crm find …" in Slack ("/help" is Slack's own): say so in text."""
    return _mentions().sub(lambda m: f"/crm {m.group(1)}", text)


@cache
def _mentions() -> re.Pattern[str]:
    """Built on first use, once every handler module has registered its commands."""
    words = sorted({name.split()[0] for name in REGISTRY}, key=len, reverse=True)
    return re.compile(r"(?<![\w/<:.])/(" + "|".join(map(re.escape, words)) + r")\b")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_LINK = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def plain(text: str, *, drop_user: str | None = None) -> str:
    """What the user typed, from Slack's formatted text: links, e-mails and entities undone.

    ``<mailto:a@b.c|a@b.c>`` becomes ``a@b.c``, ``<#C1|sales>`` ``#sales``, ``<@U1>`` stays as
    ``@U1`` unless it is ``drop_user`` (the bot itself in a mention), which is removed.
    """

    def undo(found: re.Match[str]) -> str:
        target, label = found.group(1), found.group(2)
        if target.startswith("@"):
            return "" if target[1:] == drop_user else f"@{label or target[1:]}"
        if target.startswith("#"):
            return f"#{label or target[1:]}"
        if target.startswith("!"):
            return ""
        return label or target.removeprefix("mailto:").removeprefix("tel:")

    return html.unescape(_LINK.sub(undo, text)).strip()


def section(text: str) -> Iterator[Block]:
    for part in split_lines(text, MAX_TEXT):
        if part.strip():
            yield {"type": "section", "text": {"type": "mrkdwn", "text": part}}


def button(label: str, value: str, action_id: str, style: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": clip(inert(label), MAX_BUTTON_TEXT), "emoji": True},
        "value": value,
        "action_id": action_id,
    }
    if style:
        element["style"] = style
    return element


def option(label: str, value: str) -> Block:
    text = clip(inert(label), MAX_OPTION_TEXT)
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def card_blocks(card: Card) -> Iterator[Block]:
    """A header, the short fields as columns (10 per section), the long ones as sections."""
    yield {
        "type": "header",
        "text": {
            "type": "plain_text",
            "text": clip(inert(f"{card.title} (#{card.id})"), MAX_HEADER),
        },
    }
    columns: list[Block] = []
    for label, value in card.fields:
        text = f"*{escape(label)}*\n{escape(value)}"
        if len(value) <= SHORT_FIELD and "\n" not in value:
            columns.append({"type": "mrkdwn", "text": clip(text, MAX_FIELD_TEXT)})
            continue
        yield from _columns(columns)
        columns = []
        yield from section(text)
    yield from _columns(columns)


def _columns(columns: list[Block]) -> Iterator[Block]:
    for start in range(0, len(columns), MAX_FIELDS):
        yield {"type": "section", "fields": columns[start : start + MAX_FIELDS]}


def is_command(command: str, name: str) -> bool:
    spec, _ = lookup(split_command(command))
    return spec is not None and spec.name == name


class _Actions:
    """Builds actions blocks with action ids unique within one message."""

    def __init__(self) -> None:
        self.count = 0

    def next_id(self) -> str:
        self.count += 1
        return f"{COMMAND_ACTION}_{self.count}"

    def buttons(self, buttons: list[Button]) -> Iterator[Block]:
        elements: list[Block] = []
        for b in buttons:
            if len(b.command) > MAX_VALUE:
                log.warning("dropping a button whose command is %d characters long", len(b.command))
                continue
            elements.append(button(b.label, b.command, self.next_id()))
        for start in range(0, len(elements), MAX_ELEMENTS):
            yield {"type": "actions", "elements": elements[start : start + MAX_ELEMENTS]}

    def select(self, placeholder: str, buttons: list[Button]) -> Block:
        return {
            "type": "actions",
            "elements": [
                {
                    "type": "static_select",
                    "action_id": self.next_id(),
                    "placeholder": {"type": "plain_text", "text": clip(placeholder, 150)},
                    "options": [option(b.label, b.command) for b in buttons[:MAX_OPTIONS]],
                }
            ],
        }


def render(
    reply: Reply,
    t: Translator,
    *,
    share: str | None = None,
) -> list[Message]:
    """One reply as one or more messages (more only past 50 blocks).

    A deal card's stage buttons become one "Move to stage…" select; ``share`` adds a "Share in
    channel" button that re-runs that (read-only) command in public.
    """
    said = reply.card is not None and reply.text.strip() == reply.card.title
    blocks: list[Block] = [] if said else list(section(escape(as_typed_in_slack(reply.text))))
    if reply.card:
        blocks += card_blocks(reply.card)
    actions = _Actions()
    blocks += actions.buttons(numbered(reply.choices))
    buttons = list(reply.buttons)
    if reply.card and reply.card.kind == "deal":
        stages = [
            b
            for b in buttons
            if is_command(b.command, "stage") and len(b.command) <= MAX_OPTION_VALUE
        ]
        if stages:
            blocks.append(actions.select(t("slack.move_stage"), stages))
            buttons = [b for b in buttons if b not in stages]
    blocks += actions.buttons(buttons)
    if share and len(share) <= MAX_VALUE:
        label = t("slack.share")
        blocks.append({"type": "actions", "elements": [button(label, share, SHARE_ACTION)]})
    fallback = clip(escape(reply.text or (reply.card.title if reply.card else "")), MAX_TEXT) or " "
    messages: list[Message] = []
    for start in range(0, max(len(blocks), 1), MAX_BLOCKS):
        text = fallback if start == 0 else clip(fallback, 150)
        messages.append({"text": text, "blocks": blocks[start : start + MAX_BLOCKS]})
    return messages


def command_of(action: dict[str, Any]) -> str:
    """The command a pressed button or a chosen select option carries."""
    chosen = action.get("selected_option") or {}
    return str(action.get("value") or chosen.get("value") or "")
