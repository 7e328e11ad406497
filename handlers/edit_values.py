"""Reading a new value for /edit with the readers the rest of the bot uses.

Each reader takes the value as typed and returns it as stored, or raises ``Usage`` with a
catalog key saying what is wrong, so a bad value writes nothing. ``none`` (``yok``) empties
a field that may be empty.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from handlers import dates
from handlers.kit import Context, Usage, is_keyword
from handlers.money import checked, currency_word, parse_amount
from storage.quality import normalize

MAX_TEXT = {"name": 200, "title": 200, "city": 80, "role": 80, "lost_reason": 500}


def clears(value: str) -> bool:
    return is_keyword(value, "kw.edit.clear")


def text(field: str, value: str, *, limit: int | None = None) -> str:
    value = " ".join(value.split())
    most = limit or MAX_TEXT.get(field, 200)
    if len(value) < 2 and field in ("name", "title"):
        raise Usage("edit.too_short", value=value)
    if len(value) > most:
        raise Usage("edit.too_long", limit=most)
    return value


def name(ctx: Context, value: str) -> str:
    return text("name", normalize.display_name(value, ctx.services.settings.crm_phone_region))


def phone(ctx: Context, value: str) -> str:
    found = normalize.phone(value, ctx.services.settings.crm_phone_region).value
    if found is None:
        raise Usage("edit.bad_phone", phone=value)
    return found


def email(value: str) -> str:
    found = normalize.email(value)
    if not found.ok or found.value is None:
        raise Usage("edit.bad_email", email=value)
    return found.value


def flag(value: str) -> bool:
    if is_keyword(value, "kw.on"):
        return True
    if is_keyword(value, "kw.off"):
        return False
    raise Usage("edit.bad_flag", value=value)


def tags(value: str, now: list[str]) -> list[str]:
    """ "vip, key" sets the tags; "+vip -old" adds and removes, keeping the others."""
    words = [w for w in value.replace(",", " ").split() if w.strip("+-")]
    if not words:
        raise Usage("edit.bad_tags", value=value)
    marked = all(w[0] in "+-" for w in words)
    if not marked and any(w[0] in "+-" for w in words):
        raise Usage("edit.bad_tags", value=value)
    result = list(now) if marked else []
    for word in words:
        tag = word.lstrip("+-") if marked else word
        if word.startswith("-"):
            result = [t for t in result if t.casefold() != tag.casefold()]
        elif all(t.casefold() != tag.casefold() for t in result):
            result.append(tag)
    return result


def amount(ctx: Context, value: str, currency: str) -> tuple[Decimal, str]:
    words = value.split()
    found = parse_amount(words, currency)
    if found is None or found[0] != len(words):
        raise Usage("edit.bad_amount", amount=value)
    _, number, typed_currency = found
    return checked(ctx.t, number, typed_currency), typed_currency


def currency(value: str) -> str:
    code = currency_word(value.strip())
    if code is None:
        raise Usage("edit.bad_currency", value=value)
    return code


def day(ctx: Context, value: str) -> date:
    reading = dates.read_all(ctx, value)
    if reading is None:
        raise Usage("edit.bad_date", when=value)
    return reading.at.astimezone(ctx.tz).date()


def moment(ctx: Context, value: str, again: str) -> datetime:
    """A due time; where the date could be read two ways, buttons ask which (``settle``)."""
    reading = dates.read_all(ctx, value)
    if reading is None:
        raise Usage("edit.bad_date", when=value)
    return dates.settle(ctx, value, reading, again.replace("{value}", "{text}"))
