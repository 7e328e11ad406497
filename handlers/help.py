"""Help that teaches by example (every command's usage and a real example, in both languages),
and /cancel to leave a question unanswered.

"Try it" runs the example as a preview (``PREVIEW_FLAG``): the rep sees what it would do, and
nothing is kept; to do it for real they send it edited, with their own customer.
"""

from __future__ import annotations

from handlers.kit import (
    PREVIEW_FLAG,
    REGISTRY,
    Button,
    Context,
    Reply,
    Translator,
    catalog,
    command,
    lookup,
)

QUICK = ("find", "log", "deals", "tasks")


@command("help", writes=False, aliases=("yardim",))
def help_(ctx: Context) -> Reply:
    t = ctx.t
    words = [w.lstrip("/") for w in ctx.words]
    if words:
        spec, _ = lookup(words)
        if spec is None:
            return Reply(
                t("help.unknown", word=" ".join(words)), buttons=[Button(t("button.help"), "/help")]
            )
        lines = [
            f"/{spec.name} — {t(f'help.{spec.key}.about')}",
            t("usage.label", usage=t(f"help.{spec.key}.usage")),
            t("usage.example", example=t(f"help.{spec.key}.example")),
        ]
        kinds = sorted(k for k in catalog(t.language) if k.startswith(f"help.{spec.key}.kind."))
        lines += [f"• {t(k)}" for k in kinds]  # a command's kinds, each defined in its own file
        if spec.aliases:
            lines.append(t("help.aliases", aliases=", ".join(f"/{a}" for a in spec.aliases)))
        return Reply(
            "\n".join(lines),
            buttons=[Button(t("button.try_it"), f"{t(f'help.{spec.key}.example')} {PREVIEW_FLAG}")],
        )
    visible = [s for s in REGISTRY.values() if ctx.rep.role in s.roles and not s.hidden]
    lines = [t("help.intro")]
    lines += [f"{_named(t, s.name, s.key)} — {t(f'help.{s.key}.about')}" for s in visible]
    lines.append(t("help.more"))
    return Reply(
        "\n".join(lines), buttons=[Button(f"/help {name}", f"/help {name}") for name in QUICK]
    )


def _named(t: Translator, name: str, key: str) -> str:
    """A command as the rep types it (its usage's first words), without its arguments: the
    overview must fit one Telegram message, and the arguments are one "/help <command>" away."""
    return " ".join(t(f"help.{key}.usage").split()[: len(name.split())])


@command("cancel", writes=True, aliases=("iptal", "vazgec"))
def cancel(ctx: Context) -> Reply:
    """The dispatcher ends an unfinished flow before any typed write command runs."""
    return Reply(ctx.t("flow.cancelled" if ctx.ended_flow else "flow.nothing"))
