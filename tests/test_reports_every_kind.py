"""Every report kind, in both languages, for each kind of asker and scope and a few periods:
an answer titled in the rep's language, never an error, with a [CSV] button whose file has
the table's header in that language. Kinds are read from the registry, so a kind added later
is covered without touching this table."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from handlers.kit import Translator
from handlers.reports.registry import KINDS
from storage.models import Rep
from tests.conftest import START, Chat, add_customer, add_deal, add_rep, add_task

ASKERS = (("admin", "everyone"), ("boss", "team"), ("rep", "me"))
PERIODS = ("this_month", "last_quarter", "this_year")


@pytest.fixture
def people(services) -> dict[str, Rep]:
    boss = add_rep(services, "Mehmet Kaya", role="manager")
    rep = add_rep(services, "Ayşe Yılmaz", manager_id=boss.id)
    admin = add_rep(services, "Zeynep Aksoy", role="admin")
    acme = add_customer(services, "Acme Lojistik", owner_id=rep.id)
    created = START - timedelta(days=40)
    add_deal(
        services,
        acme,
        "Filo",
        "5000",
        "Won",
        owner_id=rep.id,
        created_at=created,
        closed_at=START - timedelta(days=3),
    )
    add_deal(
        services,
        acme,
        "Depo",
        "2000",
        "Lost",
        owner_id=rep.id,
        created_at=created,
        closed_at=START - timedelta(days=2),
        lost_reason="price",
    )
    add_deal(
        services,
        acme,
        "Araç",
        "9000",
        "Negotiation",
        owner_id=rep.id,
        created_at=created,
        expected_close=(START + timedelta(days=20)).date(),
        stage_changed_at=created,
    )
    add_task(services, rep, "teklifi ara", START - timedelta(days=5))
    return {"admin": admin, "boss": boss, "rep": rep}


@pytest.mark.parametrize("language", ["en", "tr"])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_answers_in_the_reps_language(services, people, kind, language) -> None:
    t = Translator(language)
    command = "/report" if language == "en" else "/rapor"
    word = t.words(f"kw.report.kind.{kind}")[0]
    with services.db.session(write=True) as s:
        for rep in people.values():
            s.merge(rep).language = language
    for who, scope in ASKERS:
        chat = Chat(services, people[who])
        for period in PERIODS:
            when = t.words(f"kw.report.period.{period}")[0]
            scope_word = t.words(f"kw.report.scope.{scope}")[0]
            reply = chat.say(f"{command} {word} {when} {scope_word}")
            assert reply.text.startswith(t(f"reports.kind.{kind}") + " · "), reply.text
            [sheet] = [b for b in reply.buttons if b.label == t("reports.button.csv")]
            [attachment] = chat.press(reply, sheet.label).attachments
            header = next(csv.reader(io.StringIO(attachment.data.decode())))
            assert header and all(header), (kind, header)


def test_each_kind_with_figures_draws_its_chart(services, people) -> None:
    chat = Chat(services, people["admin"])
    [png] = chat.say("/report stale everyone reps").attachments  # before the call below
    assert png.mime == "image/png"
    Chat(services, people["rep"]).say("/log call Acme Lojistik fiyat konuşuldu")
    for typed in (
        "/report forecast",
        "/report pipeline",
        "/report lost this year everyone",
        "/report activity this week everyone",
        "/report activity this week everyone reps",
        "/report funnel this year everyone",
        "/report load everyone",
    ):
        reply = chat.say(typed)
        [png] = reply.attachments or [None]
        assert png is not None, (typed, reply.text)
        assert png.mime == "image/png" and png.data.startswith(b"\x89PNG\r\n\x1a\n"), typed
    # lost by rep is a table of (rep, reason) pairs, and stale a list of deals: no bars say it
    assert chat.say("/report lost this year everyone reps").attachments == []
    assert chat.say("/report stale everyone").attachments == []
