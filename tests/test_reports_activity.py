"""/report activity and /report funnel through the dispatcher, in English and Turkish, with
figures counted by hand below, on a fixed clock (Monday 2026-11-23, Istanbul time); and the
same reports from ``crm-bot report`` as CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from storage.models import Rep
from tests.cli_harness import crm_bot  # noqa: F401 - the fixture
from tests.conftest import Chat, add_rep
from tests.figures_data import customer, deal, log


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def team(services, admin) -> dict[str, Rep]:
    boss = add_rep(services, "Mehmet Kaya", role="manager", language="tr")
    ayse = add_rep(services, "Ayşe Yılmaz", manager_id=boss.id, language="tr")
    john = add_rep(services, "John Smith", language="en")
    return {"boss": boss, "ayse": ayse, "john": john}


@pytest.fixture
def busy_week(services, team) -> dict[str, Rep]:
    """Ayşe: 2 calls (Acme) and a visit (Beta) on the 23rd and 24th, one deal moved forward;
    John: an e-mail (Acme) and a note (Gamma). Istanbul is UTC+3."""
    ayse, john = team["ayse"], team["john"]
    acme, beta, gamma = (customer(services, n) for n in ("Acme", "Beta", "Gamma"))
    log(services, ayse, "call", acme, at(23, 8))  # 23rd, 11:00
    log(services, ayse, "visit", beta, at(23, 20, 30))  # 23rd, 23:30
    log(services, ayse, "call", acme, at(24, 10))  # 24th
    log(services, ayse, "call", acme, at(22, 20))  # 22nd 23:00 local: last week
    log(services, ayse, "meeting", acme, at(1, 9))  # 1 November: this month, not this week
    log(services, john, "email", acme, at(24, 10))
    log(services, john, "note", gamma, at(25, 9))
    deal(services, ayse, "Lead", "10", created=at(2, 9), moves=(("Proposal", at(23, 9)),))
    deal(services, ayse, "Proposal", "20", moves=(("Qualified", at(23, 9)),))  # backwards
    return team


def test_activity_this_week_per_rep_and_day(services, chat: Chat, busy_week) -> None:
    reply = chat.say("/report activity this week everyone")
    assert reply.text.startswith("Activity · Nov 23, 2026 – Nov 29, 2026 · everyone")
    assert "Activities: 5 — calls 2, visits 1, meetings 0, e-mails 1, notes 1" in reply.text
    assert "Customers touched: 3" in reply.text  # Acme, Beta, Gamma: Acme once
    assert "Deals advanced: 1" in reply.text  # the backward move does not count
    # day · rep · calls · meetings · visits · e-mails · notes · customers · advanced
    assert "Nov 23, 2026 · Ayşe Yılmaz · 1 · 0 · 1 · 0 · 0 · 2 · 1" in reply.text
    assert "Nov 24, 2026 · Ayşe Yılmaz · 1 · 0 · 0 · 0 · 0 · 1 · 0" in reply.text
    assert "Nov 24, 2026 · John Smith · 0 · 0 · 0 · 1 · 0 · 1 · 0" in reply.text
    assert "One row per rep and day." in reply.text
    by_rep = chat.press(reply, "By rep")
    assert "Ayşe Yılmaz · 2 · 0 · 1 · 0 · 0 · 2 · 1" in by_rep.text  # Acme on two days: once
    assert "John Smith · 0 · 0 · 0 · 1 · 1 · 2 · 0" in by_rep.text


def test_activity_over_a_month_is_per_week(services, chat: Chat, busy_week) -> None:
    reply = chat.say("/report activity 2026-11 everyone")
    assert "Activities: 7 — calls 3, visits 1, meetings 1, e-mails 1, notes 1" in reply.text
    # more than two interactions per customer: on SQLite, counted by probing each customer
    assert "Customers touched: 3" in reply.text
    assert "Nov 16, 2026 · Ayşe Yılmaz · 1 · 0 · 0 · 0 · 0 · 1 · 0" in reply.text  # the 22nd
    assert "Nov 1, 2026 · Ayşe Yılmaz · 0 · 1 · 0 · 0 · 0 · 1 · 0" in reply.text  # a 1-day week
    assert "Nov 23, 2026 · Ayşe Yılmaz · 2 · 0 · 1 · 0 · 0 · 2 · 1" in reply.text
    assert "One row per rep and week" in reply.text


def test_activity_for_a_manager_in_turkish(services, busy_week) -> None:
    boss = Chat(services, busy_week["boss"])
    reply = boss.say("/rapor aktivite bu hafta ekip")
    assert reply.text.startswith("Aktivite · ")
    assert "Aktivite: 3 — arama 2, ziyaret 1, toplantı 0, e-posta 0, not 0" in reply.text
    assert "Temas edilen müşteri: 2" in reply.text and "İlerletilen fırsat: 1" in reply.text
    assert "John" not in reply.text
    sheet = boss.press(reply, "CSV")
    table = list(csv.reader(io.StringIO(sheet.attachments[0].data.decode())))
    assert table[0][:3] == ["Gün", "Temsilci", "Arama"]
    assert table[1] == ["23 Kas 2026", "Ayşe Yılmaz", "1", "0", "1", "0", "0", "2", "1"]


@pytest.fixture
def november_deals(services, team) -> dict[str, Rep]:
    """Created in November: Ayşe's two (one to Proposal, one Lost), John's two (one created in
    Proposal, one Won); Ayşe's October deal is not in the funnel."""
    ayse, john = team["ayse"], team["john"]
    deal(services, ayse, "Lead", "1", created=at(2, 9), moves=(("Qualified", at(3, 9)),))
    deal(services, ayse, "Lead", "2", created=at(2, 9), moves=(("Lost", at(5, 9)),))
    deal(services, john, "Proposal", "3", created=at(6, 9))
    deal(services, john, "Lead", "4", created=at(7, 9), moves=(("Won", at(8, 9)),))
    deal(services, ayse, "Lead", "5", created=at(30, 9, month=10))
    return team


def test_funnel_counts_stages_reached_and_conversion(services, chat: Chat, november_deals) -> None:
    reply = chat.say("/report funnel november everyone")
    assert "Deals created: 4" in reply.text
    assert "Won so far: 1 (25.0% of them)" in reply.text
    assert "Lost so far: 1 (25.0%)" in reply.text
    # stage · reached · from the stage before · of created
    assert "Lead · 4 · — · 100.0%" in reply.text
    assert "Qualified · 3 · 75.0% · 75.0%" in reply.text
    assert "Proposal · 2 · 66.7% · 50.0%" in reply.text
    assert "Negotiation · 1 · 50.0% · 25.0%" in reply.text
    assert "Won · 1 · 100.0% · 25.0%" in reply.text
    by_rep = chat.press(reply, "By rep")
    assert "Rep · Created · Lead · Qualified · Proposal · Negotiation · Won · Lost" in by_rep.text
    assert "Ayşe Yılmaz · 2 · 2 · 1 · 0 · 0 · 0 · 1" in by_rep.text
    assert "John Smith · 2 · 2 · 2 · 2 · 1 · 1 · 0" in by_rep.text
    assert "By stage" in [b.label for b in by_rep.buttons]


def test_funnel_in_turkish_for_a_rep(services, november_deals) -> None:
    reply = Chat(services, november_deals["ayse"]).say("/rapor dönüşüm kasım")
    assert reply.text.startswith("Dönüşüm · 1 Kas 2026 – 30 Kas 2026 · Ayşe Yılmaz")
    assert "Açılan fırsat: 2" in reply.text
    assert "Şimdiye dek kaybedilen: 1 (%50,0)" in reply.text
    assert "Aday · 2 · — · %100,0" in reply.text


def test_the_cli_gives_activity_as_csv_and_funnel_as_json(
    services,
    crm_bot,  # noqa: F811
    busy_week,
    november_deals,
) -> None:
    url = services.settings.crm_database_url
    done = crm_bot("report", "activity", "--period", "2026-11-23..2026-11-29", "--by", "rep",
                   "--format", "csv", db=url)  # fmt: skip
    assert done.returncode == 0, done.stderr
    table = list(csv.reader(io.StringIO(done.stdout)))
    assert table[0] == [
        "Rep", "Calls", "Meetings", "Visits", "E-mails", "Notes", "Customers", "Advanced"
    ]  # fmt: skip
    assert ["Ayşe Yılmaz", "2", "0", "1", "0", "0", "2", "1"] in table
    done = crm_bot("report", "dönüşüm", "--period", "2026-11", "--format", "json", db=url)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["kind"] == "funnel" and report["scope"] == "everyone"
    # busy_week's two deals were created in November too: both reached Proposal
    assert report["rows"][0] == ["Lead", 6, None, 1.0]
    assert report["rows"][2] == ["Proposal", 4, 0.8, 0.6667]


def test_a_company_of_reps_gets_a_row_per_day_for_them_all(services, chat: Chat, busy_week):
    """Beyond a dozen reps in scope, one row per day (or week) for all of them: the same
    headline, each day's customers distinct over every rep; By rep still lists each rep."""
    for n in range(11):  # with the fixture's four: 15 reps in scope
        add_rep(services, f"Rep {n:02d}")
    reply = chat.say("/report activity this week everyone")
    assert "Activities: 5 — calls 2, visits 1, meetings 0, e-mails 1, notes 1" in reply.text
    assert "Customers touched: 3" in reply.text and "Deals advanced: 1" in reply.text
    # day · everyone · calls · meetings · visits · e-mails · notes · customers · advanced
    assert "Nov 23, 2026 · All reps · 1 · 0 · 1 · 0 · 0 · 2 · 1" in reply.text
    assert "Nov 24, 2026 · All reps · 1 · 0 · 0 · 1 · 0 · 1 · 0" in reply.text  # Acme, once
    assert "Ayşe Yılmaz" not in reply.text
    assert "One row per day, every rep together" in reply.text
    by_rep = chat.press(reply, "By rep")
    assert "Ayşe Yılmaz · 2 · 0 · 1 · 0 · 0 · 2 · 1" in by_rep.text
