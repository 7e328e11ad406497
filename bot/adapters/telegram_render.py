"""Replies as Telegram messages: HTML text, inline keyboards, and the platform's limits.

- A message holds at most 4096 characters: longer text is split at line boundaries (a single
  longer line is cut), and the keyboard goes with the last part.
- ``callback_data`` holds 1-64 *bytes*: a button's command is used as is when it fits (Turkish
  letters take two bytes each), otherwise it is stored behind a short token ("t:<token>").
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.adapters.text import split_lines
from handlers.kit import Button, Reply, numbered

MAX_TEXT = 4096
MAX_CALLBACK = 64
TOKEN_PREFIX = "t:"
ROW_CHARS = 30  # buttons are packed into rows up to about this many label characters


def reply_html(reply: Reply) -> str:
    """The reply's text and card as Telegram HTML."""
    parts: list[str] = []
    card = reply.card
    if reply.text and not (card and reply.text == card.title):
        parts.append(escape(reply.text))
    if card is not None:
        lines = [f"<b>{escape(card.title)}</b> <i>#{card.id}</i>"]
        for label, value in card.fields:
            head, *rest = value.split("\n")
            lines.append(f"<b>{escape(label)}:</b> {escape(head)}")
            lines += [f"   {escape(more)}" for more in rest]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) or "…"


def split_text(text: str) -> list[str]:
    return split_lines(text, MAX_TEXT)


def fits(command: str) -> bool:
    return len(command.encode()) <= MAX_CALLBACK


def too_long(reply: Reply) -> list[str]:
    """The commands of a reply's buttons that must be stored behind a token."""
    return [b.command for b in (*reply.choices, *reply.buttons) if not fits(b.command)]


def callback_data(command: str, tokens: Mapping[str, str]) -> str:
    return command if fits(command) else TOKEN_PREFIX + tokens[command]


def keyboard(reply: Reply, tokens: Mapping[str, str]) -> InlineKeyboardMarkup | None:
    """Choices one per row (they are answers), follow-up buttons packed a few to a row.

    ``tokens`` holds a stored token for each command in ``too_long(reply)``."""
    rows: list[list[InlineKeyboardButton]] = [[_button(c, tokens)] for c in numbered(reply.choices)]
    row: list[InlineKeyboardButton] = []
    width = 0
    for b in reply.buttons:
        if row and width + len(b.label) > ROW_CHARS:
            rows.append(row)
            row, width = [], 0
        row.append(_button(b, tokens))
        width += len(b.label)
    if row:
        rows.append(row)
    return InlineKeyboardMarkup(rows) if rows else None


def _button(button: Button, tokens: Mapping[str, str]) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        button.label[:64], callback_data=callback_data(button.command, tokens)
    )
