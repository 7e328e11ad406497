"""The rep's own preferences: the language they are answered in, and how early a task's
reminder comes (``/early``)."""

from __future__ import annotations

import re

from handlers.kit import LANGUAGES, Button, Context, Reply, Translator, Usage, command, is_keyword
from handlers.reminders import LONGEST_LEAD, span


@command("lang", writes=True, aliases=("dil", "language"))
def language(ctx: Context) -> Reply:
    choice = ctx.args.strip().lower()
    if choice not in LANGUAGES:
        raise Usage("lang.unknown", languages=", ".join(LANGUAGES))
    ctx.rep.language = choice
    ctx.session.add(ctx.rep)
    return Reply(Translator(choice)("lang.set"))


_LEAD = re.compile(r"(\d{1,5})\s*(\D*)")
CHOICES = (15, 30, 60)  # the buttons offered beside the current setting


def read_lead(text: str) -> int | None:
    """Minutes from "30", "30 min", "45dk", "1 h", "2 saat", "off", "kapalı" (0); None when
    the text is none of these."""
    text = text.strip()
    if is_keyword(text, "kw.off"):
        return 0
    found = _LEAD.fullmatch(text)
    if found is None:
        return None
    number, unit = int(found.group(1)), found.group(2).strip()
    if not unit or is_keyword(unit, "kw.early.minutes"):
        return number
    if is_keyword(unit, "kw.early.hours"):
        return number * 60
    return None


@command("early", writes=True, aliases=("erken",))
def early(ctx: Context) -> Reply:
    """How long before a task's due time its reminder comes; "off" or 0: at the time itself.

    A setting of the rep (``Rep.remind_before_minutes``), read by the reminder scan: one
    number for every task, because a rep thinks "I need half an hour to get anywhere", not
    per task. Without an argument it says the current setting, with a button per common
    choice so that changing it on a phone is one press.
    """
    t = ctx.t
    if ctx.args.strip():
        minutes = read_lead(ctx.args)
        if minutes is None:
            raise Usage("early.bad", text=ctx.args.strip())
        if minutes > LONGEST_LEAD:
            raise Usage("early.too_long", hours=LONGEST_LEAD // 60)
        ctx.rep.remind_before_minutes = minutes
        ctx.session.add(ctx.rep)
        said = t("early.set_before", left=span(t, minutes)) if minutes else t("early.set_at_time")
        return Reply(f"{said}\n{t('early.note')}")
    current = ctx.rep.remind_before_minutes or 0
    said = t("early.before", left=span(t, current)) if current else t("early.at_time")
    buttons = [Button(span(t, m), f"/early {m}") for m in CHOICES if m != current]
    if current:
        buttons.append(Button(t("early.button.off"), "/early off"))
    return Reply(said, buttons=buttons)
