"""A plain sentence read as a CRM action: "Uğur Özmen'i aradım, fiyat konuştuk, cuma teklif
göndereceğim" is a call with Uğur Özmen, summary "fiyat konuştuk", next step "teklif
göndereceğim" due Friday.

The text is cut into clauses at punctuation and at "ve"/"and"/"then". The first clause with a
verb of something done (``verbs.DONE``: aradım, visited) names the event; a later clause with a
date or a verb of something to do (göndereceğim, will send, hatırlat) is the next step, its
title what remains once the date is out, as typed. Everything else is the summary, as typed,
except a clause that only names the customer and the verb ("Uğur Özmen'i aradım") when more
was said. A date in the event's clause ("dün ziyaret ettim") is when the event happened.

Who the customer is, the reader cannot know (that needs the book): it returns candidate spans,
best first, for the command to look up: an ``#id``, phone or e-mail; words with a case ending
after an apostrophe and the capitalised words before them; the words beside the verb (before it
in Turkish, after it in English).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.kit.i18n import is_keyword, keywords
from handlers.sentences.verbs import DONE, PLANNED, Verb, verbs
from handlers.when import Calendar, Reading, find, without
from storage.endings import marked
from storage.folding import fold, looks_like_email, looks_like_phone

EVENTS = ("call", "visit", "meeting", "email")
STAGES = ("won", "lost")
CONJUNCTIONS = {"ve", "and", "then", "ama", "but", "ayrica", "also"}  # not "sonra": a date
FOR_ME = {"bana", "me", "to"}  # "bana … hatırlat", "remind me to …": not the task's words
MAX_NAME = 4
GREETING_WORDS = 4  # "çok teşekkür ederim hocam": more than that is a sentence
_PUNCT = re.compile(r"[,;.!?]+$")
_PHONE_PART = re.compile(r"^[+(]?\d[\d()\-./]*$")
_POSSESSIVE = re.compile(r"['\u2019]s$", re.IGNORECASE)


@dataclass
class Clause:
    first: int  # token indexes, inclusive
    last: int
    text: str  # as typed


@dataclass
class Understanding:
    """What a sentence says; ``kind`` None and ``stage`` None means no action was found."""

    kind: str | None = None  # call | visit | meeting | email
    stage: str | None = None  # won | lost
    remind: bool = False
    summary: str = ""
    when: Reading | None = None  # when the event happened, if said
    next_title: str = ""
    next_when: Reading | None = None
    reason: str = ""  # why a deal was lost; for won, the words that may hold the amount
    names: list[str] = field(default_factory=list)  # candidate customer references, best first
    greeting: str | None = None  # hello | thanks | ok


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", text)]


def greeting(text: str) -> str | None:
    """ "günaydın", "çok teşekkürler 🙏", "thanks a lot", "tamam": hello, thanks or ok; None
    for anything longer than a few words (the caller asks only when no verb was found)."""
    words = [fold(w).strip(".,!?;:") for w in text.split() if w.strip(".,!?;:🙏👍😊🙂")]
    if not words:
        return "ok" if text.strip() else None
    if len(words) > GREETING_WORDS:
        return None
    folded = f" {' '.join(words)} "
    for kind in ("hello", "thanks", "ok"):
        if any(f" {phrase} " in folded for phrase in keywords(f"kw.chat.{kind}")):
            return kind
    return None


def _clauses(text: str, tokens: list[tuple[str, int, int]]) -> list[Clause]:
    found: list[Clause] = []
    start = 0
    for i, (word, _, _) in enumerate(tokens):
        boundary = bool(_PUNCT.search(word)) or i == len(tokens) - 1
        joins = i + 1 < len(tokens) and fold(tokens[i + 1][0]) in CONJUNCTIONS and i + 1 > start
        if boundary or joins:
            found.append(Clause(start, i, text[tokens[start][1] : tokens[i][2]]))
            start = i + 1
    return found


def _strip_joins(text: str) -> str:
    """A clause without the joining word before it ("ve", "and") or "me"/"bana"/"to" left by
    a reminder ("remind me … to chase Hooli")."""
    words = text.split()
    while words and fold(words[0]).strip(",;:") in CONJUNCTIONS | FOR_ME:
        words = words[1:]
    return " ".join(words).strip(" ,;:.!?")


def _names(tokens: list[tuple[str, int, int]], found: list[Verb], event: Verb | None) -> list[str]:
    """Candidate customer references, best first (the command looks them up in turn)."""
    words = [_POSSESSIVE.sub("", w.strip(',;:.!?()"')) for w, _, _ in tokens]  # Acme's -> Acme
    names: list[str] = []
    for i, word in enumerate(words):
        if (word.startswith("#") and word[1:].isdigit()) or looks_like_email(word):
            names.append(word)
        elif _PHONE_PART.match(word) and (i == 0 or not _PHONE_PART.match(words[i - 1])):
            end = next((k for k, w in enumerate(words[i:]) if not _PHONE_PART.match(w)), None)
            phone = " ".join(words[i : i + end if end is not None else len(words)])
            if looks_like_phone(phone):  # "0532 111 22 33"; "2 top", "saat 15" are no one
                names.append(phone)
    for i, word in enumerate(words):
        if marked(word):
            start = i
            while start > 0 and i - start < MAX_NAME - 1 and words[start - 1][:1].isupper():
                start -= 1
            names += [" ".join(words[s : i + 1]) for s in range(start, i + 1)]
    if event is not None:
        after = words[event.last + 1 : event.last + 1 + MAX_NAME]
        before = words[max(0, event.first - MAX_NAME) : event.first]
        for size in range(len(after), 0, -1):
            names.append(" ".join(after[:size]))
        if before and fold(before[-1]) in ("ile", "with"):
            before = before[:-1]
        for size in range(len(before), 0, -1):
            names.append(" ".join(before[-size:]))
    capitals = [i for i, w in enumerate(words) if w[:1].isupper() and i not in _verb_spots(found)]
    for i in capitals:
        names.append(" ".join(w for w in words[i : i + 2] if w[:1].isupper()))
    return list(dict.fromkeys(n for n in names if n))


def _verb_spots(found: list[Verb]) -> set[int]:
    return {i for v in found for i in range(v.first, v.last + 1)}


def understand(
    text: str, now: datetime, tz: ZoneInfo, *, english: bool, work: Calendar | None = None
) -> Understanding:
    """What ``text`` says as a CRM action (see the module's docstring)."""
    tokens = _tokens(text)
    folded = [fold(w).strip(',;:.!?()"') for w, _, _ in tokens]
    found = verbs(folded)
    result = Understanding(greeting=None if found else greeting(text))
    event = next((v for v in found if v.tense == DONE and v.intent in EVENTS), None)
    stage = next((v for v in found if v.tense == DONE and v.intent in STAGES), None)
    remind = next((v for v in found if v.intent == "remind"), None)
    if result.greeting or not (event or stage or remind or any(v.tense == PLANNED for v in found)):
        return result
    result.kind = event.intent if event else None
    result.stage = stage.intent if stage else None
    result.remind = remind is not None
    result.names = _names(tokens, found, event or stage or remind)
    anchor = event or stage
    summary: list[tuple[Clause, str]] = []
    for clause in _clauses(text, tokens):
        if remind is not None and clause.first <= remind.first <= clause.last:
            clause = _without_verb(text, tokens, clause, remind)  # "hatırlat": not the title
        inside = anchor is not None and clause.first <= anchor.first <= clause.last
        reading = find(clause.text, now, tz, english=english, work=work, past=inside)
        rest = _strip_joins(without(clause.text, reading) if reading else clause.text)
        planned = any(
            v.tense == PLANNED and clause.first <= v.first <= clause.last for v in found
        ) or any(is_keyword(fold(w).strip(",.;"), "kw.intent.will") for w in clause.text.split())
        if not inside and not result.next_title and (reading is not None or planned):
            result.next_title, result.next_when = rest, reading
        elif not inside and reading is not None and not rest and result.next_when is None:
            result.next_when = reading  # "Özmen'i aramalıyım, cuma": the plan's date, alone
        elif inside and stage is not None:
            continue  # "Acme'yi kaybettik": the news itself is no reason
        else:
            if inside and reading is not None:
                result.when = _done_by(reading, now)
            summary.append((clause, rest))
    if event is not None and len(summary) > 1 and _only_names(*summary[0], event):
        summary = summary[1:]
    result.summary = ", ".join(said for _, said in summary if said)
    result.reason = result.summary if stage is not None else ""
    return result


def _done_by(reading: Reading, now: datetime) -> Reading:
    """An event said to be "today" without an hour happened by now, not at the day's end."""
    if reading.has_time or reading.at <= now:
        return reading
    return Reading(now, reading.first, reading.last, reading.has_time)


def _without_verb(
    text: str, tokens: list[tuple[str, int, int]], clause: Clause, verb: Verb
) -> Clause:
    """The clause without ``verb`` (and an English "to" after it), the rest as typed."""
    end = verb.last + (verb.last + 1 <= clause.last and fold(tokens[verb.last + 1][0]) == "to")
    head = text[tokens[clause.first][1] : tokens[verb.first][1]]
    tail = text[tokens[end][2] : tokens[clause.last][2]] if end < clause.last else ""
    return Clause(clause.first, clause.last, f"{head.strip()} {tail.strip()}".strip())


def _only_names(clause: Clause, said: str, event: Verb) -> bool:
    """Is the clause the event's and no more than the customer and the verb ("Uğur Özmen'i
    aradım")?"""
    verb_words = event.last - event.first + 1
    inside = clause.first <= event.first <= clause.last
    return inside and len(said.split()) - verb_words <= MAX_NAME
