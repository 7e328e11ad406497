"""``/subscribe report …``, ``/unsubscribe report …`` and ``/subscriptions``: reports posted in
a chat on a schedule (``/abone rapor kazanma haftalık pzt 09:00``).

``/subscribe report [kind] [period] [scope] [weekly [weekday] | daily | workdays |
monthly [1-28|last]] [HH:MM] [timezone]``. Decisions, for a manager who checks:

- The kind defaults to the summary, the cadence to weekly on Monday, the time to
  ``CRM_DIGEST_TIME``, the timezone to the subscriber's own (the one their figures and "last
  week" are counted in).
- The period is relative and re-read at every run: by default the last full period before the
  run — weekly: last week (Monday to Sunday), daily and workdays: yesterday, monthly: last
  month. Any relative period may be named instead ("this month", "son 30 gün"); a fixed one
  ("Q3 2026") is refused, as it would post the same figures for ever.
- A monthly report runs on day 1-28 or on the last day ("last" / "son"); 29-31 are refused,
  since they would skip the short months.
- The scope is checked against the subscriber's visibility now, and again at every run (see
  ``handlers.report_posts``).
- A chat has one subscription per report kind: subscribing again to a kind changes it.
"""

from __future__ import annotations

from contextlib import suppress
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import get_day_names
from sqlmodel import Session

from handlers.kit import (
    Abort,
    Button,
    Context,
    Reply,
    Translator,
    Usage,
    is_keyword,
    read_hhmm,
    schedule_of,
)
from handlers.reports import period as periods
from handlers.reports import scope
from handlers.reports.registry import DEFAULT, kind_named, kinds_typed
from storage.folding import fold
from storage.models import Rep, Subscription
from storage.schedule import subscriptions

PREFIX = "report:"
DEFAULT_PERIOD = {
    "weekly": "last_week",
    "daily": "yesterday",
    "workdays": "yesterday",
    "monthly": "last_month",
}
RELATIVE = (
    "today",
    "yesterday",
    "this_week",
    "last_week",
    "this_month",
    "last_month",
    "this_quarter",
    "last_quarter",
    "this_year",
    "last_year",
)
WEEKDAY_NAMES = {
    fold(name): number
    for locale in ("en", "tr")
    for width in ("wide", "abbreviated")
    for number, name in get_day_names(width, locale=locale).items()
}


def is_report(word: str) -> bool:
    return is_keyword(word, "kw.subscribe.report")


def _cadence(word: str) -> str | None:
    for name, key in (
        ("weekly", "kw.cadence.weekly"),
        ("monthly", "kw.cadence.monthly"),
        ("daily", "kw.cadence.daily"),
        ("workdays", "kw.subscribe.working"),
    ):
        if is_keyword(word, key):
            return name
    return None


def _relative(text: str) -> bool:
    """Whether a period's words name one relative to the day of the run."""
    if any(is_keyword(text, f"kw.report.period.{key}") for key in RELATIVE):
        return True
    words = fold(text).split()
    return (
        len(words) == 3
        and is_keyword(words[0], "kw.report.period.last_n")
        and words[1].isdigit()
        and is_keyword(words[2], "kw.report.period.days")
    )


def _day(cadence: str, word: str) -> int | None:
    """The weekday (weekly) or day of the month (monthly) ``word`` names; None if it names
    none; Usage for a day of the month past 28."""
    if cadence == "weekly":
        return WEEKDAY_NAMES.get(fold(word))
    if cadence == "monthly":
        if is_keyword(word, "kw.cadence.last_day"):
            return 0
        if word.isdigit():
            if not 1 <= int(word) <= 28:
                raise Usage("subscribe.report.bad_day", day=word)
            return int(word)
    return None


def read_time(word: str) -> str | None:
    """ "8:30" -> "08:30"; None when the word is not shaped like a time; Usage when invalid."""
    try:
        at = read_hhmm(word)
    except ValueError:
        raise Usage("subscribe.bad_time", time=word) from None
    return at.strftime("%H:%M") if at is not None else None


def read_timezone(word: str) -> str | None:
    """An IANA timezone's name; None when the word is not shaped like one; Usage if unknown."""
    if "/" not in word and word.upper() not in {"UTC", "GMT"}:
        return None
    try:
        return str(ZoneInfo(word))
    except (ZoneInfoNotFoundError, ValueError):
        raise Usage("subscribe.bad_timezone", tz=word) from None


def _time_or_zone(sub: Subscription, word: str) -> bool:
    """Read ``word`` into the subscription when it is a time or a timezone."""
    if (at := read_time(word)) is not None:
        sub.at_time = at
        return True
    if (tz := read_timezone(word)) is not None:
        sub.timezone = tz
        return True
    return False


def parse(ctx: Context) -> Subscription:
    """The subscription ``/subscribe report …`` asks for (Usage when the words do not read)."""
    words = ctx.words[1:]
    kind = kind_named(words[0]) if words else None
    words = words[1:] if kind else words
    sub = Subscription(
        platform=ctx.incoming.platform,
        chat_id=ctx.incoming.chat_id,
        kind=PREFIX + (kind or DEFAULT),
        at_time=ctx.services.settings.crm_digest_time,
        timezone=str(ctx.tz),
        cadence="weekly",
        cadence_day=0,
        working_days_only=False,
        created_by_id=ctx.rep.id,
        created_at=ctx.now,
    )
    rest: list[str] = []
    cadence_seen = False
    position = 0
    while position < len(words):
        word = words[position]
        position += 1
        if (cadence := _cadence(word)) is not None and not cadence_seen:
            cadence_seen = True
            sub.cadence, sub.cadence_day = cadence, 0 if cadence == "weekly" else 1
            if cadence in ("daily", "workdays"):
                sub.cadence_day = None
            elif position < len(words) and (day := _day(cadence, words[position])) is not None:
                sub.cadence_day = day
                position += 1
        elif not _time_or_zone(sub, word):
            rest.append(word)
    _request(ctx, sub, rest)
    return sub


def _request(ctx: Context, sub: Subscription, words: list[str]) -> None:
    """The period (the longest leading run of words that reads as one) and the scope."""
    cut = next(
        (n for n in range(len(words), 0, -1) if periods.read(" ".join(words[:n]), ctx.now, ctx.tz)),
        0,
    )
    if cut:
        text = " ".join(words[:cut])
        if not _relative(text):
            raise Usage("subscribe.report.fixed_period", period=text)
        sub.period = text
    else:
        key = DEFAULT_PERIOD[sub.cadence or "weekly"]
        sub.period = ctx.t.words(f"kw.report.period.{key}")[0]
    tail = words[cut:]
    if tail and any(ch.isdigit() for ch in " ".join(tail)) and not tail[0].startswith("#"):
        raise Usage("subscribe.report.bad_words", words=" ".join(tail))
    kept = [w for w in ctx.words if w not in tail]  # the same command, the rep picked by #id
    try:
        audience = scope.resolve(
            ctx.session, ctx.t, ctx.rep, tail, again=lambda pick: ctx.again(" ".join([*kept, pick]))
        )
    except Usage as unknown:
        if unknown.problem == "reports.scope.unknown" and tail and tail[0] == ctx.words[1]:
            # "/subscribe report forecastt": a kind mistyped as likely as a rep: name both
            word = " ".join(tail)
            raise Usage("reports.unknown_word", word=word, kinds=kinds_typed(ctx.t)) from None
        raise
    if audience.canonical.startswith("#"):
        sub.scope, sub.scope_rep_id = "rep", int(audience.canonical[1:])
    else:
        sub.scope, sub.scope_rep_id = audience.canonical, None


def scope_word(sub: Subscription) -> str:
    """The scope as ``handlers.reports.scope`` reads it back."""
    return f"#{sub.scope_rep_id}" if sub.scope == "rep" else sub.scope


def cadence_text(t: Translator, sub: Subscription) -> str:
    if sub.cadence == "weekly":
        name = get_day_names("wide", locale=t.locale)[sub.cadence_day or 0]
        return t("subscribe.report.weekly", weekday=name.lower() if t.language == "tr" else name)
    if sub.cadence == "monthly":
        if not sub.cadence_day:
            return t("subscribe.report.monthly_last")
        return t("subscribe.report.monthly", day=sub.cadence_day)
    return t(f"subscribe.report.{sub.cadence or 'daily'}")


def describe(session: Session, t: Translator, sub: Subscription) -> str:
    """ "the Win rate report of Murat Kaya's team, for last week, every Monday at 09:00 (…)"."""
    subscriber = session.get(Rep, sub.created_by_id or 0)
    label = sub.scope
    if subscriber is not None:
        with suppress(Usage, Abort):  # out of the subscriber's sight: the next run says so
            label = scope.resolve(session, t, subscriber, [scope_word(sub)]).label
    return t(
        "subscribe.report.what",
        kind=t(f"reports.kind.{sub.kind.removeprefix(PREFIX)}"),
        audience=label,
        period=sub.period,
        cadence=cadence_text(t, sub),
        time=sub.at_time,
        tz=sub.timezone,
    )


def subscribe(ctx: Context) -> Reply:
    saved = subscriptions.save(ctx.session, parse(ctx))
    ctx.services.hooks.subscriptions_changed.after_commit(ctx.session)
    lines = [ctx.t("subscribe.report.done", what=describe(ctx.session, ctx.t, saved))]
    upcoming = schedule_of(ctx.services.settings, saved).next(ctx.now)
    if upcoming is not None:
        lines.append(ctx.t("subscribe.next", when=ctx.t.when(upcoming, ctx.tz)))
    lines.append(ctx.t("subscribe.report.note"))
    kind = saved.kind.removeprefix(PREFIX)
    now = f"/report {kind} {saved.period} {scope_word(saved)}"
    return Reply("\n".join(lines), buttons=[Button(ctx.t("subscribe.report.button.now"), now)])


def unsubscribe(ctx: Context) -> Reply:
    """``/unsubscribe report [kind]``: the kind may be left out when the chat has one."""
    words = ctx.words[1:]
    kind = kind_named(words[0]) if words else None
    if len(words) > 1 or (words and kind is None):
        raise Usage("subscribe.report.bad_kind", word=" ".join(words))
    chat = ctx.incoming
    mine = [
        s
        for s in subscriptions.in_chat(ctx.session, chat.platform, chat.chat_id)
        if s.kind.startswith(PREFIX) and (kind is None or s.kind == PREFIX + kind)
    ]
    if not mine:
        return Reply(ctx.t("unsubscribe.report.none"))
    if len(mine) > 1:
        choices = [
            Button(ctx.t(f"reports.kind.{k}"), ctx.again(f"{ctx.words[0]} {k}"))
            for k in (s.kind.removeprefix(PREFIX) for s in mine)
        ]
        return Reply(ctx.t("unsubscribe.report.which"), choices=choices)
    [sub] = mine
    subscriptions.deactivate(ctx.session, chat.platform, chat.chat_id, sub.kind)
    ctx.services.hooks.subscriptions_changed.after_commit(ctx.session)
    return Reply(ctx.t("unsubscribe.report.done", what=describe(ctx.session, ctx.t, sub)))
