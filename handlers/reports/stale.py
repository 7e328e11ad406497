"""``stale`` (bekleyen): open deals with no activity for more than N days — the digest's rule
(``CRM_DIGEST_STALE_DAYS``) on demand, or any N typed after the kind ("stale 45",
"bekleyen 45 gün"). As of now: the period is not used. The deals are listed longest quiet
first, each a choice that opens it; "by rep" and "by stage" count them per owner or stage."""

from __future__ import annotations

from sqlmodel import Session

from handlers.kit import Button, Translator
from handlers.reports import Built, Cell, Request
from storage import reps
from storage.reports.attention import StaleDeal, stale, stale_counts
from storage.reports.basis import stage_sets
from storage.reports.movement import open_pipeline

LISTED = 20  # deals in the table and as choices; the headline counts them all


def build(session: Session, t: Translator, request: Request) -> Built:
    ids, now = request.audience.ids, request.now
    days = request.days or request.settings.crm_digest_stale_days
    found = stale(session, now, days, ids, limit=LISTED)
    owners = stale_counts(session, now, days, ids)
    open_now = sum(s.deals for s in open_pipeline(session, ids, today=now, base=request.base))

    def quiet(d: StaleDeal) -> int:
        touched = [x for x in (d.last_touch, d.stage_changed_at) if x is not None]
        return (now - max(touched)).days if touched else 0

    listed = sorted(found.deals, key=quiet, reverse=True)  # stable: ties keep the SQL order
    longest = listed[0] if listed else None
    headline = [
        t(
            "reports.stale.count",
            count=t.number(found.total),
            open=t.number(open_now),
            days=t.number(days),
        ),
        t("reports.stale.longest", days=t.number(quiet(longest)), title=longest.title)
        if longest
        else t("reports.stale.none"),
        t("reports.stale.owners", count=t.number(len([o for o in owners if o]))),
    ]
    notes = [t("reports.stale.defined", days=t.number(days)), t("reports.attention.now")]
    names = reps.names(session, {o for o in owners if o})
    stages = stage_sets(session).stages
    stage_names = {s.id: s.name for s in stages}
    count = t("reports.stale.col.deals")
    if request.by == "rep":
        rows: list[list[Cell]] = [
            [names.get(o or 0, t("reports.nobody")), n]
            for o, n in sorted(owners.items(), key=lambda kv: (-kv[1], kv[0] or 0))
        ]
        return Built(headline, [t("reports.col.rep"), count], rows, notes, ("stage",))
    if request.by == "stage":
        per_stage = stale_counts(session, now, days, ids, by="stage")
        rows = [[t.stage(s.name), per_stage[s.id]] for s in stages if per_stage.get(s.id)]
        return Built(headline, [t("reports.col.stage"), count], rows, notes, ("rep",))
    if found.total > len(found.deals):
        notes.insert(0, t("reports.stale.listed", shown=len(found.deals), total=found.total))
    rows = [
        [
            f"{d.title} (#{d.id})",
            names.get(d.owner_id or 0, t("reports.nobody")),
            t.stage(stage_names.get(d.stage_id, "")),
            t.date(d.last_touch.astimezone(request.period.tz).date()) if d.last_touch else None,
            quiet(d),
        ]
        for d in listed
    ]
    return Built(
        headline,
        [
            t("reports.stale.col.deal"),
            t("reports.col.rep"),
            t("reports.col.stage"),
            t("reports.stale.col.last_touch"),
            t("reports.stale.col.quiet"),
        ],
        rows,
        notes=notes,
        breakdowns=("rep", "stage"),
        choices=[Button(d.title[:40], f"/deal #{d.id}") for d in listed],
    )
