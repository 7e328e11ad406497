"""Whose figures a report covers, always within what the asker may see.

"me" / "ben": the asker's own deals. "team" / "ekip": a manager's (or an admin's) own deals and
everyone below them. "everyone" / "herkes": all deals, unowned included (admins only). A rep
named ("Ayşe", "Ayşe Yılmaz", "#12"): that rep's deals, for a manager when the rep is below
them, for an admin always, for a rep only when it is themselves. Nothing named: "me" for a
rep, "team" for a manager, "everyone" for an admin. Anything else is refused with a message
saying what the asker may ask for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from handlers.kit import Abort, Button, Reply, Translator, Usage, is_keyword
from storage import reps as rep_store
from storage.folding import fold
from storage.models import Rep
from storage.reports import Scope


@dataclass(frozen=True)
class Audience:
    ids: Scope
    canonical: str  # me | team | everyone | #id
    label: str


def default_word(rep: Rep) -> str:
    return {"admin": "everyone", "manager": "team"}.get(rep.role, "me")


def resolve(
    session: Session,
    t: Translator,
    asker: Rep,
    words: list[str],
    again: Callable[[str], str] = str,
) -> Audience:
    """The audience ``words`` name (Usage when refused, Abort to choose between reps)."""
    text = " ".join(words) or default_word(asker)
    me = asker.id or 0
    if is_keyword(text, "kw.report.scope.me"):
        return Audience((me,), "me", t("reports.scope.me", name=asker.name))
    if is_keyword(text, "kw.report.scope.everyone"):
        if asker.role != "admin":
            raise Usage("reports.scope.not_everyone")
        return Audience(None, "everyone", t("reports.scope.everyone"))
    tree = rep_store.managers(session)
    if is_keyword(text, "kw.report.scope.team"):
        if asker.role == "rep":
            raise Usage("reports.scope.only_me")
        return Audience(
            tuple(sorted({me, *rep_store.below(tree, me)})),
            "team",
            t("reports.scope.team", name=asker.name),
        )
    rep = _named(session, t, text, again)
    if rep.id != me:
        if asker.role == "rep":
            raise Usage("reports.scope.only_me")
        if asker.role == "manager" and rep.id not in rep_store.below(tree, me):
            raise Usage("reports.scope.not_yours", name=rep.name)
    ids = (rep.id or 0,)
    if rep.role == "manager" and rep.id != me:  # a manager named: their team
        ids = tuple(sorted({rep.id or 0, *rep_store.below(tree, rep.id or 0)}))
    return Audience(ids, f"#{rep.id}", rep.name)


def _named(session: Session, t: Translator, text: str, again: Callable[[str], str]) -> Rep:
    everyone = [r for r in rep_store.all_reps(session) if r.active]
    if text.startswith("#") and text[1:].isdigit():
        found = [r for r in everyone if r.id == int(text[1:])]
    else:
        wanted = fold(text).split()
        found = [r for r in everyone if all(w in fold(r.name).split() for w in wanted)]
    if not found:
        raise Usage("reports.scope.unknown", text=text)
    if len(found) > 1:
        raise Abort(
            Reply(
                t("reports.scope.which", text=text),
                choices=[Button(r.name, again(f"#{r.id}")) for r in found[:6]],
            )
        )
    return found[0]
