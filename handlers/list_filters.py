"""Reading the filters of /customers and /deals, in either language.

``city <name>``/``şehir``, ``tag``/``etiket``, ``owner``/``sahibi`` (a rep, ``me``/``benim``,
``team``/``ekip``), ``stage``/``aşama`` (deals), and "no activity 30 days" / "aktivite yok 30
gün" / "30 gündür aktivite yok". A keyword's value runs to the next keyword; commas separate
alternatives ("city Ankara, İzmir": either), while two filters must both hold ("tag vip tag
retail"). Words before the first keyword are ``bare``: the command decides what they are (a
rep's name is an owner filter; for /deals anything else is a customer, as before).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from handlers.kit import Context, Usage, is_keyword, keywords
from handlers.refs import resolve_rep
from storage import reps
from storage.folding import fold

FILTER_KEYS = ("city", "tag", "owner", "stage")


@dataclass
class Asked:
    values: dict[str, list[str]] = field(default_factory=dict)  # "city" → ["Ankara, İzmir"]
    owner_words: list[str] = field(default_factory=list)  # every "owner" value, as typed
    idle_days: int | None = None
    bare: str = ""


def _phrase_at(folded: list[str], i: int) -> int:
    """How many words of "no activity" / "aktivite yok" start at ``i`` (0: none)."""
    for phrase in sorted(keywords("kw.list.no_activity"), key=len, reverse=True):
        size = len(phrase.split())
        if " ".join(folded[i : i + size]) == phrase:
            return size
    return 0


def _days_at(folded: list[str], i: int) -> bool:
    return i < len(folded) and folded[i] in keywords("kw.list.days")


def _take_idle(words: list[str]) -> tuple[int | None, list[str]]:
    """ "no activity 30 days", "aktivite yok 30 gün", "30 gündür aktivite yok": (30, the rest)."""
    folded = [fold(w) for w in words]
    for i in range(len(words)):
        if size := _phrase_at(folded, i):  # the phrase, then the number
            j = i + size
            if j >= len(words) or not words[j].isdigit():
                raise Usage("lists.bad_idle")
            end = j + 1 + _days_at(folded, j + 1)
            return int(words[j]), words[:i] + words[end:]
        if words[i].isdigit() and _days_at(folded, i + 1) and (size := _phrase_at(folded, i + 2)):
            return int(words[i]), words[:i] + words[i + 2 + size :]
    return None, words


def parse(words: list[str], allowed: tuple[str, ...]) -> Asked:
    days, words = _take_idle(words)
    asked = Asked(idle_days=days)
    current: str | None = None
    bare: list[str] = []
    for word in words:
        key = next((k for k in FILTER_KEYS if is_keyword(word, f"kw.list.{k}")), None)
        if key is not None:
            if key not in allowed:
                raise Usage("lists.unknown_word", word=word)
            current = key
            asked.values.setdefault(key, []).append("")
            continue
        if current is None:
            bare.append(word)
        else:
            asked.values[current][-1] = f"{asked.values[current][-1]} {word}".strip()
    for key, typed in asked.values.items():
        if any(not value.strip(" ,") for value in typed):
            raise Usage("lists.missing_value", word=key)
    asked.owner_words = asked.values.pop("owner", [])
    asked.bare = " ".join(bare)
    return asked


def alternatives(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def is_rep_name(ctx: Context, text: str) -> bool:
    return any(fold(r.name) == fold(text) for r in reps.all_reps(ctx.session) if r.active)


def team_of(ctx: Context) -> frozenset[int]:
    """The asker and their team: a manager's (or admin's) people down the chain; a rep's
    colleagues under the same manager."""
    me = ctx.rep
    tree = reps.managers(ctx.session)
    if me.role in ("manager", "admin"):
        return frozenset({me.id or 0, *reps.below(tree, me.id or 0)})
    if me.manager_id is None:
        return frozenset({me.id or 0})
    return frozenset({me.id or 0, *(r for r, boss in tree.items() if boss == me.manager_id)})


def owners(ctx: Context, typed: str, again: str) -> frozenset[int] | None:
    """Whose records "owner <typed>" means; None for everyone's (``all``/``hepsi``). A rep the
    asker may not read is refused, never listed as empty: that would still tell them apart."""
    if is_keyword(typed, "kw.all"):
        return None
    if is_keyword(typed, "kw.mine") or is_keyword(typed, "kw.list.me"):
        return frozenset({ctx.rep.id or 0})
    if is_keyword(typed, "kw.list.team"):
        return team_of(ctx)
    rep = resolve_rep(ctx, typed.removeprefix("@"), again)
    if not ctx.may_read(rep.id):
        raise Usage("lists.not_yours", name=rep.name)
    return frozenset({rep.id or 0})
