"""References to customers, deals and tasks as reps type them.

A reference is an id ("#12" or "12"), a phone in any format, an e-mail, or a fuzzy name. It
resolves only when it is unambiguous (see ``storage.search.pick``); otherwise the handler stops
with a ranked choice list whose buttons re-run the very same command with "#id" in place of
the words that were ambiguous, so a choice is a typed command like any other.

Commands that put a customer before free text ("/log call acme discussed pricing") take the
longest run of leading words that all stand in some customer's name: "acme" stands in
"Acme Corporation", "acme discussed" does not, so the summary starts at "discussed".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import phonenumbers
from rapidfuzz import fuzz, process
from sqlmodel import Session

from handlers.kit import Abort, Button, Context, Reply
from storage import customers, deals, reps, tasks
from storage.endings import marked, query_tokens, stems
from storage.folding import fold, looks_like_email, looks_like_phone, name_tokens
from storage.models import Customer, Deal, Rep, Task
from storage.search import Match, Tier, pick

ID_REF = re.compile(r"^(#?)([0-9]+)$")
MAX_ID = 2**63 - 1  # the widest id column (BIGINT, SQLite's INTEGER)
NO_RECORD = 0  # an id no record has: ids count from 1 on both engines
MAX_NAME_WORDS = 10  # "Kahraman Kardeşler Dış Ticaret San. ve Tic. Ltd. Şti." is nine
CHOICES = 6


def parse_id(word: str) -> int | None:
    """The record id in "#12" (any length) or a bare "12"; None when the word is no id.

    A bare number of seven digits or more is read as a phone, as "5321112233" is; with "#" it
    is always an id, so "#1000000" works. A number past any id column (2^63-1) is read as
    ``NO_RECORD``: the rep gets the usual "not found" rather than an overflow in the driver.
    """
    found = ID_REF.match(word)
    if found is None:
        return None
    marked, digits = found.groups()
    if not marked and looks_like_phone(digits):
        return None
    number = int(digits)
    return number if number <= MAX_ID else NO_RECORD


def to_e164(text: str, region: str) -> str | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


Listed = Customer | customers.Label  # a customer in a choice list: whole, or its label


def customer_label(c: Listed) -> str:
    """Enough to tell two namesakes apart without reading out their whole phone number."""
    parts = [c.name]
    if c.city:
        parts.append(c.city)
    if c.phone:
        parts.append(f"…{c.phone[-4:]}")
    parts.append(f"#{c.id}")
    return " · ".join(parts)


def _search(ctx: Context, text: str) -> list[Match]:
    """The index's matches for a name, best first (the index refreshed by the caller)."""

    def search(query: str) -> list[Match]:
        return ctx.services.index.search(query, limit=CHOICES, visible=ctx.may_read)

    matches = search(text)
    if all(m.tier is Tier.FUZZY for m in matches) and (unglued := _unglued(ctx, text.split())):
        # Nothing matched as typed: a glued case ending ("ozmenin") is cut, as a guess that
        # resolves only the way any reference does.
        matches = search(" ".join(unglued)) or matches
    return matches


def _whole_name(ctx: Context, text: str) -> Customer | None:
    """The one customer whose name is exactly ``text``'s words, if one is: what the ranked
    search would resolve it to (its one EXACT match), found by set lookups in tens of
    microseconds instead of the search's milliseconds (the index refreshed by the caller)."""
    exact = ctx.services.index.named(text, visible=ctx.may_read, exactly=True)
    return customers.get(ctx.session, exact[0]) if len(exact) == 1 else None


class Found:
    """The customers a reference may mean, best first, and the one it resolves to, if it does.

    ``ranked`` is read only when asked: a reference that resolves needs only its one customer.
    Loading every candidate whole cost /find a sixth of its time, and ranking them (a search)
    is what a name typed whole skips (``find_customers``); when asked, a searched name's
    candidates are labels (``customers.labels``), all a choice list shows of them."""

    def __init__(
        self,
        chosen: Customer | None,
        ranked: Sequence[Listed] | None = None,
        *,
        fuzzy_only: bool = False,  # nothing matched word for word: these are only suggestions
        ids: Callable[[], list[int]] | None = None,
        session: Session | None = None,
    ) -> None:
        self.chosen = chosen
        self.fuzzy_only = fuzzy_only
        self._ranked = ranked
        self._ids, self._session = ids, session

    @property
    def ranked(self) -> Sequence[Listed]:
        if self._ranked is None:
            assert self._ids is not None and self._session is not None
            ids = self._ids()
            by_id = customers.labels(self._session, ids)
            self._ranked = [by_id[i] for i in ids if i in by_id]
        return self._ranked


def find_customers(ctx: Context, text: str) -> Found:
    """Ranked customers for a reference, and the one it resolves to, if it does."""
    text = text.strip()
    if (cid := parse_id(text)) is not None:
        found = customers.get(ctx.session, cid)
        return Found(found, [found] if found else [])
    if looks_like_email(text) or looks_like_phone(text):
        e164 = None if looks_like_email(text) else to_e164(text, _region(ctx))
        ranked = (
            customers.by_email(ctx.session, text)
            if looks_like_email(text)
            else (customers.by_phone(ctx.session, e164) if e164 else [])
        )
        return Found(ranked[0] if len(ranked) == 1 else None, ranked)
    ctx.services.index.refresh(ctx.session)

    def searched() -> list[int]:
        return [m.customer_id for m in _search(ctx, text)]

    # A name typed whole, as reps mostly do: the search runs only should its list be asked for.
    if (one := _whole_name(ctx, text)) is not None:
        return Found(one, ids=searched, session=ctx.session)
    matches = _search(ctx, text)
    chosen = pick(matches)
    one = customers.get(ctx.session, chosen.customer_id) if chosen else None
    ids = [m.customer_id for m in matches]
    return Found(
        one,
        fuzzy_only=all(m.tier is Tier.FUZZY for m in matches),
        ids=lambda: ids,
        session=ctx.session,
    )


def _region(ctx: Context) -> str:
    return ctx.services.settings.crm_phone_region


def choices_reply(
    ctx: Context, key: str, options: Sequence[tuple[str, str]], **values: object
) -> Reply:
    """A question with one button per option: (label, command)."""
    return Reply(ctx.t(key, **values), choices=[Button(label, cmd) for label, cmd in options])


def add_offer(ctx: Context, query: str) -> list[Button]:
    """[Add as a new customer], only for words that could be a name: a "#12", phone or e-mail
    that matches nobody is a record gone (deleted, merged) or a typo, and a customer named
    "#12" is never what the rep meant."""
    text = query.strip()
    if text.startswith("#") or looks_like_phone(text) or looks_like_email(text):
        return []
    return [Button(ctx.t("button.add_customer"), f"/customer add {text}")]


def customer_choices(ctx: Context, ranked: Sequence[Listed], query: str, rebuild: str) -> Abort:
    if not ranked:
        return Abort(Reply(ctx.t("customer.not_found", query=query), buttons=add_offer(ctx, query)))
    options = [(customer_label(c), rebuild.replace("{ref}", f"#{c.id}")) for c in ranked[:CHOICES]]
    return Abort(choices_reply(ctx, "customer.which", options, query=query))


def resolve_customer(ctx: Context, text: str, rebuild: str) -> Customer:
    """The customer ``text`` names, or stop with choices; ``rebuild`` has a ``{ref}`` slot."""
    if not text.strip():
        raise Abort(Reply(ctx.t("customer.missing")))
    found = find_customers(ctx, text)
    if found.chosen is None:
        raise customer_choices(ctx, found.ranked, text, rebuild)
    return found.chosen


def leading_customer(ctx: Context, words: list[str], before: str = "") -> tuple[Customer, int]:
    """The customer named by the first words, and how many words that took."""
    if not words:
        raise Abort(Reply(ctx.t("customer.missing")))

    def rebuild(used: int) -> str:
        rest = " ".join(words[used:])
        return ctx.again(" ".join(p for p in (before, "{ref}", rest) if p))

    explicit = _explicit_span(words, _region(ctx))
    if explicit is not None:
        used, text = explicit
        return resolve_customer(ctx, text, rebuild(used)), used
    index = ctx.services.index
    index.refresh(ctx.session)

    def named_by(text: str, span: tuple[str, ...], size: int) -> Customer | None:
        """The one customer the first ``size`` words name; None: nobody; stops with choices
        when several may be meant."""
        if (one := _whole_name(ctx, text)) is not None:
            return one
        matches = index.search(text, limit=CHOICES, visible=ctx.may_read)
        fitting = [m for m in matches if m.inside or _covers(span, m.words)]
        if not fitting:
            return None
        exact = [m for m in fitting if m.tier is Tier.EXACT]
        chosen = exact[0] if len(exact) == 1 else fitting[0] if len(fitting) == 1 else None
        if chosen is not None:
            return customers.get(ctx.session, chosen.customer_id)
        listed = [m.customer_id for m in (exact or fitting)]
        by_id = customers.labels(ctx.session, listed)
        ranked = [by_id[i] for i in listed if i in by_id]
        raise customer_choices(ctx, ranked, " ".join(words[:size]), rebuild(size))

    sizes = range(min(MAX_NAME_WORDS, len(words)), 0, -1)
    # As typed first; a glued case ending ("ozmene") only when no span matched as typed.
    for size, text in [(n, " ".join(words[:n])) for n in sizes] + [
        (n, " ".join(unglued)) for n in sizes if (unglued := _unglued(ctx, words[:n]))
    ]:
        span = query_tokens(text)
        # Any name that fits holds the span's first and last words: a span whose ends no
        # one name holds is skipped without a search (at a million names, a search of a
        # span running into the summary cost more than the rest of the /log).
        if not span or not index.together(span[0], span[-1]):
            continue
        if (customer := named_by(text, span, size)) is None:
            continue
        if size < len(words) and _name_goes_on(customer.name, span, words[size]):
            # "mehmet demir ..." must not become Mehmet Demirel saying "demir ...": ask.
            typed = " ".join(words[: size + 1])
            raise customer_choices(ctx, find_customers(ctx, typed).ranked, typed, rebuild(size + 1))
        return customer, size
    guess = min(2, len(words))
    found = find_customers(ctx, " ".join(words[:guess]))
    raise customer_choices(ctx, found.ranked, " ".join(words[:guess]), rebuild(guess))


def _unglued(ctx: Context, words: list[str]) -> list[str] | None:
    """``words`` with a case ending cut from the last one ("ozmene" -> "ozmen"), when what is
    left is a word of some customer's name; None when no ending fits."""
    if not words or marked(words[-1]):
        return None
    for stem in stems(words[-1]):
        folded = query_tokens(stem)
        if len(folded) == 1 and ctx.services.index.knows(folded[0]):
            return [*words[:-1], stem]
    return None


def _covers(span: tuple[str, ...], name: frozenset[str]) -> bool:
    """The span is the whole name plus at most one word inside it ("Uğur Hami Özmen")."""
    extra = set(span) - name
    return len(name) > 1 and name <= set(span) and len(extra) <= 1 and {span[0], span[-1]} <= name


def _name_goes_on(name: str, span: tuple[str, ...], next_word: str) -> bool:
    """Does the word after a partial name look like the rest of that name, mistyped?"""
    rest = set(name_tokens(name)) - set(span)
    return any(
        fuzz.ratio(word, part) >= 75 or part.startswith(word) or word.startswith(part)
        for word in name_tokens(next_word)
        for part in rest
    )


def _explicit_span(words: list[str], region: str) -> tuple[int, str] | None:
    """An id, e-mail, phone, "quoted name" or "name:" at the start: (words used, text)."""
    first = words[0]
    if phone := phone_span(words, region):  # before ids: "0532 111 22 33" is no customer #532
        return phone
    if parse_id(first) is not None or looks_like_email(first):
        return 1, first
    if first.startswith('"'):
        for i, word in enumerate(words):
            if word.endswith('"') and (i > 0 or len(word) > 1):
                return i + 1, " ".join(words[: i + 1]).strip('"')
    for i, word in enumerate(words[:MAX_NAME_WORDS]):
        if word.endswith(":") and len(word) > 1:
            return i + 1, " ".join(words[: i + 1]).rstrip(":")
    return None


def phone_span(words: list[str], region: str, *, at_end: bool = False) -> tuple[int, str] | None:
    """A phone written over the first (or last) words ("0532 111 22 33"): (words used, text).

    The longest run that is a valid number wins, so "0532 111 22 33 2 adet" keeps its "2";
    a run that only looks like a phone is still taken, to be answered "no customer has it".
    """
    ordered = words[::-1] if at_end else words
    run = 0
    while run < len(ordered) and looks_like_phone_part(ordered[run]):
        run += 1

    def text(n: int) -> str:
        return " ".join(words[len(words) - n :] if at_end else words[:n])

    runs = [n for n in range(run, 0, -1) if looks_like_phone(text(n))]
    valid = [n for n in runs if to_e164(text(n), region)]
    best = (valid or runs or [0])[0]
    return (best, text(best)) if best else None


def looks_like_phone_part(word: str) -> bool:
    return bool(word) and all(ch.isdigit() or ch in "+()-./" for ch in word)


def _rank_texts(query: str, items: list[tuple[int, str]]) -> tuple[list[int], int | None]:
    """Rank short texts (deal titles, task titles) against a query, the way names are."""
    q = frozenset(name_tokens(query))
    q_text = " ".join(sorted(q))
    scored: list[tuple[bool, float, int]] = []
    for item_id, text in items:
        tokens = name_tokens(text)
        inside = bool(q) and q <= frozenset(tokens)
        score = fuzz.token_set_ratio(q_text, " ".join(tokens))
        if inside or score >= 70:
            scored.append((inside, score, item_id))
    scored.sort(key=lambda s: (not s[0], -s[1], s[2]))
    inside_ids = [i for ok, _, i in scored if ok]
    return [i for _, _, i in scored], inside_ids[0] if len(inside_ids) == 1 else None


def resolve_deal(ctx: Context, text: str, rebuild: str) -> Deal:
    """An open deal by id, title or customer name (the rep's own first), or stop with choices."""
    if (deal_id := parse_id(text.strip())) is not None:
        deal = deals.get(ctx.session, deal_id)
        if deal is None:
            raise Abort(Reply(ctx.t("deal.not_found", query=text)))
        return deal
    for owner in (ctx.rep.id, None):
        rows = deals.open_deal_titles(ctx.session, owner)
        items = [(i, f"{name} {title}") for i, title, name in rows]
        ranked, chosen = _rank_texts(text, items)
        if chosen is not None:
            deal = deals.get(ctx.session, chosen)
            assert deal is not None
            return deal
        if ranked:
            labels = {i: f"{title} · {name} · #{i}" for i, title, name in rows}
            options = [(labels[i], rebuild.replace("{ref}", f"#{i}")) for i in ranked[:CHOICES]]
            raise Abort(choices_reply(ctx, "deal.which", options, query=text))
    raise Abort(Reply(ctx.t("deal.not_found", query=text)))


def resolve_task(ctx: Context, text: str, rebuild: str) -> Task:
    """One of the rep's open tasks by id or title, or stop with choices."""
    if (task_id := parse_id(text.strip())) is not None:
        task = tasks.get(ctx.session, task_id)
        if task is None or (task.assignee_id != ctx.rep.id and ctx.rep.role == "rep"):
            raise Abort(Reply(ctx.t("task.not_found", query=text)))
        return task
    rows = tasks.open_titles(ctx.session, ctx.rep.id or 0)
    ranked, chosen = _rank_texts(text, rows)
    if chosen is not None:
        task = tasks.get(ctx.session, chosen)
        assert task is not None
        return task
    if not ranked:
        raise Abort(Reply(ctx.t("task.not_found", query=text)))
    titles = dict(rows)
    options = [(f"{titles[i]} · #{i}", rebuild.replace("{ref}", f"#{i}")) for i in ranked[:CHOICES]]
    raise Abort(choices_reply(ctx, "task.which", options, query=text))


def resolve_rep(ctx: Context, text: str, rebuild: str) -> Rep:
    """An active rep by "#id" or name (folded, exact), or stop with the likeliest as choices."""
    text = text.strip()
    everyone = {r.id: r for r in reps.all_reps(ctx.session) if r.active and r.id is not None}
    if (rep_id := parse_id(text)) is not None and rep_id in everyone:
        return everyone[rep_id]
    folded = {rid: fold(r.name) for rid, r in everyone.items()}
    exact = [rid for rid, name in folded.items() if name == fold(text)]
    if len(exact) == 1:
        return everyone[exact[0]]
    ranked = process.extract(fold(text), folded, scorer=fuzz.WRatio, limit=CHOICES, score_cutoff=60)
    if not ranked:
        raise Abort(Reply(ctx.t("rep.not_found", name=text)))
    options = [(everyone[rid].name, rebuild.replace("{ref}", f"#{rid}")) for _, _, rid in ranked]
    raise Abort(choices_reply(ctx, "rep.which", options, name=text))
