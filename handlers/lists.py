"""/customers and /deals: lists narrowed by city, tag, owner, stage and inactivity, ten a page.

Each row names its owner and its last activity (a deal also its stage and amount) and is a
choice that opens the card. Pages come with Previous and Next buttons that repeat the typed
filters with ``page N``. What a list may hold is the asker's scope (``storage.access``): a rep
naming another team's rep as ``owner`` is told so, and nothing is listed.

Bare ``/customers`` lists every customer the asker may see; bare ``/deals`` stays "your open
deals" (as before these filters), ``/deals all`` everyone's, and ``/deals <customer>`` one
customer's deals, open and closed. A rep's name alone is the owner filter
(``/fırsatlar Ayşe Yılmaz``), not a customer search.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.cards import deal_line
from handlers.deals import stage_words
from handlers.kit import Button, Context, Reply, Usage, command, is_keyword, page_asked
from handlers.list_filters import Asked, alternatives, is_rep_name, owners, parse
from handlers.refs import resolve_customer
from storage import deals, lists, reps
from storage.folding import fold

PAGE = 10


def _filters(ctx: Context, asked: Asked, *, stages: bool) -> lists.Filters:
    s = ctx.session
    cities = [
        [c for v in alternatives(typed) for c in lists.cities_like(s, v)]
        for typed in asked.values.get("city", [])
    ]
    tags = [
        [g for v in alternatives(typed) for g in lists.tags_like(s, v)]
        for typed in asked.values.get("tag", [])
    ]
    whose: frozenset[int] | None = None
    for typed in asked.owner_words:
        found = owners(ctx, typed, ctx.again("owner {ref}"))
        if found is not None:
            whose = found if whose is None else whose & found
    idle = None
    if asked.idle_days is not None:
        idle = ctx.now - timedelta(days=asked.idle_days)
    stage_ids = None
    if stages and "stage" in asked.values:
        stage_ids = frozenset(
            _stage_id(ctx, v) for typed in asked.values["stage"] for v in alternatives(typed)
        )
    return lists.Filters(cities, tags, whose, idle, stage_ids)


def _stage_id(ctx: Context, typed: str) -> int:
    for st in deals.stages(ctx.session):
        if fold(typed) in stage_words(ctx, st):
            return st.id or 0
    names = ", ".join(ctx.t.stage(st.name) for st in deals.stages(ctx.session))
    raise Usage("stage.bad_stage", stages=names)


def _last(ctx: Context, at: datetime | None) -> str:
    if at is None:
        return ctx.t("lists.never")
    return ctx.t("lists.last", date=ctx.t.date(at.astimezone(ctx.tz).date()))


def paged(
    ctx: Context, head: str, total: int, page: int, lines: list[str], rest: str
) -> tuple[str, list[Button]]:
    """The page's text under its header (", page 2 of 5"), and Previous/Next buttons that
    repeat ``rest`` (the typed arguments) with another page number."""
    pages = max(-(-total // PAGE), 1)
    if pages > 1:
        head = head + ctx.t("common.page", page=page, pages=pages).rstrip(":")
    buttons = []
    word = ctx.t.words("kw.page")[0]
    if page > 1:
        buttons.append(Button(ctx.t("lists.previous"), ctx.again(f"{rest} {word} {page - 1}")))
    if page < pages:
        buttons.append(Button(ctx.t("lists.next"), ctx.again(f"{rest} {word} {page + 1}")))
    return "\n".join([head, *lines]), buttons


@command("customers", writes=False, aliases=("musteriler",))
def list_customers(ctx: Context) -> Reply:
    page, words = page_asked(ctx.words)
    asked = parse(words, ("city", "tag", "owner"))
    if asked.bare:
        if not (is_rep_name(ctx, asked.bare) or _is_owner_word(asked.bare)):
            raise Usage("lists.unknown_word", word=asked.bare.split()[0])
        asked.owner_words.append(asked.bare)
    found = _filters(ctx, asked, stages=False)
    total, rows = lists.customers_page(ctx.session, found, PAGE, (page - 1) * PAGE)
    if not total:
        return Reply(ctx.t("lists.no_customers"))
    names = reps.names(ctx.session, {r.customer.owner_id for r in rows if r.customer.owner_id})
    lines = []
    for n, row in enumerate(rows, (page - 1) * PAGE + 1):
        c = row.customer
        owner = names.get(c.owner_id or 0, ctx.t("lists.unowned"))
        city = f" · {c.city}" if c.city else ""
        lines.append(f"{n}. {c.name}{city} · {owner} · {_last(ctx, row.last_activity)}")
    head = ctx.t("lists.customers", count=ctx.t.number(total))
    text, buttons = paged(ctx, head, total, page, lines, " ".join(words))
    choices = [Button(r.customer.name[:40], f"/customer #{r.customer.id}") for r in rows]
    return Reply(text, choices=choices, buttons=buttons)


def _is_owner_word(text: str) -> bool:
    return any(is_keyword(text, k) for k in ("kw.mine", "kw.all", "kw.list.me", "kw.list.team"))


@command("deals", writes=False, aliases=("firsatlar",))
def list_deals(ctx: Context) -> Reply:
    page, words = page_asked(ctx.words)
    asked = parse(words, ("city", "tag", "owner", "stage"))
    if asked.bare and not (is_rep_name(ctx, asked.bare) or _is_owner_word(asked.bare)):
        return _customer_deals(ctx, asked.bare)
    if asked.bare:
        asked.owner_words.append(asked.bare)
    if not words:
        asked.owner_words.append(ctx.t.words("kw.mine")[0])
    found = _filters(ctx, asked, stages=True)
    total, rows = lists.deals_page(ctx.session, found, PAGE, (page - 1) * PAGE)
    if not total:
        return Reply(ctx.t("deals.none"), buttons=[Button(ctx.t("button.pipeline"), "/pipeline")])
    by_id = {st.id: st for st in deals.stages(ctx.session)}
    names = reps.names(ctx.session, {r.deal.owner_id for r in rows if r.deal.owner_id})
    lines = []
    for n, row in enumerate(rows, (page - 1) * PAGE + 1):
        d = row.deal
        owner = names.get(d.owner_id or 0, ctx.t("lists.unowned"))
        customer = f" · {row.customer_name}" if row.customer_name else ""
        line = deal_line(ctx, d, by_id.get(d.stage_id))
        lines.append(f"{n}. {line}{customer} · {owner} · {_last(ctx, row.last_activity)}")
    text, buttons = paged(ctx, _deals_head(ctx, words, total), total, page, lines, " ".join(words))
    choices = [Button(r.deal.title[:40], f"/deal #{r.deal.id}") for r in rows]
    return Reply(text, choices=choices, buttons=buttons)


def _deals_head(ctx: Context, words: list[str], total: int) -> str:
    count = ctx.t.number(total)
    if not words or (len(words) == 1 and is_keyword(words[0], "kw.mine")):
        return f"{ctx.t('deals.mine')} ({count})"
    if len(words) == 1 and is_keyword(words[0], "kw.all"):
        return f"{ctx.t('deals.all')} ({count})"
    return ctx.t("lists.deals", count=count)


def _customer_deals(ctx: Context, text: str) -> Reply:
    customer = resolve_customer(ctx, text, "/deals {ref}")
    rows = deals.customer_deals(ctx.session, customer.id or 0)
    if not rows:
        return Reply(ctx.t("deals.none"), buttons=[Button(ctx.t("button.pipeline"), "/pipeline")])
    by_id = {st.id: st for st in deals.stages(ctx.session)}
    lines = [f"• {deal_line(ctx, d, by_id.get(d.stage_id))}" for d in rows]
    buttons = [Button(d.title[:30], f"/deal #{d.id}") for d in rows[:8]]
    head = ctx.t("deals.of_customer", customer=customer.name)
    return Reply("\n".join([f"{head} ({len(rows)})", *lines]), buttons=buttons)
