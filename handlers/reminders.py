"""A rep's private reminders: a task at its due time (or the rep's lead time before it),
overdue tasks, and "your day"; each task with Done / Snooze buttons.

The buttons are the very commands a rep could type (``/done #5``, ``/snooze #5 tomorrow
9:00``, the same snoozes a task card offers), so a press goes through the dispatcher like any
message, in the rep's own chat. A message lists ten tasks of a kind and counts the rest,
pointing to ``/tasks overdue``.

When a due-time reminder goes out (``remind_at``) is decided here, beside how it reads; the
scan (``bot.reminding``) adds the calendar: it goes out on the rep's working days at any hour,
since the hour is the one the rep set (see README "Reminders").
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.cards import SNOOZES
from handlers.kit import Button, Reply, Translator
from storage.schedule.reminders import DueTask

LISTED = 10
SNOOZE_KEY, SNOOZE_WHEN = next(s for s in SNOOZES if s[0] == "button.snooze_tomorrow")
# A due-time reminder missed by more than this (the bot was down) is not sent as one: the
# overdue reminder takes the task over, within working hours. Within it, a task that fell due
# is told as "due now" rather than listed as overdue.
LATE = timedelta(minutes=30)
LONGEST_LEAD = 24 * 60  # minutes: /early takes at most a day


def remind_at(task: DueTask, lead: timedelta) -> datetime | None:
    """The moment of a task's due-time reminder: ``lead`` before its effective due time (its
    snooze's end, if snoozed past it).

    A task set for a moment already past when it was written gets none (the overdue reminder
    is for it); one set with less time ahead than the lead is reminded at its due time itself,
    not at once, since the rep has only just written it.
    """
    due = task.effective_due
    written = task.created_at
    if written is not None and due < written:
        return None
    early = due - lead
    return due if written is not None and early < written else early


def split(tasks: list[DueTask], now: datetime) -> tuple[list[DueTask], list[DueTask]]:
    """(due now or soon, overdue): a task that fell due less than ``LATE`` ago is "due now"."""
    soon = [task for task in tasks if task.effective_due > now - LATE]
    return soon, [task for task in tasks if task.effective_due <= now - LATE]


def listed(tasks: list[DueTask], now: datetime) -> list[DueTask]:
    """The tasks ``reminder`` names (their customers are looked up for these only)."""
    soon, late = split(tasks, now)
    return [*soon[:LISTED], *late[:LISTED]]


def span(t: Translator, minutes: int) -> str:
    """A lead or a wait in the reader's words: "30 min", "1 h", "1 h 30 min"."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return t("reminder.span.minutes", minutes=rest)
    if not rest:
        return t("reminder.span.hours", hours=hours)
    return t("reminder.span.both", hours=hours, minutes=rest)


def _buttons(t: Translator, task: DueTask) -> list[Button]:
    return [
        Button(t("reminder.button.done", id=task.id), f"/done #{task.id}"),
        Button(t("reminder.button.snooze", id=task.id), f"/snooze #{task.id} {SNOOZE_WHEN}"),
    ]


def _line(t: Translator, task: DueTask, tz: ZoneInfo, *, time_only: bool = False) -> str:
    due = task.effective_due
    when = due.astimezone(tz).strftime("%H:%M") if time_only else t.when(due, tz)
    customer = f" · {task.customer}" if task.customer else ""
    return f"• {task.title}{customer} — {when} (#{task.id})"


def _due_line(t: Translator, task: DueTask, tz: ZoneInfo, now: datetime) -> str:
    """ "⏰ Due now: send quote · Acme — 10:00 (#5)", or "Due in 30 min: …"; the date is
    spelt out only when it is not today's."""
    due = task.effective_due
    today = due.astimezone(tz).date() == now.astimezone(tz).date()
    what = _line(t, task, tz, time_only=today).removeprefix("• ")
    if due <= now:
        return t("reminder.due.now", task=what)
    left = math.ceil((due - now).total_seconds() / 60)
    return t("reminder.due.soon", left=span(t, left), task=what)


def overdue(tasks: list[DueTask], t: Translator, tz: ZoneInfo) -> Reply:
    """The overdue reminder: most overdue first, each with Done and Snooze."""
    shown = tasks[:LISTED]
    lines = [t("reminder.overdue", count=len(tasks))]
    lines += [_line(t, task, tz) for task in shown]
    buttons = [b for task in shown for b in _buttons(t, task)]
    if len(tasks) > len(shown):
        lines.append(t("reminder.more", count=len(tasks) - len(shown)))
        buttons.append(Button(t("reminder.button.all"), "/tasks overdue"))
    return Reply("\n".join(lines), buttons=buttons, language=t.language)


def reminder(tasks: list[DueTask], t: Translator, tz: ZoneInfo, now: datetime) -> Reply:
    """One message for what a scan has for a rep: each task due now or soon on its own line,
    then the overdue ones as a list; one message, so that a task falling due at the start of
    the working day does not ping the rep twice."""
    soon, late = split(tasks, now)
    if not soon:
        return overdue(late, t, tz)
    lines = [_due_line(t, task, tz, now) for task in soon[:LISTED]]
    buttons = [b for task in soon[:LISTED] for b in _buttons(t, task)]
    if len(soon) > LISTED:
        lines.append(t("reminder.more", count=len(soon) - LISTED))
    if late:
        rest = overdue(late, t, tz)
        lines += ["", rest.text]
        buttons += rest.buttons
    return Reply("\n".join(lines), buttons=buttons, language=t.language)


def your_day(tasks: list[DueTask], t: Translator, tz: ZoneInfo, today: date) -> Reply:
    """The morning message: what is due later today."""
    shown = tasks[:LISTED]
    lines = [t("reminder.your_day", count=len(tasks), date=t.date(today))]
    lines += [_line(t, task, tz, time_only=True) for task in shown]
    if len(tasks) > len(shown):
        lines.append(t("reminder.more", count=len(tasks) - len(shown)))
    buttons = [Button(t("reminder.button.tasks"), "/tasks")]
    return Reply("\n".join(lines), buttons=buttons, language=t.language)
