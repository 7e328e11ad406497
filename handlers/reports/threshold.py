"""A kind's threshold in days, typed after the kind: "stale 45", "bekleyen 45 gün".

Only kinds in ``TAKES_DAYS`` read one, so a number elsewhere stays part of the period
("son 30 gün", "1 eylül – 15 eylül"). The number is read when it comes first after the kind,
or anywhere when "days"/"gün" follows it and "last"/"son" does not precede it.
"""

from __future__ import annotations

from handlers.kit import Usage, is_keyword
from handlers.reports.period import MAX_DAYS

TAKES_DAYS = ("stale",)


def days_asked(kind: str | None, words: list[str]) -> tuple[int | None, list[str]]:
    """The threshold and the words left (Usage when it is out of range)."""
    if kind not in TAKES_DAYS:
        return None, words
    for i, word in enumerate(words):
        after = words[i + 1] if i + 1 < len(words) else ""
        unit = is_keyword(after, "kw.report.period.days")
        last = i > 0 and is_keyword(words[i - 1], "kw.report.period.last_n")
        if word.isdigit() and (i == 0 or unit) and not last:
            days = int(word)
            if not 0 < days <= MAX_DAYS:
                raise Usage("reports.stale.bad_days", days=word)
            return days, words[:i] + words[i + 1 + unit :]
    return None, words
