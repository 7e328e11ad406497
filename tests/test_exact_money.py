"""Money through the whole stack, on SQLite and PostgreSQL alike: stored exactly at the bounds,
summed exactly however many and however large, refused with a clear answer (nothing written),
small amounts questioned, and Won asking for the closing amount."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from alembic import command
from sqlalchemy import insert, text
from sqlmodel import Session

from handlers.digest import all_reps, audience, build
from storage import deals, migrate
from storage.models import Deal, Product
from storage.schedule.digest import Scope, Thresholds, collect
from tests.conftest import Chat, add_customer, add_deal, add_rep, count, rows
from tests.scheduling import IST


@pytest.fixture
def acme(services):
    return add_customer(services, "Acme Corporation")


def only_deal(services) -> Deal:
    [deal] = rows(services, Deal)
    return deal


@pytest.mark.parametrize(
    ("typed", "stored", "currency"),
    [
        ("0,01", "0.01", "TRY"),
        ("99.999.999.999,99", "99999999999.99", "TRY"),
        ("10.000.000.000.000", "10000000000000.00", "TRY"),  # 10^13 exactly: the largest
        ("9.999.999.999.999,99", "9999999999999.99", "TRY"),
        ("5000 JPY", "5000.00", "JPY"),
        ("1,250,000.50 USD", "1250000.50", "USD"),
    ],
)
def test_amounts_round_trip_exactly(services, chat: Chat, acme, typed, stored, currency):
    reply = chat.say(f"/deal add acme supply {typed} --confirm")
    assert reply.card is not None, reply.text
    deal = only_deal(services)
    assert (str(deal.amount), deal.currency) == (stored, currency)
    assert str(deals.pipeline_totals(Session(services.db.engine))[0].total) == stored


def test_whole_yen_on_a_yen_book(services, acme, admin):
    services.settings = services.settings.model_copy(update={"crm_currency": "JPY"})
    chat = Chat(services, admin)
    assert chat.say("/deal add acme robots 1.250.000").card is not None
    assert only_deal(services).amount == Decimal(1250000)
    assert ("Amount", "¥1,250,000") in chat.say("/deal #1").card.fields
    refused = chat.say("/deal add acme arms 1.250.000,5")
    assert refused.text.startswith("JPY amounts are whole numbers")
    assert count(services, Deal) == 1


REFUSALS = [
    ("10.000.000.000.000,01", "That amount is too large", "Bu tutar çok büyük"),
    ("1" + "0" * 37 + "k", "That amount is too large", "Bu tutar çok büyük"),
    ("99999999999999999999999999999999999999999999m", "too large", "çok büyük"),
    ("-5000", "cannot be below zero", "sıfırın altında olamaz"),
    ("12,3456", "at most 2 decimal places", "en fazla 2 ondalık basamak"),
]


@pytest.mark.parametrize(("typed", "english", "turkish"), REFUSALS)
def test_refusals_write_nothing_and_answer_in_both_languages(
    services, chat: Chat, acme, typed, english, turkish
):
    ayse = Chat(services, add_rep(services, "Ayşe Yılmaz", language="tr"))
    for who, words, said, unsaved in (
        (chat, "deal add", english, "Nothing was saved."),
        (ayse, "firsat ekle", turkish, "Hiçbir şey kaydedilmedi."),
    ):
        reply = who.say(f"/{words} acme danismanlik {typed}")
        assert said in reply.text and unsaved in reply.text, reply.text
        assert reply.card is None
    assert count(services, Deal) == 0


def test_refused_closing_amounts_write_nothing(services, chat: Chat, acme):
    deal = add_deal(services, acme, "Renewal", "40000")
    assert "too large" in chat.say(f"/stage #{deal.id} won {'9' * 20}").text
    assert "below zero" in chat.say(f"/stage #{deal.id} won -5").text
    stored = only_deal(services)
    assert (stored.closed_amount, stored.closed_at) == (None, None)
    assert deals.stage(Session(services.db.engine), stored.stage_id).name == "Lead"


def test_a_small_amount_is_questioned_then_kept(services, chat: Chat, acme):
    asked = chat.say("/deal add acme danismanlik 2")
    assert asked.text.startswith("₺2? That seems small for a deal.")
    assert [c.label for c in asked.choices] == ["Keep ₺2", "Another amount"]
    assert count(services, Deal) == 0
    kept = chat.press(asked, "Keep")
    assert kept.text == 'Deal added: "danismanlik" · Acme Corporation'
    assert only_deal(services).amount == Decimal(2)


def test_a_small_amount_is_questioned_then_corrected(services, acme):
    ayse = Chat(services, add_rep(services, "Ayşe Yılmaz", language="tr"))
    asked = ayse.say("/firsat ekle acme danismanlik 2 kapanış: 15 Aralık")
    assert asked.text.startswith("Tutar ₺2: bir fırsat için az görünüyor.")
    assert [c.label for c in asked.choices] == ["₺2 kalsın", "Başka bir tutar"]
    assert ayse.say("200 bin").card is not None  # the typed answer is the new amount
    deal = only_deal(services)
    assert (deal.title, deal.amount, deal.expected_close.day) == ("danismanlik", 200000, 15)


def test_the_small_threshold_is_a_setting(services, acme, admin):
    services.settings = services.settings.model_copy(update={"crm_small_amount": Decimal(0)})
    assert Chat(services, admin).say("/deal add acme pens 2").card is not None


@pytest.mark.parametrize(
    ("typed", "title", "amount", "currency"),
    [
        ("danismanlik 2,5 milyon dolar", "danismanlik", "2500000", "USD"),
        ("ofis projesi 40 bin TL", "ofis projesi", "40000", "TRY"),
        ("fleet $5k", "fleet", "5000", "USD"),
        ("licences 1.2m EUR", "licences", "1200000", "EUR"),
        ("bakım 3 bin avro", "bakım", "3000", "EUR"),
        ("audit 12k pounds", "audit", "12000", "GBP"),
    ],
)
def test_amount_words_never_stay_in_the_title(
    services, chat: Chat, acme, typed, title, amount, currency
):
    assert chat.say(f"/deal add acme {typed}").card is not None
    deal = only_deal(services)
    assert (deal.title, deal.amount, deal.currency) == (title, Decimal(amount), currency)


def test_won_asks_for_the_closing_amount_with_the_estimate(services, chat: Chat, acme):
    deal = add_deal(services, acme, "Fleet", "250000")
    moved = chat.say(f"/stage #{deal.id} won")
    assert moved.text.splitlines()[1].startswith('What did "Fleet" close at?')
    assert [c.label for c in moved.choices] == ["₺250,000, as estimated"]
    saved = chat.press(moved, "as estimated")
    assert saved.text == 'Closing amount of "Fleet" saved: ₺250,000.'
    assert only_deal(services).closed_amount == Decimal(250000)


def test_won_takes_a_typed_closing_amount_and_it_can_be_changed_later(services, chat: Chat, acme):
    deal = add_deal(services, acme, "Fleet", "30000", currency="GBP")
    chat.say(f"/stage #{deal.id} won")
    assert chat.say("27.000").text == 'Closing amount of "Fleet" saved: £27,000.'
    later = chat.say(f"/stage #{deal.id} won £26,500")
    assert later.text == 'Closing amount of "Fleet" saved: £26,500.'
    assert ("Closed at", "£26,500") in later.card.fields
    asked = chat.say(f"/stage #{deal.id} won")  # already won, no amount: asked again
    assert 'What did "Fleet" close at?' in asked.text
    assert only_deal(services).closed_amount == Decimal(26500)


def test_a_closing_amount_in_another_currency_is_refused(services, chat: Chat, acme):
    deal = add_deal(services, acme, "Fleet", "250000", stage="Won")
    refused = chat.say(f"/stage #{deal.id} won $5000")
    assert refused.text.startswith('"Fleet" is in TRY: give its closing amount in TRY too.')
    assert only_deal(services).closed_amount is None
    bare = add_deal(services, acme, "Pilot", "1", stage="Won")
    with services.db.session(write=True) as s:  # no estimate: the closing currency is taken
        stored = s.get(Deal, bare.id)
        stored.amount = None
        s.add(stored)
    assert chat.say(f"/stage #{bare.id} won $5000").text.endswith("saved: $5,000.")


def test_a_small_closing_amount_is_questioned(services, chat: Chat, acme):
    deal = add_deal(services, acme, "Fleet", "250000")
    asked = chat.say(f"/stage #{deal.id} won 25")
    assert asked.text.startswith("₺25? That seems small")
    assert deals.stage(Session(services.db.engine), only_deal(services).stage_id).name == "Lead"
    chat.press(asked, "Keep")
    assert only_deal(services).closed_amount == Decimal(25)


def test_won_totals_use_closing_amounts_everywhere(services, chat: Chat, acme, clock):
    add_deal(services, acme, "Open", "100000", stage="Proposal")
    won = add_deal(services, acme, "Closed", "50000")
    clock.advance(hours=1)
    chat.say(f"/stage #{won.id} won 42.000")
    lines = chat.say("/pipeline").text.splitlines()
    assert "• Won (100%): 1 · ₺42,000 · in November 2026" in lines
    assert "Closed — Won — ₺42,000 (#2)" in chat.say("/deals acme").text
    with services.db.session() as s:
        reps = all_reps(s)
        who = audience(reps, "team", None, "en", IST)
        _data, replies = build(s, services.settings, who, "test:1", clock(), reps)
    assert "Won: 1 · ₺42,000" in "\n".join(r.text for r in replies)


def test_pipeline_and_digest_agree(services, acme, clock):
    for n, (stage, amount, closed) in enumerate(
        [
            ("Lead", "1000.10", None),
            ("Lead", "2000.20", None),
            ("Proposal", "9999999999999.99", None),
            ("Won", "5000", "4500.55"),
            ("Won", "7000", None),
            ("Lost", "800", None),
        ]
    ):
        closing = Decimal(closed) if closed else None
        closed_at = clock() if stage in ("Won", "Lost") else None
        add_deal(services, acme, f"d{n}", amount, stage, closed_amount=closing, closed_at=closed_at)
    now = clock()
    with services.db.session() as s:
        shown = {(r.stage.name, r.currency): r.total for r in deals.pipeline_totals(s)}
        data = collect(
            s,
            Scope(),
            since=now - timedelta(days=1),
            now=now,
            today=now.date(),
            limits=Thresholds(),
        )
    digest = {(r.stage.name, r.currency): r.total for r in data.pipeline}
    names = {st.id: st.name for st in data.stages}
    digest |= {
        (names[i], s.currency): s.total for i, sums in data.changes.closed.items() for s in sums
    }
    assert digest == shown
    assert shown[("Won", "TRY")] == Decimal("11500.55")  # 4500.55 closed + 7000 estimated


def test_pipeline_totals_are_exact_for_many_large_amounts(services, chat: Chat, acme):
    """10,000 deals at just under 10^13: 10^19 hundredths in all, past a 64-bit integer, which
    is where SQLite's own sum() overflows and where a float loses the cents."""
    big, n = Decimal("9999999999999.99"), 10_000
    with services.db.session(write=True) as s:
        lead = deals.stages(s)[0]
        s.execute(
            insert(Deal),
            [
                {"title": f"d{i}", "amount": big, "currency": "TRY", "stage_id": lead.id}
                for i in range(n)
            ]
            + [
                {"title": "cent", "amount": Decimal("0.01"), "currency": "TRY", "stage_id": lead.id}
            ],
        )
    with services.db.session() as s:
        [row] = deals.pipeline_totals(s)
    assert (row.count, row.total) == (n + 1, big * n + Decimal("0.01"))
    assert "₺99,999,999,999,999,900.01" in chat.say("/pipeline").text


def test_a_database_at_0009_with_float_amounts_upgrades_exactly(services):
    """Amounts written by the old schema (REAL on SQLite, numeric on PostgreSQL) come through
    0010 as what the old code showed; one too large for any column is left empty."""
    db = services.db
    cfg = migrate.alembic_config(db)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0009")
    values = ["1250000.5", "0.1", "99999999999.99", "99999999999999.99", None]
    if db.is_sqlite:
        values.append("1e18")  # the old parser let this in: REAL, past any BigInteger
    with db.engine.begin() as conn:
        stage_id = conn.exec_driver_sql("SELECT min(id) FROM stage").scalar()
        for n, value in enumerate(values):
            conn.execute(
                text(
                    "INSERT INTO deal (title, amount, closed_amount, currency, stage_id,"
                    " stage_changed_at, created_at, updated_at) VALUES (:t, :a, :a, 'TRY', :s,"
                    " :now, :now, :now)"
                ),
                {"t": f"d{n}", "a": value, "s": stage_id, "now": datetime(2026, 1, 1)},
            )
        product = "INSERT INTO product (name, key, price, currency, created_at) VALUES"
        conn.execute(text(f"{product} ('P', 'p', 0.3, 'TRY', :now)"), {"now": datetime(2026, 1, 1)})
    migrate.upgrade(db)
    assert migrate.is_current(db)
    float_top = "99999999999999.98" if db.is_sqlite else "99999999999999.99"  # as shown before
    expected = ["1250000.50", "0.10", "99999999999.99", float_top, None]
    if db.is_sqlite:
        expected.append(None)
    stored = [None if d.amount is None else str(d.amount) for d in rows(services, Deal)]
    assert stored == expected
    assert [str(d.closed_amount) if d.closed_amount else None for d in rows(services, Deal)] == (
        expected
    )
    assert str(rows(services, Product)[0].price) == "0.30"
    with db.engine.connect() as conn:  # integers in the column, not floats or text
        kinds = conn.exec_driver_sql("SELECT amount FROM deal WHERE amount IS NOT NULL").scalars()
        assert all(type(v) is int for v in kinds)
