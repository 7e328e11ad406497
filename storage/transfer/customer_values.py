"""Reading a customer row's values as the entry standards want them (see ``import_people``).

Controlled vocabularies (industries, countries) read a near miss as the known spelling and
note it; phones and e-mails are normalised, and a bad one is kept as typed on the row.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from babel import Locale
from rapidfuzz import fuzz, process

from storage.folding import fold
from storage.quality import normalize
from storage.transfer.rows import Issue, Row


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


KNOWN_INDUSTRIES = (
    *_words(
        """technology software retail medical healthcare finance banking insurance marketing
advertising entertainment media telecommunications services employment education
manufacturing construction logistics transportation energy hospitality tourism food
agriculture automotive textile chemicals pharmaceuticals consulting legal government mining
utilities aerospace defense e-commerce teknoloji yazılım perakende sağlık finans bankacılık
sigorta pazarlama reklam eğlence medya telekomünikasyon hizmet eğitim imalat üretim inşaat
lojistik ulaşım enerji turizm gıda tarım otomotiv tekstil kimya ilaç danışmanlık hukuk
madencilik gayrimenkul non-profit"""
    ),
    "real estate",
)
FIX_CUTOFF = 85.0
PERSON_WORDS = {"person", "individual", "private", "bireysel", "sahis", "kisi"}
COMPANY_WORDS = {"company", "corporate", "business", "kurumsal", "firma", "sirket"}


@cache
def countries() -> dict[str, str]:
    names: dict[str, str] = {}
    for language in ("en", "tr"):
        for name in Locale(language).territories.values():
            names.setdefault(fold(name), name)
    return names


class Vocabulary:
    """A controlled list (industries, countries): a near miss is read as the known spelling."""

    def __init__(self, known: dict[str, str], note: str, notes: Counter[Issue]) -> None:
        self.known = dict(known)
        self.note = note
        self.notes = notes

    def read(self, value: str) -> str | None:
        value = value.strip()
        if not value:
            return None
        folded = fold(value)
        if folded in self.known:
            return value
        best = process.extractOne(
            folded, list(self.known), scorer=fuzz.ratio, score_cutoff=FIX_CUTOFF
        )
        if best is None:
            self.known[folded] = value  # a new, legitimate value
            return value
        fixed = self.known[best[0]]
        fixed = fixed.lower() if value.islower() else fixed
        self.notes[Issue.of(self.note, value=value, fixed=fixed)] += 1
        return fixed


def contact_data(row: Row, region: str) -> tuple[list[str], list[str]]:
    """Every phone and e-mail of a row, normalised; a bad one is kept as typed on the row."""
    phones: list[str] = []
    for cell in row.every("phone"):
        for part in normalize.split_phones(cell):
            checked = normalize.phone(part, region)
            if not checked.ok:
                row.keep("phone", part.strip(), "bad_phone", checked.problem or "")
                continue
            if checked.value not in phones:
                phones.append(checked.value or "")
    emails: list[str] = []
    for cell in row.every("email"):
        for part in re.split(r"[;,\s]+", cell):
            if not part:
                continue
            checked = normalize.email(part)
            if not checked.ok:  # the whole cell is kept: "ali at x dot com" is one value
                row.keep("email", cell, "bad_email", checked.problem or "")
                continue
            if checked.value not in emails:
                emails.append(checked.value or "")
    return phones, emails
