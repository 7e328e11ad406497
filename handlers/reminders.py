"""A rep's private reminders: overdue tasks with Done / Snooze buttons, and "your day".

The buttons are the very commands a rep could type (``/done #5``, ``/snooze #5 tomorrow
9:00``, the same snoozes a task card offers), so a press goes through the dispatcher like any
message, in the rep's own chat. A message lists the ten most overdue tasks and counts the
rest, pointing to ``/tasks overdue``.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from handlers.cards import SNOOZES
from handlers.kit import Button, Reply, Translator
from storage.schedule.reminders import DueTask

LISTED = 10
SNOOZE_KEY, SNOOZE_WHEN = next(s for s in SNOOZES if s[0] == "button.snooze_tomorrow")


def _line(t: Translator, task: DueTask, tz: ZoneInfo, *, time_only: bool = False) -> str:
    due = task.effective_due
    when = due.astimezone(tz).strftime("%H:%M") if time_only else t.when(due, tz)
    customer = f" · {task.customer}" if task.customer else ""
    return f"• {task.title}{customer} — {when} (#{task.id})"


def overdue(tasks: list[DueTask], t: Translator, tz: ZoneInfo) -> Reply:
    """The overdue reminder: most overdue first, each with Done and Snooze."""
    shown = tasks[:LISTED]
    lines = [t("reminder.overdue", count=len(tasks))]
    lines += [_line(t, task, tz) for task in shown]
    buttons: list[Button] = []
    for task in shown:
        buttons.append(Button(t("reminder.button.done", id=task.id), f"/done #{task.id}"))
        buttons.append(
            Button(t("reminder.button.snooze", id=task.id), f"/snooze #{task.id} {SNOOZE_WHEN}")
        )
    if len(tasks) > len(shown):
        lines.append(t("reminder.more", count=len(tasks) - len(shown)))
        buttons.append(Button(t("reminder.button.all"), "/tasks overdue"))
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
