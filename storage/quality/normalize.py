"""Entry standards in one place: every write (chat, import, merge) normalises through here.

- Phones become E.164 with libphonenumber, reading numbers typed without a country code in the
  configured region (CRM_PHONE_REGION, TR by default); a number libphonenumber does not accept
  as valid is refused with a reason instead of being stored as typed.
- E-mails are validated for syntax with ``email-validator`` (no DNS look-up: deliverability is
  not ours to judge, and the bot must work offline) and stored lower-cased, since the CRM
  treats "Info@X.com" and "info@x.com" as one address.
- Names are trimmed, and re-cased only when typed all in lower or all in upper case, the
  Turkish way when the name is Turkish: "ayşe yılmaz" → "Ayşe Yılmaz", "İSTANBUL" → "İstanbul",
  "ışık" → "Işık". Deliberate casing ("IBM", "McKinsey", "iPhone Servis") is kept.

Whether a name is Turkish decides what an upper-case "I" means (ı or i): a name holding one of
ğ ş ı İ is; one holding q, w or x (not in the Turkish alphabet) is not; otherwise the region
decides. In a TR-region CRM "AHMET YILDIRIM" therefore reads "Ahmet Yıldırım" (the common case
in Turkish all-caps lists), at the price of "SMITH" reading "Smıth": type it in mixed case to
keep it. Matching is unaffected either way, because folding maps ı and i alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

import phonenumbers
from email_validator import EmailNotValidError, validate_email

_SPACES = re.compile(r"\s+")
_PHONE_SPLIT = re.compile(r"\s*[;,|/]\s*|\s+(?:or|veya)\s+", re.IGNORECASE)
_TURKISH_ONLY = set("ğĞşŞıİ")
_NOT_TURKISH = set("qQwWxX")
_LOWER_WORDS = frozenset({"ve", "ile", "and", "of", "the", "de", "da", "von", "van", "der"})
_INITIALS = re.compile(r"^(?:\w\.)+\w?\.?$")


@dataclass(frozen=True, slots=True)
class Checked:
    """A normalised value, or None with the reason it was refused: a code (``empty``,
    ``not_phone``, ``digits``, ``invalid``, ``no_at``, ``form``) that the catalogs word in the
    reader's language (``import.why.*``), never a library's English message."""

    value: str | None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.value is not None


# -- phones ----------------------------------------------------------------------------------
def phone(text: str, region: str = "TR") -> Checked:
    """E.164 form of a phone number in any common format, or why it is not one."""
    text = (text or "").strip()
    if not text:
        return Checked(None, "empty")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return Checked(None, "not_phone")
    if not phonenumbers.is_possible_number(number):
        return Checked(None, "digits")
    if not phonenumbers.is_valid_number(number):
        return Checked(None, "invalid")
    return Checked(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def split_phones(text: str) -> list[str]:
    """Several numbers in one cell ("0532 111 22 33 / 0212 444 55 66") as separate texts."""
    return [p for p in _PHONE_SPLIT.split(text or "") if p.strip()]


def is_valid_e164(value: str) -> bool:
    """Is a stored value a number libphonenumber accepts (data loaded before these checks)?"""
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(value, None))
    except phonenumbers.NumberParseException:
        return False


# -- e-mail ----------------------------------------------------------------------------------
def email(text: str) -> Checked:
    """The address lower-cased, or why it is not a valid address."""
    text = (text or "").strip().strip("<>")
    if not text:
        return Checked(None, "empty")
    try:
        found = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return Checked(None, "form" if "@" in text else "no_at")
    return Checked(found.normalized.lower())


# -- names -----------------------------------------------------------------------------------
def _upper(text: str, turkish: bool) -> str:
    if turkish:
        text = text.replace("i", "İ").replace("ı", "I")
    return text.upper()


def _lower(text: str, turkish: bool) -> str:
    if turkish:
        text = text.replace("I", "ı").replace("İ", "i")
    return text.lower()


def _word(word: str, turkish: bool, first: bool) -> str:
    """One word re-cased: initials ("A.Ş.") stay upper, small joining words stay lower."""
    if _INITIALS.match(word) and sum(ch.isalpha() for ch in word) <= 3:
        return _upper(word, turkish)
    low = _lower(word, turkish)
    if not first and low in _LOWER_WORDS:
        return low
    parts = low.split("-")
    return "-".join(_upper(p[:1], turkish) + p[1:] for p in parts)


def is_turkish(name: str, region: str = "TR") -> bool:
    if _TURKISH_ONLY & set(name):
        return True
    if _NOT_TURKISH & set(name):
        return False
    return region.upper() == "TR"


def display_name(text: str, region: str = "TR") -> str:
    """A name as it should be shown: trimmed, and re-cased only if typed in one case."""
    name = _SPACES.sub(" ", (text or "").strip())
    letters = [ch for ch in name if ch.isalpha()]
    if not letters:
        return name
    all_lower = all(ch.islower() for ch in letters)
    all_upper = all(ch.isupper() for ch in letters)
    if not (all_lower or all_upper):
        return name
    if all_upper and " " not in name and len(letters) <= 4:
        return name  # an acronym: "IBM", "THY", "BMW"
    turkish = is_turkish(name, region)
    return " ".join(_word(w, turkish, i == 0) for i, w in enumerate(name.split(" ")))


# -- dates and numbers -----------------------------------------------------------------------
DATE_FORMATS = (
    "%Y-%m-%d",
    "%d.%m.%Y",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%Y/%m/%d",
    "%d-%m-%Y",
    "%d.%m.%y",
    "%d/%m/%y",
    "%m/%d/%y",
    "%d %b %Y",
    "%b %d %Y",
    "%d %B %Y",
    "%B %d %Y",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
)


def date_format(values: list[str], region: str = "TR") -> str | None:
    """The one format that reads every value of a column, chosen once per column.

    Why per column: "03/04/2017" alone is ambiguous, but a column holding "13/04/2017" too is
    day-first throughout. When every format that fits is ambiguous, the region decides
    (day-first everywhere but the US).
    """
    sample = [v.strip().replace(",", "") for v in values if v and v.strip()]
    if not sample:
        return None
    fitting = [f for f in DATE_FORMATS if all(_try(v, f) is not None for v in sample)]
    if not fitting:
        best = max(DATE_FORMATS, key=lambda f: sum(_try(v, f) is not None for v in sample))
        return best if any(_try(v, best) is not None for v in sample) else None
    month_first = [f for f in fitting if f.startswith("%m")]
    if region.upper() == "US" and month_first:
        return month_first[0]
    day_first = [f for f in fitting if not f.startswith("%m")]
    return (day_first or fitting)[0]


def _try(value: str, fmt: str) -> datetime | None:
    try:
        return datetime.strptime(value, fmt)
    except ValueError:
        return None


def parse_date(value: str, fmt: str | None) -> date | None:
    """A date in the column's format; None for an empty cell. Raises ValueError if unreadable."""
    value = (value or "").strip().replace(",", "")
    if not value:
        return None
    if fmt is None:
        raise ValueError(value)
    found = _try(value, fmt)
    if found is None:
        raise ValueError(value)
    return found.date()
