"""The deals behind a report's number (``/report <kind> … deals``), through the dispatcher in
both languages on the fixed clock: the count on top is the report's own figure, for the same
period and people (a named manager's whole team), the lost report's reasons drill into their
deals, pages and the CSV carry the whole set, and a kind without deals behind it says so."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from sqlmodel import func, select

from storage.models import AuditEvent
from tests.conftest import Chat, add_customer, add_deal
from tests.test_report_deals import team  # noqa: F401  (the fixture: deals worked out by hand)


def test_a_lost_reason_opens_the_deals_lost_for_it(services, chat: Chat, team) -> None:  # noqa: F811
    reply = chat.say("/report lost 2026-11")
    price = chat.press(reply, "Price (2)")
    assert price.text.splitlines()[:2] == [
        "Lost Nov 1, 2026 – Nov 30, 2026 — everyone: 2",
        "Lost reason: Price",
    ]
    # Newest first: John's (21 Nov, " Price " as typed, trimmed) before Ayşe's (12 Nov).
    assert price.text.splitlines()[2].startswith("1. Lost J (#")
    assert "John Smith · Lost · $200 · Nov 21, 2026 · Price\n" in price.text
    assert "2. Lost A (#" in price.text and "Ayşe Yılmaz" in price.text
    assert [c.label for c in price.choices] == ["Lost J", "Lost A"]
    unexplained = chat.press(reply, "(no reason given)")
    assert "everyone: 1" in unexplained.text and "Silent" in unexplained.text
    assert "Lost A" not in unexplained.text


def test_a_named_managers_deals_are_the_whole_teams(services, chat: Chat, team) -> None:  # noqa: F811
    figures = chat.say("/report winrate 2026-11 Mehmet Kaya")
    assert "(1 won, 2 lost)" in figures.text  # Ayşe's: Won A; Lost A, Late
    listed = chat.press(figures, "The deals behind it")
    assert "Won and lost Nov 1, 2026 – Nov 30, 2026 — Mehmet Kaya: 3" in listed.text
    titles = [c.label for c in listed.choices]
    assert titles == ["Lost A", "Won A", "Late"]  # closed 12, 10 and 5 November


def test_turkish_drill_pages_and_csv(services, team) -> None:  # noqa: F811
    ayse = Chat(services, team["ayse"])
    acme = add_customer(services, "Yıldız Ltd")
    for day in range(1, 13):
        add_deal(
            services, acme, f"Kazanç {day}", "100", "Won",
            closed_at=datetime(2026, 11, day, 12, tzinfo=UTC), owner_id=team["ayse"].id,
        )  # fmt: skip
    reply = ayse.say("/rapor döngü kasım fırsatlar")
    # Her own won deals: "Won A" and the twelve above.
    assert reply.text.startswith("Kazanılan, 1 Kas 2026 – 30 Kas 2026 — Ayşe Yılmaz: 13, sayfa 1/2")
    assert len(reply.choices) == 10
    second = ayse.press(reply, "Sonraki")
    assert "11. " in second.text and "13. " in second.text and "14. " not in second.text
    [sheet] = ayse.press(second, "CSV").attachments
    table = list(csv.reader(io.StringIO(sheet.data.decode())))
    assert table[0] == ["no", "Fırsat", "Müşteri", "Temsilci", "Aşama", "Tutar", "Para birimi",
                        "Tarih", "Kayıp nedeni"]  # fmt: skip
    assert len(table) == 14
    assert table[1][1:] == ["Kazanç 12", "Yıldız Ltd", "Ayşe Yılmaz", "Won", "100.00", "TRY",
                            "2026-11-12", ""]  # fmt: skip


def test_open_and_due_deals_behind_pipeline_and_forecast(services, chat: Chat, team) -> None:  # noqa: F811
    pipeline = chat.press(chat.say("/report pipeline this month"), "The deals behind it")
    assert "Open now — everyone: 5" in pipeline.text  # the report's "Open: 5 deals"
    forecast = chat.press(chat.say("/report forecast 2026-12"), "The deals behind it")
    assert "Expected to close Dec 1, 2026 – Dec 31, 2026 — everyone: 2" in forecast.text
    assert {c.label for c in forecast.choices} == {"Big deal", "Dollar deal"}


def test_kinds_without_deals_behind_say_which_have_and_write_nothing(services, chat: Chat) -> None:
    with services.db.session() as s:
        before = s.exec(select(func.count()).select_from(AuditEvent)).one()
    reply = chat.say("/report load deals")
    assert "Deals can be listed behind these reports: summary, winrate, cycle" in reply.text
    assert "Example: /report winrate last month team deals" in reply.text
    assert not reply.choices and not reply.attachments
    with services.db.session() as s:
        assert s.exec(select(func.count()).select_from(AuditEvent)).one() == before


def test_the_deals_advanced_behind_the_activity_report(services, chat: Chat) -> None:
    from tests.conftest import START, add_rep
    from tests.figures_data import deal

    ayse = add_rep(services, "Ayşe Yılmaz")
    day = START - timedelta(hours=1)  # this Monday morning
    deal(services, ayse, "Lead", "10", moves=(("Proposal", day), ("Negotiation", day)))
    deal(services, ayse, "Lead", "20", moves=(("Lost", day),))  # lost: not advanced
    deal(services, ayse, "Proposal", "30", moves=(("Qualified", day),))  # backwards
    deal(services, ayse, "Lead", "40", moves=(("Qualified", START - timedelta(days=30)),))
    figures = chat.say("/report activity this week Ayşe")
    assert "Deals advanced: 1" in figures.text
    listed = chat.press(figures, "The deals behind it")
    assert "Advanced Nov 23, 2026 – Nov 29, 2026 — Ayşe Yılmaz: 1" in listed.text
    assert [c.label for c in listed.choices] == ["Lead 10"]
