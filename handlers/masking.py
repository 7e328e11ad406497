"""Phones and e-mails as people read them, and masked where others can read them.

In a group or a channel (unless an admin marked it internal), a card shows ``0532 *** ** 33``
and ``u***@example.com``, and no interaction notes: whoever else is in the chat learns that the
data exists, not what it is. The rep who asked gets the full card privately ("Show in DM").
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

_SEPARATORS = re.compile(r"([ -])")


@lru_cache(maxsize=4096)
def human_phone(e164: str, region: str) -> str:
    """National format for a number of the CRM's region ("0532 111 22 33"), international
    otherwise ("+1 212-555-0100"); as stored if it cannot be read.

    Cached: parsing and formatting take ~25 us a number, and a rep's cards show the same
    customers' numbers again and again."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    home = phonenumbers.region_code_for_number(number) == region
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if home
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def masked_phone(e164: str, region: str) -> str:
    """The human format with every digit hidden but the first group (the country code and
    the first group, for a foreign number) and the last two."""
    text = human_phone(e164, region)
    parts = _SEPARATORS.split(text)
    head = "".join(parts[:3] if text.startswith("+") else parts[:1])
    total = sum(ch.isdigit() for ch in text)
    out, seen = [], 0
    for i, ch in enumerate(text):
        if ch.isdigit():
            seen += 1
            if i >= len(head) and seen <= total - 2:
                ch = "*"
        out.append(ch)
    return "".join(out)


def masked_email(email: str) -> str:
    local, at, domain = email.partition("@")
    return f"{local[:1]}***{at}{domain}" if at else "***"
