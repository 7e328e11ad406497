"""``/subscribe digest`` and ``/unsubscribe digest``: a chat's daily digest (managers, admins);
``/subscribe report …`` goes to ``handlers.report_subscriptions``; ``/subscriptions`` lists both.

``/subscribe digest [HH:MM] [timezone] [daily] [team|rep [name]]``, the words in any order
before the scope: the time defaults to ``CRM_DIGEST_TIME`` and the timezone to
``CRM_TIMEZONE``; the digest comes on working days unless "daily" is given; ``team`` (the
default) covers the subscriber's team, or the named rep's, and ``rep`` one rep (the
subscriber unless named). Subscribing again changes the chat's subscription. The scheduler is
told right away, and the database stays the only record of it.
"""

from __future__ import annotations

from handlers import report_subscriptions as reports
from handlers.digest import all_reps
from handlers.kit import (
    Abort,
    Button,
    Context,
    Reply,
    Usage,
    command,
    is_keyword,
    schedule_of,
)
from handlers.report_subscriptions import read_time, read_timezone
from storage import reps as rep_store
from storage.folding import fold
from storage.models import Rep, Subscription
from storage.schedule import subscriptions

MANAGERS = ("manager", "admin")


def _is(word: str, name: str) -> bool:
    return is_keyword(word, f"kw.subscribe.{name}")


def _rep_named(ctx: Context, words: list[str]) -> Rep:
    """The active rep ``words`` name ("#12", or words all found in one name)."""
    reps = [r for r in all_reps(ctx.session).values() if r.active]
    text = " ".join(words)
    if text.startswith("#") and text[1:].isdigit():
        found = [r for r in reps if r.id == int(text[1:])]
    else:
        wanted = fold(text).split()
        found = [r for r in reps if all(w in fold(r.name).split() for w in wanted)]
        if not found:
            found = [r for r in reps if all(w in fold(r.name) for w in wanted)]
    if not found:
        raise Usage("subscribe.no_rep", name=text)
    if ctx.rep.role != "admin":  # a manager's digest covers their own chain, never more
        mine = {ctx.rep.id, *rep_store.reports_of(ctx.session, ctx.rep.id or 0)}
        if not (found := [r for r in found if r.id in mine]):
            raise Usage("subscribe.not_yours", name=text)
    if len(found) > 1:
        head = ctx.again(" ".join(ctx.words[: len(ctx.words) - len(words)]))
        choices = [Button(r.name, f"{head} #{r.id}") for r in found[:6]]
        raise Abort(Reply(ctx.t("subscribe.which_rep", name=text), choices=choices))
    return found[0]


def _parse(ctx: Context) -> Subscription:
    words = ctx.words
    if not words or not _is(words[0], "digest"):
        raise Usage("subscribe.bad_kind")
    settings = ctx.services.settings
    sub = Subscription(
        platform=ctx.incoming.platform,
        chat_id=ctx.incoming.chat_id,
        kind="digest",
        at_time=settings.crm_digest_time,
        timezone=settings.crm_timezone,
        scope="team",
        scope_rep_id=ctx.rep.id,
        working_days_only=True,
        created_by_id=ctx.rep.id,
        created_at=ctx.now,
    )
    for position, word in enumerate(words[1:], 1):
        if (at := read_time(word)) is not None:
            sub.at_time = at
        elif (tz := read_timezone(word)) is not None:
            sub.timezone = tz
        elif _is(word, "daily"):
            sub.working_days_only = False
        elif _is(word, "working"):
            sub.working_days_only = True
        elif _is(word, "team") or _is(word, "rep"):
            sub.scope = "rep" if _is(word, "rep") else "team"
            rest = words[position + 1 :]
            if rest:
                sub.scope_rep_id = _rep_named(ctx, rest).id
            break
        else:
            raise Usage("subscribe.bad_word", word=word)
    return sub


def _what(ctx: Context, sub: Subscription) -> str:
    reps = all_reps(ctx.session)
    rep = reps.get(sub.scope_rep_id or 0)
    if sub.scope == "rep" and rep is not None:
        return ctx.t("subscribe.what_rep", name=rep.name)
    if rep is None or rep.role == "admin":
        return ctx.t("subscribe.what_all")
    return ctx.t("subscribe.what_team", name=rep.name)


@command("subscribe", writes=True, aliases=("abone",), roles=MANAGERS)
def subscribe(ctx: Context) -> Reply:
    if ctx.words and reports.is_report(ctx.words[0]):
        return reports.subscribe(ctx)
    wanted = _parse(ctx)
    saved = subscriptions.save(ctx.session, wanted)
    ctx.services.hooks.subscriptions_changed.after_commit(ctx.session)
    schedule = schedule_of(ctx.services.settings, saved)
    upcoming = schedule.next(ctx.now)
    days = "subscribe.days_working" if saved.working_days_only else "subscribe.days_daily"
    lines = [
        ctx.t(
            "subscribe.done",
            what=_what(ctx, saved),
            time=saved.at_time,
            tz=saved.timezone,
            days=ctx.t(days),
        )
    ]
    if upcoming is not None:
        lines.append(ctx.t("subscribe.next", when=ctx.t.when(upcoming, schedule.tz)))
    lines.append(ctx.t("subscribe.note"))
    return Reply("\n".join(lines), buttons=[Button(ctx.t("subscribe.button.now"), "/digest")])


@command("unsubscribe", writes=True, aliases=("aboneiptal",), roles=MANAGERS)
def unsubscribe(ctx: Context) -> Reply:
    words = ctx.words
    if words and reports.is_report(words[0]):
        return reports.unsubscribe(ctx)
    if len(words) > 1 or (words and not _is(words[0], "digest")):
        raise Usage("subscribe.bad_kind")
    chat = ctx.incoming
    if not subscriptions.deactivate(ctx.session, chat.platform, chat.chat_id):
        return Reply(ctx.t("unsubscribe.none"))
    ctx.services.hooks.subscriptions_changed.after_commit(ctx.session)
    return Reply(ctx.t("unsubscribe.done"))


@command("subscriptions", writes=False, aliases=("abonelikler",), hidden=True)
def listed(ctx: Context) -> Reply:
    """What this chat gets on a schedule, each with the command that stops it. Left out of
    the /help list (named in /subscribe's line instead), which must fit one Telegram message."""
    chat = ctx.incoming
    found = subscriptions.in_chat(ctx.session, chat.platform, chat.chat_id)
    if not found:
        return Reply(ctx.t("subscriptions.none"))
    lines, buttons = [ctx.t("subscriptions.title")], []
    stop = ctx.t("subscriptions.button.stop")
    for sub in found:
        if sub.kind == "digest":
            days = "subscribe.days_working" if sub.working_days_only else "subscribe.days_daily"
            what = ctx.t(
                "subscriptions.digest",
                what=_what(ctx, sub),
                days=ctx.t(days),
                time=sub.at_time,
                tz=sub.timezone,
            )
            buttons.append(
                Button(f"{stop}: {ctx.t('subscriptions.digest_name')}", "/unsubscribe digest")
            )
        else:
            what = reports.describe(ctx.session, ctx.t, sub)
            kind = sub.kind.removeprefix(reports.PREFIX)
            label = f"{stop}: {ctx.t(f'reports.kind.{kind}')}"
            buttons.append(Button(label, f"/unsubscribe report {kind}"))
        lines.append(f"• {what}")
    return Reply("\n".join(lines), buttons=buttons)
