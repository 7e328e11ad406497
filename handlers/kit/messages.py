"""Platform-neutral messages: what an adapter hands in, and what a handler hands back.

A button is only a shortcut for a typed command: ``Button.command`` is the exact text that a
user could have typed, so a press and a typed command take the same path through the
dispatcher. ``choices`` are the answers to a question the bot asked (ranked best first);
``buttons`` are follow-up actions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Incoming:
    platform: str  # console | telegram | slack
    chat_id: str
    user_id: str
    text: str
    message_id: str | None = None
    is_private: bool = True
    is_action: bool = False  # a button press rather than typed text
    location: tuple[float, float] | None = None  # (latitude, longitude) shared with the message
    delivery_key: str | None = None  # the platform's id for this delivery; a repeat is ignored


@dataclass(frozen=True)
class Button:
    label: str
    command: str

    def to_json(self) -> dict[str, str]:
        return {"label": self.label, "command": self.command}


@dataclass(frozen=True)
class Card:
    kind: str  # customer | deal | task | interaction
    id: int
    title: str
    fields: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "title": self.title,
            "fields": [[label, value] for label, value in self.fields],
        }


@dataclass(frozen=True)
class Attachment:
    filename: str
    mime: str
    data: bytes = field(repr=False)
    title: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "mime": self.mime,
            "size": len(self.data),
            "title": self.title,
        }


@dataclass
class Reply:
    text: str
    card: Card | None = None
    choices: list[Button] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    # The language it is written in (the dispatcher stamps it), so that an adapter's own words
    # around it (a Slack "Share in channel" button, say) match without looking the rep up.
    language: str | None = None

    def to_payload(self) -> dict[str, Any]:
        """What a stored notice keeps of a reply (no attachments: a notice is text)."""
        return {
            "text": self.text,
            "card": self.card.to_json() if self.card else None,
            "choices": [c.to_json() for c in self.choices],
            "buttons": [b.to_json() for b in self.buttons],
            "language": self.language,
        }

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Reply:
        card = data.get("card")
        return cls(
            text=str(data.get("text") or ""),
            card=Card(card["kind"], card["id"], card["title"], [tuple(f) for f in card["fields"]])
            if card
            else None,
            choices=[Button(b["label"], b["command"]) for b in data.get("choices") or []],
            buttons=[Button(b["label"], b["command"]) for b in data.get("buttons") or []],
            language=data.get("language"),
        )

    def to_json(self, input_no: int) -> dict[str, Any]:
        return {
            "input": input_no,
            "text": self.text,
            "card": self.card.to_json() if self.card else None,
            "choices": [c.to_json() for c in self.choices],
            "buttons": [b.to_json() for b in self.buttons],
            "attachments": [a.to_json() for a in self.attachments],
        }


def numbered(choices: list[Button]) -> list[Button]:
    """Choices labelled "1. …", "2. …": typing the number picks one in any chat (the
    dispatcher keeps the last list), so the number must be on the button too."""
    return [Button(f"{n}. {c.label}", c.command) for n, c in enumerate(choices, 1)]
