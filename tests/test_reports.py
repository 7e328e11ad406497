"""/report and /rapor through the dispatcher: kinds, periods, scopes within what the asker may
see, the CSV button and bad input, on a fixed clock (Monday 2026-11-23)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from storage.models import Rep
from storage.reports import movement
from tests.conftest import Chat, add_customer, add_deal, add_rep

NOV = datetime(2026, 11, 10, 9, tzinfo=UTC)


@pytest.fixture
def team(services, admin) -> dict[str, Rep]:
    boss = add_rep(services, "Mehmet Kaya", role="manager", language="tr")
    ayse = add_rep(services, "Ayşe Yılmaz", manager_id=boss.id, language="tr")
    john = add_rep(services, "John Smith", language="en")
    acme = add_customer(services, "Acme")
    add_deal(
        services,
        acme,
        "Won A",
        "1000",
        "Won",
        owner_id=ayse.id,
        created_at=NOV - timedelta(days=10),
        closed_at=NOV,
    )
    add_deal(
        services,
        acme,
        "Won B",
        "3000",
        "Won",
        owner_id=ayse.id,
        created_at=NOV - timedelta(days=20),
        closed_at=NOV,
    )
    add_deal(
        services,
        acme,
        "Lost A",
        "2000",
        "Lost",
        owner_id=ayse.id,
        created_at=NOV - timedelta(days=5),
        closed_at=NOV,
    )
    add_deal(
        services,
        acme,
        "Won J",
        "500",
        "Won",
        owner_id=john.id,
        created_at=NOV - timedelta(days=4),
        closed_at=NOV,
    )
    add_deal(services, acme, "Open A", "7000", "Lead", owner_id=ayse.id)
    add_deal(
        services,
        acme,
        "Old won",
        "9999",
        "Won",
        owner_id=ayse.id,
        closed_at=NOV - timedelta(days=60),
    )
    return {"boss": boss, "ayse": ayse, "john": john}


def test_winrate_last_month_for_everyone_in_english(services, chat: Chat, team) -> None:
    reply = chat.say("/report winrate this month everyone")
    assert "Win rate by count: 75.0% (3 won, 1 lost)" in reply.text
    assert "By value: 69.2% (₺4,500 won, ₺2,000 lost)" in reply.text
    assert "Ayşe Yılmaz · 66.7% · 2 · 1" in reply.text
    assert "John Smith · 100.0% · 1 · 0" in reply.text
    labels = [b.label for b in reply.buttons]
    assert "By product" in labels and "CSV" in labels


def test_cycle_counts_days_from_creation_to_won(services, chat: Chat, team) -> None:
    reply = chat.say("/report cycle 2026-11 everyone")
    assert "Deals won: 3" in reply.text
    assert "average 11.3, median 10" in reply.text


def test_manager_asks_in_turkish_for_the_team_and_gets_a_csv(services, team) -> None:
    boss = Chat(services, team["boss"])
    reply = boss.say("/rapor kazanma bu ay ekip")
    assert "Adede göre kazanma oranı: %66,7 (2 kazanılan, 1 kaybedilen)" in reply.text
    assert "Mehmet Kaya'nın ekibi" in reply.text
    assert "John" not in reply.text
    sheet = boss.press(reply, "CSV")
    [attachment] = sheet.attachments
    table = list(csv.reader(io.StringIO(attachment.data.decode())))
    assert table[0][0] == "Temsilci" and table[1][:4] == ["Ayşe Yılmaz", "0.6667", "2", "1"]


def test_summary_is_the_default_with_the_open_pipeline(services, team) -> None:
    reply = Chat(services, team["ayse"]).say("/rapor bu ay")
    assert reply.text.startswith("Özet · ")
    assert "Kazanılan: 2 fırsat" in reply.text and "Kazanma oranı: %66,7" in reply.text
    assert "Aday · 1 · ₺7.000" in reply.text


@pytest.mark.parametrize(
    ("who", "typed", "answer"),
    [
        ("ayse", "/rapor kazanma bu ay ekip", "Temsilci raporları kendi fırsatlarınızı kapsar"),
        ("boss", "/rapor kazanma bu ay herkes", "Herkesin rakamlarını yalnızca yönetici"),
        ("boss", "/rapor kazanma bu ay John", "John Smith ekibinizde değil"),
        ("john", "/report winrate this month Ayşe", "A rep's reports cover their own deals"),
        ("john", "/report winrate 2026-13-45", "is neither a period nor a rep I know"),
        ("john", "/report forecats", '"forecats" is neither a report nor a rep I know. Reports:'),
        ("ayse", "/rapor kazanmaa", '"kazanmaa" ne bir rapor ne de tanıdığım bir temsilci.'),
    ],
)
def test_refusals_are_clear_and_write_nothing(services, team, who, typed, answer) -> None:
    reply = Chat(services, team[who]).say(typed)
    assert answer in reply.text
    assert "/r" in reply.text  # the usage with an example follows


def test_periods_read_in_both_languages(services, chat: Chat, team) -> None:
    assert "Nov 1, 2026 – Nov 30, 2026" in chat.say("/report winrate november everyone").text
    assert "Nov 1, 2026 – Nov 30, 2026" in chat.say("/report winrate kasım herkes").text
    assert "Oct 1, 2025 – Oct 31, 2025" in chat.say("/report winrate ekim 2025").text
    assert "Nov 16, 2026 – Nov 22, 2026" in chat.say("/report last week").text
    assert "Sep 1, 2026 – Sep 15, 2026" in chat.say("/report 1 eylül – 15 eylül").text
    assert "Jul 1, 2026 – Sep 30, 2026" in chat.say("/report winrate Q3 2026").text
    assert "Oct 25, 2026 – Nov 23, 2026" in chat.say("/report son 30 gün").text


def test_help_defines_the_figures(services, chat: Chat) -> None:
    assert "won ÷ (won + lost)" in chat.say("/help report").text


def test_the_summary_leaves_out_what_was_deleted(services, chat: Chat, clock) -> None:
    acme = add_customer(services, "Silinecek Ltd")
    deal = add_deal(services, acme, "Filo", "5000")
    chat.say(f"/stage #{deal.id} proposal")
    chat.say(f"/log call #{acme.id} fiyat konuşuldu")
    now = clock()

    def moved() -> tuple[int, int]:
        with services.db.session() as s:
            m = movement.movement(
                s,
                now - timedelta(days=1),
                now + timedelta(days=1),
                None,
                now=now,
                stale_before=now,
                base="TRY",
            )
        return m.advanced, m.activities

    assert moved() == (1, 1)
    chat.press(chat.say(f"/delete customer #{acme.id}"), "Delete")
    assert moved() == (0, 0)
