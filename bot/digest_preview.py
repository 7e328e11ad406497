"""``crm-bot digest --preview``: the digest a chat would get, printed, with nothing sent.

Kept apart from ``bot.scheduler`` because it renders through the console adapter, and the
adapters package imports the dispatcher, which imports the handlers that import the scheduler.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.adapters.console import render
from handlers import digest as digests
from handlers.kit import EVERY_DAY, Schedule, Services, Translator, parse_hhmm, schedule_of
from storage.schedule import subscriptions


def preview(
    services: Services, target: str | None, day: str | None, out: TextIO | None = None
) -> int:
    """``crm-bot digest --preview``: print the digest a chat would get (nothing is sent or
    recorded). With ``--date`` it is the digest as of that day's scheduled time, from today's
    data; without ``--target``, everyone's digest at ``CRM_DIGEST_TIME`` in ``CRM_TIMEZONE``."""
    out = out or sys.stdout
    settings = services.settings
    t = Translator(settings.crm_language)
    try:
        on = date.fromisoformat(day) if day else None
    except ValueError:
        print(t("digest.preview_bad_date", date=day), file=sys.stderr)
        return 2
    with services.db.session() as session:
        reps = digests.all_reps(session)
        if target:
            platform, _, chat_id = target.partition(":")
            sub = subscriptions.for_chat(session, platform, chat_id)
            if sub is None:
                print(t("digest.preview_no_target", target=target), file=sys.stderr)
                return 2
            schedule = schedule_of(settings, sub)
            who = digests.subscription_audience(reps, settings, sub)
        else:
            tz = ZoneInfo(settings.crm_timezone)
            schedule = Schedule(parse_hhmm(settings.crm_digest_time), tz, EVERY_DAY)
            who = digests.audience(reps, "team", None, settings.crm_language, tz)
        now = schedule.occurrence(on) if on else services.clock()
        name = digests.target_of(*target.split(":", 1)) if target else "preview"
        data, replies = digests.build(session, settings, who, name, now, reps)
    for reply in replies:
        out.write(render(reply)[0] + "\n\n")
    if data.empty:
        out.write(who.t("digest.preview_empty") + "\n")
    return 0
