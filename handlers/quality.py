"""/dupes and /quality: what is duplicated, missing or wrong, with the evidence.

Both only read. /dupes scans every customer (``storage.quality.dupes``: blocking plus rapidfuzz, a
second or two at 100,000 customers) and lists likely duplicate groups best first, each with
why (same phone, same e-mail, name score) and a button that proposes the merge; homonyms
(same name, different phone or e-mail) are counted and shown apart, never proposed as one
person. A proposed merge keeps the older record (lower id), which usually has the history.
"""

from __future__ import annotations

from handlers.kit import Button, Context, Reply, Translator, command
from handlers.refs import customer_label, resolve_customer
from storage import customers
from storage.quality import dupes
from storage.quality import findings as quality

GROUPS_SHOWN = 8
PAIRS_SHOWN = 3
MEMBERS_SHOWN = 4


def evidence(t: Translator, pair: dupes.Pair) -> str:
    """Why two customers look like one, in words: "same phone +90…, same name"."""
    parts = [t("evidence.same_phone", phone=p) for p in pair.shared_phones]
    parts += [t("evidence.same_email", email=e) for e in pair.shared_emails]
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


@command("dupes", writes=False, aliases=("mukerrer", "kopyalar"))
def list_dupes(ctx: Context) -> Reply:
    t, s = ctx.t, ctx.session
    groups = dupes.scan(dupes.load(s))
    head = t("dupes.header", count=sum(not g.homonym for g in groups))
    if ctx.args.strip():
        customer = resolve_customer(ctx, ctx.args, "/dupes {ref}")
        groups = [g for g in groups if customer.id in g.ids]
        head = t("dupes.header_of", name=customer.name, count=sum(not g.homonym for g in groups))
    likely = [g for g in groups if not g.homonym]
    namesakes = [g for g in groups if g.homonym]
    if not groups:
        return Reply(t("dupes.none"))
    shown = likely[:GROUPS_SHOWN] + namesakes[: max(0, 3 - len(likely))]
    by_id = customers.many(s, sorted({i for g in shown for i in g.ids}))
    lines = [head]
    buttons: list[Button] = []
    for n, group in enumerate(shown, start=1):
        members = [by_id[i] for i in group.ids[:MEMBERS_SHOWN] if i in by_id]
        more = len(group.ids) - len(members)
        lines.append(f"{n}. " + " / ".join(customer_label(c) for c in members))
        if more > 0:
            lines[-1] += " " + t("dupes.more", count=more)
        for pair in group.pairs[:PAIRS_SHOWN]:
            lines.append(f"   #{pair.a} ~ #{pair.b}: {evidence(t, pair)}")
        if not group.homonym:
            buttons.append(merge_button(t, group.pairs[0]))
    if len(likely) > GROUPS_SHOWN:
        lines.append(t("dupes.more_groups", count=len(likely) - GROUPS_SHOWN))
    if namesakes:
        lines.append(t("dupes.homonyms", count=len(namesakes)))
    return Reply("\n".join(lines), buttons=buttons[:5])


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
