"""The Slack form behind a card's "Edit" button: every field, filled with its current value.

The button's command (``/edit customer #12``) answers, on any platform, with the record's
fields and one choice per field (``handlers.edit``'s menu). On Slack that answer becomes a
modal instead: one text input per field, pre-filled. Submitting it is the typed command for
the fields whose text changed, several at once separated by ``;``
(``/edit customer #12 city Ankara; tags +vip``), so the form can do nothing /edit cannot. A
field emptied in the form is set to ``none``, which /edit reads as "clear it".
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot.adapters.slack_blocks import clip
from bot.adapters.slack_modals import MAX_INPUT, MAX_METADATA, Block, Submission, values
from handlers.kit import Reply, Translator

EDIT_VIEW = "crm_edit"
_MENU = re.compile(r"^/edit (customer|deal|task) #(\d+)$")
_EMPTY = "—"
MAX_TITLE = 24


def edit_target(command: str) -> bool:
    """Is this the card's Edit button (a record, no field yet)?"""
    return _MENU.match(" ".join(command.split())) is not None


def _text(value: str) -> dict[str, str]:
    return {"type": "plain_text", "text": value}


def edit_view(t: Translator, menu: Reply, meta: dict[str, Any]) -> Block | None:
    """The form for the menu ``/edit <kind> #<id>`` answered with; None when it answered
    something else (the record is not the rep's to change, say): that answer is shown."""
    card = menu.card
    if card is None or not card.kind.startswith("edit_") or len(menu.choices) != len(card.fields):
        return None
    prefix = f"/edit {card.kind.removeprefix('edit_')} #{card.id}"
    words, initial, blocks = [], [], []
    for n, ((label, shown), choice) in enumerate(zip(card.fields, menu.choices, strict=True)):
        value = "" if shown == _EMPTY else shown
        words.append(choice.command.removeprefix(prefix).strip())
        initial.append(value)
        element: Block = {"type": "plain_text_input", "action_id": "value"}
        element["max_length"] = MAX_INPUT
        if value:
            element["initial_value"] = value[:MAX_INPUT]
        blocks.append({"type": "input", "block_id": f"f{n}", "optional": True,
                       "label": _text(clip(label, 2000)), "element": element})  # fmt: skip
    data = {**meta, "prefix": prefix, "words": words, "initial": initial}
    if len(json.dumps(data)) > MAX_METADATA:  # long values: every filled field is sent again
        data.pop("initial")
    return {
        "type": "modal",
        "callback_id": EDIT_VIEW,
        "title": _text(clip(t("slack.modal.edit"), MAX_TITLE)),
        "submit": _text(clip(t("slack.modal.save"), MAX_TITLE)),
        "close": _text(clip(t("slack.modal.cancel"), MAX_TITLE)),
        "private_metadata": json.dumps(data),
        "blocks": blocks,
    }


def edit_submission(view: dict[str, Any], meta: dict[str, Any], t: Translator) -> Submission:
    """``/edit <kind> #<id> field value; field value`` for what changed."""
    found = values(view)
    words = [str(w) for w in meta.get("words") or []]
    initial = meta.get("initial")
    parts = []
    for n, word in enumerate(words):
        if f"f{n}" not in found:  # not in the submitted state at all: left alone
            continue
        value = found[f"f{n}"]
        if initial is not None and value == initial[n]:
            continue
        if value or (initial is not None and initial[n]):
            parts.append(f"{word} {value or 'none'}")
    result = Submission(meta=meta)
    if not parts:
        result.errors["f0"] = t("slack.modal.nothing_changed")
    result.command = f"{meta.get('prefix', '')} " + "; ".join(parts)
    return result
