"""What a report subscription posts when it is due: the report as ``/report`` answers it (text,
chart, buttons), in the subscriber's language, its period read afresh on the run's day.

The scope is checked against the subscriber's visibility at every run, not only when they
subscribed: a manager who has since become a rep, or left, or a rep who moved to another team,
must not keep a channel supplied with figures they may no longer see. Such a run posts one
refusal instead and the caller stops the subscription, so the refusal is posted once.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from handlers.kit import Abort, Reply, Settings, Translator, Usage
from handlers.report import answer
from handlers.report_subscriptions import PREFIX, scope_word
from handlers.reports import Request, period, scope
from handlers.reports.registry import KINDS
from storage.models import Rep, Subscription


def build(
    session: Session, settings: Settings, sub: Subscription, now: datetime
) -> tuple[bool, list[Reply]]:
    """(refused, replies): the report due at ``now``, or the refusal when the subscriber may
    no longer see its scope."""
    subscriber = session.get(Rep, sub.created_by_id or 0)
    t = Translator((subscriber.language if subscriber else None) or settings.crm_language)
    kind = sub.kind.removeprefix(PREFIX)
    tz = ZoneInfo(sub.timezone)
    try:
        if subscriber is None or not subscriber.active:
            raise Usage()
        audience = scope.resolve(session, t, subscriber, [scope_word(sub)])
    except (Usage, Abort):
        name = subscriber.name if subscriber else f"#{sub.created_by_id}"
        text = t("subscribe.report.refused", name=name, kind=t(f"reports.kind.{kind}"))
        return True, [_stamped(Reply(text), t)]
    when = period.read(sub.period or "", now, tz)
    if when is None:  # pragma: no cover - only relative periods are stored
        raise ValueError(f"subscription {sub.id}: unreadable period {sub.period!r}")
    request = Request(kind, when, audience, None, subscriber, now, settings)
    built = KINDS[kind](session, t, request)
    return False, [_stamped(answer(t, request, built), t)]


def _stamped(reply: Reply, t: Translator) -> Reply:
    reply.language = t.language  # a proactive post: no dispatcher stamps its language
    return reply
