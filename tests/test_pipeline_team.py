"""``/pipeline team`` and ``/pipeline <rep>`` (``/huni ekip``, ``/huni Ayşe Yılmaz``) through the
dispatcher: within what the asker may see, by stage and by rep, Won and Lost of this month;
and ``crm-bot quota``."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from handlers.kit import Services
from storage.models import AuditEvent, Quota, Rep
from tests.conftest import Chat, add_rep, rows
from tests.figures_data import deal


@pytest.fixture
def team(services: Services) -> dict[str, Rep]:
    boss = add_rep(services, "Zeynep Demir", role="manager")
    other = add_rep(services, "Can Öztürk", role="manager")
    people = {
        "boss": boss,
        "ayse": add_rep(services, "Ayşe Yılmaz", manager_id=boss.id, language="tr"),
        "mehmet": add_rep(services, "Mehmet Kaya", manager_id=boss.id),
        "can": other,
        "selin": add_rep(services, "Selin Arslan", manager_id=other.id),
    }
    deal(services, people["ayse"], "Proposal", "1000")
    deal(services, people["mehmet"], "Lead", "2000")
    deal(services, people["selin"], "Lead", "4000")  # another team's
    deal(services, people["ayse"], "Won", "700", closed_at=datetime(2026, 11, 5, tzinfo=UTC))
    deal(services, people["ayse"], "Won", "300", closed_at=datetime(2026, 10, 5, tzinfo=UTC))
    return people


def test_a_manager_sees_their_team_by_stage_and_by_rep(services, team):
    lines = Chat(services, team["boss"]).say("/pipeline team").text.splitlines()
    assert lines[0] == "Pipeline, Zeynep Demir's team:"
    assert "• Proposal (50%): 1 · ₺1,000 · weighted ₺500" in lines
    assert "• Lead (10%): 1 · ₺2,000 · weighted ₺200" in lines  # not Selin's ₺4,000
    assert "• Won (100%): 1 · ₺700 · in November 2026" in lines  # October's ₺300 left out
    by_rep = lines[lines.index("Open deals by rep:") + 1 :]
    assert by_rep == [
        "• Mehmet Kaya: 1 · ₺2,000 · weighted ₺200",
        "• Ayşe Yılmaz: 1 · ₺1,000 · weighted ₺500",
    ]


def test_a_rep_by_name_inside_the_team_and_not_outside(services, team):
    boss = Chat(services, team["boss"])
    lines = boss.say("/pipeline ayse yilmaz").text.splitlines()
    assert lines[0] == "Pipeline of Ayşe Yılmaz:"
    assert "• Proposal (50%): 1 · ₺1,000 · weighted ₺500" in lines
    assert not any(line.startswith("• Lead") for line in lines)
    refused = boss.say("/pipeline Selin Arslan").text
    assert 'No rep called "Selin Arslan" among those you may see' in refused
    assert "₺4,000" not in refused


def test_a_rep_sees_only_themselves_in_turkish(services, team):
    ayse = Chat(services, team["ayse"])
    lines = ayse.say("/huni ekip").text.splitlines()
    assert lines[0] == "Satış huniniz (temsilciler yalnızca kendi fırsatlarını görür):"
    assert not any("2.000" in line for line in lines)  # Mehmet's Lead is not hers
    assert any(line.startswith("• Kazanıldı") and "Kasım 2026 içinde" in line for line in lines)
    assert "Görebildiğiniz temsilciler arasında" in ayse.say("/huni Mehmet Kaya").text


def test_turkish_manager_names_a_rep(services, team):
    boss = team["boss"]
    with services.db.session(write=True) as s:
        s.get(Rep, boss.id).language = "tr"
    lines = Chat(services, boss).say("/huni Ayşe Yılmaz").text.splitlines()
    assert lines[0] == "Ayşe Yılmaz'ın satış hunisi:"
    team_lines = Chat(services, boss).say("/huni ekip").text.splitlines()
    assert team_lines[0] == "Zeynep Demir'in ekibinin satış hunisi:"
    assert "Temsilci bazında açık fırsatlar:" in team_lines


def test_quota_set_list_and_refusals(services, team, crm_bot):
    db = services.settings.crm_database_url
    done = crm_bot("quota", "set", "ayse yılmaz", "2026-q4", "1500000", db=db)
    assert (done.returncode, done.stdout.strip()) == (
        0,
        "Quota set: Ayşe Yılmaz, 2026-Q4: ₺1,500,000.",
    )
    again = crm_bot("quota", "set", "Ayşe Yılmaz", "2026-Q4", "2000000", "--currency", "usd", db=db)
    assert "(it was ₺1,500,000)" in again.stdout
    listed = crm_bot("quota", "list", "--period", "2026-Q4", db=db).stdout
    assert listed.strip() == "2026-Q4 · Ayşe Yılmaz · $2,000,000"
    for args, said in (
        (("2026-Q5", "1"), '"2026-Q5" is not a period'),
        (("2026-Q4", "-5"), '"-5" is not a quota in TRY'),
        (("2026-Q4", "lots"), '"lots" is not a quota'),
    ):
        bad = crm_bot("quota", "set", "Ayşe Yılmaz", *args, db=db)
        assert bad.returncode == 2 and said in bad.stderr
    nobody = crm_bot("quota", "set", "Nobody", "2026-Q4", "1", db=db)
    assert nobody.returncode == 2 and 'no rep called "Nobody"' in nobody.stderr
    (quota,) = rows(services, Quota)
    assert (quota.amount, quota.currency) == (Decimal(2000000), "USD")
    audited = [e for e in rows(services, AuditEvent) if e.entity == "quota"]
    assert [e.action for e in audited] == ["create", "update"]
