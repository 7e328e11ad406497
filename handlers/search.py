"""/search (Turkish ``/arama``): words in interaction notes and task titles, newest first.

``/ara`` was already /find's Turkish alias (a customer by name), so full-text search is
``/arama`` ("search" as a noun); "search" and "arama" left /find's list of synonyms.

Each hit names its customer and date and shows a snippet with the matched words between
guillemets («teklif»). The count stops at ``fulltext.COUNTED`` ("10,000+"). What the asker
may not read never appears: the query runs in their scoped session (``storage.access``), and
archived records are out (``storage.archive``). In a shared chat notes are masked (as on
cards), so only the customer, date and kind are shown.
"""

from __future__ import annotations

from handlers.kit import Button, Context, Reply, Usage, command, page_asked
from handlers.lists import PAGE, paged
from storage import fulltext


@command("search", writes=False, aliases=("arama",))
def search(ctx: Context) -> Reply:
    page, words = page_asked(ctx.words)
    typed = " ".join(words)
    found = fulltext.terms(typed)
    if not found:
        raise Usage()
    total, more, hits = fulltext.search(ctx.session, typed, PAGE, (page - 1) * PAGE)
    if not total:
        return Reply(ctx.t("search.none", words=typed))
    t = ctx.t
    count = t("search.at_least", count=t.number(total)) if more else t.number(total)
    head = t("search.header", words=typed, count=count)
    lines = []
    for n, hit in enumerate(hits, (page - 1) * PAGE + 1):
        when = t.date(hit.at.astimezone(ctx.tz).date())
        customer = hit.customer_name or t("search.no_customer")
        shown = t("mask.note") if ctx.shared else fulltext.snippet(hit.text, found)
        lines.append(f"{n}. {when} · {customer} · {t(f'search.{hit.kind}')}: {shown}")
    choices = [
        Button(f"{n}. {h.customer_name or t('search.no_customer')}"[:40], _opens(h))
        for n, h in enumerate(hits, (page - 1) * PAGE + 1)
    ]
    text, buttons = paged(ctx, head, total, page, lines, typed)
    return Reply(text, choices=choices, buttons=buttons)


def _opens(hit: fulltext.Hit) -> str:
    if hit.kind == "task":
        return f"/tasks #{hit.id}"
    return f"/customer #{hit.customer_id}"
