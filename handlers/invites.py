"""Onboarding: a one-time invite binds a chat account to a rep, safely.

``/invite <rep> [telegram|slack]`` answers with a deep link (``t.me/<bot>?start=<code>``) or
the code; opening it sends ``/start <code>``, which the dispatcher hands to ``redeem`` before
authorisation, since the person is not known yet. The rules, because an invite that reaches
the wrong hands is an account takeover:
- an admin may invite any rep; a manager only the reps below them, down the chain;
- never for an admin, never for a rep already linked on that platform (a relink is an
  operator's decision: ``crm-bot rep unlink`` first);
- one use, one platform, ``CRM_INVITE_HOURS`` (24) to redeem it;
- redeeming is audited (the rep's row changes, with the rep as the actor) and the rep's
  manager and every admin are told, so a takeover could not go unnoticed.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from handlers.kit import Button, Context, Incoming, Reply, Services, Translator, Usage, command
from handlers.refs import resolve_rep
from storage import reps
from storage.chat import invites, notices
from storage.db import Actor
from storage.models import Rep

PLATFORMS = ("telegram", "slack")


@command("invite", writes=True, roles=("manager", "admin"), aliases=("davet",))
def invite(ctx: Context) -> Reply:
    words = ctx.words
    platform = words.pop().lower() if words and words[-1].lower() in PLATFORMS else "telegram"
    name = " ".join(words)
    if not name:
        raise Usage()
    rep = resolve_rep(ctx, name, f"/invite {{ref}} {platform}")
    if rep.role == "admin":
        raise Usage("invite.not_for_admin", name=rep.name)
    if ctx.rep.role != "admin" and rep.id not in reps.reports_of(ctx.session, ctx.rep.id or 0):
        raise Usage("invite.not_your_report", name=rep.name)
    if invites.linked_on(rep, platform):
        raise Usage(
            "invite.already_linked", name=rep.name, platform=platform.title(), flag=platform
        )
    hours = ctx.services.settings.crm_invite_hours
    _, code = invites.create(ctx.session, rep, ctx.rep, ctx.now, platform, timedelta(hours=hours))
    link = ctx.services.deep_links.get(platform)
    lines = [ctx.t("invite.created", name=rep.name, hours=hours)]
    lines.append(
        link.format(code=code) if link else ctx.t(f"invite.code_only.{platform}", code=code)
    )
    return Reply("\n".join(lines))


@command("start", writes=False, hidden=True)
def start(ctx: Context) -> Reply:
    """A known rep opening a link or pressing Start: say who they are, then how to begin."""
    if ctx.args:
        found = invites.get(ctx.session, ctx.args.strip())
        if found is not None and found.rep_id != ctx.rep.id:
            return Reply(ctx.t("invite.taken_account", name=ctx.rep.name))
    return Reply(
        ctx.t("invite.welcome", name=ctx.rep.name), buttons=[Button(ctx.t("button.help"), "/help")]
    )


def redeem(
    session: Session, services: Services, incoming: Incoming, code: str, t: Translator
) -> Reply:
    """Bind the sender's account to the invited rep, once, on the invite's platform, in time."""
    now = services.clock()
    found = invites.get(session, code)
    invalid = Reply(t("invite.invalid", user_id=incoming.user_id))
    if found is None or found.expires_at <= now:
        return invalid
    if found.used_at is not None:
        return Reply(t("invite.used", user_id=incoming.user_id))
    rep = reps.get(session, found.rep_id)
    platform = incoming.platform
    if (
        rep is None
        or not rep.active
        or rep.role == "admin"
        or invites.platform_of(found) != platform
    ):
        return invalid
    if invites.linked_on(rep, platform) or invites.platform_owner(
        session, platform, incoming.user_id
    ):
        return Reply(t("invite.used", user_id=incoming.user_id))
    session.info["actor"] = Actor(rep.id, platform, now)
    invites.bind(session, found, rep, platform, incoming.user_id, now)
    _tell_the_watchers(session, services, rep, found.created_by_id, platform, incoming.user_id)
    t = Translator(rep.language or services.settings.crm_language)
    return Reply(t("invite.welcome", name=rep.name), buttons=[Button(t("button.help"), "/help")])


def _tell_the_watchers(
    session: Session, services: Services, rep: Rep, inviter_id: int | None, platform: str, user: str
) -> None:
    """The rep's manager and every admin hear of a redeemed invite, in their own language."""
    everyone = {r.id: r for r in reps.all_reps(session) if r.active and r.id is not None}
    watchers = {r_id for r_id, r in everyone.items() if r.role == "admin"}
    if rep.manager_id in everyone:
        watchers.add(rep.manager_id)
    inviter = everyone.get(inviter_id or 0)
    now = services.clock()
    for watcher_id in sorted(watchers - {rep.id}):
        watcher = everyone[watcher_id]
        wt = Translator(watcher.language or services.settings.crm_language)
        text = wt(
            "invite.redeemed_notice",
            name=rep.name,
            platform=platform.title(),
            user_id=user,
            inviter=inviter.name if inviter else "—",
        )
        notices.add(session, watcher_id, Reply(text, language=wt.language).to_payload(), now, None)
    services.hooks.notices.after_commit(session)
