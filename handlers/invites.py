"""Onboarding: an admin's one-time invite binds a chat account to a rep.

``/invite <rep>`` answers with a deep link (``t.me/<bot>?start=<code>``) for every platform
that can take one; opening it sends ``/start <code>``, which the dispatcher hands to
``redeem`` before authorisation, since the person is not known yet.
"""

from __future__ import annotations

from sqlmodel import Session

from handlers.kit import Button, Context, Incoming, Reply, Services, Translator, Usage, command
from handlers.refs import resolve_rep
from storage import reps
from storage.chat import invites


@command("invite", writes=True, roles=("manager", "admin"), aliases=("davet",))
def invite(ctx: Context) -> Reply:
    name = ctx.args.strip()
    if not name:
        raise Usage()
    rep = resolve_rep(ctx, name, "/invite {ref}")
    code = invites.create(ctx.session, rep, ctx.rep, ctx.now).code
    links = [template.format(code=code) for template in ctx.services.deep_links.values()]
    lines = [ctx.t("invite.created", name=rep.name, days=invites.VALID_FOR.days)]
    lines += links or [ctx.t("invite.code_only", code=code)]
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
    """Bind the sender's account to the invited rep, once, before the code expires."""
    now = services.clock()
    found = invites.get(session, code)
    if found is None or found.expires_at <= now:
        return Reply(t("invite.invalid", user_id=incoming.user_id))
    if found.used_at is not None:
        return Reply(t("invite.used", user_id=incoming.user_id))
    rep = reps.get(session, found.rep_id)
    if rep is None or not rep.active:
        return Reply(t("invite.invalid", user_id=incoming.user_id))
    if invites.platform_owner(session, incoming.platform, incoming.user_id) is not None:
        return Reply(t("invite.used", user_id=incoming.user_id))
    invites.bind(session, found, rep, incoming.platform, incoming.user_id, now)
    t = Translator(rep.language or services.settings.crm_language)
    return Reply(t("invite.welcome", name=rep.name), buttons=[Button(t("button.help"), "/help")])
