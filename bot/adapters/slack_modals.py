"""Slack modals: forms that end in a typed command, so a submission is just another command.

"Log interaction" becomes ``/log <kind> #<id> next: <task> <date> -- <summary>``, "New deal"
``/deal add #<id> <title> <amount> close: <date>``, "New task" ``/task <title> <date> #<id>``
and "Log to CRM" (a message shortcut) ``/log note #<id> -- <text> <permalink>``. The customer is
picked with an external select whose options come from ``/find`` (see the listeners), with
``#<id>`` as each option's value. Only what Slack cannot check itself is validated here (a
next step needs a date and vice versa); everything else is the command's own business.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from bot.adapters.slack_blocks import clip, inert, option
from handlers.interactions import KINDS, kind_named
from handlers.kit import Translator, lookup, split_command

LOG_VIEW = "crm_log"
DEAL_VIEW = "crm_deal"
TASK_VIEW = "crm_task"
NOTE_VIEW = "crm_note"
VIEWS = (LOG_VIEW, DEAL_VIEW, TASK_VIEW, NOTE_VIEW)
CUSTOMER_ACTION = "crm_customer"
MAX_TITLE = 24
MAX_INPUT = 3000
MAX_METADATA = 3000
_REF = re.compile(r"^#(\d+)$")

Block = dict[str, Any]


@dataclass(frozen=True)
class Opener:
    """Which modal an open-ended command stands for, and what it already says."""

    view: str
    customer_id: int | None = None
    kind: str | None = None


def opener(command: str) -> Opener | None:
    """Commands that still lack their content ask for a form, not a reply.

    ``/log``, ``/log call``, ``/log call #12``, ``/task``, ``/task #12``, ``/deal add`` and
    ``/deal add #12`` (the card buttons, or typed) open the matching modal; anything longer is a
    command to run as it is.
    """
    words = split_command(command)
    spec, used = lookup(words)
    args = words[used:]
    if spec is None or len(args) > 2:
        return None
    ref = _REF.match(args[-1]) if args else None
    customer = int(ref.group(1)) if ref else None
    rest = args[:-1] if ref else args
    if spec.name == "log" and len(rest) <= 1:
        kind = kind_named(rest[0]) if rest else None
        if rest and kind is None:
            return None  # not a kind: the command's own usage answers
        return Opener(LOG_VIEW, customer, kind)
    if spec.name == "task" and not rest:
        return Opener(TASK_VIEW, customer)
    if spec.name == "deal add" and not rest:
        return Opener(DEAL_VIEW, customer)
    return None


def _text(value: str) -> dict[str, str]:
    return {"type": "plain_text", "text": inert(value)}


def _customer(t: Translator, initial: tuple[str, str] | None, optional: bool = False) -> Block:
    element: Block = {
        "type": "external_select",
        "action_id": CUSTOMER_ACTION,
        "min_query_length": 1,
        "placeholder": _text(clip(t("slack.modal.customer_hint"), 150)),
    }
    if initial:
        element["initial_option"] = option(*initial)
    return {
        "type": "input",
        "block_id": "customer",
        "optional": optional,
        "label": _text(t("slack.modal.customer")),
        "element": element,
    }


def _input(
    block_id: str,
    label: str,
    *,
    multiline: bool = False,
    optional: bool = False,
    initial: str | None = None,
    hint: str | None = None,
) -> Block:
    element: Block = {
        "type": "plain_text_input",
        "action_id": block_id,
        "multiline": multiline,
        "max_length": MAX_INPUT,
    }
    if initial:
        element["initial_value"] = clip(initial, MAX_INPUT)
    if hint:
        element["placeholder"] = _text(clip(hint, 150))
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": _text(label),
        "element": element,
    }


def _date(block_id: str, label: str, *, optional: bool = True) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": _text(label),
        "element": {"type": "datepicker", "action_id": block_id},
    }


def _kind(t: Translator, kind: str | None) -> Block:
    options = [option(t(f"kind.{k}"), k) for k in KINDS]
    element: Block = {"type": "static_select", "action_id": "kind", "options": options}
    chosen = kind or "call"
    element["initial_option"] = option(t(f"kind.{chosen}"), chosen)
    return {
        "type": "input",
        "block_id": "kind",
        "label": _text(t("slack.modal.kind")),
        "element": element,
    }


def _modal(view: str, t: Translator, title_key: str, blocks: list[Block], meta: dict) -> Block:
    return {
        "type": "modal",
        "callback_id": view,
        "title": _text(clip(t(title_key), MAX_TITLE)),
        "submit": _text(clip(t("slack.modal.save"), MAX_TITLE)),
        "close": _text(clip(t("slack.modal.cancel"), MAX_TITLE)),
        "private_metadata": clip(json.dumps(meta), MAX_METADATA),
        "blocks": blocks,
    }


def log_view(
    t: Translator, meta: dict, customer: tuple[str, str] | None = None, kind: str | None = None
) -> Block:
    blocks = [
        _customer(t, customer),
        _kind(t, kind),
        _input("summary", t("slack.modal.summary"), multiline=True),
        _input("next", t("slack.modal.next"), optional=True, hint=t("slack.modal.next_hint")),
        _date("due", t("slack.modal.due")),
    ]
    return _modal(LOG_VIEW, t, "slack.modal.log_title", blocks, meta)


def deal_view(t: Translator, meta: dict, customer: tuple[str, str] | None = None) -> Block:
    blocks = [
        _customer(t, customer),
        _input("title", t("slack.modal.deal_title")),
        _input("amount", t("slack.modal.amount"), hint=t("slack.modal.amount_hint")),
        _date("close", t("slack.modal.close")),
    ]
    return _modal(DEAL_VIEW, t, "slack.modal.deal_heading", blocks, meta)


def task_view(t: Translator, meta: dict, customer: tuple[str, str] | None = None) -> Block:
    blocks = [
        _input("title", t("slack.modal.task_title")),
        _date("due", t("slack.modal.due"), optional=False),
        _customer(t, customer, optional=True),
    ]
    return _modal(TASK_VIEW, t, "slack.modal.task_heading", blocks, meta)


def note_view(t: Translator, meta: dict, text: str) -> Block:
    blocks = [
        _customer(t, None),
        _input("text", t("slack.modal.note"), multiline=True, initial=text),
    ]
    return _modal(NOTE_VIEW, t, "slack.modal.note_heading", blocks, meta)


def notice_view(t: Translator, text: str) -> Block:
    """A modal that only says something (e.g. why the user may not use the form)."""
    return {
        "type": "modal",
        "title": _text(clip(t("slack.modal.crm"), MAX_TITLE)),
        "close": _text(clip(t("slack.modal.close_button"), MAX_TITLE)),
        "blocks": [{"type": "section", "text": _text(clip(text, 3000))}],
    }


@dataclass
class Submission:
    command: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)


def values(view: dict[str, Any]) -> dict[str, str]:
    """Each input's value by block id, whatever element produced it."""
    found: dict[str, str] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        for state in actions.values():
            chosen = state.get("selected_option") or {}
            value = state.get("value") or chosen.get("value") or state.get("selected_date")
            found[block_id] = " ".join(str(value or "").split())  # commands are one line
    return found


def submission(view: dict[str, Any], t: Translator) -> Submission:
    """The command a submitted form stands for, or the errors to show next to its inputs."""
    v = values(view)
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        meta = {}
    result = Submission(meta=meta if isinstance(meta, dict) else {})
    callback = view.get("callback_id")
    customer = v.get("customer", "")
    literal = ""
    if customer and not _REF.match(customer):
        result.errors["customer"] = t("slack.modal.customer_needed")
    if callback == LOG_VIEW:
        nxt, due = v.get("next", ""), v.get("due", "")
        if nxt and not due:
            result.errors["due"] = t("slack.modal.due_needed")
        if due and not nxt:
            result.errors["next"] = t("slack.modal.next_needed")
        kind = v.get("kind") or "call"
        result.command = f"/log {kind} {customer}"
        if nxt:
            result.command += f" next: {nxt} {due}"
        literal = v.get("summary", "")
    elif callback == DEAL_VIEW:
        if not any(ch.isdigit() for ch in v.get("amount", "")):
            result.errors["amount"] = t("slack.modal.amount_needed")
        result.command = f"/deal add {customer} {v.get('title', '')} {v.get('amount', '')}"
        if v.get("close"):
            result.command += f" close: {v['close']}"
    elif callback == TASK_VIEW:
        result.command = f"/task {v.get('title', '')} {v.get('due', '')} {customer}"
    elif callback == NOTE_VIEW:
        link = str(result.meta.get("link") or "")
        result.command = f"/log note {customer}"
        literal = f"{v.get('text', '')}\n{link}".strip()
    if not customer and callback != TASK_VIEW:
        result.errors["customer"] = t("slack.modal.customer_needed")
    result.command = " ".join(result.command.split())
    if literal:  # free text goes after a lone "--": taken as written, line breaks and all
        result.command += f" -- {literal}"
    return result
