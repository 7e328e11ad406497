"""Whom a digest is about, building it, and ``/digest`` to get one on demand.

Scopes: a subscription's ``team`` is its subscriber and everyone who reports to them,
directly or not, plus deals nobody owns yet (someone has to assign them); an admin's team is
everyone. ``rep`` is one rep's own deals and tasks. ``/digest`` in a subscribed chat shows
that chat's digest; elsewhere a rep gets their own, a manager their team's, an admin
everyone's. "Changes since" run from the last digest sent to the same chat (the run ledger
knows), at most a week back, else the last 24 hours.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from handlers.digest_render import Audience, render
from handlers.fx import rate_book
from handlers.kit import Context, Reply, Settings, Translator, Usage, command
from handlers.quality import quality_section
from storage import reps as rep_store
from storage.models import Rep, Subscription
from storage.quality import findings as data_quality
from storage.quality import snapshot
from storage.schedule import ledger, subscriptions
from storage.schedule.digest import DigestData, Scope, Thresholds, collect

CHANGES_WINDOW_CAP = timedelta(days=7)


QUALITY_WEEKDAY = 0  # Mondays, team digests carry the weekly data-quality section
# The daily job refreshes the snapshot on its first sweep of each (UTC) day; two hours' slack
# for a late sweep. An older snapshot (the bot was down) is not shown: the figures are
# computed afresh instead.
QUALITY_MAX_AGE = timedelta(hours=26)


def thresholds(settings: Settings) -> Thresholds:
    return Thresholds(
        close_overdue_days=settings.crm_digest_close_overdue_days,
        stale_days=settings.crm_digest_stale_days,
        lead_contact_days=settings.crm_digest_lead_contact_days,
        won_low_pct=settings.crm_digest_won_low_pct,
        won_high_pct=settings.crm_digest_won_high_pct,
        max_open_tasks=settings.crm_digest_max_open_tasks,
        task_age_days=settings.crm_digest_task_age_days,
        items_per_rule=settings.crm_digest_items_per_rule,
    )


def all_reps(session: Session) -> dict[int, Rep]:
    return {r.id: r for r in session.exec(select(Rep).order_by(col(Rep.id))) if r.id is not None}


def team_of(reps: dict[int, Rep], head: int) -> frozenset[int]:
    """``head`` and everyone below them in the manager tree."""
    tree = {rid: rep.manager_id for rid, rep in reps.items()}
    return frozenset({head, *rep_store.below(tree, head)})


def audience(
    reps: dict[int, Rep], scope: str, rep_id: int | None, language: str | None, tz: ZoneInfo
) -> Audience:
    t = Translator(language)
    rep = reps.get(rep_id or 0)
    if rep is not None and scope == "rep":
        return Audience(Scope(frozenset({rep_id or 0}), False), "digest.title_rep", rep.name, t, tz)
    if rep is None or rep.role == "admin":
        return Audience(Scope(None, True), "digest.title_all", "", t, tz)
    team = team_of(reps, rep_id or 0)
    if team >= set(reps):  # the head of sales: everyone's deals and tasks, as for an admin
        # No list of every rep's id in each query: it reads the same rows (every deal has an
        # owner among the reps, or none; every task an assignee), but a list of hundreds
        # sends SQLite through the owner index once per rep instead of one pass over deals.
        return Audience(Scope(None, True), "digest.title_team", rep.name, t, tz, snapshot.ALL)
    return Audience(Scope(team, True), "digest.title_team", rep.name, t, tz, f"team:{rep_id}")


def subscription_audience(reps: dict[int, Rep], settings: Settings, sub: Subscription) -> Audience:
    """A chat's digest reads in its subscriber's language and in the subscription's timezone."""
    creator = reps.get(sub.created_by_id or 0)
    language = (creator.language if creator else None) or settings.crm_language
    return audience(reps, sub.scope, sub.scope_rep_id, language, ZoneInfo(sub.timezone))


def target_of(platform: str, chat_id: str) -> str:
    """A chat's name in the run ledger."""
    return f"{platform}:{chat_id}"


def build(
    session: Session,
    settings: Settings,
    who: Audience,
    target: str,
    now: datetime,
    reps: dict[int, Rep] | None = None,
    shared: dict[str, list[data_quality.Finding]] | None = None,
) -> tuple[DigestData, list[Reply]]:
    """The digest for ``who`` as of ``now``, with changes since the last one ``target`` got.

    ``shared`` holds what the audiences of one scheduled run share (the quality findings)."""
    last = ledger.last_sent(session, "digest", target, now)
    since = max(last or now - timedelta(days=1), now - CHANGES_WINDOW_CAP)
    data = collect(
        session,
        who.scope,
        since=since,
        now=now,
        today=now.astimezone(who.tz).date(),
        limits=thresholds(settings),
    )
    names = {i: r.name for i, r in (reps if reps is not None else all_reps(session)).items()}
    book = rate_book(session, settings.crm_currency.upper(), data.today)
    replies = render(data, who, names, book)
    weekly = now.astimezone(who.tz).weekday() == QUALITY_WEEKDAY
    if weekly and who.heading != "digest.title_rep":  # for managers: their team's, or all
        section = weekly_quality(session, who, now, shared)
        if section is not None:
            replies.append(section)
    for reply in replies:  # a proactive post: no dispatcher stamps its language
        reply.language = who.t.language
    return data, replies


def weekly_quality(
    session: Session,
    who: Audience,
    now: datetime,
    shared: dict[str, list[data_quality.Finding]] | None = None,
) -> Reply | None:
    """The data-quality section of ``who.view``: the whole CRM, or a team's records when a
    team's chat reads it (the scheduler's session reads everything, the chat must not).

    The daily snapshot of that view when it is at most ``QUALITY_MAX_AGE`` old (then it says
    as of when), else computed now, once per scheduled run (``shared``), not once per
    audience. A scoped session (a manager's own ``/digest``) always computes its own."""
    if not snapshot.whole_view(session):
        return quality_section(data_quality.report(session), who.t)
    kept = snapshot.stored(session, who.view)
    if kept is not None and timedelta(0) <= now - kept[0] <= QUALITY_MAX_AGE:
        section = quality_section(kept[1], who.t)
        if section is not None:
            section.text += "\n" + who.t("quality.as_of", when=who.t.when(kept[0], who.tz))
        return section
    cache = shared if shared is not None else {}
    if who.view not in cache:
        reads = None if who.view == snapshot.ALL else who.scope.rep_ids
        cache[who.view] = snapshot.findings_of(session, reads)
    return quality_section(cache[who.view], who.t)


def refresh_quality(session: Session, settings: Settings, now: datetime) -> int:
    """The daily job: keep the whole CRM's findings and each subscribed team's (the views
    Monday digests read); how many views were kept."""
    reps = all_reps(session)
    views = {snapshot.ALL: None}
    for sub in subscriptions.active(session):
        who = subscription_audience(reps, settings, sub)
        if who.heading == "digest.title_team":
            views[who.view] = None if who.view == snapshot.ALL else who.scope.rep_ids
    for view, reads in views.items():
        snapshot.refresh(session, now, view, reads)
    return len(views)


def for_subscription(
    session: Session,
    settings: Settings,
    sub: Subscription,
    now: datetime,
    shared: dict[str, list[data_quality.Finding]] | None = None,
) -> tuple[DigestData, list[Reply]]:
    reps = all_reps(session)
    who = subscription_audience(reps, settings, sub)
    target = target_of(sub.platform, sub.chat_id)
    return build(session, settings, who, target, now, reps, shared)


@command("digest", writes=False, aliases=("ozet",))
def digest(ctx: Context) -> list[Reply]:
    if ctx.args.strip():
        raise Usage()
    settings = ctx.services.settings
    chat = ctx.incoming
    sub = subscriptions.for_chat(ctx.session, chat.platform, chat.chat_id)
    reps = all_reps(ctx.session)
    if sub is not None and sub.active:
        who = subscription_audience(reps, settings, sub)
        who = Audience(who.scope, who.heading, who.name, ctx.t, who.tz)
    else:
        scope = "rep" if ctx.rep.role == "rep" else "team"
        who = audience(reps, scope, ctx.rep.id, ctx.t.language, ctx.tz)
    target = target_of(chat.platform, chat.chat_id)
    _data, replies = build(ctx.session, settings, who, target, ctx.now, reps)
    return replies
