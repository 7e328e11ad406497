"""/deal add, /deal, /stage, /deals and /pipeline through the dispatcher."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from storage.models import Deal, DealStageChange, Stage
from tests.conftest import Chat, add_customer, add_deal, add_rep, count, rows


@pytest.fixture
def acme(services):
    return add_customer(services, "Acme Corporation")


def deal_rows(services) -> list[Deal]:
    return rows(services, Deal)


def stage_names(services) -> dict[int, str]:
    with Session(services.db.engine) as s:
        return {st.id: st.name for st in s.exec(select(Stage))}


@pytest.mark.parametrize(
    ("amount", "value", "currency"),
    [
        ("250k", "250000", "TRY"),
        ("1.250.000", "1250000", "TRY"),
        ("$40,000", "40000", "USD"),
        ("15000 EUR", "15000", "EUR"),
        ("2,5m TL", "2500000", "TRY"),
    ],
)
def test_deal_add_reads_amounts(services, chat: Chat, acme, admin, amount, value, currency):
    reply = chat.say(f"/deal add acme fleet tracking {amount}")
    assert reply.text == 'Deal added: "fleet tracking" · Acme Corporation'
    [deal] = deal_rows(services)
    assert (deal.title, deal.amount, deal.currency) == ("fleet tracking", Decimal(value), currency)
    assert stage_names(services)[deal.stage_id] == "Lead" and deal.owner_id == admin.id
    assert [b.command for b in reply.buttons][:2] == [
        f"/stage #{deal.id} qualified",
        f"/stage #{deal.id} proposal",
    ]


def test_deal_add_with_close_date_and_turkish_money(services, acme) -> None:
    ayse = add_rep(services, "Ayşe Yılmaz", language="tr")
    reply = Chat(services, ayse).say("/deal add acme filo takip 1.250.000 kapanış: 15 Aralık")
    fields = dict(reply.card.fields)
    assert fields["Tutar"] == "₺1.250.000"
    assert fields["Beklenen kapanış"] == "15 Ara 2026"
    assert deal_rows(services)[0].expected_close == date(2026, 12, 15)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("/deal add", "Which customer is the deal with?"),
        ("/deal add acme fleet tracking", 'What is the amount of "fleet tracking"?'),
        ("/deal add acme", "What is the deal with Acme Corporation, and its amount?"),
        ("/deal add acme 250k", "What is the deal with Acme Corporation about?"),
        ("/deal add acme fleet 250k close: someday", "as a close date"),
    ],
)
def test_deal_add_bad_input_writes_nothing(services, chat: Chat, acme, text, problem) -> None:
    assert problem in chat.say(text).text
    assert count(services, Deal) == 0 and count(services, DealStageChange) == 0


def test_stage_moves_and_records_history(services, chat: Chat, acme, clock) -> None:
    deal = add_deal(services, acme, "Fleet tracking", "250000")
    reply = chat.say("/stage fleet tracking proposal")
    assert reply.text == 'Moved "Fleet tracking" to Proposal.'
    assert ("Stage", "Proposal (50%)") in reply.card.fields
    [stored] = deal_rows(services)
    assert stage_names(services)[stored.stage_id] == "Proposal"
    assert stored.stage_changed_at == clock.now and stored.closed_at is None
    assert count(services, DealStageChange) == 2  # created, then moved
    assert "already in Proposal" in chat.say(f"/stage #{deal.id} proposal").text


def test_lost_needs_a_reason_then_records_it(services, chat: Chat, acme, clock) -> None:
    deal = add_deal(services, acme, "Pilot", "15000")
    ask = chat.say(f"/stage #{deal.id} lost")
    assert 'Why was "Pilot" lost?' in ask.text
    assert stage_names(services)[deal_rows(services)[0].stage_id] == "Lead"
    chat.press(ask, "competitor")
    [stored] = deal_rows(services)
    assert stage_names(services)[stored.stage_id] == "Lost"
    assert stored.lost_reason == "competitor" and stored.closed_at == clock.now


def test_won_stamps_closed_at_and_amount(services, chat: Chat, acme, clock) -> None:
    add_deal(services, acme, "Renewal", "40000")
    reply = chat.say("/stage renewal won 42000")
    [stored] = deal_rows(services)
    assert stored.closed_at == clock.now and stored.closed_amount == Decimal("42000")
    assert ("Closed at", "₺42,000") in reply.card.fields
    chat.say("/stage #1 negotiation")  # reopening clears the closing stamps
    [reopened] = deal_rows(services)
    assert reopened.closed_at is None and reopened.closed_amount is None


def test_stage_names_in_turkish(services, acme) -> None:
    ayse = add_rep(services, "Ayşe Yılmaz", language="tr")
    add_deal(services, acme, "Filo takip", "250000")
    chat = Chat(services, ayse)
    reply = chat.say("/stage filo takip kazanıldı")
    assert reply.text.splitlines()[0] == '"Filo takip" Kazanıldı aşamasına taşındı.'
    # the closing amount is the next answer: a number, not a new customer
    saved = chat.say("1.100.000")
    assert saved.text == '"Filo takip" kapanış tutarı kaydedildi: ₺1.100.000.'
    [deal] = deal_rows(services)
    assert str(deal.closed_amount) == "1100000.00"


def test_stage_bad_input(services, chat: Chat, acme) -> None:
    add_deal(services, acme, "Renewal", "40000")
    assert "Name a stage: Lead, Qualified" in chat.say("/stage renewal sideways").text
    assert "Usage: /stage" in chat.say("/stage").text
    assert "No open deal matches" in chat.say("/stage nothing here won").text
    assert "not an amount" in chat.say("/stage renewal won lots").text
    assert stage_names(services)[deal_rows(services)[0].stage_id] == "Lead"


def test_ambiguous_deal_offers_choices(services, chat: Chat, acme) -> None:
    first = add_deal(services, acme, "Renewal 2026", "40000")
    add_deal(services, acme, "Renewal 2027", "45000")
    reply = chat.say("/stage acme renewal proposal")
    assert len(reply.choices) == 2 and reply.choices[0].command == f"/stage #{first.id} proposal"


def test_deals_lists(services, chat: Chat, acme, admin) -> None:
    other = add_rep(services, "Other")
    add_deal(services, acme, "Mine", "1000", owner_id=admin.id)
    add_deal(services, acme, "Theirs", "2000", owner_id=other.id)
    add_deal(services, acme, "Closed", "3000", stage="Won", owner_id=admin.id)
    mine = chat.say("/deals").text
    assert mine.startswith("Your open deals (1)") and "Theirs" not in mine
    assert chat.say("/deals all").text.startswith("All open deals (2)")
    of_acme = chat.say("/deals acme").text
    assert of_acme.startswith("Acme Corporation's deals (3)") and "Closed" in of_acme
    assert "Theirs" in Chat(services, other).say("/deals mine").text
    assert Chat(services, add_rep(services, "New")).say("/deals").text == "No deals yet."


def test_pipeline_totals_and_weighted_values(services, chat: Chat, acme) -> None:
    add_deal(services, acme, "A", "100000", stage="Lead")
    add_deal(services, acme, "B", "200000", stage="Proposal")
    add_deal(services, acme, "C", "1000", stage="Proposal", currency="USD")
    add_deal(services, acme, "D", "50000", stage="Won")
    lines = chat.say("/pipeline").text.splitlines()
    assert lines[0] == "Pipeline, all deals:"
    assert "• Lead (10%): 1 · ₺100,000 · weighted ₺10,000" in lines
    assert "• Proposal (50%): 2 · ₺200,000 + $1,000 · weighted ₺100,000 + $500" in lines
    assert "• Won (100%): 1 · ₺50,000 · in November 2026" in lines
    assert "Open total ₺300,000, weighted ₺110,000" in lines
    assert 'No rep called "everything"' in chat.say("/pipeline everything").text


def test_a_missing_lost_reason_can_be_added_later(services, chat: Chat, acme) -> None:
    deal = add_deal(services, acme, "Imported", "1000", stage="Lost")  # lost, no reason
    ask = chat.say(f"/stage #{deal.id} lost")
    assert 'Why was "Imported" lost?' in ask.text
    assert chat.press(ask, "price").text == 'Lost reason saved for "Imported".'
    assert deal_rows(services)[0].lost_reason == "price"
    assert "already in Lost" in chat.say(f"/stage #{deal.id} lost").text
