"""``load`` (yük): reps with more open tasks than ``CRM_DIGEST_MAX_OPEN_TASKS``, or with any
overdue task or one open longer than ``CRM_DIGEST_TASK_AGE_DAYS`` — the digest's rule on
demand, as of now (the period is not used). Each rep listed is a choice that opens their
tasks."""

from __future__ import annotations

from sqlmodel import Session

from handlers.kit import Button, Translator
from handlers.reports import Built, Request
from storage import reps
from storage.reports.attention import load


def build(session: Session, t: Translator, request: Request) -> Built:
    settings = request.settings
    most, age = settings.crm_digest_max_open_tasks, settings.crm_digest_task_age_days
    found = load(session, request.now, most, age, request.audience.ids)
    found.sort(key=lambda r: (-r.overdue, -r.open, r.rep_id))
    names = reps.names(session, {r.rep_id for r in found})
    headline = [
        t("reports.load.reps", count=t.number(len(found))),
        t("reports.load.overdue", count=t.number(sum(r.overdue for r in found))),
        t("reports.load.old", count=t.number(sum(r.old for r in found)), days=t.number(age)),
    ]
    return Built(
        headline,
        [
            t("reports.col.rep"),
            t("reports.load.col.open"),
            t("reports.load.col.overdue"),
            t("reports.load.col.old"),
        ],
        [[names.get(r.rep_id, "?"), r.open, r.overdue, r.old] for r in found],
        notes=[
            t("reports.load.defined", most=t.number(most), days=t.number(age)),
            t("reports.attention.now"),
        ],
        choices=[
            Button(
                t("reports.load.tasks_of", name=names.get(r.rep_id, "?")), f"/tasks @#{r.rep_id}"
            )
            for r in found
        ],
    )
