"""/dupes and /quality: what is duplicated, missing or wrong, with the evidence.

Both only read. /dupes scans every customer (``storage.quality.dupes``: blocking plus rapidfuzz, a
second or two at 100,000 customers) and lists likely duplicate groups best first, each with
why (same phone, same e-mail, name score) and a button that proposes the merge; homonyms
(same name, different phone or e-mail) are counted and shown apart, never proposed as one
person. A proposed merge keeps the older record (lower id), which usually has the history.
"""

from __future__ import annotations

from handlers.cards import email_text, phone_text
from handlers.kit import Button, Context, Reply, Translator, command
from handlers.refs import customer_label, resolve_customer
from storage import customers
from storage.models import Customer
from storage.quality import dupes
from storage.quality import findings as quality

GROUPS_SHOWN = 8
PAIRS_SHOWN = 3
MEMBERS_SHOWN = 4


def evidence(ctx: Context, pair: dupes.Pair) -> str:
    """Why two customers look like one, in words: "same phone 0532 111 22 33, same name".

    Phones read as people write them and, like e-mails, masked where others read along."""
    t = ctx.t
    parts = [t("evidence.same_phone", phone=phone_text(ctx, p)) for p in pair.shared_phones]
    parts += [t("evidence.same_email", email=email_text(ctx, e)) for e in pair.shared_emails]
    if pair.same_name:
        parts.append(t("dupe.same_name"))
    elif pair.contains:
        parts.append(t("evidence.contains"))
    else:
        parts.append(t("evidence.name_score", score=round(pair.name_score)))
    if pair.homonym:
        parts.append(t("evidence.homonym"))
    return ", ".join(parts)


def merge_button(t: Translator, pair: dupes.Pair) -> Button:
    return Button(t("button.merge", keep=pair.a, other=pair.b), f"/merge #{pair.a} #{pair.b}")


def _group_lines(ctx: Context, n: int, group: dupes.Group, by_id: dict[int, Customer]) -> list[str]:
    members = [by_id[i] for i in group.ids[:MEMBERS_SHOWN] if i in by_id]
    line = f"{n}. " + " / ".join(customer_label(c) for c in members)
    if (more := len(group.ids) - len(members)) > 0:
        line += " " + ctx.t("dupes.more", count=more)
    return [line] + [
        f"   #{pair.a} ~ #{pair.b}: {evidence(ctx, pair)}" for pair in group.pairs[:PAIRS_SHOWN]
    ]


@command("dupes", writes=False, aliases=("mukerrer", "kopyalar"))
def list_dupes(ctx: Context) -> Reply:
    """Likely duplicates under a header that counts them, then namesakes under their own
    line: a list of namesakes alone is never headed "likely duplicates (0 groups)"."""
    t, s = ctx.t, ctx.session
    groups = dupes.scan(dupes.load(s))
    name = ""
    if ctx.args.strip():
        customer = resolve_customer(ctx, ctx.args, "/dupes {ref}")
        groups = [g for g in groups if customer.id in g.ids]
        name = customer.name
    none = t("dupes.none_of", name=name) if name else t("dupes.none")
    if not groups:
        return Reply(none)
    likely = [g for g in groups if not g.homonym]
    namesakes = [g for g in groups if g.homonym]
    shown = likely[:GROUPS_SHOWN]
    alike = namesakes[: max(0, 3 - len(likely))]
    by_id = customers.many(s, sorted({i for g in shown + alike for i in g.ids}))
    key = "dupes.header_of" if name else "dupes.header"
    lines = [t.plural(key, len(likely), name=name) if likely else none]
    for n, group in enumerate(shown, start=1):
        lines += _group_lines(ctx, n, group, by_id)
    if len(likely) > GROUPS_SHOWN:
        lines.append(t.plural("dupes.more_groups", len(likely) - GROUPS_SHOWN))
    if namesakes:
        lines.append(t.plural("dupes.homonyms", len(namesakes)))
    for n, group in enumerate(alike, start=len(shown) + 1):
        lines += _group_lines(ctx, n, group, by_id)
    buttons = [merge_button(t, group.pairs[0]) for group in shown[:5]]
    return Reply("\n".join(lines), buttons=buttons)


def _finding_lines(t: Translator, finding: quality.Finding) -> list[str]:
    lines = [f"• {t(f'quality.{finding.code}')}: {t.number(finding.count)}"]
    for kind, item_id, label in finding.examples:
        ref = f" (#{item_id})" if kind != "group" else ""
        lines.append(f"   – {label}{ref}")
    return lines


def quality_section(findings: list[quality.Finding], t: Translator) -> Reply | None:
    """The data-quality part of a digest, or None when there is nothing to fix.

    Meant for the weekly digest: collect with ``storage.quality.report(session)`` and send
    the returned Reply after the digest's own.
    """
    if not any(f.count for f in findings):
        return None
    lines = [t("quality.header")]
    for finding in findings:
        if finding.count:
            lines += _finding_lines(t, finding)
    buttons = [Button(t("button.quality"), "/quality")]
    if any(f.code == "duplicates" and f.count for f in findings):
        buttons.append(Button(t("button.dupes"), "/dupes"))
    return Reply("\n".join(lines), buttons=buttons)


@command("quality", writes=False, aliases=("kalite",))
def show_quality(ctx: Context) -> Reply:
    findings = quality.report(ctx.session)
    reply = quality_section(findings, ctx.t)
    if reply is None:
        return Reply(ctx.t("quality.clean"))
    reply.buttons = [b for b in reply.buttons if b.command != "/quality"]
    return reply
